"""The rule engine: positions in, events out; one engine for the live and the batch driver.

:class:`Supervisor` keeps per-vessel state in arrays (slots), finds each position's zones
through :class:`~seawarden.geo.index.ZoneIndex`, runs the compiled zone and behaviour rules
(:mod:`~seawarden.supervision.kernel`) and judges reporting gaps against the reception
quality around the vessel (:mod:`~seawarden.supervision.coverage`). Feed it positions
sorted or not; each vessel's positions are taken in time order, and positions older than
what a vessel already reported are counted as late and not re-evaluated.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import numpy.typing as npt

from seawarden.collision.watch import CollisionWatch, VesselState
from seawarden.geo.index import ZoneIndex
from seawarden.geo.zones import HARBOUR_KINDS, Zone, ZoneKind, closed_intervals
from seawarden.positions.batch import PositionBatch
from seawarden.positions.schema import Source
from seawarden.supervision import kernel as K  # noqa: N812 - short name for many constants
from seawarden.supervision.coverage import ReceptionMap, cell_of, nominal_interval_ms
from seawarden.supervision.events import KIND_CODES, AlertKind, Event, Phase
from seawarden.supervision.vessels import VesselClass, class_mask, classify

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
YEAR_MS = 366 * 86_400_000
VesselInfo = Callable[[list[int]], dict[int, tuple[Any, ...]]]
"""MMSIs → (AIS ship type, length in metres[, name]) for those known."""


@dataclass
class SupervisionConfig:
    """Behaviour rule parameters (zone rules take theirs from each zone)."""

    gap_class_a_min: float = 20.0
    gap_class_b_min: float = 30.0
    gap_beidou_min: float = 60.0
    gap_other_min: float = 60.0
    min_quality: float = 0.8
    """A gap is "dark" only where at least this share of expected messages is received ..."""
    min_expected: float = 30.0
    """... and the share rests on at least this many expected messages (over 24 h)."""
    loiter_kn: float = 2.0
    loiter_min_h: float = 4.0
    loiter_window_min: float = 10.0
    loiter_max_step_h: float = 2.0
    gaps: bool = True
    loitering: bool = True


@dataclass
class _Slots:
    """Per-vessel state arrays (grown by doubling)."""

    size: int = 0
    keys: dict[int, int] = field(default_factory=dict)
    key: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    mmsi: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    source: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    vclass: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    shiptype: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    length: F64 = field(default_factory=lambda: np.zeros(0))
    last_t: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    ai: I64 = field(default_factory=lambda: np.zeros((0, K.MAX_ACTIVE, K.N_AI), np.int64))
    ai_max: F64 = field(default_factory=lambda: np.zeros((0, K.MAX_ACTIVE)))
    bs_last: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    bs_lat: F64 = field(default_factory=lambda: np.zeros(0))
    bs_lon: F64 = field(default_factory=lambda: np.zeros(0))
    bs_anchor_t: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    bs_anchor_lat: F64 = field(default_factory=lambda: np.zeros(0))
    bs_anchor_lon: F64 = field(default_factory=lambda: np.zeros(0))
    bs_run_start: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    bs_run_open: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    prev_sog: F64 = field(default_factory=lambda: np.zeros(0))
    prev_cog: F64 = field(default_factory=lambda: np.zeros(0))
    prev_status: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    gap_open: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    """Start time of a gap announced as open (-1: none)."""
    harbour_zone: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    """Harbour zone of the last position (-1: at sea)."""
    gap_seen: I64 = field(default_factory=lambda: np.zeros(0, np.int64))
    """Last report time whose silence was already judged (dark or not)."""
    known: npt.NDArray[np.bool_] = field(default_factory=lambda: np.zeros(0, np.bool_))

    FILL: ClassVar[dict[str, Any]] = {
        "key": 0,
        "mmsi": -1,
        "source": 0,
        "vclass": int(VesselClass.UNKNOWN),
        "shiptype": -1,
        "length": math.nan,
        "last_t": -(1 << 62),
        "ai": -1,
        "ai_max": 0.0,
        "bs_last": -1,
        "bs_lat": math.nan,
        "bs_lon": math.nan,
        "bs_anchor_t": -1,
        "bs_anchor_lat": math.nan,
        "bs_anchor_lon": math.nan,
        "bs_run_start": -1,
        "bs_run_open": 0,
        "prev_sog": math.nan,
        "prev_cog": math.nan,
        "prev_status": -1,
        "gap_open": -1,
        "harbour_zone": -1,
        "gap_seen": -1,
        "known": False,
    }

    def grow(self, n: int) -> None:
        if n <= self.size:
            return
        new = max(n, 2 * self.size, 256)
        for name, fill in self.FILL.items():
            arr = getattr(self, name)
            shape = (new - arr.shape[0], *arr.shape[1:])
            setattr(self, name, np.concatenate([arr, np.full(shape, fill, dtype=arr.dtype)]))
        self.size = new

    def slots_for(self, keys: I64) -> tuple[I64, I64]:
        """Slot of each key (new slots allocated); also the indices of new slots."""
        uniq, inverse = np.unique(keys, return_inverse=True)
        out = np.empty(uniq.size, dtype=np.int64)
        fresh = []
        for i, k in enumerate(uniq.tolist()):
            s = self.keys.get(k)
            if s is None:
                s = self.keys[k] = len(self.keys)
                fresh.append(s)
            out[i] = s
        self.grow(len(self.keys))
        return out[inverse], np.array(fresh, dtype=np.int64)


def compile_zone_rules(zones: list[Zone], start_ms: int, end_ms: int) -> dict[str, Any]:
    """The zones' parameters as the kernel's arrays (closed intervals for [start, end])."""
    n = len(zones)
    zf = np.full((n, K.N_ZF), math.nan)
    zi = np.zeros((n, K.N_ZI), dtype=np.int64)
    lo = np.zeros(n, dtype=np.uint64)
    hi = np.zeros(n, dtype=np.uint64)
    c_ptr = np.zeros(n + 1, dtype=np.int64)
    c_lo: list[int] = []
    c_hi: list[int] = []
    for i, z in enumerate(zones):
        p = z.params
        zf[i, K.ZF_SPEED] = p.speed_limit_kn if p.speed_limit_kn else math.nan
        zf[i, K.ZF_STOP_SOG] = p.stop_sog_kn
        zf[i, K.ZF_MIN_LEN] = p.min_length_m if p.min_length_m is not None else math.nan
        zf[i, K.ZF_FISHING_MAX] = p.fishing_max_kn
        zi[i, K.ZI_OVERSPEED_MS] = int(p.overspeed_min_s * 1000)
        zi[i, K.ZI_DWELL_MS] = int(p.max_dwell_min * 60_000) if p.max_dwell_min else 0
        zi[i, K.ZI_NO_STOP] = int(
            p.no_stop if p.no_stop is not None else z.kind is ZoneKind.no_stop
        )
        zi[i, K.ZI_MIN_STOP_MS] = int(p.min_stop_s * 1000)
        zi[i, K.ZI_NO_ANCHOR] = int(
            p.no_anchoring if p.no_anchoring is not None else z.kind is ZoneKind.no_anchoring
        )
        zi[i, K.ZI_MIN_ANCHOR_MS] = int(p.min_anchor_s * 1000)
        periods = p.periods()
        zi[i, K.ZI_FISHING] = int(z.kind is ZoneKind.fishing_ban)
        zi[i, K.ZI_MIN_FISHING_MS] = int(p.min_fishing_s * 1000)
        applies, _, _ = class_mask(p.applies_to)
        zi[i, K.ZI_APPLIES] = applies
        forbid, flo, fhi = class_mask(p.forbidden_ship_types)
        zi[i, K.ZI_FORBID] = forbid
        lo[i], hi[i] = flo, fhi
        zi[i, K.ZI_NOTIFY_ENTER] = int(
            p.notify_enter if p.notify_enter is not None else z.kind is ZoneKind.restricted
        )
        zi[i, K.ZI_NOTIFY_EXIT] = int(p.notify_exit)
        zi[i, K.ZI_HARBOUR] = int(z.kind in HARBOUR_KINDS)
        if z.kind is ZoneKind.fishing_ban:
            if periods:
                intervals = closed_intervals(periods, p.timezone, start_ms, end_ms)
            else:  # a fishing-ban zone without a season is closed all the time
                intervals = [(-(1 << 62), 1 << 62)]
            for a, b in intervals:
                c_lo.append(a)
                c_hi.append(b)
        c_ptr[i + 1] = len(c_lo)
    return {
        "zf": zf,
        "zi": zi,
        "forbid_lo": lo,
        "forbid_hi": hi,
        "c_ptr": c_ptr,
        "c_lo": np.array(c_lo, dtype=np.int64),
        "c_hi": np.array(c_hi, dtype=np.int64),
        "range": (start_ms, end_ms),
    }


class Supervisor:
    """Runs every rule over positions, keeping state between calls."""

    def __init__(
        self,
        zones: list[Zone],
        config: SupervisionConfig | None = None,
        vessel_info: VesselInfo | None = None,
    ) -> None:
        self.zones = zones
        self.config = config or SupervisionConfig()
        self.vessel_info = vessel_info
        self.index = ZoneIndex(zones)
        self.harbour = np.array([z.kind in HARBOUR_KINDS for z in zones], dtype=np.bool_)
        self.slots = _Slots()
        self.reception = ReceptionMap()
        self.rules: dict[str, Any] | None = None
        self.counters = np.zeros(2, dtype=np.int64)
        self.max_time = -(1 << 62)
        self.events_out = 0
        self.reception_frozen = False
        self.names: dict[int, str] = {}
        self.collision: CollisionWatch | None = None
        """Collision watch, assessed every ``collision_step_ms`` of data time."""
        self.collision_step_ms = 60_000
        self.next_collision: int | None = None

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        for name in ("index", "vessel_info", "rules"):
            state[name] = None
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.index = ZoneIndex(self.zones)

    def zone_signature(self) -> tuple[tuple[str, str], ...]:
        """What the zones are (to tell whether saved state still applies)."""
        return tuple((z.id, repr(z.params.model_dump()) + z.geometry.wkb_hex) for z in self.zones)

    # ------------------------------------------------------------------ helpers
    def _rules_for(self, t0: int, t1: int) -> dict[str, Any]:
        r = self.rules
        if r is None or t0 < r["range"][0] or t1 > r["range"][1]:
            self.rules = compile_zone_rules(self.zones, t0 - YEAR_MS, t1 + YEAR_MS)
        assert self.rules is not None
        return self.rules

    def refresh_vessels(self, slots: I64 | None = None) -> None:
        """Look up ship types and lengths (all vessels, or some slots) and reclassify."""
        sl = self.slots
        idx = np.arange(len(sl.keys)) if slots is None else slots
        if idx.size == 0:
            return
        if self.vessel_info is not None:
            mmsis = [int(m) for m in sl.mmsi[idx].tolist() if m >= 0]
            info = self.vessel_info(mmsis) if mmsis else {}
            for s in idx.tolist():
                got = info.get(int(sl.mmsi[s]))
                if got is not None:
                    sl.shiptype[s] = got[0]
                    sl.length[s] = got[1]
                    if len(got) > 2 and got[2]:
                        self.names[int(sl.mmsi[s])] = str(got[2])
                    sl.known[s] = True
        sl.vclass[idx] = classify(sl.shiptype[idx], sl.source[idx] == Source.BEIDOU)

    def _gap_ms(self, source: I64) -> I64:
        c = self.config
        out = np.full(source.size, c.gap_other_min, dtype=np.float64)
        out[source == Source.AIS_A] = c.gap_class_a_min
        out[source == Source.AIS_B] = c.gap_class_b_min
        out[source == Source.BEIDOU] = c.gap_beidou_min
        return (out * 60_000).astype(np.int64)

    def _dark(
        self,
        slot: int,
        last_t: int,
        lat: float,
        lon: float,
        sog: float,
        cog: float,
        source: int,
        gap_ms: int,
    ) -> bool:
        """Whether a vessel silent since ``last_t`` is dark rather than out of range."""
        if source == Source.BEIDOU:
            return True
        # Reception over the 24 whole hours before the hour of the decision (what a live
        # run has seen by then, whatever arrives later).
        decision = last_t + gap_ms
        w1 = (decision // 3_600_000) * 3_600_000 - 1
        w0 = w1 + 1 - 24 * 3_600_000
        c = self.config
        rec, exp = self.reception.quality(int(cell_of(lat, lon)), w0, w1)
        if exp < c.min_expected or rec < c.min_quality * exp:
            return False
        if not math.isnan(sog) and not math.isnan(cog) and sog > 0.5:
            hours = gap_ms / 3_600_000
            dist_deg = sog * hours / 60.0
            dlat = dist_deg * math.cos(math.radians(cog))
            dlon = dist_deg * math.sin(math.radians(cog)) / max(math.cos(math.radians(lat)), 0.01)
            rec, exp = self.reception.quality(int(cell_of(lat + dlat, lon + dlon)), w0, w1)
            if exp < c.min_expected or rec < c.min_quality * exp:
                return False
        return True

    # ------------------------------------------------------------------ driving
    def process(self, rows: PositionBatch) -> list[Event]:
        """Evaluate a batch of positions; returns the events it caused.

        With a collision watch, positions are taken in slices of ``collision_step_ms`` of
        data time and the collision picture is assessed at every slice boundary, so a live
        stream and a replayed history give the same collision events.
        """
        if self.collision is None or len(rows) == 0:
            return self._process_rows(rows)
        step = self.collision_step_ms
        order = np.argsort(rows.time, kind="stable")
        ts = rows.time[order]
        if self.next_collision is None:
            self.next_collision = (int(ts[0]) // step + 1) * step
        events: list[Event] = []
        start, n = 0, int(ts.size)
        while start < n:
            end = int(np.searchsorted(ts, self.next_collision, side="left"))
            if end > start:
                events += self._process_rows(rows.take(order[start:end]))
                start = end
            if start >= n:
                break
            events += self.collision.evaluate(self.vessel_state(), self.next_collision, self.names)
            self.next_collision += step
            if ts[start] >= self.next_collision + step:  # a silent stretch: skip to the data
                events += self.collision.evaluate(
                    self.vessel_state(), self.next_collision, self.names
                )
                self.next_collision = (int(ts[start]) // step) * step
        return events

    def _process_rows(self, rows: PositionBatch) -> list[Event]:
        if len(rows) == 0:
            return []
        order = np.lexsort((rows.time, rows.vessel_key))
        b = rows.take(order)
        sl = self.slots
        slot, fresh = sl.slots_for(b.vessel_key)
        first = np.ones(len(b), dtype=np.bool_)
        first[1:] = slot[1:] != slot[:-1]
        sl.key[slot] = b.vessel_key
        sl.source[slot] = b.source
        has_mmsi = b.mmsi >= 0
        sl.mmsi[slot[has_mmsi]] = b.mmsi[has_mmsi]
        unknown = np.unique(slot[~sl.known[slot]])
        if fresh.size or unknown.size:
            self.refresh_vessels(np.union1d(fresh, unknown))
        t0, t1 = int(b.time.min()), int(b.time.max())
        self.max_time = max(self.max_time, t1)
        rules = self._rules_for(t0, t1)
        # zones of each position (CSR by row)
        m_row, m_zone, m_inner = self.index.memberships(b.lat, b.lon)
        o = np.lexsort((m_zone, m_row))
        m_row, m_zone, m_inner = m_row[o], m_zone[o], m_inner[o]
        m_ptr = np.zeros(len(b) + 1, dtype=np.int64)
        np.add.at(m_ptr, m_row + 1, 1)
        m_ptr = np.cumsum(m_ptr)
        harbour = np.zeros(len(b), dtype=np.bool_)
        if m_row.size:
            h = self.harbour[m_zone] & m_inner
            harbour[m_row[h]] = True
        # reception pairs (previous position from state for each vessel's first row)
        prev_t = np.empty(len(b), dtype=np.int64)
        prev_t[1:] = b.time[:-1]
        prev_t[first] = sl.bs_last[slot[first]]
        prev_lat = np.empty(len(b))
        prev_lat[1:] = b.lat[:-1]
        prev_lat[first] = sl.bs_lat[slot[first]]
        prev_lon = np.empty(len(b))
        prev_lon[1:] = b.lon[:-1]
        prev_lon[first] = sl.bs_lon[slot[first]]
        prev_sog = np.empty(len(b))
        prev_sog[1:] = b.sog[:-1]
        prev_sog[first] = sl.prev_sog[slot[first]]
        prev_cog = np.empty(len(b))
        prev_cog[1:] = b.cog[:-1]
        prev_cog[first] = sl.prev_cog[slot[first]]
        prev_status = np.empty(len(b), dtype=np.int64)
        prev_status[1:] = b.status[:-1]
        prev_status[first] = sl.prev_status[slot[first]]
        has_prev = (prev_t >= 0) & (b.time >= prev_t)
        if has_prev.any() and not self.reception_frozen:
            interval = nominal_interval_ms(
                b.source[has_prev], prev_sog[has_prev], prev_status[has_prev]
            )
            self.reception.add(
                cell_of(prev_lat[has_prev], prev_lon[has_prev]),
                b.time[has_prev],
                b.time[has_prev] - prev_t[has_prev],
                interval,
            )
        cap = 4 * (len(b) + m_zone.size) + 64
        ev = np.zeros((cap, 7), dtype=np.int64)
        evv = np.zeros(cap)
        vclass = sl.vclass[slot]
        n = K.zone_rules(
            slot,
            b.time,
            b.sog.astype(np.float64),
            b.status.astype(np.int64),
            vclass,
            sl.shiptype[slot],
            sl.length[slot],
            harbour,
            m_ptr,
            m_zone,
            m_inner,
            rules["zf"],
            rules["zi"],
            rules["forbid_lo"],
            rules["forbid_hi"],
            rules["c_ptr"],
            rules["c_lo"],
            rules["c_hi"],
            sl.ai,
            sl.ai_max,
            sl.last_t,
            ev,
            evv,
            self.counters,
        )
        events = self._events(ev[:n], evv[:n], b)
        events += self._crossings(b, slot, first, prev_t, prev_lat, prev_lon)
        events += self._behaviour(b, slot, first, harbour, prev_lat, prev_lon, prev_sog, prev_cog)
        last = np.ones(len(b), dtype=np.bool_)
        last[:-1] = slot[1:] != slot[:-1]
        sl.prev_sog[slot[last]] = b.sog[last]
        sl.prev_cog[slot[last]] = b.cog[last]
        sl.prev_status[slot[last]] = b.status[last]
        hz = np.full(len(b), -1, dtype=np.int64)
        if m_row.size:
            h = self.harbour[m_zone] & m_inner
            hz[m_row[h]] = m_zone[h]
        sl.harbour_zone[slot[last]] = hz[last]
        self.events_out += len(events)
        return events

    def _behaviour(
        self,
        b: PositionBatch,
        slot: I64,
        first: Any,
        harbour: Any,
        prev_lat: F64,
        prev_lon: F64,
        prev_sog: F64,
        prev_cog: F64,
    ) -> list[Event]:
        sl = self.slots
        c = self.config
        gap_ms = self._gap_ms(b.source.astype(np.int64))
        if not c.gaps:
            gap_ms[:] = 1 << 62
        cap = 2 * len(b) + 16
        ev = np.zeros((cap, 7), dtype=np.int64)
        evv = np.zeros(cap)
        gaps = np.zeros((len(b) + 1, 3), dtype=np.int64)
        min_loiter = int(c.loiter_min_h * 3_600_000) if c.loitering else 1 << 62
        n, g = K.behaviour_rules(
            slot,
            b.time,
            b.lat,
            b.lon,
            harbour,
            gap_ms,
            sl.bs_last,
            sl.bs_lat,
            sl.bs_lon,
            sl.bs_anchor_t,
            sl.bs_anchor_lat,
            sl.bs_anchor_lon,
            sl.bs_run_start,
            sl.bs_run_open,
            int(c.loiter_window_min * 60_000),
            c.loiter_kn,
            min_loiter,
            int(c.loiter_max_step_h * 3_600_000),
            ev,
            evv,
            gaps,
        )
        events = self._events(ev[:n], evv[:n], b)
        for s, r, prev in gaps[:g].tolist():
            open_start = int(sl.gap_open[s])
            if open_start >= 0 and open_start == prev:
                sl.gap_open[s] = -1
                events.append(
                    self._event(
                        AlertKind.ais_gap,
                        Phase.CLOSE,
                        s,
                        prev,
                        int(b.time[r]),
                        None,
                        float(prev_lat[r]),
                        float(prev_lon[r]),
                    )
                )
                continue
            if self._dark(
                s,
                prev,
                float(prev_lat[r]),
                float(prev_lon[r]),
                float(prev_sog[r]),
                float(prev_cog[r]),
                int(b.source[r]),
                int(gap_ms[r]),
            ):
                events.append(
                    self._event(
                        AlertKind.ais_gap,
                        Phase.INSTANT,
                        s,
                        prev,
                        int(b.time[r]),
                        None,
                        float(prev_lat[r]),
                        float(prev_lon[r]),
                        {"gap_min": round((int(b.time[r]) - prev) / 60_000, 1)},
                    )
                )
        return events

    def tick(self, now_ms: int) -> list[Event]:
        """Announce gaps still going on at ``now_ms`` (data time): vessels silent too long."""
        if not self.config.gaps:
            return []
        sl = self.slots
        n = len(sl.keys)
        if n == 0:
            return []
        gap_ms = self._gap_ms(sl.source[:n])
        silent = (
            (sl.bs_last[:n] >= 0)
            & (now_ms - sl.bs_last[:n] > gap_ms)
            & (sl.gap_seen[:n] != sl.bs_last[:n])
        )
        events = []
        for s in np.flatnonzero(silent).tolist():
            last = int(sl.bs_last[s])
            sl.gap_seen[s] = last
            if self._dark(
                s,
                last,
                float(sl.bs_lat[s]),
                float(sl.bs_lon[s]),
                float(sl.prev_sog[s]),
                float(sl.prev_cog[s]),
                int(sl.source[s]),
                int(gap_ms[s]),
            ):
                sl.gap_open[s] = last
                events.append(
                    self._event(
                        AlertKind.ais_gap,
                        Phase.OPEN,
                        s,
                        last,
                        None,
                        None,
                        float(sl.bs_lat[s]),
                        float(sl.bs_lon[s]),
                    )
                )
        self.reception.prune(now_ms)
        return events

    def _crossings(
        self, b: PositionBatch, slot: I64, first: Any, prev_t: I64, prev_lat: F64, prev_lon: F64
    ) -> list[Event]:
        if self.index.lines.size == 0:
            return []
        ok = (prev_t >= 0) & ~np.isnan(prev_lat)
        idx = np.flatnonzero(ok)
        moves, zones = self.index.crossings(prev_lat[idx], prev_lon[idx], b.lat[idx], b.lon[idx])
        events = []
        for m, z in zip(moves.tolist(), zones.tolist(), strict=True):
            r = int(idx[m])
            zone = self.zones[z]
            vclass = int(self.slots.vclass[slot[r]])
            applies, _, _ = class_mask(zone.params.applies_to)
            if applies and not vclass & applies:
                continue
            frac = self.index.crossing_fraction(
                (float(prev_lat[r]), float(b.lat[r])), (float(prev_lon[r]), float(b.lon[r])), z
            )
            if frac <= 0.0:
                continue  # the move starts on the line: that crossing was the previous move's
            at = int(prev_t[r] + frac * (b.time[r] - prev_t[r]))
            notify = (
                zone.params.notify_enter
                if zone.params.notify_enter is not None
                else zone.kind is ZoneKind.restricted
            )
            if zone.kind is ZoneKind.no_stop or (zone.params.no_stop is True):
                kind = AlertKind.no_stop
            elif notify:
                kind = AlertKind.zone_enter
            else:
                continue
            events.append(
                self._event(
                    kind,
                    Phase.INSTANT,
                    int(slot[r]),
                    at,
                    at,
                    zone.id,
                    float(b.lat[r]),
                    float(b.lon[r]),
                    {"crossing": True},
                )
            )
        return events

    def _events(self, ev: I64, evv: F64, b: PositionBatch) -> list[Event]:
        out = []
        for (kind, phase, s, z, start, end, r), value in zip(
            ev.tolist(), evv.tolist(), strict=True
        ):
            zone = self.zones[z].id if z >= 0 else None
            e = self._event(
                KIND_CODES[kind],
                Phase(phase),
                s,
                start,
                None if end < 0 else end,
                zone,
                float(b.lat[r]),
                float(b.lon[r]),
            )
            if not math.isnan(value):
                e.value = round(value, 2)
            out.append(e)
        return out

    def _event(
        self,
        kind: AlertKind,
        phase: Phase,
        slot: int,
        start: int,
        end: int | None,
        zone: str | None,
        lat: float | None,
        lon: float | None,
        details: dict[str, Any] | None = None,
    ) -> Event:
        sl = self.slots
        mmsi = int(sl.mmsi[slot])
        return Event(
            kind,
            phase,
            int(sl.key[slot]),
            int(start),
            None if end is None else int(end),
            mmsi if mmsi >= 0 else None,
            zone,
            lat,
            lon,
            None,
            details or {},
        )

    def vessel_state(self) -> VesselState:
        """Last known state of every vessel (for the collision watch)."""
        sl = self.slots
        n = len(sl.keys)
        return VesselState(
            sl.key[:n].copy(),
            sl.mmsi[:n].copy(),
            sl.bs_last[:n].copy(),
            sl.bs_lat[:n].copy(),
            sl.bs_lon[:n].copy(),
            sl.prev_sog[:n].copy(),
            sl.prev_cog[:n].copy(),
            np.full(n, math.nan),
            sl.prev_status[:n].copy(),
            sl.vclass[:n].copy(),
            sl.shiptype[:n].copy(),
            sl.length[:n].copy(),
            sl.harbour_zone[:n].copy(),
        )

    def state_summary(self) -> dict[str, int]:
        """Counters: vessels, late positions skipped, zone memberships ignored, events."""
        return {
            "vessels": len(self.slots.keys),
            "late_positions": int(self.counters[0]),
            "memberships_ignored": int(self.counters[1]),
            "events": self.events_out,
        }
