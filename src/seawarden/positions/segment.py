"""Identity segmentation of one MMSI's messages, after Global Fishing Watch's segmenter.

Several vessels may transmit with one MMSI (shared, reused or spoofed numbers), and one
vessel's track has gaps. Each position is scored against the open segments of its MMSI by
how well it continues them (gpsdio-segment, ``develop`` branch: predicted position from
course and speed, a discrepancy allowed to grow with the penalised time gap at 25 knots,
a five-message look-back that can drop outliers, ambiguity when two segments fit almost
equally); the best fit extends a segment, no fit or an ambiguous fit starts a new one.
Messages without a usable position become their own one-message segments, as in GFW.

The algorithm is pure: :class:`Segmenter` keeps the state of one identity and is fed
messages in time order; :func:`segment_messages` runs it over a whole history.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

MAX_HOURS = 24.0
PENALTY_HOURS = 4.0
HOURS_EXP = 0.5
BUFFER_HOURS = 0.25
LOOKBACK = 5
LOOKBACK_FACTOR = 2
MAX_KNOTS = 25.0
AMBIGUITY_FACTOR = 10.0
SHORT_SEG_THRESHOLD = 10
TRANSPONDER_MISMATCH_WEIGHT = 0.1
PENALTY_SPEED = 5.0
MIN_TYPE_27_HOURS = 1.0
VERY_SLOW = 0.35
SHAPE_FACTOR = 4.0
MAX_OPEN_SEGMENTS = 100
#: A segment keeps at most KEEP_MAX messages (then its newest KEEP_AFTER_TRIM): only the
#: newest take part in matching, and memory stays bounded.
KEEP_MAX = 16
KEEP_AFTER_TRIM = 8
#: Distinct recent moving locations (speed above 0.05 kn) remembered per identity for GFW's
#: repeated-location check. GFW keeps every location of a run; in a continuous feed a bound
#: keeps memory flat (a stationary location never counts as a repeat, so only moving ones
#: are kept). 256 reproduces every GFW label of the regression sample; 128 misses one.
RECENT_LOCATIONS = 256
ALPHA_0 = MAX_KNOTS / PENALTY_SPEED
SPEED_EXCLUSION = ((51.15, 51.25), (62.95, 63.05), (102.25, 102.35))

#: Transponder classes a position message type belongs to.
POSITION_TYPES: dict[int, frozenset[str]] = {
    1: frozenset({"A"}),
    2: frozenset({"A"}),
    3: frozenset({"A"}),
    18: frozenset({"B"}),
    19: frozenset({"B"}),
    27: frozenset({"A", "B"}),
    0: frozenset({"VMS"}),
}


@dataclass
class Msg:
    """One message of an identity, as the segmenter sees it (time in hours since epoch)."""

    index: int
    hours: float
    msg_type: int
    lat: float | None
    lon: float | None
    speed: float | None
    course: float | None
    heading: float | None = None
    msgid: object = None
    drop: bool = False
    metric: float = 0.0


@dataclass
class Segment:
    """A run of messages believed to come from one vessel.

    ``ident_ms`` is the segment's identity time: its first message's time, moved on by a
    millisecond while another open segment already holds it (so identities stay unique).
    """

    number: int
    first_index: int
    ident_ms: int
    msgs: list[Msg] = field(default_factory=list)
    count: int = 0

    def live_reversed(self) -> Iterator[Msg]:
        """Messages not dropped, newest first."""
        return (m for m in reversed(self.msgs) if not m.drop)


def _null(v: float | None) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v))


def sanitize(msg: Msg) -> None:
    """Turn out-of-range values into missing ones (GFW's invalid-value step)."""
    if not _null(msg.lon) and not -180.0 <= msg.lon <= 180.0:  # type: ignore[operator]
        msg.lon = None
    if not _null(msg.lat) and not -90.0 <= msg.lat <= 90.0:  # type: ignore[operator]
        msg.lat = None
    if not _null(msg.course) and not 0.0 <= msg.course <= 359.95:  # type: ignore[operator]
        msg.course = None
    if not _null(msg.speed) and any(lo < msg.speed < hi for lo, hi in SPEED_EXCLUSION):  # type: ignore[operator]
        msg.speed = None
    if not _null(msg.heading) and msg.heading >= 360:  # type: ignore[operator]
        msg.heading = None


def penalized_hours(hours: float) -> float:
    """Time gap shrunk for long gaps (a vessel rarely holds its course for hours)."""
    shrink: float = (max(hours, 0.0) / PENALTY_HOURS) ** (1 - HOURS_EXP)
    return hours / (1 + shrink)


def _predict(m: Msg, hours: float) -> tuple[float, float]:
    speed, course = m.speed, m.course
    if _null(course):
        speed, course = 0.0, 0.0
    dist = speed * hours  # type: ignore[operator]
    r = math.radians(90 - course)  # type: ignore[operator]
    dx = math.cos(r) * dist / 60 / (math.cos(math.radians(m.lat)) + 1e-3)  # type: ignore[arg-type]
    dy = math.sin(r) * dist / 60
    return m.lon + dx, m.lat + dy  # type: ignore[operator]


def _wrap(x: float) -> float:
    return (x + 180) % 360 - 180


def discrepancy(m1: Msg, m2: Msg, hours: float) -> float:
    """Nautical miles by which ``m2`` departs from what ``m1`` predicts, and vice versa."""
    x1, y1, x2, y2 = m1.lon, m1.lat, m2.lon, m2.lat
    assert x1 is not None and y1 is not None and x2 is not None and y2 is not None
    x2p, y2p = _predict(m1, hours)
    x1p, y1p = _predict(m2, -hours)
    nlon = 60 * math.cos(math.radians(0.5 * (y1 + y2)))
    d1 = 0.5 * (
        math.hypot(nlon * _wrap(x1p - x1), 60 * (y1p - y1))
        + math.hypot(nlon * _wrap(x2p - x2), 60 * (y2p - y2))
    )
    dist = math.hypot(60 * (y2 - y1), nlon * _wrap(x2 - x1))
    r21 = math.atan2(60 * (y2 - y1), nlon * _wrap(x2 - x1))

    def normal(m: Msg) -> float:
        course = 0.0 if _null(m.course) else m.course
        delta = math.radians(90 - course) - r21  # type: ignore[operator]
        tangential = math.cos(delta) * dist
        if 0 < tangential <= m.speed * hours:  # type: ignore[operator]
            return abs(math.sin(delta)) * dist
        return math.inf

    return min(d1, dist * SHAPE_FACTOR, 0.5 * (normal(m2) + normal(m1)) * SHAPE_FACTOR)


def metric(disc: float, hours: float) -> float:
    """How well a position continues another: 0 when impossible, larger when closer/sooner."""
    padded = math.hypot(hours, BUFFER_HOURS)
    allowed = padded * MAX_KNOTS
    if disc > allowed:
        return 0.0
    alpha = ALPHA_0 * disc / allowed
    return math.exp(-(alpha**2)) / padded


@dataclass
class _Match:
    segment: Segment
    metric: float | None = None
    hours: float = 0.0
    drop: list[Msg] = field(default_factory=list)


class Segmenter:
    """Segmentation state of one identity (MMSI or BeiDou terminal)."""

    def __init__(self) -> None:
        self.open: dict[int, Segment] = {}
        self.next_number = 0
        self.seen_locations: dict[tuple[Any, ...], None] = {}
        """The newest RECENT_LOCATIONS distinct locations, oldest first."""
        self.seen_msgids: set[object] = set()

    def identity_ms(self, m: Msg) -> int:
        """Identity time for a segment that starts with ``m`` (unique among open ones)."""
        t = round(m.hours * 3_600_000)
        taken = {s.ident_ms for s in self.open.values()}
        while t in taken:
            t += 1
        return t

    def _new(self, m: Msg) -> Segment:
        seg = Segment(self.next_number, m.index, self.identity_ms(m), [m], 1)
        self.next_number += 1
        return seg

    def _match_segment(self, seg: Segment, m: Msg) -> _Match:
        match = _Match(seg)
        candidates: list[tuple[float, list[Msg], float, float]] = []
        drops: list[Msg] = []
        previous_metric = 0.0
        types: set[str] = set()
        n = len(seg.msgs)
        for pm in seg.live_reversed():
            n -= 1
            types |= POSITION_TYPES.get(pm.msg_type, frozenset())
            hours = m.hours - pm.hours
            disc = discrepancy(pm, m, penalized_hours(hours))
            candidates.append((previous_metric, drops[:], disc, hours))
            if len(candidates) >= LOOKBACK or n < 0:
                break
            drops.append(pm)
            previous_metric = pm.metric
        same_transponder = bool(types & POSITION_TYPES.get(m.msg_type, frozenset()))
        best = 0.0
        for lb, (existing, to_drop, disc, hours) in enumerate(candidates):
            if hours > MAX_HOURS:
                break
            mt = metric(disc, hours)
            if mt <= 0:
                continue
            if not same_transponder:
                mt *= TRANSPONDER_MISMATCH_WEIGHT
            weighted = mt / max(1, lb * LOOKBACK_FACTOR)
            if weighted <= existing:
                continue
            if weighted > best:
                best = weighted
                match.metric, match.hours, match.drop = mt, hours, to_drop
        return match

    def _best(self, m: Msg) -> _Match | list[_Match] | str:
        segs = list(self.open.values())
        raw = [self._match_segment(s, m) for s in segs]
        matches = [x for x in raw if x.metric is not None]
        if not matches:
            return "no_match"
        chosen: _Match | list[_Match]
        if len(matches) == 1:
            chosen = matches[0]
        else:
            # As in gpsdio-segment: the length weights are taken from every open segment
            # in order and paired with the matching ones.
            alphas = [s.count / SHORT_SEG_THRESHOLD for s in segs]
            scored = sorted(
                (
                    ((x.metric or 0.0) * a / math.sqrt(1 + a * a), x)
                    for x, a in zip(matches, alphas, strict=False)
                ),
                key=lambda sx: sx[0],
                reverse=True,
            )
            top, best = scored[0]
            close = [best] + [x for s, x in scored[1:] if s * AMBIGUITY_FACTOR >= top]
            chosen = close if len(close) > 1 else best
        hours = min(x.hours for x in chosen) if isinstance(chosen, list) else chosen.hours
        if m.msg_type == 27 and hours < MIN_TYPE_27_HOURS:
            return "noise"
        return chosen

    def add(self, m: Msg) -> tuple[int, list[Msg]]:
        """Segment one message (in time order).

        Returns the segment number (-1: the message forms its own one-message segment;
        -2: a repeat of a message already seen, skipped) and the messages now dropped.
        """
        if m.msgid is not None:
            if m.msgid in self.seen_msgids:
                return -2, []
            self.seen_msgids.add(m.msgid)
        sanitize(m)
        fields = (m.lon, m.lat, m.course, m.speed)
        if all(_null(v) for v in fields):
            return -1, []
        if (
            _null(m.lon)
            or _null(m.lat)
            or _null(m.speed)
            or (m.speed > VERY_SLOW and _null(m.course))  # type: ignore[operator]
        ):
            return -1, []
        location = (
            round(m.lat * 60000),  # type: ignore[operator]
            round(m.lon * 60000),  # type: ignore[operator]
            None if _null(m.course) else round(m.course * 10),  # type: ignore[operator]
            round(m.speed * 10),  # type: ignore[operator]
            None if _null(m.heading) else round(m.heading),  # type: ignore[arg-type]
        )
        if m.speed > 0 and location in self.seen_locations:  # type: ignore[operator]
            return -2, []
        if location[3] > 0 and location not in self.seen_locations:
            self.seen_locations[location] = None
            if len(self.seen_locations) > RECENT_LOCATIONS:
                del self.seen_locations[next(iter(self.seen_locations))]
        if not self.open:
            return self._start(m), []
        for number, seg in list(self.open.items()):
            if m.hours - seg.msgs[-1].hours > MAX_HOURS:
                del self.open[number]
        if not self.open:
            return self._start(m), []
        best = self._best(m)
        if best == "no_match":
            return self._start(m), []
        if best == "noise":
            return -1, []
        if isinstance(best, list):
            for x in best:
                self.open.pop(x.segment.number, None)
            return self._start(m), []
        assert isinstance(best, _Match)
        for d in best.drop:
            d.drop = True
        m.metric = best.metric or 0.0
        best.segment.msgs.append(m)
        best.segment.count += 1
        if len(best.segment.msgs) > KEEP_MAX:
            best.segment.msgs = best.segment.msgs[-KEEP_AFTER_TRIM:]
        return best.segment.number, best.drop

    def _start(self, m: Msg) -> int:
        while len(self.open) >= MAX_OPEN_SEGMENTS:
            oldest = min(self.open, key=lambda k: self.open[k].msgs[-1].hours)
            del self.open[oldest]
        seg = self._new(m)
        self.open[seg.number] = seg
        return seg.number


@dataclass
class Assignment:
    """Result for each message of a history (index order).

    ``ident_ms``: identity time of the message's segment (-1 for a skipped repeat);
    ``first_index``: index of the segment's first message; ``dropped``: outlier dropped
    from its segment (it then forms its own); ``repeat``: skipped repeat of a message.
    """

    ident_ms: list[int]
    first_index: list[int]
    dropped: list[bool]
    repeat: list[bool]


def segment_messages(msgs: Iterable[Msg]) -> Assignment:
    """Run the segmenter over one identity's messages (sorted by time)."""
    items = list(msgs)
    seg = Segmenter()
    by_number: dict[int, tuple[int, int]] = {}
    n = len(items)
    ident = [-1] * n
    first_index = list(range(n))
    dropped = [False] * n
    repeat = [False] * n
    for m in items:
        number, drops = seg.add(m)
        if number == -2:
            repeat[m.index] = True
            continue
        if number < 0:
            ident[m.index] = seg.identity_ms(m)
            continue
        if number not in by_number:
            s = seg.open[number]
            by_number[number] = (s.ident_ms, s.first_index)
        ident[m.index], first_index[m.index] = by_number[number]
        for d in drops:
            dropped[d.index] = True
    for i in range(n):
        if dropped[i]:
            ident[i] = round(items[i].hours * 3_600_000)
            first_index[i] = i
    return Assignment(ident, first_index, dropped, repeat)
