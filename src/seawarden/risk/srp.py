"""The ship risk profile (Paris MoU NIR) as a pure function of a ship's facts, explained.

Generic parameters (type, age, flag, IMO audit, RO, company) and historic parameters
(deficiencies and detentions in the lookback, 36 months) give weighting points; a ship
with at least the threshold (5) is a High Risk Ship, a ship meeting every Low Risk
criterion is a Low Risk Ship, any other a Standard Risk Ship. The class sets the window
for the next periodic inspection.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

from seawarden.registry.schemas import Performance, ship_type_of
from seawarden.risk.config import RiskClass, SrpConfig


class FlagPerformance(StrEnum):
    """A flag's place on the White, Grey and Black (BGW) lists."""

    white = "white"
    grey = "grey"
    black_medium = "black_medium"
    black_medium_high = "black_medium_high"
    black_high = "black_high"
    black_very_high = "black_very_high"
    not_listed = "not_listed"


BLACK_HIGH = {
    FlagPerformance.black_medium_high,
    FlagPerformance.black_high,
    FlagPerformance.black_very_high,
}
LOW = {Performance.low, Performance.very_low}


class ShipFacts(BaseModel):
    """What the profile needs to know about one ship (the ``risk srp`` input file)."""

    model_config = ConfigDict(extra="forbid")

    ship_type: Annotated[str, Field(min_length=1, max_length=64)]
    age_years: Annotated[float | None, Field(ge=0, le=300)]
    flag_performance: FlagPerformance
    imo_audit: bool
    ro_performance: Performance | None
    """``None``: the RO is not on the performance list."""
    ro_eu_recognised: bool
    company_performance: Performance
    inspections_36m: list[Annotated[int, Field(ge=0, le=1000)]]
    """Deficiencies recorded at each inspection in the lookback."""
    detentions_36m: Annotated[int, Field(ge=0, le=1000)]


@dataclass(frozen=True)
class Line:
    """One parameter of a profile: its value, points and whether it meets the LRS criterion."""

    parameter: str
    name: str
    value: Any
    points: int
    lrs: bool | None
    text: str

    def as_dict(self) -> dict[str, Any]:
        """The line as JSON-ready data."""
        return {
            "parameter": self.parameter,
            "name": self.name,
            "value": self.value,
            "points": self.points,
            "lrs": self.lrs,
            "text": self.text,
        }


@dataclass(frozen=True)
class Profile:
    """A computed ship risk profile."""

    points: int
    risk: RiskClass
    window_months: tuple[int, int]
    lines: list[Line] = field(default_factory=list)
    summary: list[str] = field(default_factory=list)
    regime: str = "paris"

    def explanation(self) -> list[str]:
        """Every parameter line, then the total, the class and the window, as text."""
        return [ln.text for ln in self.lines] + self.summary

    def as_json(self) -> dict[str, Any]:
        """``points``, ``profile``, ``window_months`` and ``lines`` (the ``risk srp`` output)."""
        return {
            "points": self.points,
            "profile": self.risk.value,
            "window_months": list(self.window_months),
            "lines": self.explanation(),
        }


def _ok(flag: bool) -> str:
    return "met" if flag else "not met"


def compute(facts: ShipFacts, config: SrpConfig) -> Profile:
    """The risk profile of a ship, with one explained line per parameter."""
    p = config.points
    lines: list[Line] = []
    months = config.lookback_months

    stype = str(ship_type_of(facts.ship_type))
    high_type = stype in config.high_risk_types
    pts = p.type if high_type else 0
    lines.append(
        Line(
            "1",
            "type of ship",
            stype,
            pts,
            True,
            f"1 type of ship: {stype} "
            + (
                f"is a high-risk type: {pts} points"
                if high_type
                else "is not a high-risk type: 0 points"
            )
            + "; LRS criterion (all types) met",
        )
    )

    if facts.age_years is None:
        old, age_text = True, "unknown (counted as over the limit)"
    else:
        old, age_text = facts.age_years > config.age_over_years, f"{facts.age_years:g} years"
    pts = p.age if old else 0
    lines.append(
        Line(
            "2",
            "age of ship",
            facts.age_years,
            pts,
            True,
            f"2 age of ship: {age_text}; "
            + (
                f"over {config.age_over_years:g} years: {pts} points"
                if old
                else f"not over {config.age_over_years:g} years: 0 points"
            )
            + "; LRS criterion (all ages) met",
        )
    )

    flag = facts.flag_performance
    if flag in BLACK_HIGH:
        pts, why = p.flag_black_high, "Black list (very high, high or medium to high risk)"
    elif flag is FlagPerformance.black_medium:
        pts, why = p.flag_black_medium, "Black list (medium risk)"
    else:
        pts, why = (
            0,
            {"white": "White list", "grey": "Grey list"}.get(flag.value, "not on the BGW lists"),
        )
    white = flag is FlagPerformance.white
    lines.append(
        Line(
            "3a",
            "flag BGW list",
            flag.value,
            pts,
            white,
            f"3a flag: {flag.value} ({why}): {pts} points; LRS criterion (White list) {_ok(white)}",
        )
    )
    lines.append(
        Line(
            "3b",
            "flag IMO audit",
            facts.imo_audit,
            0,
            facts.imo_audit,
            f"3b flag IMO Member State Audit: {'done' if facts.imo_audit else 'not done'}: 0 "
            "points; "
            f"LRS criterion (audit done) {_ok(facts.imo_audit)}",
        )
    )
    lines.append(
        Line(
            "4a",
            "RO recognised",
            facts.ro_eu_recognised,
            0,
            facts.ro_eu_recognised,
            f"4a recognised organisation {'is' if facts.ro_eu_recognised else 'is not'} "
            "recognised by a "
            f"Paris MoU member (EU): 0 points; LRS criterion {_ok(facts.ro_eu_recognised)}",
        )
    )
    ro = facts.ro_performance
    if ro is None:
        pts, ro_lrs = 0, False
        text = (
            "4b RO performance: not on the performance list: 0 points; LRS criterion (high) not met"
        )
    else:
        pts, ro_lrs = (p.ro_low if ro in LOW else 0), ro is Performance.high
        text = (
            f"4b RO performance: {ro.value}: {pts} points (low or very low: {p.ro_low}); "
            f"LRS criterion (high) {_ok(ro_lrs)}"
        )
    lines.append(Line("4b", "RO performance", None if ro is None else ro.value, pts, ro_lrs, text))

    comp = facts.company_performance
    pts, comp_lrs = (p.company_low if comp in LOW else 0), comp is Performance.high
    lines.append(
        Line(
            "5",
            "company performance",
            comp.value,
            pts,
            comp_lrs,
            f"5 company (ISM) performance: {comp.value}: {pts} points (low or very low: "
            f"{p.company_low}); "
            f"LRS criterion (high) {_ok(comp_lrs)}",
        )
    )

    insp = facts.inspections_36m
    def_lrs = bool(insp) and all(d <= config.lrs_max_deficiencies for d in insp)
    lines.append(
        Line(
            "6",
            "deficiencies",
            list(insp),
            0,
            def_lrs,
            f"6 deficiencies: {len(insp)} inspection(s) in {months} months with {list(insp)} "
            "deficiencies: "
            "0 points (not a weighting parameter); LRS criterion (at least one inspection, "
            "each with "
            f"at most {config.lrs_max_deficiencies}) {_ok(def_lrs)}",
        )
    )
    det = facts.detentions_36m
    many = det >= config.detentions_min
    pts = p.detentions if many else 0
    lines.append(
        Line(
            "7",
            "detentions",
            det,
            pts,
            det == 0,
            f"7 detentions: {det} in {months} months: {pts} points "
            f"({config.detentions_min} or more: {p.detentions}); LRS criterion (none) "
            f"{_ok(det == 0)}",
        )
    )

    total = sum(ln.points for ln in lines)
    failed = [ln.parameter for ln in lines if ln.lrs is False]
    if total >= config.hrs_threshold:
        risk = RiskClass.HRS
        why = f"total {total} points >= {config.hrs_threshold}: High Risk Ship (HRS)"
    elif not failed:
        risk = RiskClass.LRS
        why = (
            f"total {total} points < {config.hrs_threshold} and every LRS criterion met: Low "
            "Risk Ship (LRS)"
        )
    else:
        risk = RiskClass.SRS
        why = (
            f"total {total} points < {config.hrs_threshold}; LRS criteria not met "
            f"({', '.join(failed)}): "
            "Standard Risk Ship (SRS)"
        )
    lo, hi = config.windows[risk]
    summary = [
        why,
        f"window ({config.name}): Priority II {lo}-{hi} months after the last inspection, "
        f"Priority I after {hi} months"
        + ("; every periodic inspection of an HRS is expanded" if risk is RiskClass.HRS else ""),
    ]
    if not config.points_verified:
        summary.append(
            f"note: the point values of the {config.name} profile are not verified against its "
            "regime's annex"
        )
    return Profile(total, risk, (lo, hi), lines, summary, config.name)
