"""Reception quality by grid cell: how much of what vessels transmit is actually received.

A vessel that falls silent inside good coverage has switched its AIS off; one that falls
silent where reception is poor has simply sailed out of range. Quality is measured from
the traffic itself: for each pair of consecutive positions of an AIS vessel (up to six
hours apart), the messages it should have sent in between (from its reporting interval,
ITU-R M.1371) are *expected* and one was *received*. Pairs are counted in the cell of their
first position and the hour of their second, so a gap being judged never counts against
itself. Quality of a cell over a period = received / expected.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

CELL_DEG = 0.05
NX = int(360 / CELL_DEG)
HOUR_MS = 3_600_000
MAX_PAIR_MS = 6 * HOUR_MS

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


def cell_of(lat: npt.ArrayLike, lon: npt.ArrayLike) -> I64:
    """Grid cell index of positions."""
    la = np.floor((np.asarray(lat, dtype=np.float64) + 90.0) / CELL_DEG).astype(np.int64)
    lo = np.floor((np.asarray(lon, dtype=np.float64) + 180.0) / CELL_DEG).astype(np.int64) % NX
    return la * NX + lo


def nominal_interval_ms(source: npt.ArrayLike, sog: npt.ArrayLike, status: npt.ArrayLike) -> I64:
    """Reporting interval each position implies (class A by speed and status, class B by speed)."""
    src = np.asarray(source)
    v = np.nan_to_num(np.asarray(sog, dtype=np.float64), nan=0.0)
    st = np.asarray(status)
    a = np.where(v > 23, 2_000, np.where(v > 14, 6_000, 10_000))
    a = np.where(((st == 1) | (st == 5)) & (v < 3), 180_000, a)
    b = np.where(v > 2, 30_000, 180_000)
    out = np.where(src == 2, b, a)
    return np.where((src == 1) | (src == 2), out, 0).astype(np.int64)


@dataclass
class ReceptionMap:
    """Received and expected message counts by (cell, hour)."""

    counts: dict[int, list[float]] = field(default_factory=dict)
    keep_hours: int = 48

    def add(self, cell: I64, end_ms: I64, gap_ms: I64, interval_ms: I64) -> None:
        """Count pairs: first position's cell, second position's time, gap and interval."""
        ok = (interval_ms > 0) & (gap_ms > 0) & (gap_ms <= MAX_PAIR_MS)
        if not ok.any():
            return
        hour = end_ms[ok] // HOUR_MS
        key = cell[ok] * 1_000_000 + (hour % 1_000_000)
        expected = np.maximum(gap_ms[ok] / interval_ms[ok], 1.0)
        uniq, inverse = np.unique(key, return_inverse=True)
        exp_sum = np.bincount(inverse, weights=expected)
        rec_sum = np.bincount(inverse)
        for k, r, e in zip(uniq.tolist(), rec_sum.tolist(), exp_sum.tolist(), strict=True):
            c = self.counts.get(k)
            if c is None:
                self.counts[k] = [float(r), float(e)]
            else:
                c[0] += r
                c[1] += e

    def quality(self, cell: int, start_ms: int, end_ms: int) -> tuple[float, float]:
        """(received, expected) in a cell over [start, end] (whole hours)."""
        rec = exp = 0.0
        for hour in range(start_ms // HOUR_MS, end_ms // HOUR_MS + 1):
            c = self.counts.get(cell * 1_000_000 + hour % 1_000_000)
            if c is not None:
                rec += c[0]
                exp += c[1]
        return rec, exp

    def prune(self, now_ms: int) -> None:
        """Forget hours older than ``keep_hours``."""
        oldest = now_ms // HOUR_MS - self.keep_hours
        if len(self.counts) < 100_000:
            return
        self.counts = {
            k: v for k, v in self.counts.items() if (k % 1_000_000) >= oldest % 1_000_000
        }
