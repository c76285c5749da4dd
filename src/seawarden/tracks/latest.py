"""The latest position of every vessel, kept in memory and never moving back in time."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from seawarden.positions.batch import PositionBatch


@dataclass
class LatestPositions:
    """One row per vessel key: the position with the latest event time seen so far."""

    rows: PositionBatch = field(default_factory=PositionBatch.empty)

    def update(self, batch: PositionBatch) -> None:
        """Merge a batch: a vessel's row is replaced only by a later event time."""
        if len(batch) == 0:
            return
        merged = PositionBatch.concat([self.rows, batch])
        # Latest time per key wins; at equal time the row already held wins (stable).
        order = np.lexsort((np.arange(len(merged)), -merged.time, merged.vessel_key))
        keys = merged.vessel_key[order]
        first = np.ones(keys.size, dtype=np.bool_)
        first[1:] = keys[1:] != keys[:-1]
        self.rows = merged.take(order[first])

    def __len__(self) -> int:
        return len(self.rows)

    def at(self, vessel_key: int) -> PositionBatch:
        """The row of one vessel (empty when unknown)."""
        i = np.searchsorted(self.rows.vessel_key, vessel_key)
        if i < len(self.rows) and self.rows.vessel_key[i] == vessel_key:
            return self.rows.take(np.array([i]))
        return PositionBatch.empty()
