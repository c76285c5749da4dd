"""The collision picture at a moment: risky pairs among every vessel, with filters and alerts.

:func:`assess` takes the last known state of every vessel at a time ``at`` (dead-reckoned to
``at``; positions older than ``extrapolate_s`` are flagged stale, older than ``max_age_s``
left out), finds all pairs within the search radius, computes DCPA/TCPA, encounter class,
domain intrusion and a risk index, and drops pairs that are not collision risks: vessels
stopped, at anchor, moored or aground; a tug with its tow; a pilot boat alongside;
vessels in the same harbour zone; two fishing vessels working together.
:class:`CollisionWatch` turns successive assessments into alert events with hysteresis:
one alert per encounter, naming both vessels; merchant–fishing pairs have thresholds of
their own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from seawarden.collision.colregs import (
    ENCOUNTER_NAMES,
    ColregsParams,
    classify,
    fujii_inside,
    risk_index,
)
from seawarden.collision.cpa import cpa_tcpa_indexed, relative_motion, vessel_vectors
from seawarden.collision.pairs import pairs_within
from seawarden.supervision.events import AlertKind, Event, Phase
from seawarden.supervision.vessels import VesselClass

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
MERCHANT = VesselClass.CARGO | VesselClass.TANKER | VesselClass.PASSENGER | VesselClass.HIGH_SPEED


@dataclass
class CollisionConfig:
    """Thresholds and filters."""

    search_nm: float = 12.0
    dcpa_nm: float = 1.0
    """A pair is risky (listed) when DCPA is below this ..."""
    tcpa_min: float = 30.0
    """... and the closest point is at most this far ahead."""
    alert_dcpa_nm: float = 0.3
    alert_tcpa_min: float = 10.0
    merchant_fishing_dcpa_nm: float = 0.5
    merchant_fishing_tcpa_min: float = 12.0
    close_factor: float = 1.5
    """An alert ends when DCPA exceeds ``close_factor`` × its threshold, or the vessels pass."""
    confirm: int = 2
    """Assessments in a row that must find a pair in alarm before it alerts (a course
    through a bend briefly points at others)."""
    min_sog_kn: float = 0.5
    stopped_status: tuple[int, ...] = (1, 5, 6)
    max_age_s: float = 180.0
    extrapolate_s: float = 60.0
    tow_nm: float = 0.3
    fishing_pattern_kn: float = 6.0
    default_length_m: float = 100.0
    colregs: ColregsParams = field(default_factory=ColregsParams)


@dataclass
class VesselState:
    """Last known state of vessels (one row each)."""

    key: I64
    mmsi: I64
    time: I64
    lat: F64
    lon: F64
    sog: F64
    cog: F64
    heading: F64
    status: I64
    vclass: I64
    shiptype: I64
    length: F64
    harbour: I64
    """Index of the harbour zone the vessel is in (-1 none)."""

    def __len__(self) -> int:
        return int(self.key.size)


@dataclass
class RiskyPairs:
    """Assessment of the pairs that remain after filtering (vessel indices a < b)."""

    a: I64
    b: I64
    distance_nm: F64
    dcpa_nm: F64
    tcpa_min: F64
    encounter: I64
    give_way: I64
    cri: F64
    merchant_fishing: B
    stale: B

    def __len__(self) -> int:
        return int(self.a.size)

    def take(self, m: Any) -> RiskyPairs:
        """A subset."""
        return RiskyPairs(*(getattr(self, f)[m] for f in self.__dataclass_fields__))


def at_time(v: VesselState, at_ms: int, c: CollisionConfig) -> tuple[VesselState, B]:
    """Vessels usable at ``at_ms``: recent enough, moving, dead-reckoned; plus stale flags."""
    age = (at_ms - v.time) / 1000.0
    ok = (
        (age >= 0)
        & (age <= c.max_age_s)
        & ~np.isnan(v.sog)
        & ~np.isnan(v.cog)
        & (v.sog >= c.min_sog_kn)
    )
    ok &= ~np.isin(v.status, np.array(c.stopped_status, dtype=np.int64))
    idx = np.flatnonzero(ok)
    # one vessel, one state: of a vessel's identities (AIS and BeiDou) keep the freshest
    m = v.mmsi[idx]
    known = m >= 0
    if known.any():
        order = np.lexsort((-v.time[idx][known], m[known]))
        km = m[known][order]
        first = np.ones(km.size, dtype=np.bool_)
        first[1:] = km[1:] != km[:-1]
        idx = np.sort(np.concatenate([idx[~known], idx[known][order][first]]))
    s = VesselState(*(getattr(v, f)[idx] for f in v.__dataclass_fields__))
    hours = age[idx] / 3600.0
    dist_deg = s.sog * hours / 60.0
    s.lat = s.lat + dist_deg * np.cos(np.radians(s.cog))
    s.lon = (
        s.lon
        + dist_deg * np.sin(np.radians(s.cog)) / np.maximum(np.cos(np.radians(s.lat)), 1e-6)
        + 180
    ) % 360 - 180
    s.lat = np.clip(s.lat, -90, 90)
    return s, age[idx] > c.extrapolate_s


def assess(
    v: VesselState, at_ms: int, c: CollisionConfig | None = None
) -> tuple[VesselState, RiskyPairs]:
    """Every risky pair at ``at_ms`` (filters applied), with the vessels they index."""
    c = c or CollisionConfig()
    s, stale = at_time(v, at_ms, c)
    a, b = pairs_within(s.lat, s.lon, c.search_nm)
    pos, vel = vessel_vectors(s.lat, s.lon, s.sog, s.cog)
    dcpa, tcpa, distance, rel_speed = cpa_tcpa_indexed(pos, vel, a, b)
    ca, cb = s.vclass[a], s.vclass[b]
    fishing_a = (ca & VesselClass.FISHING) != 0
    fishing_b = (cb & VesselClass.FISHING) != 0
    mf = (fishing_a & ((cb & MERCHANT) != 0)) | (fishing_b & ((ca & MERCHANT) != 0))
    keep = (
        (dcpa < np.maximum(c.dcpa_nm, c.merchant_fishing_dcpa_nm))
        & (tcpa >= 0)
        & (tcpa <= np.maximum(c.tcpa_min, c.merchant_fishing_tcpa_min))
    )
    # a tug with its tow, a pilot boat alongside: close together on the same course and speed
    tug_a = ((ca & VesselClass.TUG) != 0) | (s.shiptype[a] == 50)
    tug_b = ((cb & VesselClass.TUG) != 0) | (s.shiptype[b] == 50)
    together = (distance < c.tow_nm) & (rel_speed < 1.0)
    keep &= ~((tug_a | tug_b) & together)
    keep &= ~((s.harbour[a] >= 0) & (s.harbour[a] == s.harbour[b]))
    keep &= ~((s.mmsi[a] >= 0) & (s.mmsi[a] == s.mmsi[b]))  # one vessel's AIS and BeiDou identities
    working = (s.sog <= c.fishing_pattern_kn) | (s.status == 7)
    keep &= ~(fishing_a & fishing_b & working[a] & working[b])
    idx = np.flatnonzero(keep)
    a, b = a[idx], b[idx]
    rx, ry, vx, vy = relative_motion(
        s.lat[a], s.lon[a], s.sog[a], s.cog[a], s.lat[b], s.lon[b], s.sog[b], s.cog[b]
    )
    heading_a = np.where(np.isnan(s.heading[a]), s.cog[a], s.heading[a])
    heading_b = np.where(np.isnan(s.heading[b]), s.cog[b], s.heading[b])
    encounter, give_way = classify(rx, ry, heading_a, heading_b, s.sog[a], s.sog[b], c.colregs)
    t_h = tcpa[idx] / 60.0
    cx, cy = rx + vx * t_h, ry + vy * t_h  # B relative to A at the closest point
    length_a = np.where(np.isnan(s.length[a]), c.default_length_m, s.length[a])
    in_harbour = s.harbour[a] >= 0
    depth = fujii_inside(cx, cy, heading_a, length_a, in_harbour)
    d1 = np.maximum(4 * length_a / 1852.0, 0.2)
    cri = risk_index(dcpa[idx], tcpa[idx], d1, depth, c.tcpa_min)
    pairs = RiskyPairs(
        a,
        b,
        distance[idx],
        dcpa[idx],
        tcpa[idx],
        encounter,
        give_way,
        cri,
        mf[idx],
        stale[a] | stale[b],
    )
    return s, pairs


def pair_records(
    s: VesselState, p: RiskyPairs, names: dict[int, str] | None = None
) -> list[dict[str, Any]]:
    """Plain records of assessed pairs (for output)."""
    names = names or {}
    out = []
    for i in range(len(p)):
        a, b = int(p.a[i]), int(p.b[i])
        ma, mb = int(s.mmsi[a]), int(s.mmsi[b])
        gw = int(p.give_way[i])
        out.append(
            {
                "mmsi_a": ma if ma >= 0 else None,
                "mmsi_b": mb if mb >= 0 else None,
                "vessel_a": int(s.key[a]),
                "vessel_b": int(s.key[b]),
                "name_a": names.get(ma),
                "name_b": names.get(mb),
                "distance_nm": round(float(p.distance_nm[i]), 3),
                "dcpa_nm": round(float(p.dcpa_nm[i]), 3),
                "tcpa_min": round(float(p.tcpa_min[i]), 2),
                "encounter": ENCOUNTER_NAMES[int(p.encounter[i])],
                "give_way_mmsi": (ma if gw == 1 else mb if gw == 2 else None),
                "cri": round(float(p.cri[i]), 3),
                "merchant_fishing": bool(p.merchant_fishing[i]),
                "stale": bool(p.stale[i]),
                "lat_a": round(float(s.lat[a]), 6),
                "lon_a": round(float(s.lon[a]), 6),
                "lat_b": round(float(s.lat[b]), 6),
                "lon_b": round(float(s.lon[b]), 6),
            }
        )
    return out


@dataclass
class CollisionWatch:
    """Alert events from successive assessments: one alert per encounter of a pair."""

    config: CollisionConfig = field(default_factory=CollisionConfig)
    open: dict[tuple[int, int], int] = field(default_factory=dict)
    """Pair (vessel keys) → start of its open alert."""
    pending: dict[tuple[int, int], tuple[int, int]] = field(default_factory=dict)
    """Pair → (first time in alarm, assessments in a row in alarm), before it alerts."""
    last_at: int = -(1 << 62)

    def evaluate(
        self, v: VesselState, at_ms: int, names: dict[int, str] | None = None
    ) -> list[Event]:
        """Assess at ``at_ms`` and return open/close events."""
        if at_ms <= self.last_at:
            return []
        self.last_at = at_ms
        c = self.config
        s, p = assess(v, at_ms, c)
        thr_d = np.where(p.merchant_fishing, c.merchant_fishing_dcpa_nm, c.alert_dcpa_nm)
        thr_t = np.where(p.merchant_fishing, c.merchant_fishing_tcpa_min, c.alert_tcpa_min)
        alarm = (p.dcpa_nm < thr_d) & (p.tcpa_min <= thr_t)
        still = (p.dcpa_nm < thr_d * c.close_factor) & (p.tcpa_min >= 0)
        events: list[Event] = []
        current: dict[tuple[int, int], int] = {}
        records = pair_records(s, p, names)
        for i, rec in enumerate(records):
            ka, kb = rec["vessel_a"], rec["vessel_b"]
            key = (min(ka, kb), max(ka, kb))
            current[key] = i
            if key in self.open:
                continue
            if not alarm[i]:
                self.pending.pop(key, None)
                continue
            first, count = self.pending.get(key, (at_ms, 0))
            count += 1
            if count < c.confirm:
                self.pending[key] = (first, count)
                continue
            self.pending.pop(key, None)
            self.open[key] = first
            events.append(self._event(Phase.OPEN, key, first, None, rec))
        for key in [k for k in self.pending if k not in current]:
            del self.pending[key]
        for key, start in list(self.open.items()):
            j = current.get(key)
            if j is not None and still[j]:
                continue
            del self.open[key]
            rec = records[j] if j is not None else {"vessel_a": key[0], "vessel_b": key[1]}
            events.append(self._event(Phase.CLOSE, key, start, at_ms, rec))
        return events

    def _event(
        self, phase: Phase, key: tuple[int, int], start: int, end: int | None, rec: dict[str, Any]
    ) -> Event:
        swap = rec.get("vessel_a") != key[0]
        ma, mb = (
            (rec.get("mmsi_b"), rec.get("mmsi_a"))
            if swap
            else (rec.get("mmsi_a"), rec.get("mmsi_b"))
        )
        details = {
            k: rec.get(k)
            for k in ("dcpa_nm", "tcpa_min", "encounter", "give_way_mmsi", "cri", "distance_nm")
        }
        details.update(
            other_mmsi=mb,
            other_vessel=key[1],
            name=rec.get("name_b" if swap else "name_a"),
            other_name=rec.get("name_a" if swap else "name_b"),
            pair="merchant_fishing" if rec.get("merchant_fishing") else "general",
        )
        lat = rec.get("lat_a")
        lon = rec.get("lon_a")
        return Event(
            AlertKind.collision_risk,
            phase,
            key[0],
            start,
            end,
            ma,
            f"pair:{key[0]}-{key[1]}",
            lat,
            lon,
            None,
            {k: v for k, v in details.items() if v is not None},
        )


def state_from_arrays(**cols: Any) -> VesselState:
    """A VesselState from named arrays (missing optional columns filled)."""
    n = len(cols["lat"])

    def get(name: str, fill: float, dtype: Any) -> Any:
        v = cols.get(name)
        return np.full(n, fill, dtype=dtype) if v is None else np.asarray(v, dtype=dtype)

    return VesselState(
        key=get("key", -1, np.int64),
        mmsi=get("mmsi", -1, np.int64),
        time=get("time", 0, np.int64),
        lat=get("lat", math.nan, np.float64),
        lon=get("lon", math.nan, np.float64),
        sog=get("sog", math.nan, np.float64),
        cog=get("cog", math.nan, np.float64),
        heading=get("heading", math.nan, np.float64),
        status=get("status", -1, np.int64),
        vclass=get("vclass", int(VesselClass.UNKNOWN), np.int64),
        shiptype=get("shiptype", -1, np.int64),
        length=get("length", math.nan, np.float64),
        harbour=get("harbour", -1, np.int64),
    )
