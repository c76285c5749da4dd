"""``seawarden simulate``."""

from __future__ import annotations

import signal
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from seawarden.sim.area import AREAS, DEFAULT_AREA
from seawarden.sim.engine import SimConfig, Simulation
from seawarden.sim.output import LiveFeed, companion, write_files
from seawarden.sim.scenarios import SCENARIOS
from seawarden.tracks.query import to_ms


def simulate_command(
    vessels: Annotated[int, typer.Option(help="Number of vessels.")] = 200,
    hours: Annotated[float, typer.Option(help="Simulated hours.")] = 2.0,
    out: Annotated[
        Path | None,
        typer.Option(help="NMEA output file (.gz compresses); companions are written beside it."),
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="Start time (ISO 8601; default: this hour minus --hours).")
    ] = None,
    area: Annotated[
        str, typer.Option(help=f"Sea area ({', '.join(AREAS)}) or a GeoJSON file.")
    ] = DEFAULT_AREA,
    seed: Annotated[int, typer.Option(help="Random seed (same seed, same traffic).")] = 1,
    scenarios: Annotated[
        str,
        typer.Option(help=f"Comma-separated scenarios, 'all' or 'none' ({', '.join(SCENARIOS)})."),
    ] = "all",
    corrupt: Annotated[float, typer.Option(help="Fraction of lines to damage.")] = 0.0,
    live: Annotated[
        str | None,
        typer.Option(
            help="Send traffic in real time to tcp://host:port or udp://host:port (not a file)."
        ),
    ] = None,
    speed: Annotated[float, typer.Option(help="Live feed speed-up factor.")] = 1.0,
    duration: Annotated[
        float | None, typer.Option(help="Stop a live feed after this many wall-clock seconds.")
    ] = None,
) -> None:
    """Simulate AIS and BeiDou traffic with scripted, ground-truthed scenarios."""
    console = Console(stderr=True)
    names = (
        SCENARIOS
        if scenarios == "all"
        else ()
        if scenarios == "none"
        else tuple(s.strip() for s in scenarios.split(","))
    )
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        console.print(f"[red]error:[/red] unknown scenario(s): {', '.join(unknown)}")
        raise typer.Exit(2)
    if out is None and live is None:
        console.print("[red]error:[/red] give --out FILE or --live URL")
        raise typer.Exit(2)
    try:
        config = SimConfig(
            vessels=vessels,
            hours=hours,
            start_ms=to_ms(start) if start else None,
            seed=seed,
            area=area,
            scenarios=names,
            corrupt=corrupt,
        )
        sim = Simulation(config)
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    if live is not None:
        feed = LiveFeed(sim, live, speed)
        signal.signal(signal.SIGINT, lambda *_: feed.stop.set())
        signal.signal(signal.SIGTERM, lambda *_: feed.stop.set())
        console.print(f"sending {len(sim.fleet)} vessels to {live} (Ctrl-C stops)")
        try:
            feed.run(duration_s=duration)
        except OSError as exc:
            console.print(f"[red]error:[/red] {live}: {exc}")
            raise typer.Exit(3) from None
        console.print(f"sent {feed.sent_lines:,} lines")
        return
    assert out is not None
    with Progress(
        TextColumn("simulate"),
        BarColumn(),
        TextColumn("{task.percentage:>3.0f}%"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("sim", total=1.0)
        truth = write_files(
            sim,
            out,
            progress=lambda done, total: progress.update(task, completed=done / max(total, 1)),
        )
    table = Table(title=f"Simulated {len(sim.fleet)} vessels, {hours:g} h, {sim.area.name}")
    table.add_column("what")
    table.add_column("count", justify="right")
    for k, v in truth["counts"].items():
        table.add_row(k, f"{v:,}")
    table.add_row("scenario events", str(len(sim.events)))
    console.print(table)
    console.print(
        f"wrote {out}, {companion(out, '.beidou.jsonl').name}, "
        f"{companion(out, '.events.jsonl').name}, "
        f"{companion(out, '.fleet.jsonl').name}, {companion(out, '.truth.json').name}"
    )
