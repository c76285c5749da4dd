"""Cross-station duplicate removal with a hold-back window.

The same transmission heard by several receiving stations arrives several times with the
same payload fingerprint. The first copy is kept; copies within ``window_ms`` of it (event
time) are dropped as ``duplicate`` and counted on the kept row (``stations``). A copy
outside the window is a new message (a stationary vessel repeating itself). Kept rows are
held back for one window so that late copies can still be counted on them, then released.
The filter's state (held rows and recent fingerprints) can be saved and restored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from seawarden.ais.framer import njit
from seawarden.positions.batch import PositionBatch

I64 = npt.NDArray[np.int64]
DEFAULT_WINDOW_MS = 30_000


@njit
def _mark(
    fp: I64, t: I64, origin: I64, window: int, dup: npt.NDArray[np.bool_], counts: I64
) -> None:
    """Mark duplicates in (fingerprint, time)-sorted rows and count them on the kept row.

    Rows of one fingerprint within ``window`` of the group's first row form one message.
    If a row of it was kept before (origin 0: held, 1: released), every new row (origin 2)
    is a duplicate; otherwise the earliest new row is kept.
    """
    n = fp.size
    i = 0
    while i < n:
        j = i + 1
        while j < n and fp[j] == fp[i] and t[j] - t[i] <= window:
            j += 1
        keeper = -1
        for k in range(i, j):
            if origin[k] < 2:
                keeper = k
                break
        if keeper < 0:
            keeper = i
        for k in range(i, j):
            if k != keeper and origin[k] == 2:
                dup[k] = True
                counts[keeper] += 1
        i = j


@dataclass
class DuplicateFilter:
    """Stateful duplicate filter; feed batches in, take released rows out."""

    window_ms: int = DEFAULT_WINDOW_MS
    pending: PositionBatch = field(default_factory=PositionBatch.empty)
    recent_fp: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    recent_time: I64 = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    max_time: int = -(1 << 62)

    def add(self, batch: PositionBatch) -> int:
        """Take a batch in; returns how many of its rows were duplicates."""
        if len(batch) == 0:
            return 0
        n_pending = len(self.pending)
        n_recent = self.recent_fp.size
        fp = np.concatenate([self.pending.fingerprint, self.recent_fp, batch.fingerprint])
        t = np.concatenate([self.pending.time, self.recent_time, batch.time])
        origin = np.concatenate(
            [
                np.zeros(n_pending, dtype=np.int64),
                np.ones(n_recent, dtype=np.int64),
                np.full(len(batch), 2, dtype=np.int64),
            ]
        )
        # Older copies first; at equal time, rows already seen (pending/recent) first.
        order = np.lexsort((origin, t, fp))
        dup_sorted = np.zeros(order.size, dtype=np.bool_)
        counts_sorted = np.zeros(order.size, dtype=np.int64)
        _mark(fp[order], t[order], origin[order], self.window_ms, dup_sorted, counts_sorted)
        dup = np.empty(order.size, dtype=np.bool_)
        dup[order] = dup_sorted
        counts = np.empty(order.size, dtype=np.int64)
        counts[order] = counts_sorted
        # Extra receptions counted on held rows and on new rows.
        if n_pending:
            self.pending.stations = (self.pending.stations + counts[:n_pending]).astype(np.int16)
        new_counts = counts[n_pending + n_recent :]
        new_dup = dup[n_pending + n_recent :]
        kept = batch.take(~new_dup)
        kept.stations = (kept.stations + new_counts[~new_dup]).astype(np.int16)
        self.pending = PositionBatch.concat([self.pending, kept])
        self.max_time = max(self.max_time, int(batch.time.max()))
        return int(new_dup.sum())

    def release(self, everything: bool = False) -> PositionBatch:
        """Rows whose window has passed (all held rows when ``everything``)."""
        if len(self.pending) == 0:
            return PositionBatch.empty()
        if everything:
            ready = np.ones(len(self.pending), dtype=np.bool_)
        else:
            ready = self.pending.time < self.max_time - self.window_ms
        out = self.pending.take(ready)
        # Released fingerprints stay recent for one more window: late copies are still
        # recognised (and dropped) although their count can no longer be added.
        keep = self.recent_time >= self.max_time - 2 * self.window_ms
        self.recent_fp = np.concatenate([self.recent_fp[keep], out.fingerprint])
        self.recent_time = np.concatenate([self.recent_time[keep], out.time])
        self.pending = self.pending.take(~ready)
        return out
