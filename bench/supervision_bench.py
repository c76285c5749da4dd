"""Supervision rule engine: live throughput, a day in batch, and GeoPandas doing the same rules.

The synthetic world (seeded; every figure in bench/results/supervision.json comes from it):

- 2,000 zones over 28-32°N, 121-124°E (Zhejiang/Shanghai coast: Ningbo-Zhoushan, Shanghai,
  Taizhou, Wenzhou, Zhoushan fishing grounds): channels with ``speed_limit_kn`` (long thin
  rectangles), no_stop, anchorage, restricted (entry and exit notified), fishing_ban (in
  season), port_area, no_anchoring and custom zones with ``max_dwell_min``; irregular
  polygons of 1.5-4 km radius, a few hundred with a hole, some circles (Point + radius).
  60 % of them cluster around six port/fishing centres, the rest are spread evenly.
- 10,000 vessels over one UTC day (2026-07-15, inside the summer fishing ban): transit ships
  (cargo, tankers, passenger) on straight legs at 9-16 kn with small course changes,
  fishing vessels alternating trawling (2-5 kn, status 7) and transit, tugs and service
  craft, and ships at anchor swinging round their anchor (status 1). Half start near the
  centres. Moving vessels report every 55-103 s, anchored ones every 3 min; 3 % fall
  silent once for 30-90 min. About 10^7 positions.

Measured on one core (the process is pinned to one CPU):

1. live: ``Supervisor(zones, config, vessel_info).process`` over the first hours of the day
   fed in time-ordered batches of 100,000 positions, as the ingest pipeline releases them;
   with every rule, with zone rules only (no gaps, no loitering) and with a collision watch.
   Where time goes: zone membership (STRtree), the compiled zone rules, the behaviour rules,
   the reception map and the rest (sorting, state, event objects).
2. batch: the day written as a track store (``TrackStore.write_parts`` + ``publish`` +
   ``compact``, cached under ``bench/.cache/supervision-store``), zones saved to its SQLite
   database, ``run_batch(..., apply=False, collisions=False)``.
3. GeoPandas: the same three zone rules (entry/exit of restricted zones, overspeed in
   channels for at least 60 s with the 0.5 kn hysteresis, dwell in custom zones) with
   ``geopandas.sjoin`` of the points in the zones and pandas sort/shift/groupby to find
   the runs, over a subset of vessels (whole day); event counts compared with Seawarden's.

Also an experiment (not Seawarden's code): zone membership without Shapely Point objects
(a grid of zone bounding boxes + ``shapely.intersects_xy``), checked to give the same
memberships as ``ZoneIndex.memberships``.

``python bench/supervision_bench.py [--repeats 2] [--live-hours 6] [--collision-hours 1]
[--geopandas-vessels 2500]``; the first run builds the store (about 2 minutes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import math
import os
import platform
import resource
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from seawarden.geo.zones import Zone, make_zone
from seawarden.positions.batch import PositionBatch

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CACHE = HERE / ".cache"
STORE = CACHE / "supervision-store"
MANIFEST = "bench-manifest.json"

WORLD = {
    "zones": 2000,
    "vessels": 10_000,
    "day": "2026-07-15",
    "box": {"lat": [28.0, 32.0], "lon": [121.0, 124.0]},
    "moving_interval_s": [55, 103],
    "anchored_interval_s": 180,
    "silent_share": 0.03,
    "seed": 20260715,
}
KIND_COUNTS = {
    "channel": 400,
    "no_stop": 150,
    "anchorage": 250,
    "restricted": 300,
    "fishing_ban": 200,
    "port_area": 150,
    "no_anchoring": 200,
    "custom": 350,
}
CENTRES = [  # (lat, lon, name): port approaches and fishing grounds
    (29.93, 122.10, "Ningbo-Zhoushan"),
    (30.90, 122.20, "Shanghai / Yangshan"),
    (28.65, 121.70, "Taizhou"),
    (28.00, 121.30, "Wenzhou approaches"),
    (30.40, 123.00, "Zhoushan fishing ground"),
    (31.70, 122.80, "Yangtze estuary fishing ground"),
]
LIVE_HOURS = 6
COLLISION_HOURS = 1
BATCH_ROWS = 100_000
TARGETS = {"live_positions_per_second": 200_000, "batch_day_seconds": 60.0}
KM_PER_DEG = 111.195
CLASSES = ("transit", "fishing", "service", "anchored")


def _day_ms() -> int:
    day = dt.datetime.fromisoformat(str(WORLD["day"])).replace(tzinfo=dt.UTC)
    return int(day.timestamp() * 1000)


# --------------------------------------------------------------------------- zones
def _ring(rng: np.random.Generator, lat: float, lon: float, radius_km: float, n: int) -> list:
    """An irregular closed ring (star-shaped) of ``n`` vertices, lon/lat."""
    a = (np.arange(n) + rng.uniform(-0.3, 0.3, n)) * (2 * np.pi / n)
    r = radius_km * rng.uniform(0.7, 1.0, n)
    x = r * np.sin(a)
    y = r * np.cos(a)
    la = lat + y / KM_PER_DEG
    lo = lon + x / (KM_PER_DEG * math.cos(math.radians(lat)))
    pts = [[round(float(p), 6), round(float(q), 6)] for p, q in zip(lo, la, strict=True)]
    return [*pts, pts[0]]


def _rect(rng: np.random.Generator, lat: float, lon: float) -> list:
    """A channel: a rotated rectangle 0.8-2 km wide and 8-20 km long."""
    w = rng.uniform(0.8, 2.0) / 2
    h = rng.uniform(8.0, 20.0) / 2
    th = rng.uniform(0, np.pi)
    corners = [(-w, -h), (w, -h), (w, h), (-w, h)]
    k = KM_PER_DEG * math.cos(math.radians(lat))
    ring = []
    for cx, cy in corners:
        x = cx * math.cos(th) + cy * math.sin(th)
        y = -cx * math.sin(th) + cy * math.cos(th)
        ring.append([round(lon + x / k, 6), round(lat + y / KM_PER_DEG, 6)])
    return [*ring, ring[0]]


def make_zones(seed: int) -> list[Zone]:
    rng = np.random.default_rng(seed)
    lat0, lat1 = WORLD["box"]["lat"]  # type: ignore[index]
    lon0, lon1 = WORLD["box"]["lon"]  # type: ignore[index]
    kinds = [k for k, n in KIND_COUNTS.items() for _ in range(n)]
    rng.shuffle(kinds)
    zones = []
    for i, kind in enumerate(kinds):
        lat = lon = math.nan
        if rng.random() < 0.6:
            c = CENTRES[int(rng.integers(0, len(CENTRES)))]
            lat, lon = float(rng.normal(c[0], 0.3)), float(rng.normal(c[1], 0.3))
        if not (lat0 + 0.05 < lat < lat1 - 0.05 and lon0 + 0.05 < lon < lon1 - 0.05):
            lat = float(rng.uniform(lat0 + 0.05, lat1 - 0.05))
            lon = float(rng.uniform(lon0 + 0.05, lon1 - 0.05))
        params: dict[str, Any] = {}
        if kind == "channel":
            params["speed_limit_kn"] = float(rng.choice([8.0, 10.0, 12.0]))
            geometry: dict[str, Any] = {"type": "Polygon", "coordinates": [_rect(rng, lat, lon)]}
        elif rng.random() < 0.12:
            params["radius_m"] = float(rng.uniform(1000, 3000))
            geometry = {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]}
        else:
            radius = float(rng.uniform(1.5, 4.0))
            rings = [_ring(rng, lat, lon, radius, int(rng.integers(8, 17)))]
            if rng.random() < 0.2:  # a hole (an island, a platform, a berth)
                rings.append(_ring(rng, lat, lon, radius * 0.3, 8)[::-1])
            geometry = {"type": "Polygon", "coordinates": rings}
        if kind == "restricted":
            params["notify_exit"] = True
        elif kind == "fishing_ban":
            params.update(closed_from="05-01T12:00", closed_to="09-16T12:00")
        elif kind == "custom":
            params["max_dwell_min"] = float(rng.choice([30.0, 60.0, 120.0]))
        zones.append(make_zone(f"z{i:04d}", f"{kind} {i}", kind, geometry, params))
    return zones


def zone_summary(zones: list[Zone]) -> dict[str, Any]:
    holes = sum(
        1 for z in zones if z.geometry.geom_type == "Polygon" and len(z.geometry.interiors) > 0
    )
    circles = sum(1 for z in zones if z.params.radius_m)
    kinds: dict[str, int] = {}
    for z in zones:
        kinds[z.kind.value] = kinds.get(z.kind.value, 0) + 1
    return {
        "count": len(zones),
        "kinds": kinds,
        "with_holes": holes,
        "circles": circles,
        "vertices": int(sum(len(z.geometry.exterior.coords) for z in zones)),
        "area_km2_total": round(
            sum(z.geometry.area for z in zones) * KM_PER_DEG**2 * math.cos(math.radians(30)), 1
        ),
    }


# --------------------------------------------------------------------------- the fleet
class Fleet:
    """Vessels on piecewise-straight legs (positions in closed form per leg)."""

    def __init__(self, n: int, seed: int) -> None:
        rng = np.random.default_rng(seed + 1)
        self.n = n
        self.cls = rng.choice(4, size=n, p=[0.45, 0.30, 0.10, 0.15])
        mids = np.array([412, 413, 414, 477, 563, 636, 352, 440])
        serial = rng.choice(1_000_000, size=n, replace=False)
        self.mmsi = (mids[rng.integers(0, mids.size, n)] * 1_000_000 + serial).astype(np.int64)
        merchant = rng.choice([70, 79, 80, 84, 60], size=n)
        self.shiptype = np.select(
            [self.cls == 0, self.cls == 1, self.cls == 2, self.cls == 3],
            [merchant, 30, rng.choice([52, 31, 90], size=n), rng.choice([70, 80], size=n)],
        ).astype(np.int64)
        self.length = np.select(
            [self.cls == 0, self.cls == 1, self.cls == 2],
            [rng.uniform(80, 300, n), rng.uniform(20, 45, n), rng.uniform(25, 40, n)],
            rng.uniform(100, 250, n),
        )
        lat0, lat1 = WORLD["box"]["lat"]  # type: ignore[index]
        lon0, lon1 = WORLD["box"]["lon"]  # type: ignore[index]
        near = rng.random(n) < 0.5
        c = np.array([(a, b) for a, b, _ in CENTRES])[rng.integers(0, len(CENTRES), n)]
        self.lat0 = np.where(near, rng.normal(c[:, 0], 0.25), rng.uniform(lat0, lat1, n))
        self.lon0 = np.where(near, rng.normal(c[:, 1], 0.25), rng.uniform(lon0, lon1, n))
        outside = (
            (self.lat0 < lat0 + 0.02)
            | (self.lat0 > lat1 - 0.02)
            | (self.lon0 < lon0 + 0.02)
            | (self.lon0 > lon1 - 0.02)
        )
        self.lat0 = np.where(outside, rng.uniform(lat0 + 0.02, lat1 - 0.02, n), self.lat0)
        self.lon0 = np.where(outside, rng.uniform(lon0 + 0.02, lon1 - 0.02, n), self.lon0)
        # legs: duration per vessel, heading and speed per leg
        self.leg_s = np.select(
            [self.cls == 0, self.cls == 1, self.cls == 2], [1800.0, 1200.0, 900.0], 3600.0
        )
        k = int(86_400 / self.leg_s.min()) + 2
        self.k = k
        turn_sd = np.select([self.cls == 0, self.cls == 1, self.cls == 2], [8.0, 45.0, 30.0], 0)
        heading = np.empty((n, k))
        speed = np.empty((n, k))
        status = np.zeros((n, k), dtype=np.int8)
        lat = np.empty((n, k + 1))
        lon = np.empty((n, k + 1))
        lat[:, 0], lon[:, 0] = self.lat0, self.lon0
        h = rng.uniform(0, 360, n)
        trawl = rng.random(n) < 0.6
        clat, clon = (lat0 + lat1) / 2, (lon0 + lon1) / 2
        for j in range(k):
            h = (h + rng.normal(0, 1, n) * turn_sd) % 360
            sp = np.select(
                [self.cls == 0, self.cls == 1, self.cls == 2],
                [
                    rng.uniform(9.0, 16.0, n),
                    np.where(trawl, rng.uniform(2.0, 5.0, n), rng.uniform(7.0, 10.0, n)),
                    rng.uniform(4.0, 10.0, n),
                ],
                0.0,
            )
            trawl = np.where(rng.random(n) < 0.2, ~trawl, trawl)
            # keep inside the box: steer for the centre when the leg would leave it
            for _ in range(2):
                dist_deg = sp * self.leg_s / 3600.0 / 60.0
                nlat = lat[:, j] + dist_deg * np.cos(np.radians(h))
                nlon = lon[:, j] + dist_deg * np.sin(np.radians(h)) / np.cos(np.radians(lat[:, j]))
                out = (nlat < lat0) | (nlat > lat1) | (nlon < lon0) | (nlon > lon1)
                if not out.any():
                    break
                to_c = np.degrees(
                    np.arctan2((clon - lon[:, j]) * np.cos(np.radians(lat[:, j])), clat - lat[:, j])
                )
                h = np.where(out, (to_c + rng.normal(0, 20, n)) % 360, h)
            heading[:, j] = h
            speed[:, j] = sp
            status[:, j] = np.select(
                [self.cls == 1, self.cls == 3], [np.where(trawl, 7, 0), 1], 0
            ).astype(np.int8)
            dist_deg = sp * self.leg_s / 3600.0 / 60.0
            lat[:, j + 1] = lat[:, j] + dist_deg * np.cos(np.radians(h))
            lon[:, j + 1] = lon[:, j] + dist_deg * np.sin(np.radians(h)) / np.cos(
                np.radians(lat[:, j])
            )
        self.heading, self.speed, self.status, self.lat, self.lon = heading, speed, status, lat, lon
        # report times over the day
        lo, hi = WORLD["moving_interval_s"]  # type: ignore[misc]
        self.interval = np.where(
            self.cls == 3,
            float(WORLD["anchored_interval_s"]),
            rng.uniform(lo, hi, n),  # type: ignore[arg-type]
        )
        silent = rng.random(n) < float(WORLD["silent_share"])  # type: ignore[arg-type]
        self.silent_from = np.where(silent, rng.uniform(3600, 80_000, n), np.inf)
        self.silent_to = self.silent_from + rng.uniform(1800, 5400, n)
        self.seed = seed

    def positions(self) -> dict[str, np.ndarray]:
        """Every position of the day, sorted by time (columns of a PositionBatch)."""
        rng = np.random.default_rng(self.seed + 2)
        start = _day_ms()
        counts = np.floor((86_400 - 1) / self.interval).astype(np.int64)
        v = np.repeat(np.arange(self.n), counts)
        first = np.concatenate([[0], np.cumsum(counts)[:-1]])
        idx = np.arange(v.size) - first[v]
        offset = rng.uniform(0, 1, self.n)
        t_s = (idx + offset[v]) * self.interval[v] + rng.normal(0, 2.0, v.size).clip(-5, 5)
        t_s = np.clip(t_s, 0, 86_399.0)
        keep = (t_s < self.silent_from[v]) | (t_s >= self.silent_to[v])
        v, t_s = v[keep], t_s[keep]
        t_ms = start + np.round(t_s * 1000).astype(np.int64)
        leg = np.minimum((t_s // self.leg_s[v]).astype(np.int64), self.k - 1)
        frac = (t_s - leg * self.leg_s[v]) / self.leg_s[v]
        lat = self.lat[v, leg] + frac * (self.lat[v, leg + 1] - self.lat[v, leg])
        lon = self.lon[v, leg] + frac * (self.lon[v, leg + 1] - self.lon[v, leg])
        sog = self.speed[v, leg] + rng.normal(0, 0.15, v.size)
        cog = self.heading[v, leg] + rng.normal(0, 1.5, v.size)
        anchored = self.cls[v] == 3
        # at anchor: swinging on a ~80 m circle round the anchor, drifting 0-0.3 kn
        swing = 2 * np.pi * t_s / 21_600.0 + v
        lat = np.where(anchored, lat + 0.0007 * np.cos(swing), lat)
        lon = np.where(anchored, lon + 0.0008 * np.sin(swing), lon)
        sog = np.where(anchored, np.abs(rng.normal(0, 0.12, v.size)), np.maximum(sog, 0.0))
        cog = np.where(anchored, rng.uniform(0, 360, v.size), cog) % 360
        order = np.lexsort((v, t_ms))
        return {
            "vessel": v[order],
            "time": t_ms[order],
            "lat": np.round(lat[order], 6),
            "lon": np.round(lon[order], 6),
            "sog": np.round(sog[order], 1).astype(np.float32),
            "cog": np.round(cog[order], 1).astype(np.float32),
            "heading": (np.round(cog[order]) % 360).astype(np.int16),
            "status": self.status[v, leg][order],
        }

    def batch(self, cols: dict[str, np.ndarray], sl: slice | np.ndarray) -> PositionBatch:
        v = cols["vessel"][sl]
        b = PositionBatch.allocate(int(v.size))
        b.vessel_key = self.mmsi[v]
        b.mmsi = self.mmsi[v].astype(np.int32)
        b.time = cols["time"][sl]
        b.rxtime = b.time + 300
        b.source[:] = 1
        b.msg_type[:] = 1
        b.lat = cols["lat"][sl]
        b.lon = cols["lon"][sl]
        b.sog = cols["sog"][sl]
        b.cog = cols["cog"][sl]
        b.heading = cols["heading"][sl]
        b.status = cols["status"][sl]
        if isinstance(sl, slice):
            rows = np.arange(*sl.indices(cols["time"].size))
        else:
            rows = np.asarray(sl)
        b.fingerprint = (rows.astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)).view(np.int64)
        return b

    def vessel_info(self) -> Callable[[list[int]], dict[int, tuple[Any, ...]]]:
        known = {
            int(m): (int(t), float(length), f"V{int(m)}")
            for m, t, length in zip(self.mmsi, self.shiptype, self.length, strict=True)
        }
        return lambda mmsis: {m: known[m] for m in mmsis if m in known}


# --------------------------------------------------------------------------- helpers
def machine() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "cpu": platform.processor() or platform.machine(),
        "cpus": os.cpu_count(),
        "pinned_to_one_cpu": "the least busy CPU at start",
        "load_average_1min_before": round(os.getloadavg()[0], 2),
    }


def pin_one_core() -> list[int] | None:
    """Pin this process to its least busy CPU (over half a second); returns the previous set."""
    if not hasattr(os, "sched_setaffinity"):
        return None
    before = sorted(os.sched_getaffinity(0))

    def idle() -> dict[int, int]:
        out = {}
        for line in Path("/proc/stat").read_text().splitlines():
            if line.startswith("cpu") and line[3:4].isdigit():
                parts = line.split()
                out[int(parts[0][3:])] = int(parts[4]) + int(parts[5])
        return out

    try:
        a = idle()
        time.sleep(0.5)
        b = idle()
        cpu = max(before, key=lambda c: b.get(c, 0) - a.get(c, 0))
    except OSError:
        cpu = before[-1]
    os.sched_setaffinity(0, {cpu})
    return before


def note_load(results: dict[str, Any], phase: str) -> None:
    """Record the 1-minute load average as a phase starts (other work on the machine)."""
    results["machine"].setdefault("load_average_1min_by_phase", {})[phase] = round(
        os.getloadavg()[0], 2
    )


def max_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def event_counts(events: list[Any]) -> dict[str, int]:
    out: dict[str, int] = {}
    for e in events:
        key = f"{e.kind.value}:{e.phase.name.lower()}"
        out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items()))


class Split:
    """Wall time spent in named functions (wrapped on an object for the run)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self._undo: list[tuple[Any, str, Any, bool]] = []

    def wrap(self, obj: Any, name: str, label: str) -> None:
        orig = getattr(obj, name)
        had = name in getattr(obj, "__dict__", {})

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return orig(*args, **kwargs)
            finally:
                self.seconds[label] = self.seconds.get(label, 0.0) + time.perf_counter() - t0
                self.calls[label] = self.calls.get(label, 0) + 1

        setattr(obj, name, timed)
        self._undo.append((obj, name, orig, had))

    def restore(self) -> None:
        for obj, name, orig, had in reversed(self._undo):
            if had:
                setattr(obj, name, orig)
            else:
                delattr(obj, name)
        self._undo = []


# --------------------------------------------------------------------------- 1. live
def live_run(
    zones: list[Zone],
    fleet: Fleet,
    cols: dict[str, np.ndarray],
    rows: int,
    label: str,
    config: Any,
    collision: bool = False,
) -> dict[str, Any]:
    from seawarden.collision.watch import CollisionConfig, CollisionWatch
    from seawarden.supervision import kernel
    from seawarden.supervision.engine import Supervisor

    gc.collect()
    t_build = time.perf_counter()
    sup = Supervisor(zones, config, fleet.vessel_info())
    build_s = time.perf_counter() - t_build
    if collision:
        sup.collision = CollisionWatch(CollisionConfig())
    split = Split()
    split.wrap(sup.index, "memberships", "zone_membership_strtree")
    split.wrap(kernel, "zone_rules", "zone_rules_kernel")
    split.wrap(kernel, "behaviour_rules", "behaviour_rules_kernel")
    split.wrap(sup.reception, "add", "reception_map")
    split.wrap(sup, "_events", "event_objects")
    split.wrap(sup, "_dark", "gap_judgement")
    split.wrap(sup, "refresh_vessels", "vessel_lookup")
    detail = Split()  # inside the collision watch (not added to the split above)
    if collision:
        from seawarden.collision import watch

        assert sup.collision is not None
        split.wrap(sup.collision, "evaluate", "collision_watch_evaluate")
        detail.wrap(watch, "assess", "assess_pairs_cpa_colregs")
        detail.wrap(watch, "pair_records", "pair_records_python_dicts")
    events = 0
    counts: dict[str, int] = {}
    batches = 0
    process_s = 0.0
    cpu_s = 0.0
    try:
        for start in range(0, rows, BATCH_ROWS):
            b = fleet.batch(cols, slice(start, min(start + BATCH_ROWS, rows)))
            t0 = time.perf_counter()
            c0 = time.process_time()
            ev = sup.process(b)
            process_s += time.perf_counter() - t0
            cpu_s += time.process_time() - c0
            batches += 1
            events += len(ev)
            for k, n in event_counts(ev).items():
                counts[k] = counts.get(k, 0) + n
    finally:
        split.restore()
        detail.restore()
    accounted = sum(split.seconds.values())
    split_out = {k: round(v, 3) for k, v in sorted(split.seconds.items(), key=lambda kv: -kv[1])}
    split_out["other_sorting_state_python"] = round(process_s - accounted, 3)
    result = {
        "label": label,
        "positions": rows,
        "batches": batches,
        "batch_rows": BATCH_ROWS,
        "supervisor_build_seconds": build_s,
        "seconds": process_s,
        "cpu_seconds": cpu_s,
        "positions_per_second": rows / process_s,
        "positions_per_cpu_second": rows / cpu_s,
        "events": events,
        "event_counts": dict(sorted(counts.items())),
        "time_split_seconds": split_out,
        "time_split_share": {k: round(v / process_s, 3) for k, v in split_out.items()},
        "summary": sup.state_summary(),
        "max_rss_mb_so_far": round(max_rss_mb(), 1),
    }
    if collision:
        n = split.calls.get("collision_watch_evaluate", 0)
        result["collision_assessments"] = n
        result["collision_seconds_per_assessment"] = (
            split.seconds.get("collision_watch_evaluate", 0.0) / n if n else None
        )
        result["collision_watch_detail_seconds"] = {
            k: round(v, 3) for k, v in detail.seconds.items()
        }
    print(
        f"  live {label:28s} {rows:>10,} positions {process_s:7.2f} s "
        f"{rows / process_s:>10,.0f} pos/s  {events:,} events",
        flush=True,
    )
    print(f"    split: {split_out}", flush=True)
    return result


def grid_memberships(index: Any, cell: float = 0.05) -> Callable[..., Any]:
    """An experiment: ZoneIndex.memberships without Point objects.

    Candidate zones from a grid of ``cell`` degrees over the zones' outer bounding boxes
    (numpy), then ``shapely.intersects_xy`` on the prepared outer and inner geometries.
    Returns a function of (lat, lon) giving (row, zone index, inner) like ``memberships``.
    """
    import shapely

    b = shapely.bounds(index.outer)
    x0, y0 = float(b[:, 0].min()), float(b[:, 1].min())
    nx = int(np.ceil((b[:, 2].max() - x0) / cell)) + 1
    ny = int(np.ceil((b[:, 3].max() - y0) / cell)) + 1
    zs, cs = [], []
    for k, (a, c, d, e) in enumerate(b):
        ix = np.arange(int((a - x0) // cell), int((d - x0) // cell) + 1)
        iy = np.arange(int((c - y0) // cell), int((e - y0) // cell) + 1)
        g = (iy[:, None] * nx + ix[None, :]).ravel()
        zs.append(np.full(g.size, k))
        cs.append(g)
    zone = np.concatenate(zs)
    cells = np.concatenate(cs)
    o = np.argsort(cells, kind="stable")
    zone, cells = zone[o], cells[o]
    ptr = np.searchsorted(cells, np.arange(nx * ny + 1))

    def memberships(lat: np.ndarray, lon: np.ndarray) -> tuple[Any, Any, Any]:
        ix = np.floor((lon - x0) / cell).astype(np.int64)
        iy = np.floor((lat - y0) / cell).astype(np.int64)
        ok = (ix >= 0) & (ix < nx) & (iy >= 0) & (iy < ny)
        c = np.where(ok, iy * nx + ix, 0)
        cnt = np.where(ok, ptr[c + 1] - ptr[c], 0)
        rows = np.repeat(np.arange(lat.size), cnt)
        first = np.repeat(ptr[c] - np.cumsum(cnt) + cnt, cnt)
        k = zone[first + np.arange(rows.size)]
        x, y = lon[rows], lat[rows]
        bb = b[k]
        inb = (x >= bb[:, 0]) & (x <= bb[:, 2]) & (y >= bb[:, 1]) & (y <= bb[:, 3])
        rows, k, x, y = rows[inb], k[inb], x[inb], y[inb]
        hit = shapely.intersects_xy(index.outer[k], x, y)
        rows, k, x, y = rows[hit], k[hit], x[hit], y[hit]
        inner = shapely.intersects_xy(index.inner[k], x, y)
        return rows.astype(np.int64), index.area[k], np.asarray(inner, dtype=np.bool_)

    return memberships


def membership_experiment(
    zones: list[Zone], cols: dict[str, np.ndarray], rows: int, repeats: int
) -> dict[str, Any]:
    from seawarden.geo.index import ZoneIndex

    index = ZoneIndex(zones)
    fast = grid_memberships(index)
    lat, lon = cols["lat"][:rows], cols["lon"][:rows]
    best = {"zone_index_memberships": math.inf, "grid_intersects_xy": math.inf}
    out: dict[str, Any] = {}
    for _ in range(repeats):
        for name, fn in (
            ("zone_index_memberships", index.memberships),
            ("grid_intersects_xy", fast),
        ):
            got = []
            for s in range(0, rows, BATCH_ROWS):
                e = min(s + BATCH_ROWS, rows)
                t0 = time.perf_counter()
                r, z, inner = fn(lat[s:e], lon[s:e])
                got.append((time.perf_counter() - t0, r + s, z, inner))
            total = sum(g[0] for g in got)
            best[name] = min(best[name], total)
            out[name] = got
    same = all(
        set(zip(a[1].tolist(), a[2].tolist(), a[3].tolist(), strict=True))
        == set(zip(b[1].tolist(), b[2].tolist(), b[3].tolist(), strict=True))
        for a, b in zip(out["zone_index_memberships"], out["grid_intersects_xy"], strict=True)
    )
    res = {
        "what": (
            "an experiment, not Seawarden's code: zone membership of the live positions in "
            "batches of 100,000 by ZoneIndex.memberships (Point objects + STRtree query) and "
            "by a 0.05° grid of zone bounding boxes + shapely.intersects_xy on the same "
            "prepared inner/outer geometries"
        ),
        "positions": rows,
        "seconds": {k: round(v, 3) for k, v in best.items()},
        "positions_per_second": {k: rows / v for k, v in best.items()},
        "speedup": best["zone_index_memberships"] / best["grid_intersects_xy"],
        "same_memberships": same,
    }
    print(f"  membership experiment: {res['seconds']} same={same}", flush=True)
    return res


# --------------------------------------------------------------------------- 2. the store
def _manifest_key() -> dict[str, Any]:
    return {"world": WORLD, "kinds": KIND_COUNTS, "version": 1}


def ensure_store(zones: list[Zone], fleet: Fleet, cols: dict[str, np.ndarray]) -> dict[str, Any]:
    """The day as a track store with its zones and vessel particulars (built when missing)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from seawarden.db.engine import connect
    from seawarden.supervision.zonestore import save_zones
    from seawarden.tracks.store import TrackStore

    manifest_path = STORE / MANIFEST
    if manifest_path.exists():
        info = json.loads(manifest_path.read_text())
        if info.get("key") == _manifest_key() and TrackStore(STORE).rows() == info.get("rows"):
            print(f"track store: cached ({STORE})", flush=True)
            return dict(info)
    print(f"building the track store in {STORE} ...", flush=True)
    shutil.rmtree(STORE, ignore_errors=True)
    STORE.mkdir(parents=True)
    t0 = time.perf_counter()
    store = TrackStore(STORE)
    hour = 3_600_000
    start = _day_ms()
    bounds = np.searchsorted(cols["time"], start + hour * np.arange(25))
    for h in range(24):
        b = fleet.batch(cols, slice(int(bounds[h]), int(bounds[h + 1])))
        store.publish(store.write_parts(b, f"{h:02d}"))
    added, removed = store.compact(min_files=24, tag="bench")
    store.publish(added, removed)
    build_s = time.perf_counter() - t0
    pq.write_table(
        pa.table(
            {
                "mmsi": pa.array(fleet.mmsi, pa.int64()),
                "shiptype": pa.array(fleet.shiptype, pa.int32()),
                "to_bow": pa.array(np.round(fleet.length * 0.8).astype(np.int32)),
                "to_stern": pa.array(
                    (np.round(fleet.length) - np.round(fleet.length * 0.8)).astype(np.int32)
                ),
                "shipname": pa.array([f"V{m}" for m in fleet.mmsi.tolist()]),
            }
        ),
        STORE / "vessels.parquet",
    )
    engine = connect(f"sqlite:///{STORE / 'seawarden.db'}")
    save_zones(engine, zones, "bench", replace=True)
    engine.dispose()
    info = {
        "key": _manifest_key(),
        "rows": store.rows(),
        "files": len(store.commit.files),
        "build_seconds": build_s,
        "bytes": sum(p.stat().st_size for p in STORE.rglob("*.parquet")),
    }
    manifest_path.write_text(json.dumps(info))
    return info


def _batch_child(conn: Any, subset: list[int]) -> None:
    from seawarden.db.engine import connect
    from seawarden.geo.index import ZoneIndex
    from seawarden.supervision import driver, kernel
    from seawarden.supervision.coverage import ReceptionMap
    from seawarden.supervision.driver import run_batch
    from seawarden.supervision.engine import Supervisor

    engine = connect(f"sqlite:///{STORE / 'seawarden.db'}")
    split = Split()
    split.wrap(driver, "_read_day", "read_day_parquet_to_batch")
    split.wrap(driver, "load_zones", "load_zones_from_db")
    split.wrap(ZoneIndex, "__init__", "zone_index_build")
    split.wrap(ZoneIndex, "memberships", "zone_membership_strtree")
    split.wrap(kernel, "zone_rules", "zone_rules_kernel")
    split.wrap(kernel, "behaviour_rules", "behaviour_rules_kernel")
    split.wrap(ReceptionMap, "add", "reception_map")
    split.wrap(Supervisor, "_events", "event_objects")
    split.wrap(Supervisor, "tick", "gap_tick")
    reading = Split()  # inside read_day (not added to the split above)
    reading.wrap(driver.pq, "read_table", "parquet_read_table")
    reading.wrap(PositionBatch, "from_arrow", "positionbatch_from_arrow")
    passes: dict[str, float] = {}
    process = Supervisor.process

    def timed_process(self: Any, rows: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return process(self, rows)
        finally:
            name = "process_rules_pass" if self.zones else "process_reception_pass"
            passes[name] = passes.get(name, 0.0) + time.perf_counter() - t0

    Supervisor.process = timed_process  # type: ignore[method-assign]
    gc.collect()
    t0 = time.perf_counter()
    c0 = time.process_time()
    result, events = run_batch(STORE, engine, apply=False, collisions=False)
    seconds = time.perf_counter() - t0
    cpu = time.process_time() - c0
    keep = set(subset)
    conn.send(
        {
            "seconds": seconds,
            "cpu_seconds": cpu,
            "positions": result.positions,
            "events": result.events,
            "event_counts": event_counts(events),
            "summary": result.summary,
            "max_rss_mb": round(max_rss_mb(), 1),
            "passes_seconds": {k: round(v, 2) for k, v in passes.items()},
            "time_split_seconds": {
                k: round(v, 2) for k, v in sorted(split.seconds.items(), key=lambda kv: -kv[1])
            },
            "read_day_detail_seconds": {k: round(v, 2) for k, v in reading.seconds.items()},
            "subset_events": [
                (e.kind.value, e.phase.name, e.vessel_key, e.zone, e.start_ms, e.end_ms)
                for e in events
                if e.vessel_key in keep
            ],
        }
    )
    conn.close()


def batch_run(subset: list[int]) -> dict[str, Any]:
    """``run_batch`` over the stored day, in a fresh child process (its own peak memory)."""
    import multiprocessing as mp

    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_batch_child, args=(child, subset))
    p.start()
    child.close()
    out: dict[str, Any] = parent.recv()
    p.join()
    print(
        f"  batch run_batch: {out['positions']:,} positions {out['seconds']:.1f} s "
        f"({out['positions'] / out['seconds']:,.0f} pos/s), {out['events']:,} events, "
        f"peak {out['max_rss_mb']:,.0f} MB",
        flush=True,
    )
    return out


# --------------------------------------------------------------------------- 3. GeoPandas
def geopandas_rules(
    zones: list[Zone],
    vessel: np.ndarray,
    t: np.ndarray,
    lat: np.ndarray,
    lon: np.ndarray,
    sog: np.ndarray,
) -> tuple[dict[str, Any], dict[str, float]]:
    """Entry/exit (restricted), overspeed (channels), dwell (custom) with GeoPandas + pandas.

    Same semantics as Seawarden's zone rules: a vessel is inside a zone from its first
    position within the zone until its first position more than ``exit_margin_m`` (50 m)
    outside it (the zones' inner and outer geometries are Seawarden's ``Zone.margins()``);
    overspeed opens after ``overspeed_min_s`` above the limit and ends 0.5 kn below it;
    dwell opens after ``max_dwell_min`` inside.
    """
    import geopandas as gpd
    import pandas as pd

    timing: dict[str, float] = {}
    t0 = time.perf_counter()
    c0 = time.process_time()
    o = np.lexsort((t, vessel))
    df = pd.DataFrame(
        {
            "vessel": vessel[o],
            "time": t[o],
            "sog": sog[o].astype(np.float64),
            "seq": np.arange(o.size, dtype=np.int64),  # consecutive within a vessel
        }
    )
    last_seq = df.groupby("vessel")["seq"].transform("max").to_numpy()
    points = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon[o], lat[o]), crs="EPSG:4326")
    timing["points"] = time.perf_counter() - t0
    t1 = time.perf_counter()
    margins = [z.margins() for z in zones]
    inner = np.array([mg[0] for mg in margins], dtype=object)
    zdf = gpd.GeoDataFrame(
        {
            "zone": np.arange(len(zones)),
            "kind": [z.kind.value for z in zones],
            "limit": [z.params.speed_limit_kn or np.nan for z in zones],
            "os_ms": [z.params.overspeed_min_s * 1000 for z in zones],
            "dwell_ms": [(z.params.max_dwell_min or 0) * 60_000 for z in zones],
        },
        geometry=gpd.GeoSeries([mg[1] for mg in margins], crs="EPSG:4326"),
    )
    j = gpd.sjoin(points, zdf, how="inner", predicate="intersects")
    inner_of = gpd.GeoSeries(inner[j["index_right"].to_numpy()], crs="EPSG:4326")
    j["inner"] = inner_of.intersects(
        gpd.GeoSeries(j.geometry.to_numpy(), crs="EPSG:4326"), align=False
    ).to_numpy()
    timing["sjoin"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    m = pd.DataFrame(
        {
            "vessel": j["vessel"].to_numpy(),
            "seq": j["seq"].to_numpy(),
            "time": j["time"].to_numpy(),
            "sog": j["sog"].to_numpy(),
            "zone": j["zone"].to_numpy(),
            "kind": j["kind"].to_numpy(),
            "limit": j["limit"].to_numpy(),
            "os_ms": j["os_ms"].to_numpy(),
            "dwell_ms": j["dwell_ms"].to_numpy(),
            "inner": j["inner"].to_numpy(),
        }
    )
    m = m.sort_values(["vessel", "zone", "seq"], kind="stable").reset_index(drop=True)
    # runs of consecutive positions within a zone's outer geometry
    new = (
        (m["vessel"] != m["vessel"].shift())
        | (m["zone"] != m["zone"].shift())
        | (m["seq"] != m["seq"].shift() + 1)
    )
    m["run"] = new.cumsum()
    # inside from the first position within the inner geometry to the end of the run
    m = m[m.groupby("run")["inner"].cummax()].reset_index(drop=True)
    visits = m.groupby("run").agg(
        vessel=("vessel", "first"),
        zone=("zone", "first"),
        kind=("kind", "first"),
        enter=("time", "first"),
        last=("time", "last"),
        last_seq=("seq", "last"),
        dwell_ms=("dwell_ms", "first"),
    )
    restricted = visits[visits["kind"] == "restricted"]
    exits = restricted[restricted["last_seq"].to_numpy() < last_seq[restricted["last_seq"]]]
    dwell = visits[
        (visits["dwell_ms"] > 0) & (visits["last"] - visits["enter"] >= visits["dwell_ms"])
    ]
    # overspeed: above the limit starts a run, 0.5 kn below ends it; in between it goes on
    ch = m[m["limit"].notna()].copy()
    state = np.where(
        ch["sog"] > ch["limit"], 1.0, np.where(ch["sog"] <= ch["limit"] - 0.5, 0.0, np.nan)
    )
    ch["state"] = pd.Series(state, index=ch.index).groupby(ch["run"]).ffill().fillna(0.0)
    over = ch[ch["state"] == 1.0]
    brk = (over["run"] != over["run"].shift()) | (over.index.to_series().diff() != 1)
    # the alert opens at a position above the limit at least os_ms after the run started
    above = over["time"].where(over["sog"] > over["limit"])
    over = over.assign(os_run=brk.cumsum().to_numpy(), above=above)
    os_runs = over.groupby("os_run").agg(
        vessel=("vessel", "first"),
        zone=("zone", "first"),
        start=("time", "first"),
        last=("above", "max"),
        os_ms=("os_ms", "first"),
    )
    overspeed = os_runs[os_runs["last"] - os_runs["start"] >= os_runs["os_ms"]]
    timing["runs_pandas"] = time.perf_counter() - t2
    timing["total"] = time.perf_counter() - t0
    timing["cpu_total"] = time.process_time() - c0
    out = {
        "memberships": len(j),
        "zone_enter": {
            (int(a), int(b), int(c))
            for a, b, c in restricted[["vessel", "zone", "enter"]].itertuples(index=False)
        },
        "zone_exit_count": len(exits),
        "overspeed": {
            (int(a), int(b), int(c))
            for a, b, c in overspeed[["vessel", "zone", "start"]].itertuples(index=False)
        },
        "dwell": {
            (int(a), int(b), int(c))
            for a, b, c in dwell[["vessel", "zone", "enter"]].itertuples(index=False)
        },
    }
    return out, timing


def seawarden_sets(events: list[tuple[Any, ...]], zone_ids: dict[str, int]) -> dict[str, Any]:
    """Seawarden's events as the same sets (vessel key, zone index, start)."""
    enter, overspeed, dwell = set(), set(), set()
    exits = 0
    for kind, phase, key, zone, start, _end in events:
        if zone is None or zone not in zone_ids:
            continue
        item = (int(key), zone_ids[zone], int(start))
        if kind == "zone_enter" and phase == "INSTANT":
            enter.add(item)
        elif kind == "zone_exit" and phase == "INSTANT":
            exits += 1
        elif kind == "overspeed" and phase == "OPEN":
            overspeed.add(item)
        elif kind == "dwell" and phase == "OPEN":
            dwell.add(item)
    return {"zone_enter": enter, "zone_exit_count": exits, "overspeed": overspeed, "dwell": dwell}


def compare(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in ("zone_enter", "overspeed", "dwell"):
        a, b = ours[name], theirs[name]
        out[name] = {
            "seawarden": len(a),
            "geopandas": len(b),
            "same_events": len(a & b),
            "only_seawarden": sorted(a - b)[:10],
            "only_geopandas": sorted(b - a)[:10],
            "identical": a == b,
        }
    out["zone_exit"] = {
        "seawarden": ours["zone_exit_count"],
        "geopandas": theirs["zone_exit_count"],
        "identical": ours["zone_exit_count"] == theirs["zone_exit_count"],
    }
    return out


# --------------------------------------------------------------------------- run
def run(
    live_hours: int = LIVE_HOURS,
    geopandas_vessels: int | None = 2500,
    repeats: int = 2,
    collision_hours: int = COLLISION_HOURS,
) -> dict[str, Any]:
    from seawarden.supervision.engine import SupervisionConfig, Supervisor

    CACHE.mkdir(parents=True, exist_ok=True)
    previous = pin_one_core()
    results: dict[str, Any] = {"machine": machine()}
    try:
        t0 = time.perf_counter()
        zones = make_zones(int(WORLD["seed"]))  # type: ignore[arg-type]
        fleet = Fleet(int(WORLD["vessels"]), int(WORLD["seed"]))  # type: ignore[arg-type]
        cols = fleet.positions()
        gen_s = time.perf_counter() - t0
        n_all = int(cols["time"].size)
        classes = {c: int((fleet.cls == i).sum()) for i, c in enumerate(CLASSES)}
        results["inputs"] = {
            "world": WORLD,
            "centres": [{"lat": a, "lon": b, "name": c} for a, b, c in CENTRES],
            "zones": zone_summary(zones),
            "vessels": {"count": fleet.n, "classes": classes},
            "positions_day": n_all,
            "generate_seconds": round(gen_s, 1),
        }
        print(f"world: {len(zones)} zones, {fleet.n:,} vessels, {n_all:,} positions", flush=True)
        # warm-up (numba kernels are cached on disk; this loads them)
        Supervisor(zones, None, fleet.vessel_info()).process(fleet.batch(cols, slice(0, 20_000)))
        live_rows = int(np.searchsorted(cols["time"], _day_ms() + live_hours * 3_600_000))
        coll_rows = int(np.searchsorted(cols["time"], _day_ms() + collision_hours * 3_600_000))
        configs: list[tuple[str, Any, bool, int]] = [
            ("all_rules", SupervisionConfig(), False, live_rows),
            ("zone_rules_only", SupervisionConfig(gaps=False, loitering=False), False, live_rows),
            (f"all_rules_first_{collision_hours}h", SupervisionConfig(), False, coll_rows),
            ("all_rules_with_collision_watch", SupervisionConfig(), True, coll_rows),
        ]
        note_load(results, "live")
        live: dict[str, Any] = {}
        for rep in range(repeats):
            for label, config, collision, rows in configs:
                if collision and rep > 0:
                    continue  # long: run once
                r = live_run(zones, fleet, cols, rows, label, config, collision)
                r["all_seconds"] = [*live.get(label, {}).get("all_seconds", []), r["seconds"]]
                if label not in live or r["seconds"] < live[label]["seconds"]:
                    live[label] = r
                else:
                    live[label]["all_seconds"] = r["all_seconds"]
        results["live"] = {
            "hours_of_data": live_hours,
            "positions": live_rows,
            "collision_watch_hours_of_data": collision_hours,
            "collision_watch_positions": coll_rows,
            "collision_step_s": 60,
            "feed": f"time-ordered batches of {BATCH_ROWS:,} positions",
            "repeats": repeats,
            "kept": "the fastest of the repeats (round-robin); the collision watch runs once",
            "runs": live,
        }
        note_load(results, "membership_experiment")
        results["membership_experiment"] = membership_experiment(zones, cols, live_rows, repeats)
        # ---- batch over the stored day
        store = ensure_store(zones, fleet, cols)
        rng = np.random.default_rng(7)
        if geopandas_vessels is None or geopandas_vessels >= fleet.n:
            subset_idx = np.arange(fleet.n)
        else:
            subset_idx = np.sort(rng.choice(fleet.n, geopandas_vessels, replace=False))
        subset_keys = fleet.mmsi[subset_idx].tolist()
        note_load(results, "batch")
        batch = batch_run(subset_keys)
        results["batch"] = {
            "store": {k: v for k, v in store.items() if k != "key"},
            "driver": "run_batch(data_dir, engine, apply=False, collisions=False)",
            "positions": batch["positions"],
            "seconds": batch["seconds"],
            "cpu_seconds": batch["cpu_seconds"],
            "positions_per_second": batch["positions"] / batch["seconds"],
            "events": batch["events"],
            "event_counts": batch["event_counts"],
            "summary": batch["summary"],
            "peak_rss_mb": batch["max_rss_mb"],
            "passes_seconds": batch["passes_seconds"],
            "time_split_seconds": batch["time_split_seconds"],
            "read_day_detail_seconds": batch["read_day_detail_seconds"],
            "time_split_note": (
                "read_day and zone_membership etc. are summed over both passes (reception "
                "pass: no zones); the passes' process() times exclude reading"
            ),
        }
        # ---- GeoPandas on a subset of vessels (whole day), Seawarden on the same rows
        in_subset = np.isin(cols["vessel"], subset_idx)
        rows_idx = np.flatnonzero(in_subset)
        sub_rows = int(rows_idx.size)
        print(f"GeoPandas subset: {subset_idx.size:,} vessels, {sub_rows:,} positions", flush=True)
        zone_ids = {z.id: i for i, z in enumerate(zones)}
        note_load(results, "geopandas")
        sub_batch = fleet.batch(cols, rows_idx)
        gp_all: list[float] = []
        sw_all: list[float] = []
        sw_cpu: list[float] = []
        gp_timing: dict[str, float] = {}
        for _ in range(repeats):  # round-robin, the best of each kept
            gc.collect()
            gp, timing = geopandas_rules(
                zones,
                fleet.mmsi[cols["vessel"][rows_idx]],
                cols["time"][rows_idx],
                cols["lat"][rows_idx],
                cols["lon"][rows_idx],
                cols["sog"][rows_idx],
            )
            gp_all.append(timing["total"])
            if timing["total"] <= min(gp_all):
                gp_timing = timing
            print(f"  geopandas: {timing}", flush=True)
            gc.collect()
            t1 = time.perf_counter()
            c1 = time.process_time()
            sup = Supervisor(
                zones, SupervisionConfig(gaps=False, loitering=False), fleet.vessel_info()
            )
            sub_events = []
            for s in range(0, sub_rows, BATCH_ROWS):
                part = sub_batch.take(np.arange(s, min(s + BATCH_ROWS, sub_rows)))
                sub_events += sup.process(part)
            sw_all.append(time.perf_counter() - t1)
            sw_cpu.append(time.process_time() - c1)
            print(f"  seawarden zone rules on the subset: {sw_all[-1]:.1f} s", flush=True)
        gp_rate = sub_rows / gp_timing["total"]
        sw_sub_s = min(sw_all)
        ours_batch = seawarden_sets(batch["subset_events"], zone_ids)
        ours_live = seawarden_sets(
            [
                (e.kind.value, e.phase.name, e.vessel_key, e.zone, e.start_ms, e.end_ms)
                for e in sub_events
            ],
            zone_ids,
        )
        cmp_batch = compare(ours_batch, gp)
        cmp_engine = compare(ours_live, gp)
        results["geopandas"] = {
            "library": (
                "geopandas 1.2.0 (sjoin predicate='intersects', shapely 2.2.0 STRtree) "
                "+ pandas 3.1.1"
            ),
            "rules": (
                "zone_enter + zone_exit of restricted zones, overspeed (60 s, 0.5 kn "
                "hysteresis) in channels, dwell in custom zones"
            ),
            "zone_geometries": (
                "Seawarden's Zone.margins(): inner = the zone, outer = 50 m exit margin"
            ),
            "subset_vessels": int(subset_idx.size),
            "subset_positions": sub_rows,
            "seconds": gp_timing["total"],
            "all_seconds": gp_all,
            "cpu_seconds": gp_timing["cpu_total"],
            "time_split_seconds": {
                k: round(v, 3) for k, v in gp_timing.items() if k not in ("total", "cpu_total")
            },
            "positions_per_second": gp_rate,
            "memberships": gp["memberships"],
            "seawarden_same_rows": {
                "what": (
                    "Supervisor(zones, SupervisionConfig(gaps=False, loitering=False)) over "
                    "the same rows in time-ordered batches of 100,000 (includes building the "
                    "zone index)"
                ),
                "seconds": sw_sub_s,
                "all_seconds": sw_all,
                "cpu_seconds": min(sw_cpu),
                "positions_per_second": sub_rows / sw_sub_s,
            },
            "agreement_batch_driver": cmp_batch,
            "agreement_engine_same_rows": cmp_engine,
        }
        ratios = {
            "seawarden_zone_rules/geopandas_same_rows": (sub_rows / sw_sub_s) / gp_rate,
            "seawarden_run_batch_all_rules/geopandas_per_position": (
                results["batch"]["positions_per_second"] / gp_rate
            ),
            "geopandas_projected_day_seconds": batch["positions"] / gp_rate,
            "seawarden_zone_rules/geopandas_same_rows_cpu": gp_timing["cpu_total"] / min(sw_cpu),
        }
        results["ratios"] = ratios
        rate_target = TARGETS["live_positions_per_second"]
        day_target = TARGETS["batch_day_seconds"]
        targets: dict[str, Any] = {}
        for name in ("all_rules", "zone_rules_only"):
            r = live[name]
            targets[f"live_{name}_positions_per_second"] = {
                "target": rate_target,
                "measured": r["positions_per_second"],
                "met": r["positions_per_second"] >= rate_target,
                "measured_per_cpu_second": r["positions_per_cpu_second"],
                "met_per_cpu_second": r["positions_per_cpu_second"] >= rate_target,
            }
        targets["batch_day_seconds"] = {
            "target": day_target,
            "measured": batch["seconds"],
            "met": batch["seconds"] < day_target,
            "measured_cpu_seconds": batch["cpu_seconds"],
            "met_cpu_seconds": batch["cpu_seconds"] < day_target,
        }
        results["targets"] = targets
        results["targets_note"] = (
            "wall-clock figures decide 'met'; CPU seconds of the (pinned) process are given "
            "too because other work shared the machine (see machine.load_average_*)"
        )
        results["agreement"] = {
            name: cmp_batch[name]["identical"]
            for name in ("zone_enter", "zone_exit", "overspeed", "dwell")
        }
    finally:
        if previous is not None:
            os.sched_setaffinity(0, set(previous))
    results["machine"]["load_average_1min_after"] = round(os.getloadavg()[0], 2)
    results["machine"]["max_rss_mb"] = round(max_rss_mb(), 1)
    for k, v in results.get("ratios", {}).items():
        print(f"{k:60s} {v:8.2f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "supervision.json").write_text(json.dumps(results, indent=2, default=str))
    return results


# --------------------------------------------------------------------------- report
def _n(x: float) -> str:
    return f"{x:,.0f}"


def _yes(b: bool) -> str:
    return "met" if b else "**not met**"


def markdown(results: dict[str, Any] | None = None) -> str:
    """The "Supervision" section of docs/performance.md, from bench/results/supervision.json.

    Results written before CPU seconds and per-phase load averages were recorded render
    without them.
    """
    r = results or json.loads((RESULTS / "supervision.json").read_text())
    inp, live, m = r["inputs"], r["live"], r["machine"]
    z, v, w = inp["zones"], inp["vessels"], inp["world"]
    runs = live["runs"]
    loads = m.get("load_average_1min_by_phase")
    if loads:
        load_txt = "1-minute load average at each phase: " + ", ".join(
            f"{k} {v2}" for k, v2 in loads.items()
        )
    else:
        load_txt = (
            f"1-minute load average {m.get('load_average_1min_before', '?')} before and"
            f" {m.get('load_average_1min_after', '?')} after"
        )
    kinds = ", ".join(f"{k} {n}" for k, n in z["kinds"].items())
    classes = ", ".join(f"{k} {n:,}" for k, n in v["classes"].items())
    box = w["box"]
    moving = w["moving_interval_s"]
    per_cpu = all("positions_per_cpu_second" in run_ for run_ in runs.values())
    pinned = m.get("pinned_to_one_cpu")
    out = [
        "## Supervision",
        "",
        "`bench/supervision_bench.py` → `bench/results/supervision.json`. A synthetic, seeded",
        f"world: {z['count']:,} zones over {box['lat'][0]:g}–{box['lat'][1]:g}°N,"
        f" {box['lon'][0]:g}–{box['lon'][1]:g}°E ({kinds}; {z['with_holes']} with a"
        f" hole, {z['circles']} circles, {z['vertices']:,} vertices) and {v['count']:,} vessels"
        f" ({classes}) over one day ({w['day']}), {_n(inp['positions_day'])} positions (one every"
        f" {moving[0]}–{moving[1]} s under way, every {w['anchored_interval_s']} s at anchor;"
        f" {w['silent_share']:.0%} fall silent once). One core"
        + (f" (the process is pinned to {pinned})" if pinned else "")
        + f"; {_machine(m)} shared with other work ({load_txt})"
        + (", so CPU seconds of the process are given too." if per_cpu else "."),
        "",
        f"### Live: `Supervisor.process`, time-ordered batches of {live['feed'].split(' of ')[1]}",
        "",
        "| configuration | positions | seconds | positions/s |"
        + (" positions per CPU second |" if per_cpu else "")
        + " events |",
        "|---|---:|---:|---:|" + ("---:|" if per_cpu else "") + "---:|",
    ]
    labels = {
        "all_rules": f"every rule, first {live['hours_of_data']} h of the day",
        "zone_rules_only": "zone rules only (`gaps=False, loitering=False`)",
        f"all_rules_first_{live['collision_watch_hours_of_data']}h": (
            f"every rule, first {live['collision_watch_hours_of_data']} h"
        ),
        "all_rules_with_collision_watch": (
            f"every rule + collision watch (every {live.get('collision_step_s', '?')} s of data),"
            f" first {live['collision_watch_hours_of_data']} h"
        ),
    }
    for key, run_ in runs.items():
        out.append(
            f"| {labels.get(key, key)} | {_n(run_['positions'])} | {run_['seconds']:.2f} | "
            f"{_n(run_['positions_per_second'])} | "
            + (f"{_n(run_['positions_per_cpu_second'])} | " if per_cpu else "")
            + f"{_n(run_['events'])} |"
        )
    t = r["targets"]
    a = t.get("live_all_rules_positions_per_second") or t["live_positions_per_second"]
    zone_only = t.get("live_zone_rules_only_positions_per_second")
    cpu_txt = (
        f"; {_n(a['measured_per_cpu_second'])} per CPU second"
        if "measured_per_cpu_second" in a
        else ""
    )
    out += [
        "",
        f"Target ≥ {_n(a['target'])} positions/s on one core: {_yes(a['met'])} with every rule"
        f" ({_n(a['measured'])}/s{cpu_txt})"
        + (
            f", {_yes(zone_only['met'])} with zone rules only ({_n(zone_only['measured'])}/s)."
            if zone_only
            else "."
        ),
        f"Fastest of {live['repeats']} round-robin runs.",
        "",
        "Where the time goes (every rule, seconds):",
        "",
        "| part | seconds | share |",
        "|---|---:|---:|",
    ]
    base = runs["all_rules"]
    for k, sec in base["time_split_seconds"].items():
        out.append(f"| {k.replace('_', ' ')} | {sec:.2f} | {base['time_split_share'][k]:.0%} |")
    c = runs.get("all_rules_with_collision_watch")
    if c:
        d = c["collision_watch_detail_seconds"]
        na = c["collision_assessments"]
        out += [
            "",
            f"With the collision watch, {c['collision_assessments']} assessments of the whole"
            f" picture took {c['collision_seconds_per_assessment']:.2f} s each"
            f" (`assess` {d.get('assess_pairs_cpa_colregs', 0) / na:.2f}"
            f" s, `pair_records` {d.get('pair_records_python_dicts', 0) / na:.2f}"
            f" s): {c['time_split_share'].get('collision_watch_evaluate', 0):.0%} of the run."
            f" Live, one assessment per {live.get('collision_step_s', 60)} s is"
            f" {c['collision_seconds_per_assessment'] / live.get('collision_step_s', 60):.1%} of"
            " a core in real time; replaying history, it bounds the rate.",
        ]
    b = r["batch"]
    split = b["time_split_seconds"]
    rd = b["read_day_detail_seconds"]
    cpu_b = f" ({b['cpu_seconds']:.1f} CPU s, " if "cpu_seconds" in b else " ("
    out += [
        "",
        "### Batch: one day from the track store",
        "",
        f"`{b['driver']}` over {_n(b['positions'])} positions stored with"
        f" `TrackStore.write_parts` + `publish` + `compact` ({b['store']['files']} files,"
        f" {b['store']['bytes'] / 1e6:,.0f} MB): **{b['seconds']:.1f} s**"
        f"{cpu_b}{_n(b['positions_per_second'])} positions/s),"
        f" {_n(b['events'])} events, peak memory {b['peak_rss_mb']:,.0f} MB. Target < "
        f"{t['batch_day_seconds']['target']:.0f} s: {_yes(t['batch_day_seconds']['met'])}.",
        "",
        "| part (both passes) | seconds |",
        "|---|---:|",
    ]
    for k, sec in split.items():
        out.append(f"| {k.replace('_', ' ')} | {sec:.1f} |")
    out += [
        f"| of reading: Parquet read / `PositionBatch.from_arrow` | "
        f"{rd.get('parquet_read_table', 0):.1f} / {rd.get('positionbatch_from_arrow', 0):.1f} |",
        f"| reception pass / rules pass (`process`, without reading) | "
        f"{b['passes_seconds'].get('process_reception_pass', 0):.1f} / "
        f"{b['passes_seconds'].get('process_rules_pass', 0):.1f} |",
    ]
    g = r["geopandas"]
    gs = g["time_split_seconds"]
    sw = g["seawarden_same_rows"]
    rat = r["ratios"]
    cpu_g = "cpu_seconds" in g and "cpu_seconds" in sw
    out += [
        "",
        "### Against GeoPandas",
        "",
        f"The same zone rules written with GeoPandas ({g['library']}): {g['rules']}, on"
        f" {g['zone_geometries']}; `sjoin` of the points in the zones, then pandas"
        " sort/shift/cumsum/groupby for the runs,"
        f" over {g['subset_vessels']:,} of the vessels for the whole day"
        f" ({_n(g['subset_positions'])} positions). Seawarden's engine runs every zone rule of"
        f" every kind on the same rows: {sw['what']}.",
        "",
        "| | seconds |" + (" CPU s |" if cpu_g else "") + " positions/s |",
        "|---|---:|" + ("---:|" if cpu_g else "") + "---:|",
        f"| GeoPandas + pandas (points {gs['points']:.1f} s, sjoin {gs['sjoin']:.1f} s, runs"
        f" {gs['runs_pandas']:.1f} s) | {g['seconds']:.1f} |"
        + (f" {g['cpu_seconds']:.1f} |" if cpu_g else "")
        + f" {_n(g['positions_per_second'])} |",
        f"| Seawarden, zone rules only, same rows | {sw['seconds']:.1f} |"
        + (f" {sw['cpu_seconds']:.1f} |" if cpu_g else "")
        + f" {_n(sw['positions_per_second'])} |",
        "",
        f"Seawarden/GeoPandas: {rat['seawarden_zone_rules/geopandas_same_rows']:.2f}x (wall"
        + (
            f"), {rat['seawarden_zone_rules/geopandas_same_rows_cpu']:.2f}x (CPU); the whole"
            if "seawarden_zone_rules/geopandas_same_rows_cpu" in rat
            else "); the whole"
        )
        + " `run_batch` (every rule, reception learning, reading) per position:"
        f" {rat['seawarden_run_batch_all_rules/geopandas_per_position']:.2f}x. Both spend most of"
        " their time in Shapely's STRtree point-in-polygon tests.",
        "",
        "| events on the subset | Seawarden (`run_batch`) | GeoPandas | identical |",
        "|---|---:|---:|:-:|",
    ]
    for k, row in g["agreement_batch_driver"].items():
        out.append(
            f"| {k.replace('_', ' ')} | {_n(row['seawarden'])} | {_n(row['geopandas'])} |"
            f" {'yes' if row['identical'] else 'no'} |"
        )
    e = r.get("membership_experiment")
    if e:
        s = e["seconds"]
        out += [
            "",
            f"{e['what'][:1].upper() + e['what'][1:]} ({_n(e['positions'])} positions): the"
            f" grid took"
            f" {s['grid_intersects_xy']:.1f} s against {s['zone_index_memberships']:.1f} s for"
            f" `ZoneIndex.memberships` ({e['speedup']:.1f}x), with"
            f" {'the same' if e['same_memberships'] else 'different'} memberships.",
        ]
    return wrap_paragraphs(out)


def _machine(m: dict[str, Any]) -> str:
    return f"Python {m['python']}, {m['cpus']} CPUs ({m.get('cpu', '?')})"


def wrap_paragraphs(lines: list[str], width: int = 92) -> str:
    """Join lines; paragraphs (not tables or headings) wrapped at ``width``."""
    import textwrap

    out = []
    for line in lines:
        if line.startswith(("|", "#")) or len(line) <= width:
            out.append(line)
        else:
            out.append(textwrap.fill(line, width, break_on_hyphens=False, break_long_words=False))
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--live-hours", type=int, default=LIVE_HOURS)
    ap.add_argument("--geopandas-vessels", type=int, default=2500, help="0: all vessels")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--collision-hours", type=int, default=COLLISION_HOURS)
    ap.add_argument(
        "--markdown", action="store_true", help="print the docs section from the JSON; no run"
    )
    a = ap.parse_args()
    if a.markdown:
        print(markdown())
    else:
        run(a.live_hours, a.geopandas_vessels or None, a.repeats, a.collision_hours)
