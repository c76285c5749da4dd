"""Per-port rules: lead and decision times, storage-time limits, yard distances, stack limits.

Defaults come from ``data/port_rules_default.json`` (R01, R12, JT 397, MSC.1/Circ.1216); a
port authority overrides any of them for its organisation subtree (see
:func:`seawarden.dangerous_goods.facilities.set_port_rules`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from seawarden.dangerous_goods.classes import class_of
from seawarden.dangerous_goods.reference import reference


class PortRules(BaseModel):
    """Everything a port may configure for dangerous goods."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    declaration_lead_hours: float = Field(24, ge=0, description="Declare at least this long ahead.")
    decision_hours: float = Field(24, gt=0, description="The authority decides within this time.")
    late_declaration: Literal["block", "warn"] = Field(
        "block", description="What a declaration later than the lead time gets."
    )
    storage_time_limits_hours: dict[str, float | None] = Field(
        default_factory=dict, description="Longest stay per class or division (0: direct delivery)."
    )
    yard_distance_m: dict[str, float] = Field(
        default_factory=lambda: {"1": 0.0, "2": 3.0, "3": 6.0, "4": 24.0},
        description="Clear distance in the yard for segregation codes 1-4 (metres).",
    )
    stack_limit_flammable_explosive: int = Field(
        2, ge=1, description="Highest stack (tiers) holding flammable or explosive DG (JT 397)."
    )
    stack_limit_other: int = Field(3, ge=1, description="Highest stack holding other DG (JT 397).")
    flammable_explosive_classes: list[str] = Field(
        default_factory=list, description="Classes/divisions counted as flammable or explosive."
    )
    direct_delivery_divisions: list[str] = Field(
        default_factory=list, description="Divisions never stored: direct delivery (JT 397)."
    )
    direct_delivery_un: list[str] = Field(
        default_factory=list, description="UN numbers never stored (ammonium nitrate, JT 397)."
    )
    lithium_battery_un: list[str] = Field(
        default_factory=list, description="UN numbers kept apart from flammable/explosive DG."
    )
    sensor_escalation_minutes: float = Field(
        30, gt=0, description="A critical sensor alarm open this long becomes a major danger."
    )
    hidden_danger_deadline_days: dict[str, float] = Field(
        default_factory=lambda: {"general": 30.0, "major": 90.0},
        description="Default rectification deadline per level (days).",
    )
    photo_max_bytes: int = Field(10 * 1024 * 1024, gt=0, description="Largest accepted photo.")
    photo_types: list[str] = Field(
        default_factory=lambda: ["image/jpeg", "image/png"], description="Accepted photo types."
    )
    berth_max_sog_kn: float = Field(
        1.0, ge=0, description="A vessel in a berth at or below this speed is moored (knots)."
    )
    hazard_evaluation_interval_days: float = Field(
        1095, gt=0, description="Days between periodic evaluations of a major hazard source."
    )

    @field_validator("yard_distance_m")
    @classmethod
    def _codes(cls, v: dict[str, float]) -> dict[str, float]:
        for code in ("1", "2", "3", "4"):
            if code not in v or v[code] < 0:
                raise ValueError(f"yard_distance_m needs a non-negative distance for code {code}")
        return v

    @classmethod
    def default(cls) -> PortRules:
        """The shipped defaults."""
        return cls(**reference().port_rules_default)

    def merged(self, overrides: dict[str, Any]) -> PortRules:
        """These rules with some fields replaced (validated)."""
        return PortRules(**{**self.model_dump(), **overrides})

    def storage_limit_hours(self, division: str) -> float | None:
        """Longest stay of goods of a division (most specific key wins; ``None``: no limit)."""
        limits = self.storage_time_limits_hours
        for key in (division, class_of(division), "default"):
            if key in limits:
                return limits[key]
        return None

    def is_flammable_explosive(self, divisions: tuple[str, ...]) -> bool:
        """Whether any of the divisions counts as flammable or explosive for stack limits."""
        listed = set(self.flammable_explosive_classes)
        return any(d in listed or class_of(d) in listed for d in divisions)
