"""Over a period of history: rendezvous at sea and close-quarters statistics.

Both run on tracks resampled to a regular time grid (linear interpolation between fixes no
further apart than ``max_gap``), with the same pair search as the live watch.

- **Rendezvous** (Global Fishing Watch's encounter rules): two vessels within 0.5 km of each
  other on consecutive 10-minute samples for more than 2 hours, at a median speed under
  2 kn, 10 km or more from any port — a transhipment or meeting at sea.
- **Near misses**: two moving vessels (both at 3 kn or more) within 0.5 nm on 1-minute
  samples; each run of consecutive samples is one near miss, counted by the H3 cell of the
  closest approach (a heat map of close-quarters situations).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import h3
import numpy as np
import numpy.typing as npt

from seawarden.collision.pairs import pairs_within
from seawarden.geo.index import ZoneIndex
from seawarden.geo.sphere import haversine_m
from seawarden.geo.zones import HARBOUR_KINDS, Zone, buffer_m
from seawarden.positions.batch import PositionBatch
from seawarden.positions.schema import Source
from seawarden.supervision.events import iso

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class RendezvousParams:
    """Global Fishing Watch's encounter parameters."""

    step_min: float = 10.0
    max_gap_min: float = 60.0
    distance_km: float = 0.5
    min_hours: float = 2.0
    max_median_kn: float = 2.0
    port_km: float = 10.0


@dataclass(frozen=True)
class NearMissParams:
    """Close-quarters statistics parameters."""

    step_min: float = 1.0
    max_gap_min: float = 5.0
    distance_nm: float = 0.5
    min_sog_kn: float = 3.0
    h3_resolution: int = 7


@dataclass
class Samples:
    """Resampled positions: one row per (vessel, grid time)."""

    key: I64
    mmsi: I64
    time: I64
    lat: F64
    lon: F64
    sog: F64


def resample(b: PositionBatch, step_ms: int, max_gap_ms: int) -> Samples:
    """Tracks on a regular time grid (multiples of ``step_ms``).

    Positions are interpolated between fixes no more than ``max_gap_ms`` apart.

    A vessel seen both by AIS and by its BeiDou terminal is taken from AIS alone.
    """
    ais_mmsi = np.unique(b.mmsi[(b.source != Source.BEIDOU) & (b.mmsi >= 0)])
    b = b.take(~((b.source == Source.BEIDOU) & np.isin(b.mmsi, ais_mmsi)))
    order = np.lexsort((b.time, b.vessel_key))
    key, t = b.vessel_key[order], b.time[order]
    lat, lon, sog, mmsi = b.lat[order], b.lon[order], b.sog[order].astype(np.float64), b.mmsi[order]
    bounds = np.flatnonzero(np.diff(key)) + 1
    starts = np.concatenate([[0], bounds])
    ends = np.concatenate([bounds, [key.size]])
    out: dict[str, list[Any]] = {k: [] for k in ("key", "mmsi", "time", "lat", "lon", "sog")}
    for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
        tt = t[s:e]
        grid = np.arange(
            -(-int(tt[0]) // step_ms) * step_ms, int(tt[-1]) + 1, step_ms, dtype=np.int64
        )
        if grid.size == 0:
            continue
        i = np.clip(np.searchsorted(tt, grid, side="right") - 1, 0, tt.size - 1)
        j = np.minimum(i + 1, tt.size - 1)
        span = tt[j] - tt[i]
        exact = tt[i] == grid
        ok = exact | ((span > 0) & (span <= max_gap_ms))
        w = np.where(span > 0, (grid - tt[i]) / np.where(span > 0, span, 1), 0.0)
        la, lo = lat[s:e], lon[s:e]
        dlon = (lo[j] - lo[i] + 180) % 360 - 180
        out["key"].append(np.full(int(ok.sum()), key[s], dtype=np.int64))
        out["mmsi"].append(np.full(int(ok.sum()), mmsi[s], dtype=np.int64))
        out["time"].append(grid[ok])
        out["lat"].append((la[i] + (la[j] - la[i]) * w)[ok])
        out["lon"].append(((lo[i] + dlon * w + 180) % 360 - 180)[ok])
        sg = sog[s:e]
        out["sog"].append(np.where(np.isnan(sg[i]), sg[j], sg[i])[ok])
    if not out["key"]:
        z = np.zeros(0)
        return Samples(z.astype(np.int64), z.astype(np.int64), z.astype(np.int64), z, z, z)
    return Samples(*(np.concatenate(out[k]) for k in ("key", "mmsi", "time", "lat", "lon", "sog")))


def _close_pairs(s: Samples, radius_nm: float) -> tuple[I64, I64]:
    """Sample index pairs (same grid time) closer than ``radius_nm``."""
    order = np.argsort(s.time, kind="stable")
    t = s.time[order]
    bounds = np.flatnonzero(np.diff(t)) + 1
    a_all, b_all = [], []
    for lo_, hi_ in zip(
        np.concatenate([[0], bounds]).tolist(),
        np.concatenate([bounds, [t.size]]).tolist(),
        strict=True,
    ):
        if hi_ - lo_ < 2:
            continue
        idx = order[lo_:hi_]
        a, b = pairs_within(s.lat[idx], s.lon[idx], radius_nm)
        a_all.append(idx[a])
        b_all.append(idx[b])
    if not a_all:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    a, b = np.concatenate(a_all), np.concatenate(b_all)
    different = (s.key[a] != s.key[b]) & ~((s.mmsi[a] >= 0) & (s.mmsi[a] == s.mmsi[b]))
    return a[different], b[different]


def _runs(s: Samples, a: I64, b: I64, step_ms: int) -> list[tuple[int, int, I64]]:
    """Runs of consecutive grid times per pair: (key_a, key_b, sample pair indices)."""
    ka = np.minimum(s.key[a], s.key[b])
    kb = np.maximum(s.key[a], s.key[b])
    first = np.where(s.key[a] <= s.key[b], a, b)
    second = np.where(s.key[a] <= s.key[b], b, a)
    order = np.lexsort((s.time[first], kb, ka))
    ka, kb, first, second = ka[order], kb[order], first[order], second[order]
    t = s.time[first]
    brk = np.ones(t.size, dtype=np.bool_)
    brk[1:] = (ka[1:] != ka[:-1]) | (kb[1:] != kb[:-1]) | (t[1:] - t[:-1] > step_ms)
    starts = np.flatnonzero(brk)
    ends = np.concatenate([starts[1:], [t.size]])
    runs = []
    for s0, e0 in zip(starts.tolist(), ends.tolist(), strict=True):
        runs.append((int(ka[s0]), int(kb[s0]), np.stack([first[s0:e0], second[s0:e0]], axis=1)))
    return runs


def rendezvous(
    b: PositionBatch, zones: list[Zone], p: RendezvousParams | None = None
) -> list[dict[str, Any]]:
    """Meetings at sea (GFW encounter rules)."""
    p = p or RendezvousParams()
    step = int(p.step_min * 60_000)
    s = resample(b, step, int(p.max_gap_min * 60_000))
    a, c = _close_pairs(s, p.distance_km / 1.852)
    ports = [z for z in zones if z.kind in HARBOUR_KINDS]
    near_port = ZoneIndex([_buffered(z, p.port_km * 1000) for z in ports]) if ports else None
    out = []
    for ka, kb, idx in _runs(s, a, c, step):
        i, j = idx[:, 0], idx[:, 1]
        hours = (s.time[i[-1]] - s.time[i[0]] + step) / 3_600_000
        if hours <= p.min_hours:
            continue
        speed = np.nanmedian((s.sog[i] + s.sog[j]) / 2)
        if not speed < p.max_median_kn:
            continue
        mid_lat = (s.lat[i] + s.lat[j]) / 2
        mid_lon = (s.lon[i] + s.lon[j]) / 2
        if near_port is not None and near_port.memberships(mid_lat, mid_lon)[0].size:
            continue
        dist = haversine_m(s.lat[i], s.lon[i], s.lat[j], s.lon[j])
        out.append(
            {
                "kind": "rendezvous",
                "vessel_a": ka,
                "vessel_b": kb,
                "mmsi_a": int(s.mmsi[i[0]]) if s.key[i[0]] == ka else int(s.mmsi[j[0]]),
                "mmsi_b": int(s.mmsi[j[0]]) if s.key[j[0]] == kb else int(s.mmsi[i[0]]),
                "start": iso(int(s.time[i[0]])),
                "end": iso(int(s.time[i[-1]]) + step),
                "hours": round(float(hours), 2),
                "median_speed_kn": round(float(speed), 2),
                "median_distance_m": round(float(np.median(dist)), 1),
                "lat": round(float(np.mean(mid_lat)), 5),
                "lon": round(float(np.mean(mid_lon)), 5),
            }
        )
    return out


def _buffered(z: Zone, metres: float) -> Zone:
    return Zone(
        z.id,
        z.name,
        z.kind,
        buffer_m(z.geometry, metres),
        z.params.model_copy(update={"exit_margin_m": 0}),
    )


def near_misses(b: PositionBatch, p: NearMissParams | None = None) -> dict[str, Any]:
    """Close-quarters statistics: each near miss, and counts by H3 cell."""
    p = p or NearMissParams()
    step = int(p.step_min * 60_000)
    s = resample(b, step, int(p.max_gap_min * 60_000))
    a, c = _close_pairs(s, p.distance_nm)
    moving = (s.sog[a] >= p.min_sog_kn) & (s.sog[c] >= p.min_sog_kn)
    a, c = a[moving], c[moving]
    events = []
    cells: dict[str, int] = {}
    for ka, kb, idx in _runs(s, a, c, step):
        i, j = idx[:, 0], idx[:, 1]
        d = haversine_m(s.lat[i], s.lon[i], s.lat[j], s.lon[j]) / 1852
        k = int(np.argmin(d))
        lat = float((s.lat[i[k]] + s.lat[j[k]]) / 2)
        lon = float((s.lon[i[k]] + s.lon[j[k]]) / 2)
        cell = h3.latlng_to_cell(lat, lon, p.h3_resolution)
        cells[cell] = cells.get(cell, 0) + 1
        events.append(
            {
                "kind": "near_miss",
                "vessel_a": ka,
                "vessel_b": kb,
                "time": iso(int(s.time[i[k]])),
                "min_distance_nm": round(float(d[k]), 3),
                "lat": round(lat, 5),
                "lon": round(lon, 5),
                "cell": cell,
            }
        )
    return {"near_misses": events, "cells": cells}


def heatmap_geojson(cells: dict[str, int]) -> dict[str, Any]:
    """Near-miss counts by cell as GeoJSON polygons."""
    features = []
    for cell, n in sorted(cells.items(), key=lambda kv: -kv[1]):
        ring = [[lon, lat] for lat, lon in h3.cell_to_boundary(cell)]
        ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {"cell": cell, "near_misses": n},
            }
        )
    return {"type": "FeatureCollection", "features": features}
