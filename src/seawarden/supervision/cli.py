"""``seawarden zones``, ``grid``, ``supervise``, ``alerts`` and ``webhooks``."""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.progress import Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine, insert, select

from seawarden.db import schema
from seawarden.db.engine import DatabaseError, audit, connect, database_url, default_actor
from seawarden.geo.formats import ZoneFileError, read_zones, write_geojson, write_kml
from seawarden.geo.grid import DEFAULT_RESOLUTION, grid_from_geojson
from seawarden.supervision.alerts import AlertError, AlertStore
from seawarden.supervision.driver import run_batch
from seawarden.supervision.events import AlertKind
from seawarden.supervision.zonestore import (
    delete_zone,
    load_grid,
    load_zones,
    save_grid,
    save_zones,
    zone_rows,
)
from seawarden.tracks.query import to_ms

zones_app = typer.Typer(
    help="Supervision zones: import, list, export, delete.", no_args_is_help=True
)
grid_app = typer.Typer(
    help="The supervision grid: H3 cells of responsible units.", no_args_is_help=True
)
alerts_app = typer.Typer(help="Alerts: list, acknowledge, close, history.", no_args_is_help=True)
webhooks_app = typer.Typer(help="Webhooks notified of alert changes.", no_args_is_help=True)

DataDir = Annotated[
    Path,
    typer.Option(
        "--data-dir",
        "-d",
        help="Data directory (its database unless SEAWARDEN_DATABASE_URL is set).",
    ),
]
Actor = Annotated[str | None, typer.Option("--actor", help="Who is acting (default: the OS user).")]
err = Console(stderr=True)


class ListFormat(StrEnum):
    """Output formats of listings."""

    table = "table"
    jsonl = "jsonl"
    csv = "csv"


def _engine(data_dir: Path) -> Engine:
    try:
        return connect(database_url(data_dir))
    except DatabaseError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def _emit(rows: list[dict[str, Any]], fmt: ListFormat, columns: list[str], title: str) -> None:
    if fmt is ListFormat.jsonl:
        for r in rows:
            sys.stdout.write(orjson.dumps(r, default=str).decode() + "\n")
    elif fmt is ListFormat.csv:
        w = csv.DictWriter(sys.stdout, fieldnames=columns, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            w.writerow(
                {
                    k: (orjson.dumps(v).decode() if isinstance(v, dict | list) else v)
                    for k, v in r.items()
                }
            )
    else:
        t = Table(title=title)
        for c in columns:
            t.add_column(c)
        for r in rows:
            t.add_row(*("" if r.get(c) is None else str(r.get(c)) for c in columns))
        Console().print(t)


@zones_app.command("import")
def zones_import(
    file: Annotated[Path, typer.Argument(help="GeoJSON (.geojson/.json) or KML (.kml) file.")],
    data_dir: DataDir = Path("var/data"),
    owner: Annotated[
        str | None, typer.Option(help="Owner organisation of zones that name none.")
    ] = None,
    replace: Annotated[bool, typer.Option(help="Remove zones not in the file.")] = False,
    actor: Actor = None,
) -> None:
    """Import zones (new ids are added, known ids updated)."""
    if not file.exists():
        err.print(f"[red]error:[/red] no such file: {file}")
        raise typer.Exit(2)
    try:
        zones = read_zones(file, owner)
    except ZoneFileError as exc:
        err.print(f"[red]error:[/red] {file}: {exc}")
        raise typer.Exit(2) from None
    engine = _engine(data_dir)
    try:
        created, updated = save_zones(engine, zones, actor or default_actor(), replace)
    except ValueError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    err.print(f"zones: {created} created, {updated} updated ({len(zones)} in {file.name})")


@zones_app.command("list")
def zones_list(
    data_dir: DataDir = Path("var/data"),
    fmt: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
) -> None:
    """List zones."""
    rows = zone_rows(_engine(data_dir))
    _emit(rows, fmt, ["id", "name", "kind", "owner", "version", "params"], f"{len(rows)} zones")


@zones_app.command("export")
def zones_export(
    file: Annotated[Path, typer.Argument(help="Output .geojson or .kml.")],
    data_dir: DataDir = Path("var/data"),
) -> None:
    """Export every zone to GeoJSON or KML."""
    zones = load_zones(_engine(data_dir))
    text = write_kml(zones) if file.suffix.lower() == ".kml" else write_geojson(zones)
    file.write_text(text, encoding="utf-8")
    err.print(f"wrote {len(zones)} zones to {file}")


@zones_app.command("delete")
def zones_delete(zone_id: str, data_dir: DataDir = Path("var/data"), actor: Actor = None) -> None:
    """Delete a zone."""
    if not delete_zone(_engine(data_dir), zone_id, actor or default_actor()):
        err.print(f"[red]error:[/red] no zone {zone_id}")
        raise typer.Exit(2)


@grid_app.command("import")
def grid_import(
    file: Annotated[Path, typer.Argument(help="GeoJSON of unit areas (property 'unit').")],
    data_dir: DataDir = Path("var/data"),
    resolution: Annotated[
        int, typer.Option(min=3, max=10, help="H3 resolution.")
    ] = DEFAULT_RESOLUTION,
    actor: Actor = None,
) -> None:
    """Replace the supervision grid from unit areas."""
    try:
        layer = grid_from_geojson(file.read_bytes(), resolution)
    except (OSError, ValueError, KeyError) as exc:
        err.print(f"[red]error:[/red] {file}: {exc}")
        raise typer.Exit(2) from None
    n = save_grid(_engine(data_dir), layer, actor or default_actor())
    err.print(f"grid: {n:,} cells, units {layer.units()}")


@grid_app.command("show")
def grid_show(data_dir: DataDir = Path("var/data")) -> None:
    """Cells per unit."""
    layer = load_grid(_engine(data_dir))
    if layer is None:
        err.print("no grid imported")
        return
    for unit, n in sorted(layer.units().items()):
        typer.echo(f"{unit}\t{n}")


def supervise_command(
    data_dir: DataDir = Path("var/data"),
    start: Annotated[str | None, typer.Option("--from", help="Start (ISO 8601).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="End (ISO 8601).")] = None,
    dry_run: Annotated[
        bool, typer.Option(help="Print events as JSON lines; store no alerts.")
    ] = False,
) -> None:
    """Run the supervision rules over stored positions and store the alerts."""
    if not (data_dir / "state" / "commit.json").exists():
        err.print(f"[red]error:[/red] {data_dir} holds no track store (run seawarden ingest first)")
        raise typer.Exit(2)
    engine = _engine(data_dir)
    with Progress(
        TextColumn("{task.description}"), TimeElapsedColumn(), console=err, transient=True
    ) as progress:
        task = progress.add_task("supervise", total=None)
        result, events = run_batch(
            data_dir,
            engine,
            to_ms(start) if start else None,
            to_ms(end) if end else None,
            progress=lambda what, n: progress.update(task, description=what),
            apply=not dry_run,
        )
    if dry_run:
        for e in events:
            sys.stdout.write(orjson.dumps(e.as_dict()).decode() + "\n")
    a = result.alerts
    err.print(
        f"{result.positions:,} positions, {result.events:,} events; alerts {a.created} created, "
        f"{a.merged} merged, {a.closed} ended, {a.unchanged} already known; {result.summary}"
    )


@alerts_app.command("list")
def alerts_list(
    data_dir: DataDir = Path("var/data"),
    state: Annotated[str | None, typer.Option(help="open, acknowledged or closed.")] = None,
    kind: Annotated[
        str | None, typer.Option(help=f"One of: {', '.join(k.value for k in AlertKind)}.")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="Alerts going on after this time.")
    ] = None,
    end: Annotated[
        str | None, typer.Option("--to", help="Alerts starting before this time.")
    ] = None,
    fmt: Annotated[ListFormat, typer.Option("--format", "-f")] = ListFormat.table,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 10_000,
) -> None:
    """List alerts, newest first."""
    engine = _engine(data_dir)
    store = AlertStore(engine, {z.id: z for z in load_zones(engine)})
    rows = store.find(
        state, kind, to_ms(start) if start else None, to_ms(end) if end else None, limit=limit
    )
    _emit(
        rows,
        fmt,
        ["id", "kind", "mmsi", "zone", "start", "end", "state", "severity", "unit", "occurrences"],
        f"{len(rows)} alerts",
    )


def _transition(
    alert_id: int, to: str, data_dir: Path, comment: str | None, actor: str | None
) -> None:
    engine = _engine(data_dir)
    try:
        AlertStore(engine).transition(alert_id, to, actor or default_actor(), comment)
    except AlertError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    err.print(f"alert {alert_id}: {to}")


@alerts_app.command("ack")
def alerts_ack(
    alert_id: int,
    data_dir: DataDir = Path("var/data"),
    comment: Annotated[str | None, typer.Option(help="Why / what was done.")] = None,
    actor: Actor = None,
) -> None:
    """Acknowledge an alert."""
    _transition(alert_id, "acknowledged", data_dir, comment, actor)


@alerts_app.command("close")
def alerts_close(
    alert_id: int,
    data_dir: DataDir = Path("var/data"),
    comment: Annotated[str | None, typer.Option(help="Why / what was done.")] = None,
    actor: Actor = None,
) -> None:
    """Close an alert."""
    _transition(alert_id, "closed", data_dir, comment, actor)


@alerts_app.command("history")
def alerts_history(alert_id: int, data_dir: DataDir = Path("var/data")) -> None:
    """Every change of an alert."""
    for h in AlertStore(_engine(data_dir)).history(alert_id):
        typer.echo(
            orjson.dumps(
                {k: h[k] for k in ("at", "actor", "action", "from_state", "to_state", "comment")}
            ).decode()
        )


@webhooks_app.command("add")
def webhooks_add(
    url: str,
    data_dir: DataDir = Path("var/data"),
    kinds: Annotated[
        str | None, typer.Option(help="Comma-separated alert kinds (default: all).")
    ] = None,
    secret: Annotated[
        str | None, typer.Option(help="HMAC-SHA256 secret for the X-Seawarden-Signature header.")
    ] = None,
    actor: Actor = None,
) -> None:
    """Register a webhook."""
    if not url.startswith(("http://", "https://")):
        err.print("[red]error:[/red] the URL must be http(s)")
        raise typer.Exit(2)
    wanted = [k.strip() for k in kinds.split(",")] if kinds else []
    unknown = [k for k in wanted if k not in {a.value for a in AlertKind}]
    if unknown:
        err.print(f"[red]error:[/red] unknown alert kind(s): {', '.join(unknown)}")
        raise typer.Exit(2)
    engine = _engine(data_dir)
    with engine.begin() as conn:
        hid = conn.execute(
            insert(schema.webhooks)
            .values(url=url, kinds=wanted, secret=secret, active=True)
            .returning(schema.webhooks.c.id)
        ).scalar_one()
        audit(
            conn,
            actor or default_actor(),
            "webhook.create",
            "webhook",
            str(hid),
            {"url": url, "kinds": wanted},
        )
    err.print(f"webhook {hid}: {url}")


@webhooks_app.command("list")
def webhooks_list(data_dir: DataDir = Path("var/data")) -> None:
    """List webhooks."""
    with _engine(data_dir).connect() as conn:
        for r in conn.execute(select(schema.webhooks)).mappings():
            typer.echo(
                orjson.dumps(
                    {"id": r["id"], "url": r["url"], "kinds": r["kinds"], "active": r["active"]}
                ).decode()
            )
