"""The ``seawarden`` command line: one group per domain."""

from __future__ import annotations

import datetime as dt
from importlib import resources
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from seawarden import __version__
from seawarden.ais import cli as ais_cli
from seawarden.collision import cli as collision_cli
from seawarden.credit.cli import credit_app
from seawarden.dangerous_goods import cli as dg_cli
from seawarden.db import cli as db_cli
from seawarden.ingest import cli as ingest_cli
from seawarden.ledger import cli as ledger_cli
from seawarden.registry.cli import registry_app
from seawarden.risk.cli import risk_app
from seawarden.settings import get_settings
from seawarden.sim import cli as sim_cli
from seawarden.supervision import cli as supervision_cli
from seawarden.tracks import cli as tracks_cli
from seawarden.web import cli as web_cli

app = typer.Typer(
    help="Seawarden: smart port and maritime supervision platform.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
app.command("decode")(ais_cli.decode_command)
app.add_typer(ais_cli.app, name="ais")
app.command("ingest")(ingest_cli.ingest_command)
app.command("rebuild")(ingest_cli.rebuild_command)
app.command("track")(tracks_cli.track_command)
app.command("snapshot")(tracks_cli.snapshot_command)
app.add_typer(tracks_cli.vessels_app, name="vessels")
app.command("simulate")(sim_cli.simulate_command)
app.add_typer(supervision_cli.zones_app, name="zones")
app.add_typer(supervision_cli.grid_app, name="grid")
app.command("supervise")(supervision_cli.supervise_command)
app.add_typer(supervision_cli.alerts_app, name="alerts")
app.add_typer(supervision_cli.webhooks_app, name="webhooks")
app.add_typer(collision_cli.app, name="collision")
app.command("serve")(web_cli.serve_command)
app.add_typer(web_cli.users_app, name="users")
app.add_typer(web_cli.audit_app, name="audit")
app.add_typer(db_cli.app, name="db")
app.add_typer(dg_cli.app, name="dg")
app.add_typer(registry_app, name="registry")
app.add_typer(risk_app, name="risk")
app.add_typer(credit_app, name="credit")
app.add_typer(ledger_cli.app, name="ledger")


@app.command("version")
def version_command() -> None:
    """Print the Seawarden version."""
    typer.echo(__version__)


@app.command("demo")
def demo_command(
    data_dir: Annotated[
        Path | None, typer.Option(help="Data directory (default: <data_dir>/demo).")
    ] = None,
    vessels: Annotated[int, typer.Option(help="Simulated vessels.")] = 300,
    hours: Annotated[float, typer.Option(help="Hours of history simulated before now.")] = 2.0,
    port: Annotated[
        int, typer.Option(help="Local TCP port the simulated feed is sent to.")
    ] = 10110,
    duration: Annotated[
        float | None, typer.Option(help="Stop after this many seconds (default: run until Ctrl-C).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Simulation seed.")] = 1,
    web_port: Annotated[
        int,
        typer.Option(envvar="SEAWARDEN_PORT", help="Web port (SEAWARDEN_PORT; 0: no web server)."),
    ] = 8000,
) -> None:
    """Run the platform on demo data: simulated history, a live feed, the web UI."""
    from seawarden.demo import run_demo

    settings = get_settings()
    run_demo(
        data_dir or settings.data_dir / "demo",
        vessels,
        hours,
        port,
        duration,
        seed,
        web_port or None,
    )


@ais_cli.app.command("sample")
def sample_command(
    top: Annotated[int, typer.Option(help="How many vessels to list.")] = 10,
) -> None:
    """Decode the bundled sample capture (Danish waters, 2010) and summarise it."""
    from seawarden.ais import Decoder, decode_batch

    console = Console()
    sample = resources.files("seawarden.data").joinpath("sample.nmea").read_bytes()
    decoder = Decoder()
    tables = decode_batch(sample, decoder=decoder)
    stats = decoder.stats()
    pos = tables["position"]
    static = tables["static"]
    rx = pos["rxtime"].drop_null().to_pylist()
    console.print("[bold]Seawarden[/bold] - sample capture decoded")
    console.print(
        f"lines {stats.lines:,} | messages {stats.messages:,} | "
        f"rejected lines {stats.rejected():,} | vessels {len(set(pos['mmsi'].to_pylist())):,}"
    )
    if rx:
        console.print(f"receive time {min(rx):%Y-%m-%d %H:%M:%S} - {max(rx):%H:%M:%S} UTC")
    families = Table(title="Message families")
    families.add_column("family")
    families.add_column("rows", justify="right")
    for name, table in tables.items():
        families.add_row(name, f"{table.num_rows:,}")
    console.print(families)
    names: dict[int, str] = {}
    for mmsi, name in zip(static["mmsi"].to_pylist(), static["shipname"].to_pylist(), strict=True):
        if name:
            names[mmsi] = name
    counts: dict[int, int] = {}
    last: dict[int, tuple[float | None, float | None, dt.datetime | None]] = {}
    for mmsi, lat, lon, t in zip(
        pos["mmsi"].to_pylist(),
        pos["lat"].to_pylist(),
        pos["lon"].to_pylist(),
        pos["rxtime"].to_pylist(),
        strict=True,
    ):
        counts[mmsi] = counts.get(mmsi, 0) + 1
        last[mmsi] = (lat, lon, t)
    vessels = Table(title=f"Busiest {top} vessels")
    for col in ("MMSI", "name", "reports", "last lat", "last lon"):
        vessels.add_column(col)
    for mmsi, n in sorted(counts.items(), key=lambda kv: -kv[1])[:top]:
        lat, lon, _ = last[mmsi]
        vessels.add_row(
            str(mmsi),
            names.get(mmsi, ""),
            str(n),
            "" if lat is None else f"{lat:.5f}",
            "" if lon is None else f"{lon:.5f}",
        )
    console.print(vessels)


def main() -> None:
    """Console-script entry point."""
    app()
