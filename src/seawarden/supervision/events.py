"""Supervision events: the closed set of kinds and the event record the rules emit."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Any


class AlertKind(StrEnum):
    """What happened (the closed set of alert kinds)."""

    zone_enter = "zone_enter"
    zone_exit = "zone_exit"
    dwell = "dwell"
    overspeed = "overspeed"
    no_stop = "no_stop"
    no_anchoring = "no_anchoring"
    ais_gap = "ais_gap"
    loitering = "loitering"
    fishing_ban = "fishing_ban"
    forbidden_type = "forbidden_type"
    collision_risk = "collision_risk"
    dg_unapproved_operation = "dg_unapproved_operation"


#: Kind codes used by the compiled rules.
KIND_CODES: list[AlertKind] = list(AlertKind)


class Phase(IntEnum):
    """An event opens (still going on), closes (with its end) or is instantaneous."""

    OPEN = 0
    CLOSE = 1
    INSTANT = 2


#: Default severity of each kind (a zone's ``severity`` parameter overrides it).
SEVERITY: dict[AlertKind, str] = {
    AlertKind.zone_enter: "low",
    AlertKind.zone_exit: "low",
    AlertKind.dwell: "medium",
    AlertKind.overspeed: "medium",
    AlertKind.no_stop: "high",
    AlertKind.no_anchoring: "high",
    AlertKind.ais_gap: "medium",
    AlertKind.loitering: "medium",
    AlertKind.fishing_ban: "high",
    AlertKind.forbidden_type: "high",
    AlertKind.collision_risk: "critical",
    AlertKind.dg_unapproved_operation: "high",
}


def iso(ms: int | None) -> str | None:
    """ISO 8601 UTC text of epoch milliseconds."""
    if ms is None:
        return None
    t = dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
    return t.isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass
class Event:
    """One rule firing for one vessel (and zone)."""

    kind: AlertKind
    phase: Phase
    vessel_key: int
    start_ms: int
    end_ms: int | None
    mmsi: int | None = None
    zone: str | None = None
    lat: float | None = None
    lon: float | None = None
    value: float | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, int, str | None, int]:
        """Identity of the occurrence: an open event and its close share it."""
        return (self.kind.value, self.vessel_key, self.zone, self.start_ms)

    def as_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "kind": self.kind.value,
            "phase": self.phase.name.lower(),
            "vessel_key": self.vessel_key,
            "mmsi": self.mmsi,
            "zone": self.zone,
            "start": iso(self.start_ms),
            "end": iso(self.end_ms),
            "lat": self.lat,
            "lon": self.lon,
            "value": self.value,
            **self.details,
        }
