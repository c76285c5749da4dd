"""Closed sets of position outcomes (why a position is not stored) and their counters."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum

from seawarden.positions.schema import Flag


class PositionOutcome(IntEnum):
    """What happened to one decoded position report or BeiDou record."""

    STORED = 0
    """Kept (possibly flagged)."""
    NO_TIME = 1
    """Neither a receiver timestamp nor an arrival time: the position cannot be placed in time."""
    NO_POSITION = 2
    """Latitude or longitude "not available" (91/181) or missing."""
    OUT_OF_RANGE = 3
    """Latitude beyond ±90 or longitude beyond ±180."""
    DUPLICATE = 4
    """The same transmission, already kept, heard again by another station within the window."""
    BAD_RECORD = 5
    """A BeiDou/VMS record missing a required field or holding an unparsable value."""


def outcome_key(o: PositionOutcome) -> str:
    """Lower-case name, as used in summaries."""
    return o.name.lower()


@dataclass
class PositionStats:
    """Counters of position outcomes and flags; ``received`` equals the sum of outcomes."""

    received: int = 0
    outcomes: dict[str, int] = field(
        default_factory=lambda: {outcome_key(o): 0 for o in PositionOutcome}
    )
    flags: dict[str, int] = field(
        default_factory=lambda: {f.name.lower(): 0 for f in Flag if f.name and f is not Flag.NONE}
    )
    invalid_mmsi: int = 0

    def add(self, other: PositionStats) -> None:
        """Accumulate another set of counters."""
        self.received += other.received
        for k, v in other.outcomes.items():
            self.outcomes[k] += v
        for k, v in other.flags.items():
            self.flags[k] += v
        self.invalid_mmsi += other.invalid_mmsi

    def balanced(self) -> bool:
        """Whether every received position has exactly one outcome."""
        return self.received == sum(self.outcomes.values())

    def as_dict(self) -> dict[str, object]:
        """Plain data, for JSON."""
        return {
            "received": self.received,
            "outcomes": dict(self.outcomes),
            "flags": dict(self.flags),
            "invalid_mmsi": self.invalid_mmsi,
        }
