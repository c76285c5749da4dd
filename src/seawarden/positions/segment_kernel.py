"""Compiled identity segmenter for the ingest path: the decisions of :mod:`segment`, at speed.

:class:`SegmentBank` holds the segmentation state of every identity (MMSI or BeiDou
terminal) in flat arrays: a pool of open segments (each keeping its newest
:data:`CAPACITY` messages), linked per identity in opening order, and a ring of recent
locations per identity for GFW's repeated-location check. :func:`_run` processes a batch
sorted by identity and time with exactly the rules of :class:`segment.Segmenter` (the
Python reference, validated against Global Fishing Watch's labels); a test checks that
both assign the same segments. The ring of recent locations bounds memory where the
reference keeps every location: a repeat older than the last :data:`RING` locations of
an identity is not recognised (the ingest pipeline removes exact duplicates before).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from seawarden.ais.framer import njit
from seawarden.positions import segment as ref

CAPACITY = ref.KEEP_MAX
KEEP = ref.KEEP_AFTER_TRIM
RING = ref.RECENT_LOCATIONS
CLASS_A, CLASS_B, CLASS_VMS = 1, 2, 4
NO_SEGMENT = -1
"""The message stands alone (no usable position, speed or course, or satellite noise)."""
REPEAT = -2
"""The message repeats a location the identity already reported (not segmented)."""

I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]

MAX_HOURS = ref.MAX_HOURS
PENALTY_HOURS = ref.PENALTY_HOURS
HOURS_EXP = ref.HOURS_EXP
BUFFER_HOURS = ref.BUFFER_HOURS
LOOKBACK = ref.LOOKBACK
LOOKBACK_FACTOR = ref.LOOKBACK_FACTOR
MAX_KNOTS = ref.MAX_KNOTS
AMBIGUITY_FACTOR = ref.AMBIGUITY_FACTOR
SHORT_SEG_THRESHOLD = ref.SHORT_SEG_THRESHOLD
MISMATCH = ref.TRANSPONDER_MISMATCH_WEIGHT
MIN_TYPE_27_HOURS = ref.MIN_TYPE_27_HOURS
VERY_SLOW = ref.VERY_SLOW
SHAPE_FACTOR = ref.SHAPE_FACTOR
MAX_OPEN = ref.MAX_OPEN_SEGMENTS
ALPHA_0 = ref.ALPHA_0
RECENT_HOURS = 1.0
"""A new segment opened within this long of the identity's previous message is a jump."""


@njit
def _class_mask(t: int) -> int:
    if t == 1 or t == 2 or t == 3:
        return CLASS_A
    if t == 18 or t == 19:
        return CLASS_B
    if t == 27:
        return CLASS_A | CLASS_B
    if t == 0:
        return CLASS_VMS
    return 0


@njit
def _penalized(hours: float) -> float:
    shrink: float = (max(hours, 0.0) / PENALTY_HOURS) ** (1 - HOURS_EXP)
    return hours / (1 + shrink)


@njit
def _wrap(x: float) -> float:
    return (x + 180) % 360 - 180


@njit
def _predict(
    lat: float, lon: float, speed: float, course: float, hours: float
) -> tuple[float, float]:
    if math.isnan(course):
        speed, course = 0.0, 0.0
    dist = speed * hours
    r = math.radians(90 - course)
    dx = math.cos(r) * dist / 60 / (math.cos(math.radians(lat)) + 1e-3)
    dy = math.sin(r) * dist / 60
    return lon + dx, lat + dy


@njit
def _normal(speed: float, course: float, r21: float, dist: float, hours: float) -> float:
    c = 0.0 if math.isnan(course) else course
    delta = math.radians(90 - c) - r21
    tangential = math.cos(delta) * dist
    if 0 < tangential <= speed * hours:
        return abs(math.sin(delta)) * dist
    return math.inf


@njit
def _discrepancy(
    lat1: float,
    lon1: float,
    sp1: float,
    co1: float,
    lat2: float,
    lon2: float,
    sp2: float,
    co2: float,
    hours: float,
) -> float:
    x2p, y2p = _predict(lat1, lon1, sp1, co1, hours)
    x1p, y1p = _predict(lat2, lon2, sp2, co2, -hours)
    nlon = 60 * math.cos(math.radians(0.5 * (lat1 + lat2)))
    d1 = 0.5 * (
        math.hypot(nlon * _wrap(x1p - lon1), 60 * (y1p - lat1))
        + math.hypot(nlon * _wrap(x2p - lon2), 60 * (y2p - lat2))
    )
    dist = math.hypot(60 * (lat2 - lat1), nlon * _wrap(lon2 - lon1))
    r21 = math.atan2(60 * (lat2 - lat1), nlon * _wrap(lon2 - lon1))
    normals = 0.5 * (_normal(sp2, co2, r21, dist, hours) + _normal(sp1, co1, r21, dist, hours))
    return min(d1, dist * SHAPE_FACTOR, normals * SHAPE_FACTOR)


@njit
def _metric(disc: float, hours: float) -> float:
    padded = math.hypot(hours, BUFFER_HOURS)
    allowed = padded * MAX_KNOTS
    if disc > allowed:
        return 0.0
    alpha = ALPHA_0 * disc / allowed
    return math.exp(-(alpha**2)) / padded


@njit
def _location_key(lat: float, lon: float, course: float, speed: float, heading: float) -> np.int32:
    """32-bit hash of GFW's rounded location tuple."""
    h = np.int64(1469598103934665603)
    parts = (
        np.rint(lat * 60000),
        np.rint(lon * 60000),
        -1e9 if math.isnan(course) else np.rint(course * 10),
        np.rint(speed * 10),
        -1e9 if math.isnan(heading) else np.rint(heading),
    )
    for p in parts:
        h = (h ^ np.int64(p)) * np.int64(1099511628211)
    return np.int32((h ^ (h >> 32)) & 0x7FFFFFFF)


@dataclass
class SegmentBank:
    """Segmentation state of every identity, in arrays (picklable)."""

    slots: dict[int, int] = field(default_factory=dict)
    id_head: I32 = field(default_factory=lambda: np.full(0, -1, dtype=np.int32))
    id_nopen: I32 = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    id_next: I32 = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    id_last: F64 = field(default_factory=lambda: np.zeros(0, dtype=np.float64))
    id_ring: I32 = field(default_factory=lambda: np.zeros((0, RING), dtype=np.int32))
    id_ring_n: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sg_next: I32 = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    sg_number: I32 = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    sg_ident: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sg_count: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    sg_n: I32 = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    m_f: F64 = field(default_factory=lambda: np.zeros((0, CAPACITY + 1, 6), dtype=np.float64))
    """Per kept message: hours, lat, lon, speed, course, metric."""
    m_i: I64 = field(default_factory=lambda: np.zeros((0, CAPACITY + 1, 3), dtype=np.int64))
    """Per kept message: transponder class mask, dropped flag, row id."""
    free: I32 = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    free_n: int = 0

    def _slots_for(self, keys: I64) -> I32:
        uniq, inverse = np.unique(keys, return_inverse=True)
        slot_of = np.empty(uniq.size, dtype=np.int32)
        for j, k in enumerate(uniq.tolist()):
            s = self.slots.get(k)
            if s is None:
                s = self.slots[k] = len(self.slots)
            slot_of[j] = s
        self._grow_identities(len(self.slots))
        return slot_of[inverse]

    def _grow_identities(self, n: int) -> None:
        old = self.id_head.size
        if n <= old:
            return
        size = max(n, 2 * old, 1024)
        self.id_head = np.concatenate([self.id_head, np.full(size - old, -1, dtype=np.int32)])
        self.id_nopen = np.concatenate([self.id_nopen, np.zeros(size - old, dtype=np.int32)])
        self.id_next = np.concatenate([self.id_next, np.zeros(size - old, dtype=np.int32)])
        self.id_last = np.concatenate([self.id_last, np.full(size - old, -1e18)])
        self.id_ring = np.concatenate([self.id_ring, np.zeros((size - old, RING), dtype=np.int32)])
        self.id_ring_n = np.concatenate([self.id_ring_n, np.zeros(size - old, dtype=np.int64)])

    def _grow_pool(self, need_free: int) -> None:
        if self.free_n >= need_free:
            return
        old = self.sg_next.size
        size = max(old + need_free - self.free_n, 2 * old, 1024)
        extra = size - old
        self.sg_next = np.concatenate([self.sg_next, np.full(extra, -1, dtype=np.int32)])
        self.sg_number = np.concatenate([self.sg_number, np.zeros(extra, dtype=np.int32)])
        self.sg_ident = np.concatenate([self.sg_ident, np.zeros(extra, dtype=np.int64)])
        self.sg_count = np.concatenate([self.sg_count, np.zeros(extra, dtype=np.int64)])
        self.sg_n = np.concatenate([self.sg_n, np.zeros(extra, dtype=np.int32)])
        self.m_f = np.concatenate([self.m_f, np.zeros((extra, CAPACITY + 1, 6))])
        self.m_i = np.concatenate([self.m_i, np.zeros((extra, CAPACITY + 1, 3), dtype=np.int64)])
        free = np.concatenate(
            [self.free[: self.free_n], np.arange(size - 1, old - 1, -1, dtype=np.int32)]
        )
        self.free = np.zeros(size, dtype=np.int32)
        self.free[: free.size] = free
        self.free_n = free.size

    def assign(
        self,
        keys: I64,
        hours: F64,
        msg_type: npt.NDArray[np.int8],
        lat: F64,
        lon: F64,
        speed: F64,
        course: F64,
        heading: F64,
        row_ids: I64,
    ) -> tuple[I32, B, B, I64]:
        """Segment rows sorted by (key, time).

        ``row_ids`` identify rows across batches (increasing). Returns, per row, the segment
        number (or :data:`NO_SEGMENT`/:data:`REPEAT`), whether it opened a new segment,
        whether the opening was a jump, and the row ids of earlier rows dropped as outliers.
        """
        n = keys.size
        slots = self._slots_for(keys)
        self._grow_pool(n + 1)
        segment = np.zeros(n, dtype=np.int32)
        new = np.zeros(n, dtype=np.bool_)
        jump = np.zeros(n, dtype=np.bool_)
        dropped = np.full(n * LOOKBACK + 1, -1, dtype=np.int64)
        free_n = np.array([self.free_n], dtype=np.int64)
        n_dropped = _run(
            slots,
            hours,
            msg_type.astype(np.int64),
            lat.astype(np.float64),
            lon.astype(np.float64),
            speed.astype(np.float64),
            course.astype(np.float64),
            heading.astype(np.float64),
            row_ids,
            self.id_head,
            self.id_nopen,
            self.id_next,
            self.id_last,
            self.id_ring,
            self.id_ring_n,
            self.sg_next,
            self.sg_number,
            self.sg_ident,
            self.sg_count,
            self.sg_n,
            self.m_f,
            self.m_i,
            self.free,
            free_n,
            segment,
            new,
            jump,
            dropped,
        )
        self.free_n = int(free_n[0])
        return segment, new, jump, dropped[:n_dropped]

    def open_segments(self, key: int) -> int:
        """Number of open segments of an identity."""
        s = self.slots.get(key)
        return 0 if s is None else int(self.id_nopen[s])

    def prune(self, now_hours: float) -> int:
        """Close the segments of identities silent for more than 24 h; returns how many.

        Such segments could not be extended any more.
        """
        free_n = np.array([self.free_n], dtype=np.int64)
        closed = _prune(
            now_hours - MAX_HOURS,
            self.id_head,
            self.id_nopen,
            self.id_last,
            self.sg_next,
            self.free,
            free_n,
        )
        self.free_n = int(free_n[0])
        return int(closed)


@njit
def _release(seg: int, sg_next: I32, free: I32, free_n: I64) -> None:
    sg_next[seg] = -1
    free[free_n[0]] = seg
    free_n[0] += 1


@njit
def _unlink(
    slot: int, seg: int, id_head: I32, id_nopen: I32, sg_next: I32, free: I32, free_n: I64
) -> None:
    prev = -1
    cur = id_head[slot]
    while cur >= 0 and cur != seg:
        prev = cur
        cur = sg_next[cur]
    if cur < 0:
        return
    if prev < 0:
        id_head[slot] = sg_next[cur]
    else:
        sg_next[prev] = sg_next[cur]
    id_nopen[slot] -= 1
    _release(cur, sg_next, free, free_n)


@njit
def _prune(
    before: float, id_head: I32, id_nopen: I32, id_last: F64, sg_next: I32, free: I32, free_n: I64
) -> int:
    closed = 0
    for slot in range(id_head.size):
        if id_nopen[slot] > 0 and id_last[slot] < before:
            cur = id_head[slot]
            while cur >= 0:
                nxt = sg_next[cur]
                _release(cur, sg_next, free, free_n)
                closed += 1
                cur = nxt
            id_head[slot] = -1
            id_nopen[slot] = 0
    return closed


@njit
def _run(
    slots: I32,
    hours: F64,
    mtype: I64,
    lat: F64,
    lon: F64,
    speed: F64,
    course: F64,
    heading: F64,
    rowid: I64,
    id_head: I32,
    id_nopen: I32,
    id_next: I32,
    id_last: F64,
    id_ring: I32,
    id_ring_n: I64,
    sg_next: I32,
    sg_number: I32,
    sg_ident: I64,
    sg_count: I64,
    sg_n: I32,
    m_f: F64,
    m_i: I64,
    free: I32,
    free_n: I64,
    out_segment: I32,
    out_new: B,
    out_jump: B,
    out_dropped: I64,
) -> int:
    n = slots.size
    n_dropped = 0
    c_seg = np.zeros(MAX_OPEN, dtype=np.int64)
    c_has = np.zeros(MAX_OPEN, dtype=np.bool_)
    c_mt = np.zeros(MAX_OPEN)
    c_hours = np.zeros(MAX_OPEN)
    c_lb = np.zeros(MAX_OPEN, dtype=np.int64)
    m_seg = np.zeros(MAX_OPEN, dtype=np.int64)
    m_score = np.zeros(MAX_OPEN)
    cand_prev = np.zeros(LOOKBACK)
    cand_disc = np.zeros(LOOKBACK)
    cand_hours = np.zeros(LOOKBACK)
    for r in range(n):
        top = 0.0
        top_j = 0
        min_hours = 0.0
        s = slots[r]
        h = hours[r]
        la, lo, sp, co, hd = lat[r], lon[r], speed[r], course[r], heading[r]
        # sanitize
        if not math.isnan(lo) and not -180.0 <= lo <= 180.0:
            lo = math.nan
        if not math.isnan(la) and not -90.0 <= la <= 90.0:
            la = math.nan
        if not math.isnan(co) and not 0.0 <= co <= 359.95:
            co = math.nan
        if not math.isnan(sp) and (
            (51.15 < sp < 51.25) or (62.95 < sp < 63.05) or (102.25 < sp < 102.35)
        ):
            sp = math.nan
        if not math.isnan(hd) and hd >= 360:
            hd = math.nan
        had_open = id_nopen[s] > 0
        previous = id_last[s]
        id_last[s] = h
        if (
            math.isnan(lo)
            or math.isnan(la)
            or math.isnan(sp)
            or (sp > VERY_SLOW and math.isnan(co))
        ):
            out_segment[r] = -1
            continue
        key = _location_key(la, lo, co, sp, hd)
        seen = False
        filled = min(id_ring_n[s], RING)
        for k in range(filled):
            if id_ring[s, k] == key:
                seen = True
                break
        if sp > 0 and seen:
            out_segment[r] = -2
            continue
        if not seen and np.rint(sp * 10) > 0:
            id_ring[s, id_ring_n[s] % RING] = key
            id_ring_n[s] += 1
        mask = _class_mask(mtype[r])
        start_new = False
        if id_nopen[s] == 0:
            start_new = True
        else:
            # expire segments whose newest message is more than MAX_HOURS old
            cur = id_head[s]
            while cur >= 0:
                nxt = sg_next[cur]
                if h - m_f[cur, sg_n[cur] - 1, 0] > MAX_HOURS:
                    _unlink(s, cur, id_head, id_nopen, sg_next, free, free_n)
                cur = nxt
            if id_nopen[s] == 0:
                start_new = True
        if not start_new:
            # score every open segment (lookback over its newest live messages)
            nc = 0
            cur = id_head[s]
            while cur >= 0:
                c_seg[nc] = cur
                c_has[nc] = False
                best = 0.0
                previous_metric = 0.0
                types = 0
                n_cand = 0
                j = sg_n[cur] - 1
                while j >= 0:
                    if m_i[cur, j, 1] == 0:
                        types |= m_i[cur, j, 0]
                        dh = h - m_f[cur, j, 0]
                        disc = _discrepancy(
                            m_f[cur, j, 1],
                            m_f[cur, j, 2],
                            m_f[cur, j, 3],
                            m_f[cur, j, 4],
                            la,
                            lo,
                            sp,
                            co,
                            _penalized(dh),
                        )
                        cand_prev[n_cand] = previous_metric
                        cand_disc[n_cand] = disc
                        cand_hours[n_cand] = dh
                        n_cand += 1
                        if n_cand >= LOOKBACK:
                            break
                        previous_metric = m_f[cur, j, 5]
                    j -= 1
                same = (types & mask) != 0
                for lb in range(n_cand):
                    if cand_hours[lb] > MAX_HOURS:
                        break
                    mt = _metric(cand_disc[lb], cand_hours[lb])
                    if mt <= 0:
                        continue
                    if not same:
                        mt *= MISMATCH
                    weighted = mt / max(1, lb * LOOKBACK_FACTOR)
                    if weighted <= cand_prev[lb]:
                        continue
                    if weighted > best:
                        best = weighted
                        c_has[nc] = True
                        c_mt[nc] = mt
                        c_hours[nc] = cand_hours[lb]
                        c_lb[nc] = lb
                nc += 1
                cur = sg_next[cur]
            # choose
            n_match = 0
            for k in range(nc):
                if c_has[k]:
                    m_seg[n_match] = k
                    n_match += 1
            if n_match == 0:
                start_new = True
            else:
                chosen = -1
                ambiguous = False
                if n_match == 1:
                    chosen = m_seg[0]
                else:
                    # scores pair the j-th match with the j-th open segment's length weight
                    top = -1.0
                    top_j = 0
                    for j in range(n_match):
                        a = sg_count[c_seg[j]] / SHORT_SEG_THRESHOLD
                        m_score[j] = c_mt[m_seg[j]] * a / math.sqrt(1 + a * a)
                        if m_score[j] > top:
                            top = m_score[j]
                            top_j = j
                    n_close = 1
                    for j in range(n_match):
                        if j != top_j and m_score[j] * AMBIGUITY_FACTOR >= top:
                            n_close += 1
                    if n_close > 1:
                        ambiguous = True
                        min_hours = c_hours[m_seg[top_j]]
                        for j in range(n_match):
                            if j != top_j and m_score[j] * AMBIGUITY_FACTOR >= top:
                                min_hours = min(min_hours, c_hours[m_seg[j]])
                    else:
                        chosen = m_seg[top_j]
                if ambiguous:
                    if mtype[r] == 27 and min_hours < MIN_TYPE_27_HOURS:
                        out_segment[r] = -1
                        continue
                    for j in range(n_match):
                        if j == top_j or m_score[j] * AMBIGUITY_FACTOR >= top:
                            _unlink(s, c_seg[m_seg[j]], id_head, id_nopen, sg_next, free, free_n)
                    start_new = True
                else:
                    if mtype[r] == 27 and c_hours[chosen] < MIN_TYPE_27_HOURS:
                        out_segment[r] = -1
                        continue
                    seg = c_seg[chosen]
                    # drop the newest ``lb`` live messages as outliers
                    to_drop = c_lb[chosen]
                    j = sg_n[seg] - 1
                    while to_drop > 0 and j >= 0:
                        if m_i[seg, j, 1] == 0:
                            m_i[seg, j, 1] = 1
                            out_dropped[n_dropped] = m_i[seg, j, 2]
                            n_dropped += 1
                            to_drop -= 1
                        j -= 1
                    k = sg_n[seg]
                    m_f[seg, k, 0] = h
                    m_f[seg, k, 1] = la
                    m_f[seg, k, 2] = lo
                    m_f[seg, k, 3] = sp
                    m_f[seg, k, 4] = co
                    m_f[seg, k, 5] = c_mt[chosen]
                    m_i[seg, k, 0] = mask
                    m_i[seg, k, 1] = 0
                    m_i[seg, k, 2] = rowid[r]
                    sg_n[seg] = k + 1
                    sg_count[seg] += 1
                    if sg_n[seg] > CAPACITY:
                        m_f[seg, :KEEP] = m_f[seg, sg_n[seg] - KEEP : sg_n[seg]].copy()
                        m_i[seg, :KEEP] = m_i[seg, sg_n[seg] - KEEP : sg_n[seg]].copy()
                        sg_n[seg] = KEEP
                    out_segment[r] = sg_number[seg]
                    continue
        # open a new segment (evicting the stalest when too many are open)
        while id_nopen[s] >= MAX_OPEN:
            oldest = -1
            oldest_h = math.inf
            cur = id_head[s]
            while cur >= 0:
                last = m_f[cur, sg_n[cur] - 1, 0]
                if last < oldest_h:
                    oldest_h = last
                    oldest = cur
                cur = sg_next[cur]
            _unlink(s, oldest, id_head, id_nopen, sg_next, free, free_n)
        free_n[0] -= 1
        seg = free[free_n[0]]
        ident = np.int64(np.rint(h * 3_600_000))
        taken = True
        while taken:
            taken = False
            cur = id_head[s]
            while cur >= 0:
                if sg_ident[cur] == ident:
                    taken = True
                    ident += 1
                    break
                cur = sg_next[cur]
        sg_number[seg] = id_next[s]
        id_next[s] += 1
        sg_ident[seg] = ident
        sg_count[seg] = 1
        sg_n[seg] = 1
        m_f[seg, 0, 0] = h
        m_f[seg, 0, 1] = la
        m_f[seg, 0, 2] = lo
        m_f[seg, 0, 3] = sp
        m_f[seg, 0, 4] = co
        m_f[seg, 0, 5] = 0.0
        m_i[seg, 0, 0] = mask
        m_i[seg, 0, 1] = 0
        m_i[seg, 0, 2] = rowid[r]
        sg_next[seg] = -1
        if id_head[s] < 0:
            id_head[s] = seg
        else:
            cur = id_head[s]
            while sg_next[cur] >= 0:
                cur = sg_next[cur]
            sg_next[cur] = seg
        id_nopen[s] += 1
        out_segment[r] = sg_number[seg]
        out_new[r] = True
        out_jump[r] = had_open and h - previous < RECENT_HOURS
    return n_dropped
