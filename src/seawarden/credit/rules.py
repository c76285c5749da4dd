"""Credit rule sets and scoring as a pure function: ledger events in, score and grade out.

Score = base + Σ (event points × age weight), clamped to [min, max]; revoked events do
not count, repaired events count with ``repaired_weight``. The score gives the grade
(AA, A, B, C, D); a counted black-list event or a score below ``black_list_score_below``
puts the subject on the black list (grade D); grade AA with no counted deduction in the
last ``no_negative_months`` and enough positive records puts it on the red list. The
grade sets the supervision intensity. Every step is written as an explanation line.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from seawarden.risk.window import months_between


class Grade(StrEnum):
    """Credit grades, best first."""

    AA = "AA"
    A = "A"
    B = "B"
    C = "C"
    D = "D"


class Listing(StrEnum):
    """Credit lists."""

    red = "red"
    black = "black"


class EventStatus(StrEnum):
    """State of a ledger event."""

    active = "active"
    under_appeal = "under_appeal"
    revoked = "revoked"
    repaired = "repaired"


class EventRule(BaseModel):
    """Default points and legal basis of an event kind, and whether it black-lists."""

    model_config = ConfigDict(extra="forbid")

    points: float
    legal_basis: str
    description: str
    black_list: bool = False


class AgeBand(BaseModel):
    """Events younger than ``up_to_months`` count with ``weight``."""

    model_config = ConfigDict(extra="forbid")

    up_to_months: Annotated[int, Field(ge=1, le=240)]
    weight: Annotated[float, Field(ge=0, le=10)]


class GradeBand(BaseModel):
    """The lowest score of a grade."""

    model_config = ConfigDict(extra="forbid")

    grade: Grade
    min_score: float


class RedList(BaseModel):
    """Conditions of the red list."""

    model_config = ConfigDict(extra="forbid")

    grade: Grade = Grade.AA
    min_positive: Annotated[int, Field(ge=0)] = 1
    no_negative_months: Annotated[int, Field(ge=0)] = 24


class Intensity(BaseModel):
    """Supervision intensity of a grade."""

    model_config = ConfigDict(extra="forbid")

    level: str
    inspection_rate: Annotated[float, Field(ge=0, le=1)]
    description: str


class RuleSet(BaseModel):
    """A versioned credit rule set."""

    model_config = ConfigDict(extra="forbid")

    version: Annotated[str, Field(min_length=1, max_length=64)]
    title: str
    base_score: float = 100.0
    max_score: float = 100.0
    min_score: float = 0.0
    repaired_weight: Annotated[float, Field(ge=0, le=1)] = 0.0
    under_appeal_counts: bool = True
    black_list_score_below: float = 40.0
    age_bands: list[AgeBand]
    grades: list[GradeBand]
    red_list: RedList = RedList()
    intensity: dict[Grade, Intensity]
    events: dict[str, EventRule]

    @model_validator(mode="after")
    def _consistent(self) -> RuleSet:
        if self.min_score > self.max_score:
            raise ValueError("min_score is above max_score")
        if sorted(b.up_to_months for b in self.age_bands) != [
            b.up_to_months for b in self.age_bands
        ]:
            raise ValueError("age_bands must be in increasing up_to_months")
        grades = [g.grade for g in self.grades]
        if sorted(grades, key=list(Grade).index) != grades or len(set(grades)) != len(grades):
            raise ValueError("grades must be listed once each, best first")
        if any(
            a.min_score <= b.min_score for a, b in zip(self.grades, self.grades[1:], strict=False)
        ):
            raise ValueError("grade thresholds must decrease")
        if self.grades[-1].min_score > self.min_score:
            raise ValueError("the last grade must cover the lowest score")
        missing = [g.value for g in grades if g not in self.intensity]
        if missing:
            raise ValueError(f"no supervision intensity for grade(s) {', '.join(missing)}")
        return self


@lru_cache(maxsize=1)
def default_ruleset() -> RuleSet:
    """The bundled rule set."""
    text = (
        resources.files("seawarden.credit.data").joinpath("default_ruleset.toml").read_text("utf-8")
    )
    return RuleSet.model_validate(tomllib.loads(text))


class CreditInput(BaseModel):
    """A ledger event as scoring sees it (stored with every score)."""

    id: int
    kind: str
    on_date: dt.date
    points: float
    status: EventStatus
    legal_basis: str = ""


@dataclass(frozen=True)
class Score:
    """A computed score with everything needed to explain and recompute it."""

    version: str
    as_of: dt.date
    score: float
    grade: Grade
    listing: Listing | None
    intensity: Intensity
    lines: list[str] = field(default_factory=list)
    inputs: list[CreditInput] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready data."""
        return {
            "ruleset_version": self.version,
            "as_of": self.as_of.isoformat(),
            "score": self.score,
            "grade": self.grade.value,
            "listing": self.listing.value if self.listing else None,
            "intensity": self.intensity.model_dump(),
            "lines": self.lines,
            "inputs": [i.model_dump(mode="json") for i in self.inputs],
        }


def weight_for(rules: RuleSet, months: int) -> float:
    """The age weight of an event ``months`` old (0 beyond the last band)."""
    return next((b.weight for b in rules.age_bands if months < b.up_to_months), 0.0)


def score(inputs: list[CreditInput], rules: RuleSet, as_of: dt.date) -> Score:
    """Score, grade, list and supervision intensity of one subject's events on ``as_of``."""
    lines = [f"rule set {rules.version}; base score {rules.base_score:g}"]
    total = rules.base_score
    black: list[str] = []
    recent_negative = False
    positives = 0
    for ev in sorted(inputs, key=lambda e: (e.on_date, e.id)):
        head = f"event {ev.id} {ev.kind} on {ev.on_date} ({ev.points:+g})"
        if ev.on_date > as_of:
            lines.append(f"{head}: after {as_of}, not counted")
            continue
        if ev.status is EventStatus.revoked:
            lines.append(f"{head}: revoked on appeal, not counted")
            continue
        if ev.status is EventStatus.under_appeal and not rules.under_appeal_counts:
            lines.append(f"{head}: under appeal, not counted until decided")
            continue
        months = months_between(ev.on_date, as_of)
        w = weight_for(rules, months)
        notes = [f"{months} months old, weight {w:g}"]
        if ev.status is EventStatus.repaired:
            w *= rules.repaired_weight
            notes.append(f"credit repaired, weight x{rules.repaired_weight:g}")
        if ev.status is EventStatus.under_appeal:
            notes.append("under appeal, counted")
        contrib = round(ev.points * w, 4)
        if w == 0:
            lines.append(f"{head}: {', '.join(notes)}: not counted")
            continue
        total += contrib
        lines.append(f"{head}: {', '.join(notes)}: {contrib:+g}")
        rule = rules.events.get(ev.kind)
        if rule is not None and rule.black_list and ev.status is not EventStatus.repaired:
            black.append(f"event {ev.id} {ev.kind} is a black-list record")
        if contrib < 0 and months < rules.red_list.no_negative_months:
            recent_negative = True
        if contrib > 0:
            positives += 1
    value = round(min(rules.max_score, max(rules.min_score, total)), 2)
    clamped = (
        ""
        if value == round(total, 2)
        else f" (sum {total:g} limited to {rules.min_score:g}-{rules.max_score:g})"
    )
    lines.append(f"score {value:g}{clamped}")
    grade = next(g.grade for g in rules.grades if value >= g.min_score)
    band = next(g for g in rules.grades if g.grade is grade)
    lines.append(f"grade {grade.value}: score {value:g} >= {band.min_score:g}")
    if value < rules.black_list_score_below:
        black.append(f"score {value:g} below {rules.black_list_score_below:g}")
    listing: Listing | None = None
    if black:
        listing = Listing.black
        if grade is not Grade.D:
            lines.append(f"black list ({'; '.join(black)}): grade D instead of {grade.value}")
            grade = Grade.D
        else:
            lines.append(f"black list: {'; '.join(black)}")
    elif (
        grade is rules.red_list.grade
        and not recent_negative
        and positives >= rules.red_list.min_positive
    ):
        listing = Listing.red
        lines.append(
            f"red list: grade {grade.value}, no deduction in "
            f"{rules.red_list.no_negative_months} months, "
            f"{positives} positive record(s)"
        )
    intensity = rules.intensity[grade]
    lines.append(
        f"supervision: {intensity.level} (inspection rate {intensity.inspection_rate:g}): "
        f"{intensity.description}"
    )
    return Score(rules.version, as_of, value, grade, listing, intensity, lines, list(inputs))
