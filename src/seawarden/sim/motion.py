"""Vessel motion plans: legs along paths in a local plane, sampled at any time (pure numpy).

A :class:`Plan` is a list of legs (move along a path, stay at a point, fish along a path,
loiter on a circle). A cyclic plan repeats forever from its origin; a scripted (scenario)
plan covers one stretch of time and is silent outside it. :meth:`Plan.reports` yields the
AIS transmission times of a time window following ITU-R M.1371 reporting intervals, on a
grid fixed per vessel so that consecutive windows join without gaps or repeats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

import numpy as np
import numpy.typing as npt

from seawarden.geo import KNOT_MPS, course_deg

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


class LegKind(IntEnum):
    """What a vessel does during a leg."""

    MOVE = 0
    STAY = 1
    FISH = 2
    LOITER = 3


#: AIS navigational status used for each leg kind (STAY legs say anchored or moored).
UNDER_WAY, AT_ANCHOR, NOT_UNDER_COMMAND, MOORED, FISHING = 0, 1, 2, 5, 7


@dataclass
class Leg:
    """One leg of a plan; ``path`` is (k, 2) east/north metres."""

    kind: LegKind
    duration_s: float
    path: F64
    speed_kn: float = 0.0
    status: int = UNDER_WAY
    silent: bool = False
    """No AIS transmissions during the leg (transponder switched off)."""
    cum: F64 = field(init=False)

    def __post_init__(self) -> None:
        self.path = np.asarray(self.path, dtype=np.float64).reshape(-1, 2)
        steps = np.hypot(*np.diff(self.path, axis=0).T) if len(self.path) > 1 else np.zeros(0)
        self.cum = np.concatenate([[0.0], np.cumsum(steps)])

    @property
    def length_m(self) -> float:
        """Path length."""
        return float(self.cum[-1])

    @classmethod
    def move(
        cls, path: F64, speed_kn: float, status: int = UNDER_WAY, kind: LegKind = LegKind.MOVE
    ) -> Leg:
        """Travel a path at a constant speed (duration follows from the length)."""
        leg = cls(kind, 0.0, path, speed_kn, status)
        leg.duration_s = leg.length_m / max(speed_kn * KNOT_MPS, 1e-6)
        return leg

    def sample(self, u: F64) -> tuple[F64, F64, F64, F64]:
        """x, y, speed (kn) and course at seconds ``u`` into the leg."""
        n = u.size
        if self.kind is LegKind.STAY or len(self.path) < 2:
            x = np.full(n, self.path[0, 0])
            y = np.full(n, self.path[0, 1])
            return x, y, np.zeros(n), np.full(n, np.nan)
        d = u * self.speed_kn * KNOT_MPS
        if self.kind is LegKind.LOITER:
            d = np.mod(d, self.length_m)
        d = np.clip(d, 0.0, self.length_m)
        i = np.clip(np.searchsorted(self.cum, d, side="right") - 1, 0, len(self.path) - 2)
        seg = self.cum[i + 1] - self.cum[i]
        frac = np.where(seg > 0, (d - self.cum[i]) / np.where(seg > 0, seg, 1.0), 0.0)
        p0 = self.path[i]
        delta = self.path[i + 1] - p0
        x = p0[:, 0] + delta[:, 0] * frac
        y = p0[:, 1] + delta[:, 1] * frac
        return x, y, np.full(n, self.speed_kn), course_deg(delta[:, 0], delta[:, 1])


def report_interval_ms(ais_class: str, leg: Leg) -> int:
    """Nominal AIS reporting interval for a leg (ITU-R M.1371-5, Table 1 and class B/CS)."""
    moving = leg.kind is not LegKind.STAY and leg.speed_kn > 0
    if ais_class == "B":
        return 30_000 if moving and leg.speed_kn > 2 else 180_000
    if not moving:
        return 180_000
    if leg.speed_kn <= 14:
        return 10_000
    if leg.speed_kn <= 23:
        return 6_000
    return 2_000


@dataclass
class States:
    """Sampled states of one vessel at given times."""

    time: I64
    x: F64
    y: F64
    sog: F64
    cog: F64
    status: npt.NDArray[np.int8]
    leg: I64
    silent: npt.NDArray[np.bool_]


@dataclass
class Plan:
    """The legs of one vessel, anchored in absolute time."""

    legs: list[Leg]
    origin_ms: int
    cyclic: bool = True
    starts: F64 = field(init=False)
    length_s: float = field(init=False)

    def __post_init__(self) -> None:
        durations = np.array([leg.duration_s for leg in self.legs], dtype=np.float64)
        self.starts = np.concatenate([[0.0], np.cumsum(durations)[:-1]])
        self.length_s = float(durations.sum())

    def _occurrences(self, t0: int, t1: int) -> list[tuple[int, int, int]]:
        """(leg index, absolute start ms, absolute end ms) of legs overlapping [t0, t1)."""
        out = []
        length_ms = self.length_s * 1000
        if self.cyclic:
            first = int(np.floor((t0 - self.origin_ms) / length_ms))
            last = int(np.floor((t1 - self.origin_ms) / length_ms))
            cycles = range(first, last + 1)
        else:
            cycles = range(0, 1)
        for k in cycles:
            base = self.origin_ms + k * length_ms
            for i, leg in enumerate(self.legs):
                a = base + self.starts[i] * 1000
                b = a + leg.duration_s * 1000
                if b > t0 and a < t1:
                    out.append((i, int(np.ceil(a)), int(np.ceil(b))))
        return out

    def reports(self, t0: int, t1: int, ais_class: str, grid_offset_ms: int) -> States:
        """Transmission times in [t0, t1) with the vessel's state at each."""
        times: list[I64] = []
        legs: list[I64] = []
        for i, a, b in self._occurrences(t0, t1):
            iv = report_interval_ms(ais_class, self.legs[i])
            lo, hi = max(a, t0), min(b, t1)
            off = grid_offset_ms % iv
            first = -(-(lo - off) // iv) * iv + off
            t = np.arange(first, hi, iv, dtype=np.int64)
            times.append(t)
            legs.append(np.full(t.size, i, dtype=np.int64))
        if not times:
            return self.states(np.zeros(0, dtype=np.int64))
        return self.states(np.concatenate(times), np.concatenate(legs))

    def leg_at(self, t: I64) -> tuple[I64, F64, npt.NDArray[np.bool_]]:
        """Leg index, seconds into the leg and validity (inside the plan) at times ``t``."""
        u = (t - self.origin_ms) / 1000.0
        valid = np.ones(t.size, dtype=np.bool_)
        if self.cyclic:
            u = np.mod(u, self.length_s)
        else:
            valid = (u >= 0) & (u < self.length_s)
            u = np.clip(u, 0, max(self.length_s - 1e-6, 0))
        idx = np.clip(np.searchsorted(self.starts, u, side="right") - 1, 0, len(self.legs) - 1)
        return idx.astype(np.int64), u - self.starts[idx], valid

    def states(self, t: I64, leg_idx: I64 | None = None) -> States:
        """The state at each time (times outside a scripted plan are marked silent)."""
        idx, into, valid = self.leg_at(t)
        if leg_idx is not None:
            # Report times sit inside their leg; recompute ``into`` for the given leg
            # (guards against rounding at leg boundaries).
            starts = self.starts[leg_idx]
            u = (t - self.origin_ms) / 1000.0
            if self.cyclic:
                u = np.mod(u, self.length_s)
                u = np.where(u < starts - 1.0, u + self.length_s, u)
            into = np.clip(u - starts, 0, None)
            idx = leg_idx
        n = t.size
        x = np.zeros(n)
        y = np.zeros(n)
        sog = np.zeros(n)
        cog = np.full(n, np.nan)
        status = np.zeros(n, dtype=np.int8)
        silent = ~valid
        for i, leg in enumerate(self.legs):
            m = idx == i
            if not m.any():
                continue
            x[m], y[m], sog[m], cog[m] = leg.sample(into[m])
            status[m] = leg.status
            if leg.silent:
                silent[m] = True
        return States(t, x, y, sog, cog, status, idx, silent)
