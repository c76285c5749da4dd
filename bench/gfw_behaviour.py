"""Reporting gaps and loitering: Seawarden's rules against Global Fishing Watch's own code.

Runs both sides over GFW's labelled real AIS sample (tests/data/tracks, 10,709 messages of
11 MMSIs, 1-9 January 2021), one track per GFW segment (``expected_seg_id``), and writes
bench/results/gfw_behaviour.json: counts per segment and MMSI, events matched by
overlapping time, the events of each side left unmatched with the reason, agreement.

GFW's code is never part of Seawarden: it is imported at run time from checkouts outside
the project (see ``--help``), and where it is absent the documented rule is re-implemented
here (and checked against GFW's code whenever both are present):

* gaps: pipe-gaps ``src/pipe_gaps/core/gap_detector.py``, ``GapDetector.detect`` (pairs of
  consecutive positions more than ``min_gap_length`` = 6 h apart, ``_gap_condition``;
  ``positions_hours_before*`` counted by ``_previous_positions`` over the 12 h before);
  ``eval_open_gap``/``create_gap`` for gaps still open at the end of the last day.
* loitering: pipe-loitering ``create_raw_loitering/transforms``: ``calculate_hourly_stats``
  (clock-hour buckets per segment, mean speed = sum of ``meters_to_prev`` / sum of
  ``hours``, slow if < 2 kn), ``window_by_day`` + ``group_loitering_ranges``
  (``calculate_slow_groups``: runs of slow buckets per day, each prefixed with the last
  message of the bucket before), ``calculate_loitering_stats`` and the SQL merge of daily
  pieces ``merge_raw_loitering/aggregate.sql.j2`` (re-implemented: it is SQL). Published
  events (pipe-events ``assets/bigquery/loitering-events.sql.j2``) keep those with
  ``avg_distance_from_shore_nm >= 20`` (and good segments); GFW's RFMO/carrier reports
  also require >= 4 h (GFW_technical_documentation ``files/loitering.md``).

Distance from shore is approximated with the ``global-land-mask`` package (1 km GLOBE
land mask) when it is importable; otherwise the shore filter is reported as skipped.

Set-up outside the project (checkouts of the fetched GFW repositories, and the few pure
Python packages GapDetector and the land mask need, installed into a separate directory):

    git --git-dir=<mirror of pipe-gaps> archive HEAD | tar -x -C /tmp/gfw/pipe-gaps
    (same for pipe-loitering; write the commit to /tmp/gfw/<repo>/COMMIT to record it)
    .venv/bin/python -m pip install --target /tmp/gfw/site --no-deps \\
        geopy==2.4.1 geographiclib gfw-common==0.4.2 global-land-mask
    .venv/bin/python bench/gfw_behaviour.py \\
        --pipe-gaps /tmp/gfw/pipe-gaps --pipe-loitering /tmp/gfw/pipe-loitering \\
        --site /tmp/gfw/site

(or GFW_PIPE_GAPS, GFW_PIPE_LOITERING, GFW_PYTHONPATH). Without them the script still
runs, says what it skipped, and uses the re-implemented rules.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import datetime as dt
import importlib
import itertools
import json
import math
import os
import sys
import types
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from seawarden.positions.batch import PositionBatch
from seawarden.positions.schema import Source
from seawarden.supervision.coverage import cell_of
from seawarden.supervision.engine import SupervisionConfig, Supervisor
from seawarden.supervision.events import AlertKind, Phase, iso

HERE = Path(__file__).resolve().parent
SAMPLE = HERE.parent / "tests" / "data" / "tracks" / "gfw_segmenter_regression_cn_tw_2021-01.csv"
OUT = HERE / "results" / "gfw_behaviour.json"

HOUR_MS = 3_600_000
EARTH_R_M = 6_371_008.8
NM = 1852.0
GAP_H = 6.0  # pipe-gaps DetectGapsConfig.min_gap_length
N_HOURS_BEFORE = 12  # pipe-gaps DetectGapsConfig.n_hours_before
SLOW_KN = 2.0  # pipe-loitering --slow-threshold default
MIN_LOITER_H = 4.0  # GFW RFMO/carrier report definition (files/loitering.md)
SHORE_NM = 20.0  # pipe-events minimum_distance_from_shore_nm (published loitering)
DISABLING_H = 12.0  # GFW disabling-event definition (reference digest, §9)
DISABLING_SAT_BEFORE = 14
DISABLING_SHORE_NM = 50.0
SHORE_CAP_NM = 60.0

SOURCE_OF_TYPE = {1: Source.AIS_A, 2: Source.AIS_A, 3: Source.AIS_A, 18: Source.AIS_B}
SOURCE_OF_TYPE |= {19: Source.AIS_B, 27: Source.AIS_LONG_RANGE}

GFW_LIKE = SupervisionConfig(
    gap_class_a_min=GAP_H * 60,
    gap_class_b_min=GAP_H * 60,
    gap_beidou_min=GAP_H * 60,
    gap_other_min=GAP_H * 60,
    loiter_kn=SLOW_KN,
    loiter_min_h=MIN_LOITER_H,
    loiter_window_min=60.0,  # GFW judges speed per clock hour
    loiter_max_step_h=24.0,  # pipe-loitering has no step limit (the segmenter splits at 24 h)
)
DEFAULTS = SupervisionConfig()
WINDOW10 = replace(GFW_LIKE, loiter_window_min=DEFAULTS.loiter_window_min)
"""GFW-like but Seawarden's own 10-min window (isolates the window from the step limit)."""


# --------------------------------------------------------------------------- sample
@dataclasses.dataclass
class Pos:
    seg: str
    ssvid: int
    t: int
    lat: float
    lon: float
    sog: float
    cog: float
    heading: int
    status: int
    msg_type: int
    receiver_type: str


def _num(x: str) -> float:
    return math.nan if x == "" else float(x)


def load_sample(path: Path) -> tuple[list[Pos], dict[str, Any]]:
    """Positions with a GFW segment and a valid position; what was left out and why."""
    rows = list(csv.DictReader(path.read_text().splitlines()))
    out: list[Pos] = []
    dropped = {"no_position": 0, "no_segment": 0, "position_not_available": 0}
    types_: dict[str, int] = defaultdict(int)
    for r in rows:
        types_[r["msg_type"]] += 1
        if r["lat"] == "" or r["lon"] == "":
            dropped["no_position"] += 1
            continue
        if r["expected_seg_id"] == "":
            dropped["no_segment"] += 1
            continue
        lat, lon = float(r["lat"]), float(r["lon"])
        if abs(lat) > 90 or abs(lon) > 180:
            dropped["position_not_available"] += 1
            continue
        t = int(dt.datetime.fromisoformat(r["timestamp"]).timestamp() * 1000)
        hdg = _num(r["heading"])
        st = _num(r["status"])
        out.append(
            Pos(
                r["expected_seg_id"],
                int(r["ssvid"]),
                t,
                lat,
                lon,
                _num(r["speed_knots"]),
                _num(r["course"]),
                -1 if math.isnan(hdg) or hdg >= 360 else int(hdg),
                -1 if math.isnan(st) else int(st),
                int(r["msg_type"].split(".")[1]),
                r["receiver_type"],
            )
        )
    out.sort(key=lambda p: (p.seg, p.t))
    times = [int(dt.datetime.fromisoformat(r["timestamp"]).timestamp() * 1000) for r in rows]
    segs: dict[str, int] = defaultdict(int)
    rtypes: dict[str, int] = defaultdict(int)
    for p in out:
        segs[p.seg] += 1
        rtypes[p.receiver_type] += 1
    steps = [
        (b.t - a.t) / 1000
        for a, b in itertools.pairwise(out)
        if a.seg == b.seg and segs[a.seg] >= 2 and b.t > a.t
    ]
    info = {
        "file": str(path.relative_to(HERE.parent)),
        "origin": "GlobalFishingWatch/gpsdio-segment tests/data/expected/regr_<MMSI>.json "
        "(see NOTICE.md next to it); expected_seg_id is GFW's segmenter output",
        "messages": len(rows),
        "message_types": dict(sorted(types_.items())),
        "mmsis": len({r["ssvid"] for r in rows}),
        "first": iso(min(times)),
        "last": iso(max(times)),
        "left_out": dropped,
        "positions_used": len(out),
        "segments": len(segs),
        "segments_with_2_or_more_positions": sum(1 for n in segs.values() if n >= 2),
        "single_position_segments": sum(1 for n in segs.values() if n == 1),
        "median_position_interval_s": round(float(np.median(steps)), 1) if steps else None,
        "receiver_types": dict(sorted(rtypes.items())),
    }
    return out, info


def tracks_by(positions: list[Pos], key: Callable[[Pos], Any]) -> dict[Any, list[Pos]]:
    out: dict[Any, list[Pos]] = defaultdict(list)
    for p in positions:
        out[key(p)].append(p)
    for ps in out.values():
        ps.sort(key=lambda p: p.t)
    return dict(out)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_R_M * math.asin(min(1.0, math.sqrt(a)))


# --------------------------------------------------------------------------- outside code
def _add_path(p: str | None) -> None:
    if p and p not in sys.path:
        sys.path.insert(0, p)


def _checkout_info(root: Path | None) -> dict[str, Any]:
    if root is None:
        return {"path": None}
    info: dict[str, Any] = {"path": str(root)}
    commit = root / "COMMIT"
    if commit.exists():
        info["commit"] = commit.read_text().strip()
    pyproject = root / "pyproject.toml"
    if pyproject.exists():
        for line in pyproject.read_text().splitlines():
            if line.startswith("version"):
                info["version"] = line.split("=", 1)[1].strip().strip('"')
                break
    return info


def load_gap_detector(root: Path | None) -> tuple[Any, dict[str, Any]]:
    info = _checkout_info(root)
    if root is None:
        info["skipped"] = "no pipe-gaps checkout given (--pipe-gaps or GFW_PIPE_GAPS)"
        return None, info
    _add_path(str(root / "src"))
    try:
        mod = importlib.import_module("pipe_gaps.core.gap_detector")
    except ImportError as e:
        info["skipped"] = f"pipe_gaps.core.gap_detector not importable: {e}"
        return None, info
    info["used"] = "pipe_gaps.core.gap_detector.GapDetector"
    return mod.GapDetector, info


def _beam_stub() -> types.ModuleType:
    """Just enough of apache_beam for pipe-loitering's transform modules to import.

    Only their plain functions are called here; the PTransform classes are never used.
    """
    beam = types.ModuleType("apache_beam")

    class _Unused:
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise RuntimeError("apache_beam stub: pipelines cannot run here")

    class DoFn(_Unused):
        WindowParam = None

    beam.PTransform = _Unused  # type: ignore[attr-defined]
    beam.DoFn = DoFn  # type: ignore[attr-defined]
    for name in ("Map", "Filter", "FlatMap", "GroupBy", "WindowInto", "Pipeline"):
        setattr(beam, name, _Unused)
    return beam


def load_loitering_fns(root: Path | None) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    info = _checkout_info(root)
    if root is None:
        info["skipped"] = (
            "no pipe-loitering checkout given (--pipe-loitering or GFW_PIPE_LOITERING)"
        )
        return None, info
    _add_path(str(root / "src"))
    try:
        importlib.import_module("apache_beam")
        info["apache_beam"] = "installed"
    except ImportError:
        sys.modules["apache_beam"] = _beam_stub()
        info["apache_beam"] = "stub (only the transforms' plain functions are called)"
    base = "pipe_loitering.create_raw_loitering.transforms."
    try:
        hourly = importlib.import_module(base + "calculate_hourly_stats")
        ranges = importlib.import_module(base + "group_loitering_ranges")
        stats = importlib.import_module(base + "calculate_loitering_stats")
    except ImportError as e:
        info["skipped"] = f"pipe_loitering transforms not importable: {e}"
        return None, info
    info["used"] = [
        "calculate_hourly_stats.convert_group_to_hourly_bucket, calculate_total_hours, "
        "calculate_total_distance, calculate_avg_speed_in_knots, calculate_is_slow",
        "group_loitering_ranges.calculate_slow_groups",
        "calculate_loitering_stats.has_more_than_one_messages, convert_to_loitering_daily_event",
        "merge_raw_loitering/aggregate.sql.j2 (SQL): re-implemented in merge_daily()",
    ]
    fns = {
        "convert_group_to_hourly_bucket": hourly.convert_group_to_hourly_bucket,
        "calculate_total_hours": hourly.calculate_total_hours,
        "calculate_total_distance": hourly.calculate_total_distance,
        "calculate_avg_speed_in_knots": hourly.calculate_avg_speed_in_knots,
        "calculate_is_slow": hourly.calculate_is_slow,
        "calculate_slow_groups": ranges.calculate_slow_groups,
        "has_more_than_one_messages": stats.has_more_than_one_messages,
        "convert_to_loitering_daily_event": stats.convert_to_loitering_daily_event,
    }
    return fns, info


class Shore:
    """Approximate distance from shore (NM, capped) from the 1 km GLOBE land mask."""

    STEP = 1 / 120  # the mask's pixel (30 arc-seconds)

    def __init__(self) -> None:
        globe = importlib.import_module("global_land_mask.globe")
        self.is_land = globe.is_land
        self.cache: dict[tuple[int, int], float] = {}

    def distance_nm(self, lat: float, lon: float) -> float:
        key = (round(lat * 50), round(lon * 50))  # 0.02° (about 1 NM)
        got = self.cache.get(key)
        if got is not None:
            return got
        la, lo = key[0] / 50, key[1] / 50
        half_lat = SHORE_CAP_NM / 60
        half_lon = half_lat / max(math.cos(math.radians(la)), 0.05)
        glat = np.arange(max(la - half_lat, -89.99), min(la + half_lat, 89.99), self.STEP)
        glon = np.arange(lo - half_lon, lo + half_lon, self.STEP)
        glon = (glon + 180.0) % 360.0 - 180.0
        gy, gx = np.meshgrid(glat, glon, indexing="ij")
        land = self.is_land(gy.ravel(), gx.ravel())
        d = SHORE_CAP_NM
        if land.any():
            ly, lx = np.radians(gy.ravel()[land]), np.radians(gx.ravel()[land])
            p, q = math.radians(la), math.radians(lo)
            a = np.sin((ly - p) / 2) ** 2 + math.cos(p) * np.cos(ly) * np.sin((lx - q) / 2) ** 2
            dist = 2 * EARTH_R_M * np.arcsin(np.sqrt(np.minimum(a, 1.0))) / NM
            d = float(min(SHORE_CAP_NM, dist.min()))
        self.cache[key] = d
        return d


def load_shore(site: str | None) -> tuple[Shore | None, dict[str, Any]]:
    info: dict[str, Any] = {"package": "global-land-mask (GLOBE 1 km land mask)"}
    _add_path(site)
    try:
        shore = Shore()
    except ImportError as e:
        info["skipped"] = f"global_land_mask not importable ({e}): shore filters not applied"
        return None, info
    info["used"] = (
        "distance to the nearest land pixel, capped at "
        f"{SHORE_CAP_NM:.0f} NM; GFW uses its own distance-from-shore raster, so "
        "events near 20 NM may be classed differently"
    )
    return shore, info


# --------------------------------------------------------------------------- GFW gaps
def _gfw_msgs(track: list[Pos]) -> list[dict[str, Any]]:
    return [
        {
            "ssvid": str(p.ssvid),
            "timestamp": p.t / 1000,
            "lat": p.lat,
            "lon": p.lon,
            "receiver_type": p.receiver_type,
            "seg_id": p.seg,
        }
        for p in track
    ]


def gfw_gaps_code(
    detector_cls: Any, track: list[Pos], key: Any, open_day: dt.date | None
) -> list[dict[str, Any]]:
    gd = detector_cls(threshold=GAP_H, n_hours_before=N_HOURS_BEFORE, normalize_output=False)
    msgs = _gfw_msgs(track)
    out = []
    for g in gd.detect(msgs):
        out.append(_gap_record(key, g["OFF"], g["ON"], g))
    if open_day is not None and msgs and gd.eval_open_gap(msgs[-1], today=open_day):
        g = gd.create_gap(off_m=msgs[-1])
        out.append(_gap_record(key, g["OFF"], None, g))
    return out


def _gap_record(
    key: Any, off: dict[str, Any], on: dict[str, Any] | None, g: dict[str, Any]
) -> dict[str, Any]:
    start = round(off["timestamp"] * 1000)
    end = None if on is None else round(on["timestamp"] * 1000)
    return {
        "key": key,
        "start_ms": start,
        "end_ms": end,
        "start": iso(start),
        "end": iso(end),
        "duration_h": None if end is None else round((end - start) / HOUR_MS, 2),
        "lat": off["lat"],
        "lon": off["lon"],
        "positions_hours_before": g.get("positions_hours_before"),
        "positions_hours_before_sat": g.get("positions_hours_before_sat"),
        "positions_hours_before_ter": g.get("positions_hours_before_ter"),
    }


def gfw_gaps_rule(track: list[Pos], key: Any, open_day: dt.date | None) -> list[dict[str, Any]]:
    """The pipe-gaps rule re-implemented (GapDetector._gap_condition, _previous_positions)."""
    msgs = _gfw_msgs(track)
    msgs.sort(key=lambda m: m["timestamp"])
    thr, before = GAP_H * 3600, N_HOURS_BEFORE * 3600

    def counts(i: int) -> dict[str, int]:
        t0 = msgs[i]["timestamp"]
        prior = [m for m in msgs[:i] if t0 - before <= m["timestamp"] < t0] + [msgs[i]]
        sat = sum(m["receiver_type"] == "satellite" for m in prior)
        ter = sum(m["receiver_type"] == "terrestrial" for m in prior)
        return {
            "positions_hours_before": len(prior),
            "positions_hours_before_sat": sat,
            "positions_hours_before_ter": ter,
        }

    out = []
    for i in range(len(msgs) - 1):
        if msgs[i + 1]["timestamp"] - msgs[i]["timestamp"] > thr:
            out.append(_gap_record(key, msgs[i], msgs[i + 1], counts(i)))
    if open_day is not None and msgs:
        day_end = dt.datetime.combine(open_day + dt.timedelta(days=1), dt.time(), dt.UTC)
        if day_end.timestamp() - msgs[-1]["timestamp"] > thr:
            out.append(_gap_record(key, msgs[-1], None, {}))
    return out


# --------------------------------------------------------------------------- GFW loitering
def _research_msgs(track: list[Pos], shore: Shore | None) -> list[dict[str, Any]]:
    """Messages as pipe-loitering reads them (research_messages: hours, meters_to_prev)."""
    out = []
    prev: Pos | None = None
    for p in track:
        out.append(
            {
                "ssvid": str(p.ssvid),
                "seg_id": p.seg,
                "timestamp": dt.datetime.fromtimestamp(p.t / 1000, dt.UTC),
                "hours": None if prev is None else (p.t - prev.t) / HOUR_MS,
                "meters_to_prev": None
                if prev is None
                else haversine_m(prev.lat, prev.lon, p.lat, p.lon),
                "lat": p.lat,
                "lon": p.lon,
                "distance_from_shore_m": None
                if shore is None
                else shore.distance_nm(p.lat, p.lon) * NM,
            }
        )
        prev = p
    return out


class _Window:
    """What calculate_slow_groups reads of a Beam window: its end, as a UTC datetime."""

    def __init__(self, end: dt.datetime) -> None:
        self.end = types.SimpleNamespace(to_utc_datetime=lambda: end)


def gfw_loitering_code(
    fns: dict[str, Any], track: list[Pos], shore: Shore | None
) -> list[dict[str, Any]]:
    msgs = _research_msgs(track, shore)
    if not msgs:
        return []
    # CalculateHourlyStats: GroupBy(seg_id, "%Y-%m-%d-%H") then the bucket maps.
    groups: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for m in msgs:
        groups[(m["seg_id"], m["timestamp"].strftime("%Y-%m-%d-%H"))].append(m)
    buckets = []
    for key, ms in groups.items():
        b = fns["convert_group_to_hourly_bucket"]((key, ms))
        b = dict(**b, hours=fns["calculate_total_hours"](b["msgs"]))
        b = dict(**b, meters_to_prev=fns["calculate_total_distance"](b["msgs"]))
        b = dict(**b, avg_speed_knots=fns["calculate_avg_speed_in_knots"](b))
        b = dict(**b, slow=fns["calculate_is_slow"](b, SLOW_KN))
        buckets.append(b)
    # SlidingWindowByDay (2 days every day) + GroupLoiteringRanges: the window that ends at
    # midnight after day D holds the buckets of D-1 and D; the buffer day before the first
    # day is dropped.
    first_day = min(b["start_timestamp"].date() for b in buckets)
    last_day = max(b["start_timestamp"].date() for b in buckets)
    daily = []
    day = first_day
    while day <= last_day:
        inside = [
            b for b in buckets if day - dt.timedelta(days=1) <= b["start_timestamp"].date() <= day
        ]
        end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time())
        for g in fns["calculate_slow_groups"]((track[0].seg, inside), window=_Window(end)):
            if fns["has_more_than_one_messages"](g):
                daily.append(fns["convert_to_loitering_daily_event"](g))
        day += dt.timedelta(days=1)
    return merge_daily(daily)


def merge_daily(daily: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """merge_raw_loitering/aggregate.sql.j2: join a seg's daily pieces end-to-start."""
    out = []
    by_seg: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for d in daily:
        by_seg[d["seg_id"]].append(d)
    for pieces in by_seg.values():
        pieces.sort(key=lambda d: d["loitering_start_timestamp"])
        chains: list[list[dict[str, Any]]] = []
        for d in pieces:
            if (
                chains
                and chains[-1][-1]["loitering_end_timestamp"] == d["loitering_start_timestamp"]
            ):
                chains[-1].append(d)
            else:
                chains.append([d])
        for c in chains:
            hours = sum(d["loitering_hours"] or 0.0 for d in c)
            dist = sum(d["tot_distance_nm"] for d in c)
            shore = [d for d in c if d["avg_distance_from_shore_nm"] is not None]
            wsum = sum((d["loitering_hours"] or 0.0) for d in shore)
            out.append(
                {
                    "ssvid": c[0]["ssvid"],
                    "seg_id": c[0]["seg_id"],
                    "start": c[0]["loitering_start_timestamp"],
                    "end": c[-1]["loitering_end_timestamp"],
                    "loitering_hours": hours,
                    "tot_distance_nm": dist,
                    "avg_speed_knots": dist / hours if hours else None,
                    "avg_distance_from_shore_nm": (
                        sum(
                            (d["loitering_hours"] or 0.0) * d["avg_distance_from_shore_nm"]
                            for d in shore
                        )
                        / wsum
                        if wsum
                        else None
                    ),
                    "daily_pieces": len(c),
                }
            )
    return out


def gfw_loitering_rule(track: list[Pos], shore: Shore | None) -> list[dict[str, Any]]:
    """pipe-loitering's rule re-implemented (without the daily split its merge undoes)."""
    msgs = _research_msgs(track, shore)
    buckets: list[list[dict[str, Any]]] = []
    for m in msgs:
        hour = m["timestamp"].replace(minute=0, second=0, microsecond=0)
        if (
            buckets
            and buckets[-1][0]["timestamp"].replace(minute=0, second=0, microsecond=0) == hour
        ):
            buckets[-1].append(m)
        else:
            buckets.append([m])

    def slow(b: list[dict[str, Any]]) -> bool:
        hours = sum(m["hours"] for m in b if m["hours"])
        dist = [m["meters_to_prev"] for m in b if m["meters_to_prev"] is not None]
        return bool(hours) and bool(dist) and sum(dist) / hours / NM < SLOW_KN

    runs: list[list[dict[str, Any]]] = []
    cur: list[dict[str, Any]] = []
    for i, b in enumerate(buckets):
        if slow(b):
            if not cur and i > 0:
                cur.append(buckets[i - 1][-1])
            cur.extend(b)
        elif cur:
            runs.append(cur)
            cur = []
    if cur:
        runs.append(cur)
    out = []
    for r in runs:
        if len(r) < 2:
            continue
        hours = sum(m["hours"] for m in r[1:] if m["hours"])
        dist = sum(m["meters_to_prev"] for m in r[1:] if m["meters_to_prev"] is not None) / NM
        shore_m = [m for m in r if m["distance_from_shore_m"] is not None]
        wh = sum(m["hours"] for m in shore_m if m["hours"])
        if shore_m and wh:
            avg_shore = sum(
                m["distance_from_shore_m"] * m["hours"] for m in shore_m if m["hours"]
            ) / (wh * NM)
        elif shore_m:
            avg_shore = sum(m["distance_from_shore_m"] for m in shore_m) / len(shore_m) / NM
        else:
            avg_shore = None
        out.append(
            {
                "ssvid": r[0]["ssvid"],
                "seg_id": r[0]["seg_id"],
                "start": r[0]["timestamp"],
                "end": r[-1]["timestamp"],
                "loitering_hours": hours or None,
                "tot_distance_nm": dist,
                "avg_speed_knots": dist / hours if hours else None,
                "avg_distance_from_shore_nm": avg_shore,
                "daily_pieces": None,
            }
        )
    return out


def _loiter_record(key: Any, e: dict[str, Any]) -> dict[str, Any]:
    start = round(e["start"].timestamp() * 1000)
    end = round(e["end"].timestamp() * 1000)
    shore = e["avg_distance_from_shore_nm"]
    return {
        "key": key,
        "start_ms": start,
        "end_ms": end,
        "start": iso(start),
        "end": iso(end),
        "duration_h": round((end - start) / HOUR_MS, 2),
        "loitering_hours": None if e["loitering_hours"] is None else round(e["loitering_hours"], 2),
        "avg_speed_knots": None if e["avg_speed_knots"] is None else round(e["avg_speed_knots"], 3),
        "avg_distance_from_shore_nm": None if shore is None else round(shore, 1),
    }


# --------------------------------------------------------------------------- Seawarden
def to_batch(tracks: dict[Any, list[Pos]], keys: dict[Any, int]) -> PositionBatch:
    ps = [p for k in tracks for p in tracks[k]]
    vk = [keys[k] for k in tracks for _ in tracks[k]]
    b = PositionBatch.allocate(len(ps))
    b.vessel_key[:] = vk
    b.mmsi[:] = [p.ssvid for p in ps]
    b.time[:] = [p.t for p in ps]
    b.lat[:] = [p.lat for p in ps]
    b.lon[:] = [p.lon for p in ps]
    b.sog[:] = [p.sog for p in ps]
    b.cog[:] = [p.cog for p in ps]
    b.heading[:] = [p.heading for p in ps]
    b.status[:] = [p.status for p in ps]
    b.msg_type[:] = [p.msg_type for p in ps]
    b.source[:] = [int(SOURCE_OF_TYPE.get(p.msg_type, Source.AIS_A)) for p in ps]
    return b


class _EveryGapDark(Supervisor):
    """Seawarden with its reception judgement off: every gap over the threshold alerts.

    What ``SupervisionConfig(min_quality=0, min_expected=0)`` means; used only when that
    configuration fails (``Supervisor._dark`` divides received by expected messages, zero
    in a cell without traffic).
    """

    def _dark(self, *args: Any, **kwargs: Any) -> bool:
        return True


ZERO_QUALITY: dict[str, Any] = {}


def run_seawarden(
    tracks: dict[Any, list[Pos]], config: SupervisionConfig, end_ms: int | None, all_gaps: bool
) -> tuple[dict[str, list[dict[str, Any]]], Supervisor]:
    """Gap and loitering events per track key (``end_ms``: announce gaps still open then).

    ``all_gaps``: every gap over the threshold, not only "dark" ones (quality thresholds 0).
    """
    keys = {k: i + 1 for i, k in enumerate(tracks)}
    back = {v: k for k, v in keys.items()}
    batch = to_batch(tracks, keys)
    if all_gaps:
        config = dataclasses.replace(config, min_quality=0.0, min_expected=0.0)
    sup = Supervisor(zones=[], config=config)
    try:
        events = sup.process(batch)
    except ZeroDivisionError as e:
        if not all_gaps:
            raise
        ZERO_QUALITY["SupervisionConfig(min_quality=0, min_expected=0)"] = (
            f"ZeroDivisionError in Supervisor._dark ({e}) where a cell has no expected "
            "messages; the bench used a Supervisor whose _dark always returns True instead"
        )
        sup = _EveryGapDark(zones=[], config=config)
        events = sup.process(batch)
    if end_ms is not None:
        events += sup.tick(end_ms)
    gaps, opened, closed = [], {}, {}
    for e in events:
        key = back[e.vessel_key]
        if e.kind is AlertKind.ais_gap and e.phase is not Phase.CLOSE:
            rec = {
                "key": key,
                "start_ms": e.start_ms,
                "end_ms": e.end_ms,
                "start": iso(e.start_ms),
                "end": iso(e.end_ms),
                "duration_h": None
                if e.end_ms is None
                else round((e.end_ms - e.start_ms) / HOUR_MS, 2),
                "lat": e.lat,
                "lon": e.lon,
            }
            gaps.append(rec)
        elif e.kind is AlertKind.loitering and e.phase is Phase.OPEN:
            opened[(key, e.start_ms)] = e
        elif e.kind is AlertKind.loitering and e.phase is Phase.CLOSE:
            closed[(key, e.start_ms)] = e
    loiter = []
    for (key, start), _ in sorted(opened.items(), key=lambda kv: (str(kv[0][0]), kv[0][1])):
        c = closed.get((key, start))
        ongoing = c is None or c.end_ms is None
        end = tracks[key][-1].t if ongoing else int(c.end_ms)  # type: ignore[union-attr]
        loiter.append(
            {
                "key": key,
                "start_ms": start,
                "end_ms": end,
                "start": iso(start),
                "end": iso(end),
                "duration_h": round((end - start) / HOUR_MS, 2),
                "ongoing_at_end_of_track": ongoing,
            }
        )
    return {"gaps": gaps, "loitering": loiter}, sup


# --------------------------------------------------------------------------- matching
def _overlap(a: dict[str, Any], b: dict[str, Any], open_end: int) -> int:
    ae = a["end_ms"] if a["end_ms"] is not None else open_end
    be = b["end_ms"] if b["end_ms"] is not None else open_end
    if a["start_ms"] == b["start_ms"] and ae == be:
        return max(ae - a["start_ms"], 1)
    return min(ae, be) - max(a["start_ms"], b["start_ms"])


def _union(intervals: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(intervals):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def _length(iv: list[tuple[int, int]]) -> int:
    return sum(e - s for s, e in iv)


def _intersection(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> int:
    total = 0
    for s1, e1 in a:
        for s2, e2 in b:
            total += max(0, min(e1, e2) - max(s1, s2))
    return total


def match(gfw: list[dict[str, Any]], sw: list[dict[str, Any]], open_end: int) -> dict[str, Any]:
    """One-to-one matches by overlapping time within the same track (largest overlap first)."""
    cands = []
    for i, a in enumerate(gfw):
        for j, b in enumerate(sw):
            if a["key"] == b["key"]:
                ov = _overlap(a, b, open_end)
                if ov > 0:
                    cands.append((ov, i, j))
    cands.sort(key=lambda c: (-c[0], c[1], c[2]))
    mi: dict[int, int] = {}
    mj: dict[int, int] = {}
    for _, i, j in cands:
        if i not in mi and j not in mj:
            mi[i], mj[j] = j, i
    touched_i = {i for _, i, _ in cands}
    touched_j = {j for _, _, j in cands}
    matched = [
        {
            "key": gfw[i]["key"],
            "gfw": [gfw[i]["start"], gfw[i]["end"]],
            "seawarden": [sw[j]["start"], sw[j]["end"]],
            "start_diff_min": round((sw[j]["start_ms"] - gfw[i]["start_ms"]) / 60_000, 1),
            "end_diff_min": None
            if gfw[i]["end_ms"] is None or sw[j]["end_ms"] is None
            else round((sw[j]["end_ms"] - gfw[i]["end_ms"]) / 60_000, 1),
        }
        for i, j in sorted(mi.items())
    ]
    gfw_only = [
        dict(gfw[i], overlaps_matched=i in touched_i) for i in range(len(gfw)) if i not in mi
    ]
    sw_only = [dict(sw[j], overlaps_matched=j in touched_j) for j in range(len(sw)) if j not in mj]

    def iv(evs: list[dict[str, Any]]) -> dict[Any, list[tuple[int, int]]]:
        by: dict[Any, list[tuple[int, int]]] = defaultdict(list)
        for e in evs:
            by[e["key"]].append(
                (e["start_ms"], e["end_ms"] if e["end_ms"] is not None else open_end)
            )
        return {k: _union(v) for k, v in by.items()}

    ga, sa = iv(gfw), iv(sw)
    inter = sum(_intersection(ga[k], sa[k]) for k in ga if k in sa)
    union = sum(_length(v) for v in ga.values()) + sum(_length(v) for v in sa.values()) - inter
    n = len(matched)
    return {
        "gfw_events": len(gfw),
        "seawarden_events": len(sw),
        "matched": n,
        "agreement": {
            "gfw_matched_share": round(n / len(gfw), 3) if gfw else None,
            "seawarden_matched_share": round(n / len(sw), 3) if sw else None,
            "f1": round(2 * n / (len(gfw) + len(sw)), 3) if gfw or sw else None,
            "time_iou": round(inter / union, 3) if union else None,
            "hours_gfw": round(sum(_length(v) for v in ga.values()) / HOUR_MS, 1),
            "hours_seawarden": round(sum(_length(v) for v in sa.values()) / HOUR_MS, 1),
            "hours_both": round(inter / HOUR_MS, 1),
        },
        "matched_events": matched,
        "gfw_only": gfw_only,
        "seawarden_only": sw_only,
    }


# --------------------------------------------------------------------------- explanations
def _quality(sup: Supervisor, lat: float, lon: float, last_t: int, gap_ms: int) -> list[float]:
    decision = last_t + gap_ms
    w1 = (decision // HOUR_MS) * HOUR_MS - 1
    w0 = w1 + 1 - 24 * HOUR_MS
    rec, exp = sup.reception.quality(int(cell_of(lat, lon)), w0, w1)
    return [round(rec, 1), round(exp, 1)]


def explain_dark(sup: Supervisor, tracks: dict[Any, list[Pos]], gap: dict[str, Any]) -> str:
    """Why Seawarden did not call a GFW gap "dark" (its reception judgement, engine._dark)."""
    c = sup.config
    track = tracks[gap["key"]]
    last = next(p for p in track if p.t == gap["start_ms"])
    src = SOURCE_OF_TYPE.get(last.msg_type, Source.AIS_A)
    gap_min = {
        Source.AIS_A: c.gap_class_a_min,
        Source.AIS_B: c.gap_class_b_min,
        Source.BEIDOU: c.gap_beidou_min,
    }.get(src, c.gap_other_min)
    gap_ms = int(gap_min * 60_000)
    rec, exp = _quality(sup, last.lat, last.lon, last.t, gap_ms)
    where = "at the last position"
    if exp >= c.min_expected and rec / exp >= c.min_quality:
        hours = gap_ms / HOUR_MS
        d = last.sog * hours / 60.0
        lat = last.lat + d * math.cos(math.radians(last.cog))
        lon = last.lon + d * math.sin(math.radians(last.cog)) / max(
            math.cos(math.radians(last.lat)), 0.01
        )
        rec, exp = _quality(sup, lat, lon, last.t, gap_ms)
        where = f"at the dead-reckoned position ({last.sog:.1f} kn for {hours:.0f} h)"
    share = f"{rec / exp:.0%}" if exp else "n/a"
    gap["reception_received_expected"] = [rec, exp]
    return (
        f"out of range for Seawarden: {where} {rec:g} of {exp:g} expected messages received "
        f"in the 24 h before ({share}; dark needs >= {c.min_quality:.0%} of >= "
        f"{c.min_expected:g}); GFW's naive gap ignores reception"
    )


def _slow_hours(track: list[Pos], s: int, e: int) -> dict[str, Any]:
    """GFW's clock-hour mean path speeds inside [s, e] (pipe-loitering's bucket speed)."""
    by: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for a, b in itertools.pairwise(track):
        if s <= b.t <= e:
            h = b.t // HOUR_MS
            by[h][0] += haversine_m(a.lat, a.lon, b.lat, b.lon)
            by[h][1] += (b.t - a.t) / HOUR_MS
    speeds = [m / h / NM for m, h in by.values() if h]
    return {
        "hour_buckets": len(speeds),
        "fast_buckets": sum(v >= SLOW_KN for v in speeds),
        "max_bucket_kn": round(max(speeds), 2) if speeds else None,
    }


def _displacement_kn(track: list[Pos], s: int, e: int) -> float | None:
    inside = [p for p in track if s <= p.t <= e]
    if len(inside) < 2 or inside[-1].t == inside[0].t:
        return None
    d = haversine_m(inside[0].lat, inside[0].lon, inside[-1].lat, inside[-1].lon)
    return round(d / NM / ((inside[-1].t - inside[0].t) / HOUR_MS), 2)


def _long_steps(track: list[Pos], s: int, e: int, limit_h: float) -> list[float]:
    return [
        round((b.t - a.t) / HOUR_MS, 2)
        for a, b in itertools.pairwise(track)
        if s <= a.t and b.t <= e and (b.t - a.t) / HOUR_MS > limit_h
    ]


def explain_loiter_gfw_only(
    ev: dict[str, Any],
    tracks: dict[Any, list[Pos]],
    sw_any: list[dict[str, Any]],
    config: SupervisionConfig,
) -> tuple[str, str]:
    """(category, reason) of a GFW loitering event Seawarden did not match."""
    track = tracks[ev["key"]]
    s, e = ev["start_ms"], ev["end_ms"]
    steps = _long_steps(track, s, e, config.loiter_max_step_h)
    if ev.get("overlaps_matched"):
        return "split_merge", (
            "GFW splits what Seawarden keeps as one event: this GFW run overlaps a Seawarden "
            "event already matched to another GFW run (GFW cut at a clock hour whose mean "
            "path speed is >= 2 kn)"
        )
    if steps:
        return "step_limit", (
            f"{len(steps)} silence(s) of {max(steps)} h inside exceed loiter_max_step_h="
            f"{config.loiter_max_step_h:g}: Seawarden restarts its run after each; GFW counts "
            "the silence's distance and time in the hour bucket of the next message, which is "
            f"slow (GFW event {ev['duration_h']} h, {ev['avg_speed_knots']} kn)"
        )
    runs = [x for x in sw_any if x["key"] == ev["key"] and x["start_ms"] < e and s < x["end_ms"]]
    if not runs:
        return "speed_definition", (
            "no slow Seawarden window here: displacement over >= "
            f"{config.loiter_window_min:g} min windows is >= 2 kn (whole-event displacement "
            f"{_displacement_kn(track, s, e)} kn) while GFW's hourly path speeds are < 2 kn"
        )
    longest = max(x["duration_h"] for x in runs)
    return "min_duration", (
        f"Seawarden's slow runs here last at most {longest} h (< loiter_min_h="
        f"{config.loiter_min_h:g}), cut by windows at >= 2 kn; GFW's run is "
        f"{ev['duration_h']} h"
    )


def explain_loiter_sw_only(
    ev: dict[str, Any],
    tracks: dict[Any, list[Pos]],
    gfw_raw: list[dict[str, Any]],
    gfw_cmp: list[dict[str, Any]],
    config: SupervisionConfig,
) -> tuple[str, str]:
    """(category, reason) of a Seawarden loitering event GFW did not match."""
    track = tracks[ev["key"]]
    s, e = ev["start_ms"], ev["end_ms"]
    if ev.get("overlaps_matched"):
        host = [
            x for x in gfw_cmp if x["key"] == ev["key"] and x["start_ms"] < e and s < x["end_ms"]
        ]
        steps = [
            st
            for x in host
            for st in _long_steps(track, x["start_ms"], x["end_ms"], config.loiter_max_step_h)
        ]
        spans = ", ".join(f"{x['start']}..{x['end']}" for x in host)
        if steps:
            return "step_limit", (
                f"Seawarden splits GFW's event {spans} at {len(steps)} silence(s) longer than "
                f"loiter_max_step_h={config.loiter_max_step_h:g} (up to {max(steps)} h); "
                "this piece overlaps a GFW event already matched to another piece"
            )
        return "split_merge", (
            f"Seawarden splits GFW's event {spans} at a window of >= 2 kn displacement "
            "speed; this piece overlaps a GFW event already matched to another piece"
        )
    raw = [x for x in gfw_raw if x["key"] == ev["key"] and x["start_ms"] < e and s < x["end_ms"]]
    hb = _slow_hours(track, s, e)
    if raw:
        longest = max(x["loitering_hours"] or 0.0 for x in raw)
        return "min_duration", (
            f"GFW's slow runs here are shorter than {MIN_LOITER_H:g} h (longest {longest} h, "
            f"{len(raw)} run(s)): {hb['fast_buckets']} of {hb['hour_buckets']} clock-hour "
            f"buckets have a mean path speed >= 2 kn (max {hb['max_bucket_kn']} kn) and cut them"
        )
    return "speed_definition", (
        f"no slow clock hour for GFW: {hb['fast_buckets']} of {hb['hour_buckets']} buckets at "
        f">= 2 kn (max {hb['max_bucket_kn']} kn): summed distances between consecutive "
        "positions (position jitter included) exceed the displacement Seawarden measures"
    )


# --------------------------------------------------------------------------- main
def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--pipe-gaps", default=os.environ.get("GFW_PIPE_GAPS"))
    ap.add_argument("--pipe-loitering", default=os.environ.get("GFW_PIPE_LOITERING"))
    ap.add_argument(
        "--site",
        default=os.environ.get("GFW_PYTHONPATH"),
        help="directory with geopy, gfw-common and global-land-mask (pip install --target)",
    )
    ap.add_argument("--out", default=str(OUT))
    args = ap.parse_args(argv)

    _add_path(args.site)
    positions, sample = load_sample(SAMPLE)
    segs = tracks_by(positions, lambda p: p.seg)
    mmsis = tracks_by(positions, lambda p: p.ssvid)
    last_day = dt.datetime.fromisoformat(sample["last"].replace("Z", "+00:00")).date()
    end_ms = int(
        dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(), dt.UTC).timestamp() * 1000
    )
    sample["open_gaps_judged_at"] = iso(end_ms)

    detector, gaps_info = load_gap_detector(Path(args.pipe_gaps) if args.pipe_gaps else None)
    fns, loiter_info = load_loitering_fns(
        Path(args.pipe_loitering) if args.pipe_loitering else None
    )
    shore, shore_info = load_shore(args.site)
    skipped = [
        f"{name}: {info['skipped']}; the re-implemented rule is used"
        for name, info in (("pipe-gaps", gaps_info), ("pipe-loitering", loiter_info))
        if "skipped" in info
    ] + ([f"shore distance: {shore_info['skipped']}"] if "skipped" in shore_info else [])
    for s in skipped:
        print(f"skipped: {s}", file=sys.stderr)

    # ---- GFW gaps (per segment: closed gaps; per MMSI as pipe-gaps groups: + open gaps)
    def gfw_gaps(tracks: dict[Any, list[Pos]], open_day: dt.date | None) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        rule: list[dict[str, Any]] = []
        for k, tr in tracks.items():
            rule += gfw_gaps_rule(tr, k, open_day)
            if detector is not None:
                out += gfw_gaps_code(detector, tr, k, open_day)
        if detector is None:
            return rule
        sig = ["key", "start_ms", "end_ms", "positions_hours_before", "positions_hours_before_sat"]
        same = sorted(tuple(str(g[f]) for f in sig) for g in out) == sorted(
            tuple(str(g[f]) for f in sig) for g in rule
        )
        checks.append({"check": f"gaps rule == GapDetector ({len(out)} gaps)", "ok": same})
        return out

    checks: list[dict[str, Any]] = []
    g_seg = gfw_gaps(segs, None)
    g_mmsi = gfw_gaps(mmsis, last_day)

    # ---- GFW loitering (per segment, as pipe-loitering)
    raw: list[dict[str, Any]] = []
    rule_raw: list[dict[str, Any]] = []
    for k, tr in segs.items():
        rule_raw += [_loiter_record(k, e) for e in gfw_loitering_rule(tr, shore)]
        if fns is not None:
            raw += [_loiter_record(k, e) for e in gfw_loitering_code(fns, tr, shore)]
    if fns is None:
        raw = rule_raw
    else:
        sig = ["key", "start_ms", "end_ms", "loitering_hours"]
        same = sorted(tuple(str(e[f]) for f in sig) for e in raw) == sorted(
            tuple(str(e[f]) for f in sig) for e in rule_raw
        )
        checks.append(
            {"check": f"loitering rule == pipe-loitering functions ({len(raw)} events)", "ok": same}
        )
    raw.sort(key=lambda e: (e["key"], e["start_ms"]))
    g4 = [e for e in raw if (e["loitering_hours"] or 0.0) >= MIN_LOITER_H]
    published = (
        None
        if shore is None
        else [e for e in g4 if (e["avg_distance_from_shore_nm"] or 0.0) >= SHORE_NM]
    )

    # ---- Seawarden
    sw: dict[str, dict[str, list[dict[str, Any]]]] = {}
    sups: dict[str, Supervisor] = {}
    for name, cfg, tracks, tick, every in (
        ("gfw_like_all", GFW_LIKE, segs, None, True),
        ("gfw_like_dark", GFW_LIKE, segs, None, False),
        ("defaults_all", DEFAULTS, segs, None, True),
        ("defaults_dark", DEFAULTS, segs, None, False),
        ("gfw_like_all_mmsi", GFW_LIKE, mmsis, end_ms, True),
        ("gfw_like_dark_mmsi", GFW_LIKE, mmsis, end_ms, False),
        ("gfw_like_any_length", replace(GFW_LIKE, loiter_min_h=0.0), segs, None, True),
        ("defaults_any_length", replace(DEFAULTS, loiter_min_h=0.0), segs, None, True),
        ("window10", WINDOW10, segs, None, True),
        ("window10_any_length", replace(WINDOW10, loiter_min_h=0.0), segs, None, True),
    ):
        sw[name], sups[name] = run_seawarden(tracks, cfg, tick, every)

    # ---- matching and explanations
    gaps_seg_all = match(g_seg, sw["gfw_like_all"]["gaps"], end_ms)
    gaps_seg_dark = match(g_seg, sw["gfw_like_dark"]["gaps"], end_ms)
    gaps_mmsi_all = match(g_mmsi, sw["gfw_like_all_mmsi"]["gaps"], end_ms)
    gaps_mmsi_dark = match(g_mmsi, sw["gfw_like_dark_mmsi"]["gaps"], end_ms)
    for res, run, tracks in (
        (gaps_seg_dark, "gfw_like_dark", segs),
        (gaps_mmsi_dark, "gfw_like_dark_mmsi", mmsis),
    ):
        for g in res["gfw_only"]:
            g["category"] = "reception"
            g["reason"] = explain_dark(sups[run], tracks, g)
    for res in (gaps_seg_all, gaps_mmsi_all):
        for side in ("gfw_only", "seawarden_only"):
            for g in res[side]:
                g["category"] = "unexplained"
                g["reason"] = "both sides apply a strict '> 6 h' to the same pairs"

    def near_shore(ev: dict[str, Any]) -> float | None:
        if shore is None:
            return None
        d = [
            shore.distance_nm(p.lat, p.lon)
            for p in segs[ev["key"]]
            if ev["start_ms"] <= p.t <= ev["end_ms"]
        ]
        return round(float(np.mean(d)), 1) if d else None

    any_length = replace(GFW_LIKE, loiter_min_h=0.0)
    comparisons = {
        "gfw_like_vs_gfw_4h": (g4, "gfw_like_all", GFW_LIKE, "gfw_like_any_length"),
        "defaults_vs_gfw_4h": (g4, "defaults_all", DEFAULTS, "defaults_any_length"),
        "gfw_like_window10_vs_gfw_4h": (g4, "window10", WINDOW10, "window10_any_length"),
        "gfw_like_any_length_vs_gfw_raw": (raw, "gfw_like_any_length", any_length, None),
        "gfw_like_vs_gfw_published_approx": (published, "gfw_like_all", GFW_LIKE, None),
    }
    loiter: dict[str, dict[str, Any] | None] = {}
    for name, (gfw_evs, run, cfg, any_run) in comparisons.items():
        if gfw_evs is None:
            loiter[name] = None
            continue
        res = match(gfw_evs, sw[run]["loitering"], end_ms)
        pool = sw[any_run or run]["loitering"]
        for ev in res["gfw_only"]:
            ev["category"], ev["reason"] = explain_loiter_gfw_only(ev, segs, pool, cfg)
        for ev in res["seawarden_only"]:
            ev["approx_distance_from_shore_nm"] = near_shore(ev)
            d = ev["approx_distance_from_shore_nm"]
            if name.endswith("published_approx") and d is not None and d < SHORE_NM:
                ev["category"] = "shore_distance"
                ev["reason"] = (
                    f"about {d} NM from shore (< {SHORE_NM:g}): GFW's published filter drops "
                    "it; Seawarden has no shore-distance filter (only harbour zones, none "
                    "given here)"
                )
            else:
                ev["category"], ev["reason"] = explain_loiter_sw_only(ev, segs, raw, gfw_evs, cfg)
        for ev in res["gfw_only"]:
            ev["approx_distance_from_shore_nm"] = near_shore(ev)
        loiter[name] = res

    # ---- per track / per MMSI counts
    def count(evs: list[dict[str, Any]] | None, key: Any) -> int | None:
        return None if evs is None else sum(1 for e in evs if e["key"] == key)

    per_track = []
    for k, tr in segs.items():
        if len(tr) < 2:
            continue
        per_track.append(
            {
                "seg_id": k,
                "mmsi": tr[0].ssvid,
                "positions": len(tr),
                "first": iso(tr[0].t),
                "last": iso(tr[-1].t),
                "gaps_gfw": count(g_seg, k),
                "gaps_seawarden_all": count(sw["gfw_like_all"]["gaps"], k),
                "gaps_seawarden_dark": count(sw["gfw_like_dark"]["gaps"], k),
                "gaps_seawarden_defaults_dark": count(sw["defaults_dark"]["gaps"], k),
                "loitering_gfw_raw": count(raw, k),
                "loitering_gfw_4h": count(g4, k),
                "loitering_gfw_published_approx": count(published, k),
                "loitering_seawarden_gfw_like": count(sw["gfw_like_all"]["loitering"], k),
                "loitering_seawarden_defaults": count(sw["defaults_all"]["loitering"], k),
            }
        )
    per_mmsi: dict[int, dict[str, Any]] = {}
    for row in per_track:
        agg = per_mmsi.setdefault(row["mmsi"], {"mmsi": row["mmsi"]})
        agg["tracks"] = agg.get("tracks", 0) + 1
        for f, v in row.items():
            if f.startswith(("gaps_", "loitering_", "positions")) and v is not None:
                agg[f] = agg.get(f, 0) + v
    for m, tr in mmsis.items():
        agg = per_mmsi.setdefault(m, {"mmsi": m, "tracks": 0, "positions": 0})
        agg["note"] = "tracks/positions/per-segment counts: segments with >= 2 positions"
        agg["segments_all"] = len({p.seg for p in tr})
        agg["positions_all"] = len(tr)
        agg["gaps_gfw_by_mmsi"] = count(g_mmsi, m)
        agg["gaps_seawarden_all_by_mmsi"] = count(sw["gfw_like_all_mmsi"]["gaps"], m)
        agg["gaps_seawarden_dark_by_mmsi"] = count(sw["gfw_like_dark_mmsi"]["gaps"], m)

    # ---- differences: every unmatched event, by category
    texts = {
        "reception": (
            "reporting gaps: reception judgement",
            "GFW's raw gaps are naive: any silence of more than 6 h between consecutive "
            "positions. Seawarden alerts only on 'dark' silences, where the reception map it "
            "measures from the traffic itself shows good coverage (>= 80% of >= 30 expected "
            "messages over 24 h) at the last and at the dead-reckoned position. This sample "
            "is one provider's feed (Orbcomm) with positions every few minutes where class A "
            "transmits every 2-10 s (3 min at anchor), and the 11 vessels are its only "
            "traffic, so measured reception stays far below 80% or rests on fewer than 30 "
            "expected messages (reception_at_gap_starts): every GFW gap is 'out of range' for "
            "Seawarden. Most are satellite revisit gaps of vessels on the high seas, not "
            "transponders switched off. With the quality thresholds at 0 the two sides agree "
            "gap for gap.",
        ),
        "unexplained": ("unexplained", "events no rule difference accounts for"),
        "split_merge": (
            "loitering: runs split differently",
            "GFW cuts a run at each clock hour whose mean path speed is >= 2 kn; Seawarden "
            "at each window whose displacement speed is >= 2 kn. One side may keep as one "
            "event what the other reports as two or more.",
        ),
        "step_limit": (
            "loitering: step limit",
            "Seawarden breaks a run at a step between positions longer than "
            "loiter_max_step_h (2 h by default) and restarts after it; pipe-loitering has no "
            "such limit: the distance and time of a silence count in the hour bucket of the "
            "next message, so a vessel found where it was before a long silence loiters "
            "through it. The GFW-like run uses 24 h (the segmenter's maximum gap).",
        ),
        "min_duration": (
            "loitering: minimum duration",
            "pipe-loitering keeps every run of slow hours with >= 2 messages; the 4 h floor "
            "(RFMO/carrier-report definition) is applied here to GFW's loitering_hours and to "
            "Seawarden's loiter_min_h. A run one side cuts into pieces shorter than 4 h "
            "disappears on that side only.",
        ),
        "speed_definition": (
            "loitering: speed definition",
            "GFW: mean speed of each clock-hour bucket = summed distance between consecutive "
            "positions / summed time (path length: position jitter adds distance). "
            "Seawarden: displacement between positions at least loiter_window_min apart (60 "
            "min in the GFW-like run, 10 min by default).",
        ),
        "shore_distance": (
            "loitering: shore distance and good segments",
            "GFW publishes only loitering with avg_distance_from_shore_nm >= 20 on good, "
            "not overlapping-and-short segments (pipe-events loitering-events.sql.j2). "
            "Seawarden has no shore-distance filter: it suppresses loitering only inside "
            "harbour zones (port_area, berth, anchorage), none of which were given here. "
            "Vessels moored for days in Kaohsiung and on the Shandong coast are loitering "
            "for Seawarden and for GFW's raw table, not in GFW's published events. Distance "
            "from shore is approximated from a 1 km land mask; good_seg flags are not in the "
            "sample.",
        ),
    }
    rx = [g["reception_received_expected"] for g in gaps_seg_dark["gfw_only"]]
    reception_stats = {
        "gfw_gaps_per_segment_judged": len(rx),
        "expected_below_min_expected": sum(1 for r, e in rx if e < GFW_LIKE.min_expected),
        "quality_below_min_quality": sum(
            1 for r, e in rx if e >= GFW_LIKE.min_expected and r / e < GFW_LIKE.min_quality
        ),
        "median_quality_where_measured": round(float(np.median([r / e for r, e in rx if e > 0])), 3)
        if any(e > 0 for _, e in rx)
        else None,
        "median_position_interval_s": sample["median_position_interval_s"],
    }
    unmatched: list[tuple[str, str, dict[str, Any]]] = []
    for name, res in (
        ("gaps_per_segment_dark", gaps_seg_dark),
        ("gaps_per_mmsi_dark", gaps_mmsi_dark),
        ("gaps_per_segment_all", gaps_seg_all),
        ("gaps_per_mmsi_all", gaps_mmsi_all),
        *((f"loitering_{k}", v) for k, v in loiter.items() if v is not None),
    ):
        for side in ("gfw_only", "seawarden_only"):
            unmatched += [(name, side, e) for e in res[side]]
    differences = []
    for cat, (topic, text) in texts.items():
        evs = [(n, side, e) for n, side, e in unmatched if e.get("category") == cat]
        counts: dict[str, int] = defaultdict(int)
        for n, side, _ in evs:
            counts[f"{n}:{side}"] += 1
        if not evs and cat == "unexplained":
            continue
        differences.append(
            {
                "category": cat,
                "topic": topic,
                "explanation": text,
                **({"reception_at_gap_starts": reception_stats} if cat == "reception" else {}),
                "unmatched_events": dict(counts) or "none in this sample",
                "events": [
                    {
                        "comparison": n,
                        "side": side,
                        **{k: e.get(k) for k in ("key", "start", "end", "duration_h", "reason")},
                    }
                    for n, side, e in evs
                ],
            }
        )
    edge = [
        m
        for m in (loiter["gfw_like_vs_gfw_4h"] or {"matched_events": []})["matched_events"]
        if abs(m["start_diff_min"]) > 1 or abs(m["end_diff_min"] or 0) > 1
    ]
    differences.append(
        {
            "category": "boundaries",
            "topic": "loitering: event boundaries of matched events",
            "explanation": "A GFW event starts at the last message of the clock hour before "
            "its first slow hour and ends at the last message of its last slow hour; "
            "Seawarden's starts at the first position of its first slow window and ends at "
            "the end of its last slow window (an event still going on at the end of a track "
            "is closed at its last position here). Matched events (GFW-like vs GFW >= 4 h) "
            "whose start or end differs by more than 1 min:",
            "matched_events_with_other_boundaries": len(edge),
            "max_abs_start_diff_min": max((abs(m["start_diff_min"]) for m in edge), default=0),
            "max_abs_end_diff_min": max((abs(m["end_diff_min"] or 0) for m in edge), default=0),
        }
    )
    differences.append(
        {
            "category": "segment_grouping",
            "topic": "reporting gaps: segment or MMSI",
            "explanation": "pipe-gaps groups positions by ssvid (after keeping those of "
            "segments), not by segment: a silence of one vessel is broken by positions of "
            "another segment with the same MMSI (412331088 is two vessels, off Argentina and "
            "off Shandong; noise segments interleave), a gap may start in one segment and end "
            "in another, and a vessel's last silence to the end of the last day is an open "
            "gap. Seawarden fed one vessel_key per MMSI (and ticked at the end of the last "
            "day) gives the same gaps as GapDetector when its quality thresholds are 0.",
            "gfw_gaps_per_segment": len(g_seg),
            "gfw_gaps_per_mmsi": len(g_mmsi),
            "gfw_open_gaps_per_mmsi": sum(1 for g in g_mmsi if g["end_ms"] is None),
        }
    )

    disabling = None
    closed_gfw = [g for g in g_mmsi if g["end_ms"] is not None]
    cands = [
        g
        for g in closed_gfw
        if g["duration_h"] >= DISABLING_H
        and (g["positions_hours_before_sat"] or 0) >= DISABLING_SAT_BEFORE
    ]
    if shore is not None:
        for g in cands:
            g["approx_distance_from_shore_nm"] = round(shore.distance_nm(g["lat"], g["lon"]), 1)
    disabling = {
        "rule": f">= {DISABLING_H:g} h and >= {DISABLING_SAT_BEFORE} satellite positions in the "
        f"{N_HOURS_BEFORE} h before (from GapDetector's positions_hours_before_sat); GFW also "
        f"needs >= {DISABLING_SHORE_NM:g} NM from shore and > 10 positions/day reception, "
        "shown here only as the approximate shore distance",
        "count": len(cands),
        "beyond_50_nm_approx": None
        if shore is None
        else sum(1 for g in cands if g["approx_distance_from_shore_nm"] >= DISABLING_SHORE_NM),
        "seawarden_dark_among_them": sum(
            1
            for g in cands
            if any(
                s["key"] == g["key"] and s["start_ms"] == g["start_ms"]
                for s in sw["gfw_like_dark_mmsi"]["gaps"]
            )
        ),
        "events": [
            {
                k: g.get(k)
                for k in (
                    "key",
                    "start",
                    "end",
                    "duration_h",
                    "positions_hours_before_sat",
                    "approx_distance_from_shore_nm",
                )
            }
            for g in cands
        ],
    }

    def strip(res: dict[str, Any]) -> dict[str, Any]:
        out = dict(res)
        for side in ("gfw_only", "seawarden_only"):
            out[side] = [
                {k: v for k, v in e.items() if not k.endswith("_ms") and k not in ("lat", "lon")}
                for e in res[side]
            ]
        return out

    result = {
        "generated_by": "bench/gfw_behaviour.py",
        "sample": sample,
        "gfw_code": {
            "pipe_gaps": gaps_info,
            "pipe_loitering": loiter_info,
            "shore_distance": shore_info,
            "skipped": skipped,
            "self_checks": checks,
        },
        "parameters": {
            "gfw": {
                "gaps": {
                    "min_gap_length_h": GAP_H,
                    "condition": "consecutive positions more than min_gap_length apart (strict >)",
                    "n_hours_before": N_HOURS_BEFORE,
                    "grouping": "per segment for the comparison; per ssvid as pipe-gaps does "
                    "in gaps.per_mmsi (with open gaps to the end of the last day)",
                    "source": "pipe-gaps src/pipe_gaps/core/gap_detector.py, "
                    "pipelines/detect/config.py",
                },
                "loitering": {
                    "slow_threshold_kn": SLOW_KN,
                    "speed": "per clock-hour bucket of a segment: sum(meters_to_prev) / sum(hours)",
                    "raw_min_duration": "none (>= 2 messages)",
                    "min_loitering_hours": MIN_LOITER_H,
                    "min_loitering_hours_source": "RFMO/carrier reports "
                    "(GFW_technical_documentation files/loitering.md)",
                    "published_min_distance_from_shore_nm": SHORE_NM,
                    "source": "pipe-loitering create_raw_loitering/transforms, "
                    "merge_raw_loitering/aggregate.sql.j2; pipe-events loitering-events.sql.j2",
                    "not_applied": "good_seg / overlapping_and_short (not in the sample); "
                    "research-message thinning",
                },
            },
            "seawarden": {
                "gfw_like": dataclasses.asdict(GFW_LIKE),
                "all_gaps": "quality thresholds 0 (min_quality=0, min_expected=0): every "
                "gap over the threshold, 'dark' or not",
                "all_gaps_issue": ZERO_QUALITY or None,
                "defaults": dataclasses.asdict(DEFAULTS),
                "gfw_like_window10": "gfw_like with loiter_window_min=10 (Seawarden's default "
                "window, GFW-like step limit)",
                "zones": "none (no harbour zones: loitering is not suppressed anywhere)",
                "source_of_msg_type": {str(k): v.name for k, v in SOURCE_OF_TYPE.items()},
                "vessel_key": "one per GFW segment (expected_seg_id); per MMSI in gaps.per_mmsi",
            },
        },
        "gaps": {
            "per_segment": {
                "gfw": len(g_seg),
                "seawarden_gfw_like_all": len(sw["gfw_like_all"]["gaps"]),
                "seawarden_gfw_like_dark": len(sw["gfw_like_dark"]["gaps"]),
                "seawarden_defaults_all": len(sw["defaults_all"]["gaps"]),
                "seawarden_defaults_dark": len(sw["defaults_dark"]["gaps"]),
                "match_all": strip(gaps_seg_all),
                "match_dark": strip(gaps_seg_dark),
            },
            "per_mmsi": {
                "gfw": len(g_mmsi),
                "gfw_open": sum(1 for g in g_mmsi if g["end_ms"] is None),
                "seawarden_gfw_like_all": len(sw["gfw_like_all_mmsi"]["gaps"]),
                "seawarden_gfw_like_dark": len(sw["gfw_like_dark_mmsi"]["gaps"]),
                "match_all": strip(gaps_mmsi_all),
                "match_dark": strip(gaps_mmsi_dark),
            },
            "disabling_candidates": disabling,
        },
        "loitering": {
            "gfw_raw": len(raw),
            "gfw_4h": len(g4),
            "gfw_published_approx": None if published is None else len(published),
            "seawarden_gfw_like": len(sw["gfw_like_all"]["loitering"]),
            "seawarden_defaults": len(sw["defaults_all"]["loitering"]),
            "seawarden_gfw_like_window10": len(sw["window10"]["loitering"]),
            "seawarden_gfw_like_any_length": len(sw["gfw_like_any_length"]["loitering"]),
            **{f"match_{k}": None if v is None else strip(v) for k, v in loiter.items()},
            "gfw_raw_events": [{k: v for k, v in e.items() if not k.endswith("_ms")} for e in raw],
        },
        "per_segment": per_track,
        "per_mmsi": sorted(per_mmsi.values(), key=lambda r: r["mmsi"]),
        "differences": differences,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, default=str) + "\n")
    print(
        json.dumps(
            {
                "gaps_per_segment": {
                    k: v for k, v in result["gaps"]["per_segment"].items() if not k.startswith("m")
                },
                "gaps_match_all": gaps_seg_all["agreement"],
                "gaps_match_dark": gaps_seg_dark["agreement"],
                "loitering": {
                    k: v
                    for k, v in result["loitering"].items()
                    if not k.startswith(("m", "gfw_raw_"))
                },
                "loitering_match": {
                    k: None if v is None else v["agreement"] for k, v in loiter.items()
                },
                "checks": checks,
                "skipped": skipped,
            },
            indent=1,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
