"""``seawarden track``, ``seawarden snapshot`` and ``seawarden vessels``."""

from __future__ import annotations

import csv
import functools
import sys
from collections.abc import Iterator
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import orjson
import pyarrow as pa
import typer
from rich.console import Console
from rich.table import Table

from seawarden.positions.schema import Flag, Source
from seawarden.tracks.query import QueryError, TrackQuery, to_ms
from seawarden.tracks.store import StoreError

DataDir = Annotated[Path, typer.Option("--data-dir", "-d", help="Data directory.")]
vessels_app = typer.Typer(help="Vessel register of the track store: search.", no_args_is_help=True)

#: Output fields, in order (``age_s`` only in snapshots).
FIELDS = (
    "mmsi",
    "terminal",
    "fishing_no",
    "time",
    "lat",
    "lon",
    "sog",
    "cog",
    "heading",
    "status",
    "source",
    "station",
    "stations",
    "flags",
    "segment",
)
_SOURCE_NAMES = {s.value: s.name.lower() for s in Source}


class TrackFormat(StrEnum):
    """Output formats of track and snapshot."""

    jsonl = "jsonl"
    csv = "csv"
    geojson = "geojson"


def iso_times(column: pa.ChunkedArray | pa.Array) -> list[str]:
    """ISO 8601 UTC text (millisecond precision) of a timestamp column."""
    ms_type = pa.timestamp("ms", tz="UTC")
    ms = np.asarray(
        column.cast(ms_type).cast(pa.int64()).to_numpy(zero_copy_only=False), dtype="datetime64[ms]"
    )
    return [t + "Z" for t in np.datetime_as_string(ms, unit="ms").tolist()]


@functools.cache
def _flag_names(value: int) -> tuple[str, ...]:
    return tuple(f.name.lower() for f in Flag if f.name and f is not Flag.NONE and value & f)


def flag_names(value: int) -> list[str]:
    """Names of the flags set in a flags value."""
    return list(_flag_names(value))


def _output_column(table: pa.Table, name: str) -> list[Any]:
    """One output field of every row, as it is written (``None``: left out)."""
    if name == "time":
        return list(iso_times(table.column("time")))
    values: list[Any] = table.column(name).to_pylist()
    if name in ("mmsi", "heading", "status"):
        return [None if v is None or v < 0 else v for v in values]
    if name == "source":
        return [None if v is None else _SOURCE_NAMES.get(v, str(v)) for v in values]
    if name == "flags":
        return [None if v is None else list(_flag_names(v)) for v in values]
    if name in ("sog", "cog"):
        return [None if v is None or v != v else round(v, 1) for v in values]
    if name == "age_s":
        return [None if v is None else round(v, 3) for v in values]
    return values


def records(table: pa.Table) -> Iterator[dict[str, Any]]:
    """Output records of a positions table (nulls left out), built column by column."""
    names = [n for n in (*FIELDS, "age_s") if n in table.column_names]
    columns = [_output_column(table, n) for n in names]
    for row in zip(*columns, strict=True):
        yield {k: v for k, v in zip(names, row, strict=True) if v is not None}


def write(table: pa.Table, fmt: TrackFormat, out: Any, title: str = "") -> None:
    """Write positions in a format."""
    if fmt is TrackFormat.jsonl:
        for rec in records(table):
            out.write(orjson.dumps(rec).decode() + "\n")
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
