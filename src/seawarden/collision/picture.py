"""Vessel states at a moment from a data directory (for the collision snapshot)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from seawarden.collision.watch import (
    CollisionConfig,
    VesselState,
    assess,
    pair_records,
    state_from_arrays,
)
from seawarden.geo.index import ZoneIndex
from seawarden.geo.zones import HARBOUR_KINDS, Zone
from seawarden.positions.schema import Source
from seawarden.supervision.vessels import classify
from seawarden.tracks.query import TrackQuery


def particulars(data_dir: Path) -> dict[int, tuple[int, float, str | None]]:
    """MMSI → (ship type, length, name) from the data directory's particulars."""
    path = Path(data_dir) / "vessels.parquet"
    if not path.exists():
        return {}
    rows = pq.read_table(
        path, columns=["mmsi", "shiptype", "to_bow", "to_stern", "shipname"]
    ).to_pylist()
    return {
        r["mmsi"]: (
            int(r["shiptype"]) if r["shiptype"] is not None else -1,
            float((r["to_bow"] or 0) + (r["to_stern"] or 0)) or float("nan"),
            r["shipname"],
        )
        for r in rows
    }


def state_at(
    query: TrackQuery, at_ms: int, zones: list[Zone], config: CollisionConfig
) -> tuple[VesselState, dict[int, str]]:
    """Every vessel's last state before ``at_ms`` (within the watch's age limit), and names."""
    snap = query.snapshot(at_ms, None, config.max_age_s)
    info_by = particulars(query.store.root)
    mmsi = np.array([-1 if m is None else m for m in snap["mmsi"].to_pylist()], dtype=np.int64)
    info = [info_by.get(int(m), (-1, float("nan"), None)) for m in mmsi]
    shiptype = np.array([i[0] for i in info], dtype=np.int64)
    beidou = np.array(snap["source"].to_pylist(), dtype=np.int64) == Source.BEIDOU
    lat = snap["lat"].to_numpy()
    lon = snap["lon"].to_numpy()
    harbours = [z for z in zones if z.kind in HARBOUR_KINDS]
    harbour = np.full(lat.size, -1, dtype=np.int64)
    if harbours and lat.size:
        rows, zz, inner = ZoneIndex(harbours).memberships(lat, lon)
        harbour[rows[inner]] = zz[inner]
    heading = np.array(
        [np.nan if h is None else h for h in snap["heading"].to_pylist()], dtype=np.float64
    )
    state = state_from_arrays(
        key=snap["vessel_key"].to_numpy(),
        mmsi=mmsi,
        time=snap["time"].cast("int64").to_numpy(),
        lat=lat,
        lon=lon,
        sog=snap["sog"].to_numpy(zero_copy_only=False),
        cog=snap["cog"].to_numpy(zero_copy_only=False),
        heading=heading,
        status=np.array([-1 if s is None else s for s in snap["status"].to_pylist()]),
        vclass=classify(shiptype, beidou),
        shiptype=shiptype,
        length=np.array([i[1] for i in info]),
        harbour=harbour,
    )
    names = {int(m): i[2] for m, i in zip(mmsi.tolist(), info, strict=True) if i[2]}
    return state, names


def risky(
    query: TrackQuery, at_ms: int, zones: list[Zone], dcpa_nm: float, tcpa_min: float
) -> list[dict[str, Any]]:
    """Risky pairs at a moment, most dangerous first."""
    config = CollisionConfig(dcpa_nm=dcpa_nm, tcpa_min=tcpa_min)
    state, names = state_at(query, at_ms, zones, config)
    s, pairs = assess(state, at_ms, config)
    keep = (pairs.dcpa_nm < dcpa_nm) & (pairs.tcpa_min >= 0) & (pairs.tcpa_min <= tcpa_min)
    return sorted(pair_records(s, pairs.take(keep), names), key=lambda r: -r["cri"])
