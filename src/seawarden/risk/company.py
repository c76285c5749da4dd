"""Company (ISM) performance from its fleet's detention and deficiency record (pure).

The detention index and the deficiency index compare the company's detentions per
inspection and deficiencies per inspection with the average of every inspection in the
register over the same period: more than ``band`` above the average is *above average*,
more than ``band`` below it *below average*. The matrix of the Paris MoU company
performance calculator turns the two indices into a performance level.
"""

from __future__ import annotations

from dataclasses import dataclass

from seawarden.risk.config import company_matrix


@dataclass(frozen=True)
class Record:
    """Inspections, detentions and deficiencies over a period."""

    inspections: int
    detentions: int
    deficiencies: int


def index(value: float, average: float, band: float) -> str:
    """``above average``, ``average`` or ``below average``."""
    if value > average * (1 + band) and value > 0:
        return "above average"
    if value < average * (1 - band) or (average == 0 and value == 0):
        return "below average" if average > 0 else "average"
    return "average"


def performance(company: Record, everyone: Record, band: float = 0.1) -> tuple[str, str]:
    """The company's performance level and the reason, in words."""
    if company.inspections == 0 or everyone.inspections == 0:
        return company_matrix()[
            ("no inspections", "no inspections")
        ], "no inspections in the period"
    det = index(
        company.detentions / company.inspections, everyone.detentions / everyone.inspections, band
    )
    dfc = index(
        company.deficiencies / company.inspections,
        everyone.deficiencies / everyone.inspections,
        band,
    )
    level = company_matrix()[(det, dfc)]
    why = (
        f"detention index {det} ({company.detentions}/{company.inspections} vs "
        f"{everyone.detentions}/{everyone.inspections}), deficiency index {dfc} "
        f"({company.deficiencies}/{company.inspections} vs "
        f"{everyone.deficiencies}/{everyone.inspections})"
    )
    return level, why
