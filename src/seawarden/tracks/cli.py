"""``seawarden track``, ``seawarden snapshot`` and ``seawarden vessels``."""

from __future__ import annotations

import csv
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import orjson
import pyarrow as pa
import typer
from rich.console import Console
from rich.table import Table

from seawarden.tracks.json_rows import positions_jsonl
from seawarden.tracks.output import FIELDS, records
from seawarden.tracks.query import QueryError, TrackQuery, to_ms
from seawarden.tracks.store import StoreError

DataDir = Annotated[Path, typer.Option("--data-dir", "-d", help="Data directory.")]
vessels_app = typer.Typer(help="Vessel register of the track store: search.", no_args_is_help=True)


class TrackFormat(StrEnum):
    """Output formats of track and snapshot."""

    jsonl = "jsonl"
    csv = "csv"
    geojson = "geojson"


def write(table: pa.Table, fmt: TrackFormat, out: Any, title: str = "") -> None:
    """Write positions in a format."""
    if fmt is TrackFormat.jsonl:
        out.write(positions_jsonl(table).decode())
    elif fmt is TrackFormat.csv:
        names = [*FIELDS, *(("age_s",) if "age_s" in table.column_names else ())]
        writer = csv.DictWriter(out, fieldnames=names, extrasaction="ignore")
        writer.writeheader()
        for rec in records(table):
            rec["flags"] = "|".join(rec.get("flags", []))
            writer.writerow(rec)
    else:
        recs = list(records(table))
        if "age_s" in table.column_names or not title:
            features = [
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                    "properties": {k: v for k, v in r.items() if k not in ("lat", "lon")},
                }
                for r in recs
            ]
        else:
            features = [
                {
                    "type": "Feature",
                    "geometry": {
                        "type": "LineString",
                        "coordinates": [[r["lon"], r["lat"]] for r in recs],
                    },
                    "properties": {
                        "vessel": title,
                        "points": len(recs),
                        "times": [r["time"] for r in recs],
                        "start": recs[0]["time"] if recs else None,
                        "end": recs[-1]["time"] if recs else None,
                    },
                }
            ]
        out.write(orjson.dumps({"type": "FeatureCollection", "features": features}).decode() + "\n")


def _open(data_dir: Path, console: Console) -> TrackQuery:
    if not (data_dir / "state" / "commit.json").exists():
        console.print(
            f"[red]error:[/red] {data_dir} holds no track store (run seawarden ingest first)"
        )
        raise typer.Exit(2)
    try:
        return TrackQuery.open(data_dir)
    except StoreError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def _time(value: str | None, console: Console) -> int | None:
    if value is None:
        return None
    try:
        return to_ms(value)
    except ValueError:
        console.print(
            f"[red]error:[/red] not a time: {value!r} (ISO 8601, e.g. 2026-11-22T08:00:00Z)"
        )
        raise typer.Exit(2) from None


def track_command(
    vessel: Annotated[str, typer.Argument(help="MMSI, or BeiDou terminal id.")],
    data_dir: DataDir = Path("var/data"),
    start: Annotated[
        str | None, typer.Option("--from", help="Start time (ISO 8601, UTC if no offset).")
    ] = None,
    end: Annotated[str | None, typer.Option("--to", help="End time (ISO 8601).")] = None,
    simplify: Annotated[
        float | None, typer.Option(help="Douglas-Peucker tolerance in metres.")
    ] = None,
    every: Annotated[
        float | None, typer.Option(help="At most one position per this many seconds.")
    ] = None,
    fmt: Annotated[
        TrackFormat, typer.Option("--format", "-f", help="Output format.")
    ] = TrackFormat.jsonl,
) -> None:
    """Print a vessel's track in time order."""
    console = Console(stderr=True)
    query = _open(data_dir, console)
    try:
        table = query.track(
            vessel, _time(start, console), _time(end, console), simplify_m=simplify, every_s=every
        )
    except QueryError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    write(table, fmt, sys.stdout, title=vessel)


def snapshot_command(
    at: Annotated[str, typer.Option("--at", help="Time of the picture (ISO 8601).")],
    data_dir: DataDir = Path("var/data"),
    bbox: Annotated[str | None, typer.Option(help="min_lon,min_lat,max_lon,max_lat")] = None,
    max_age: Annotated[
        float, typer.Option(help="Leave out vessels silent for longer (seconds).")
    ] = 1800.0,
    fmt: Annotated[
        TrackFormat, typer.Option("--format", "-f", help="Output format.")
    ] = TrackFormat.jsonl,
) -> None:
    """Print the last known position of every vessel at a time (with ``age_s``)."""
    console = Console(stderr=True)
    query = _open(data_dir, console)
    box = None
    if bbox:
        try:
            parts = [float(x) for x in bbox.split(",")]
        except ValueError:
            parts = []
        if len(parts) != 4 or not (
            -180 <= parts[0] <= 180
            and -180 <= parts[2] <= 180
            and -90 <= parts[1] <= parts[3] <= 90
        ):
            console.print("[red]error:[/red] --bbox is min_lon,min_lat,max_lon,max_lat in degrees")
            raise typer.Exit(2)
        box = (parts[0], parts[1], parts[2], parts[3])
    t = _time(at, console)
    assert t is not None
    write(query.snapshot(t, box, max_age), fmt, sys.stdout)


@vessels_app.command("search")
def search_command(
    text: Annotated[
        str, typer.Argument(help="MMSI (prefix), IMO, name, call sign or fishing-vessel number.")
    ],
    data_dir: DataDir = Path("var/data"),
    limit: Annotated[int, typer.Option(help="At most this many results.")] = 20,
    jsonl: Annotated[bool, typer.Option("--jsonl", help="JSON lines instead of a table.")] = False,
) -> None:
    """Find vessels by identity."""
    console = Console()
    query = _open(data_dir, Console(stderr=True))
    table = query.search(text, limit)
    rows = table.to_pylist()
    if jsonl:
        for r in rows:
            typer.echo(orjson.dumps({k: v for k, v in r.items() if v is not None}).decode())
        return
    out = Table(title=f"{len(rows)} vessel(s) matching {text!r}")
    for name in ("mmsi", "name", "callsign", "imo", "fishing_no", "terminal", "kind"):
        out.add_column(name)
    for r in rows:
        out.add_row(
            *(
                "" if r.get(k) is None else str(r[k])
                for k in ("mmsi", "name", "callsign", "imo", "fishing_no", "terminal", "kind")
            )
        )
    console.print(out)
