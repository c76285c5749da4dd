"""``seawarden ingest`` and ``seawarden rebuild``."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from seawarden.ingest.pipeline import IngestConfig, Ingester, IngestSummary, rebuild
from seawarden.ingest.sources import LiveSource, file_kind, is_live
from seawarden.tracks.store import StoreError

DataDir = Annotated[
    Path, typer.Option("--data-dir", "-d", help="Data directory (created if missing).")
]


def _file_size(spec: str) -> int:
    _, path = file_kind(spec)
    try:
        return path.stat().st_size if path.suffix != ".gz" else 0
    except OSError:
        return 0


def print_summary(summary: IngestSummary, console: Console) -> None:
    """The final summary: counts, rates and every reason a line or position was not stored."""
    rate = summary.messages / summary.seconds if summary.seconds > 0 else 0.0
    console.print(
        f"[bold]ingested[/bold] {summary.bytes / 1e6:,.1f} MB, {summary.messages:,} AIS messages, "
        f"{summary.stored:,} positions stored in {summary.commits} commits, "
        f"{summary.seconds:,.1f} s ({rate:,.0f} messages/s)"
    )
    table = Table(title="Outcomes")
    table.add_column("stage")
    table.add_column("reason")
    table.add_column("count", justify="right")
    for name, count in summary.decode.get("outcomes", {}).items():
        if count:
            table.add_row("line", name, f"{count:,}")
    positions: dict[str, Any] = summary.positions
    for name, count in positions.get("outcomes", {}).items():
        if count:
            table.add_row("position", name, f"{count:,}")
    for name, count in positions.get("flags", {}).items():
        if count:
            table.add_row("flag", name, f"{count:,}")
    if summary.dropped_udp_lines:
        table.add_row("udp", "dropped (queue full)", f"{summary.dropped_udp_lines:,}")
    console.print(table)


def ingest_command(
    sources: Annotated[
        list[str],
        typer.Argument(
            help="Files (.nmea, .gz, .jsonl/.csv BeiDou), tcp://host:port, tcp-listen://:port, udp://:port."
        ),
    ],
    data_dir: DataDir = Path("var/data"),
    speed: Annotated[
        float | None,
        typer.Option(
            help="Replay files at this multiple of recorded speed (default: as fast as possible)."
        ),
    ] = None,
    max_seconds: Annotated[
        float | None, typer.Option(help="Stop network sources after this many seconds.")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
    supervise: Annotated[
        bool,
        typer.Option(
            "--supervise/--no-supervise",
            help="Run the zone and behaviour rules live (when zones exist).",
        ),
    ] = True,
) -> None:
    """Ingest AIS and BeiDou sources into a data directory (resumes where it stopped)."""
    console = Console(stderr=True)
    try:
        ingester = Ingester(data_dir, IngestConfig.from_settings(speed))
    except StoreError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    live_rules = None
    if supervise:
        from seawarden.supervision.driver import zones_configured

        if zones_configured(data_dir):
            live_rules = ingester.supervise()
    files = [s for s in sources if not is_live(s)]
    live = [s for s in sources if is_live(s)]
    for spec in files:
        if not file_kind(spec)[1].exists():
            console.print(f"[red]error:[/red] no such file: {spec}")
            raise typer.Exit(2)
    try:
        if files:
            total = sum(_file_size(s) for s in files) or None
            with Progress(
                TextColumn("ingest"),
                BarColumn(),
                DownloadColumn(),
                TimeElapsedColumn(),
                console=console,
                disable=quiet,
                transient=True,
            ) as progress:
                task = progress.add_task("files", total=total)
                summary = ingester.run_files(files, progress=lambda n: progress.advance(task, n))
        if live:
            stop = threading.Event()

            def on_signal(signum: int, frame: object) -> None:
                stop.set()

            signal.signal(signal.SIGINT, on_signal)
            signal.signal(signal.SIGTERM, on_signal)

            def started(srcs: list[LiveSource]) -> None:
                for s in srcs:
                    port = getattr(s, "port", 0)
                    console.print(
                        f"listening/connected: {s.url}" + (f" (port {port})" if port else "")
                    )

            with Progress(
                TextColumn("{task.description}"), console=console, disable=quiet, transient=True
            ) as progress:
                task = progress.add_task("live", total=None)

                def on_commit(ing: Ingester) -> None:
                    p = ing.state.positions
                    progress.update(
                        task,
                        description=(
                            f"live: {ing.summary.messages:,} messages, "
                            f"{p.outcomes['stored']:,} positions stored, "
                            f"{len(ing.state.latest):,} vessels, "
                            f"last commit {time.strftime('%H:%M:%S')}"
                        ),
                    )

                ingester.on_commit = on_commit
                summary = ingester.run_live(live, stop, max_seconds=max_seconds, started=started)
    except StoreError as exc:
        console.print(
            f"[red]error:[/red] {exc} (nothing after the last commit was kept; rerun to resume)"
        )
        raise typer.Exit(3) from None
    finally:
        if live_rules is not None:
            live_rules.close()
    print_summary(summary, console)
    if live_rules is not None:
        a = live_rules.applied
        console.print(
            f"supervision: {len(live_rules.zones)} zones; "
            f"alerts {a.created} created, {a.merged} merged"
        )


def rebuild_command(
    data_dir: DataDir = Path("var/data"),
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Rebuild tracks, latest positions and vessel particulars from the raw archive."""
    console = Console(stderr=True)
    archive = data_dir / "archive"
    if not archive.exists():
        console.print(f"[red]error:[/red] {data_dir} has no raw archive")
        raise typer.Exit(2)
    with Progress(
        TextColumn("rebuild"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
        transient=True,
    ) as progress:
        task = progress.add_task("rebuild", total=None)
        try:
            summary = rebuild(
                data_dir, IngestConfig.from_settings(), progress=lambda n: progress.advance(task, n)
            )
        except StoreError as exc:
            console.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(3) from None
    print_summary(summary, console)
