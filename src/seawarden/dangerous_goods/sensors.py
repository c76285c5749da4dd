"""Sensor readings against physical ranges and a tank's design limits.

Units: temperature °C, pressure kPa (gauge), level m, flammable gas % LEL, toxic gas ppm.
A physically impossible value is refused (:class:`OutOfPhysicalRangeError`); a value beyond a
design limit gives a ``SENSOR-LIMIT`` finding (``block`` = alarm, ``warning`` = pre-alarm).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

from seawarden.dangerous_goods.errors import OutOfPhysicalRangeError
from seawarden.dangerous_goods.findings import Finding, Severity


class Quantity(StrEnum):
    """What a sensor measures."""

    temperature_c = "temperature_c"
    pressure_kpa = "pressure_kpa"
    level_m = "level_m"
    gas_pct_lel = "gas_pct_lel"
    toxic_ppm = "toxic_ppm"


#: Physically possible values (absolute zero, absolute vacuum, 0-100 % LEL …).
PHYSICAL: dict[Quantity, tuple[float, float]] = {
    Quantity.temperature_c: (-273.15, 2000.0),
    Quantity.pressure_kpa: (-101.325, 100_000.0),
    Quantity.level_m: (0.0, 200.0),
    Quantity.gas_pct_lel: (0.0, 100.0),
    Quantity.toxic_ppm: (0.0, 1_000_000.0),
}


@dataclass(frozen=True)
class DesignLimits:
    """Design limits of a tank (``None``: no limit of that kind)."""

    temperature_min_c: float | None = None
    temperature_max_c: float | None = None
    pressure_min_kpa: float | None = None
    pressure_max_kpa: float | None = None
    level_max_m: float | None = None
    height_m: float | None = None
    gas_warn_pct_lel: float = 20.0
    gas_alarm_pct_lel: float = 50.0
    toxic_warn_ppm: float | None = None
    toxic_alarm_ppm: float | None = None


def validate(quantity: str, value: float, limits: DesignLimits | None = None) -> Quantity:
    """The quantity, after checking the value is physically possible (raises otherwise)."""
    try:
        q = Quantity(quantity)
    except ValueError as exc:
        raise OutOfPhysicalRangeError(
            f"unknown quantity {quantity!r}; one of {', '.join(q.value for q in Quantity)}",
            quantity=str(quantity),
        ) from exc
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise OutOfPhysicalRangeError(
            f"{q.value}: not a finite number: {value!r}", quantity=q.value
        )
    lo, hi = PHYSICAL[q]
    if q is Quantity.level_m and limits is not None and limits.height_m is not None:
        hi = limits.height_m
    if not lo <= value <= hi:
        raise OutOfPhysicalRangeError(
            f"{q.value} = {value:g} is outside the physical range [{lo:g}, {hi:g}]",
            quantity=q.value,
            value=value,
        )
    return q


def evaluate(tank: str, quantity: str, value: float, limits: DesignLimits) -> list[Finding]:
    """Findings for one reading against the tank's design limits."""
    q = validate(quantity, value, limits)
    out: list[Finding] = []

    def alarm(sev: Severity, what: str, limit: float) -> None:
        out.append(
            Finding(
                "SENSOR-LIMIT",
                sev,
                f"{tank}: {q.value} {value:g} {what} {limit:g}",
                cell=f"design limit {q.value} {what} {limit:g}",
                subjects=(tank,),
                details={"quantity": q.value, "value": value, "limit": limit},
            )
        )

    if q is Quantity.temperature_c:
        if limits.temperature_max_c is not None and value > limits.temperature_max_c:
            alarm(Severity.block, "above design maximum", limits.temperature_max_c)
        if limits.temperature_min_c is not None and value < limits.temperature_min_c:
            alarm(Severity.block, "below design minimum", limits.temperature_min_c)
    elif q is Quantity.pressure_kpa:
        if limits.pressure_max_kpa is not None and value > limits.pressure_max_kpa:
            alarm(Severity.block, "above design maximum", limits.pressure_max_kpa)
        if limits.pressure_min_kpa is not None and value < limits.pressure_min_kpa:
            alarm(Severity.block, "below design minimum", limits.pressure_min_kpa)
    elif q is Quantity.level_m:
        if limits.level_max_m is not None and value > limits.level_max_m:
            alarm(Severity.block, "above design level", limits.level_max_m)
    elif q is Quantity.gas_pct_lel:
        if value >= limits.gas_alarm_pct_lel:
            alarm(Severity.block, "at or above the alarm level", limits.gas_alarm_pct_lel)
        elif value >= limits.gas_warn_pct_lel:
            alarm(Severity.warning, "at or above the pre-alarm level", limits.gas_warn_pct_lel)
    elif q is Quantity.toxic_ppm:
        if limits.toxic_alarm_ppm is not None and value >= limits.toxic_alarm_ppm:
            alarm(Severity.block, "at or above the alarm level", limits.toxic_alarm_ppm)
        elif limits.toxic_warn_ppm is not None and value >= limits.toxic_warn_ppm:
            alarm(Severity.warning, "at or above the pre-alarm level", limits.toxic_warn_ppm)
    return out
