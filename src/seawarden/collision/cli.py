"""``seawarden collision snapshot`` and ``seawarden collision encounters``."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.console import Console
from rich.table import Table

from seawarden.collision.history import (
    NearMissParams,
    RendezvousParams,
    heatmap_geojson,
    near_misses,
    rendezvous,
)
from seawarden.collision.picture import risky
from seawarden.geo.zones import Zone
from seawarden.positions.batch import PositionBatch
from seawarden.tracks.query import QueryError, TrackQuery, to_ms

app = typer.Typer(
    help="Collision risk: the picture at a time, encounters over a period.", no_args_is_help=True
)
DataDir = Annotated[Path, typer.Option("--data-dir", "-d", help="Data directory.")]
err = Console(stderr=True)


def _zones(data_dir: Path) -> list[Zone]:
    from seawarden.supervision.driver import zones_configured

    if not zones_configured(data_dir):
        return []
    from seawarden.db.engine import connect, database_url
    from seawarden.supervision.zonestore import load_zones

    return load_zones(connect(database_url(data_dir)))


def _open(data_dir: Path) -> TrackQuery:
    if not (data_dir / "state" / "commit.json").exists():
        err.print(f"[red]error:[/red] {data_dir} holds no track store (run seawarden ingest first)")
        raise typer.Exit(2)
    return TrackQuery.open(data_dir)


@app.command("snapshot")
def snapshot_command(
    at: Annotated[str, typer.Option("--at", help="Time (ISO 8601 or 'now').")],
    data_dir: DataDir = Path("var/data"),
    bbox: Annotated[str | None, typer.Option(help="min_lon,min_lat,max_lon,max_lat")] = None,
    dcpa: Annotated[float, typer.Option(help="List pairs with DCPA below this (nm).")] = 1.0,
    tcpa: Annotated[float, typer.Option(help="... and TCPA between 0 and this (minutes).")] = 30.0,
    fmt: Annotated[str, typer.Option("--format", "-f", help="jsonl or table.")] = "jsonl",
) -> None:
    """Risky pairs at a time: DCPA, TCPA, encounter class, give-way vessel, risk index."""
    query = _open(data_dir)
    try:
        t = to_ms(at)
    except ValueError:
        err.print(f"[red]error:[/red] not a time: {at!r}")
        raise typer.Exit(2) from None
    records = risky(query, t, _zones(data_dir), dcpa, tcpa)
    if bbox:
        try:
            x0, y0, x1, y1 = (float(v) for v in bbox.split(","))
        except ValueError:
            err.print("[red]error:[/red] --bbox is min_lon,min_lat,max_lon,max_lat")
            raise typer.Exit(2) from None
        records = [
            r
            for r in records
            if (x0 <= r["lon_a"] <= x1 and y0 <= r["lat_a"] <= y1)
            or (x0 <= r["lon_b"] <= x1 and y0 <= r["lat_b"] <= y1)
        ]
    if fmt == "table":
        table = Table(title=f"{len(records)} risky pairs at {at}")
        for c in ("mmsi_a", "mmsi_b", "dcpa_nm", "tcpa_min", "encounter", "give_way_mmsi", "cri"):
            table.add_column(c)
        for r in records:
            table.add_row(
                *(
                    str(r[c])
                    for c in (
                        "mmsi_a",
                        "mmsi_b",
                        "dcpa_nm",
                        "tcpa_min",
                        "encounter",
                        "give_way_mmsi",
                        "cri",
                    )
                )
            )
        Console().print(table)
        return
    for r in records:
        sys.stdout.write(orjson.dumps(r).decode() + "\n")


@app.command("encounters")
def encounters_command(
    data_dir: DataDir = Path("var/data"),
    start: Annotated[str | None, typer.Option("--from", help="Start (ISO 8601).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="End (ISO 8601).")] = None,
    heatmap: Annotated[
        Path | None, typer.Option(help="Write near-miss counts by H3 cell as GeoJSON.")
    ] = None,
    near: Annotated[float, typer.Option(help="Near-miss distance (nm).")] = 0.5,
) -> None:
    """Rendezvous at sea (GFW rules) and near misses over a period, as JSON lines."""
    query = _open(data_dir)
    try:
        table = query.positions(to_ms(start) if start else None, to_ms(end) if end else None)
    except (QueryError, ValueError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    batch = PositionBatch.from_arrow(table)
    found = rendezvous(batch, _zones(data_dir), RendezvousParams())
    stats = near_misses(batch, NearMissParams(distance_nm=near))
    for r in found:
        sys.stdout.write(json.dumps(r) + "\n")
    for r in stats["near_misses"]:
        sys.stdout.write(json.dumps(r) + "\n")
    if heatmap is not None:
        heatmap.write_text(json.dumps(heatmap_geojson(stats["cells"])))
    summary: dict[str, Any] = {
        "positions": len(batch),
        "rendezvous": len(found),
        "near_misses": len(stats["near_misses"]),
        "cells": len(stats["cells"]),
    }
    err.print(f"{summary}")
