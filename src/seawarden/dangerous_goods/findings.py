"""Findings: what a check found, with the rule and the clause or table cell it came from."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Severity(StrEnum):
    """How serious a finding is; ``block`` stops an approval, ``warning`` needs a reviewer."""

    info = "info"
    warning = "warning"
    block = "block"


_ORDER = {Severity.info: 0, Severity.warning: 1, Severity.block: 2}


@dataclass(frozen=True)
class Rule:
    """A rule a check applies: its id, a title and the clause it rests on."""

    rule_id: str
    title: str
    clause: str


RULES: dict[str, Rule] = {
    r.rule_id: r
    for r in (
        Rule("SEG-SAME-CTU", "goods needing segregation in one CTU", "IMDG Code 7.3.4.1"),
        Rule("BAY-SEG", "container-ship segregation", "IMDG Code 7.4.3 table 7.4.3.3"),
        Rule("YARD-SEG", "yard segregation distance", "port yard rules (IMDG terms, per port)"),
        Rule("YARD-VERTICAL", "segregated goods stacked on each other", "port yard rules"),
        Rule("YARD-STACK", "DG container stack height", "JT 397 (stack height)"),
        Rule("YARD-DIRECT", "direct delivery only (no storage)", "JT 397 (直装直取)"),
        Rule("YARD-LITHIUM", "lithium batteries beside flammable/explosive DG", "JT 397"),
        Rule("YARD-DWELL", "storage time limit", "port storage-time rules (R12)"),
        Rule("GB18218-S", "major hazard identification S = Σq/Q", "GB 18218-2018 4.2"),
        Rule("GB18218-R", "major hazard grading R = α·Σβq/Q", "GB 18218-2018 4.3"),
        Rule(
            "GB18218-CATEGORY",
            "hazard category derived from transport class",
            "GB 18218-2018 table 2 via IMDG class/PG",
        ),
        Rule(
            "PERMIT-VALIDITY",
            "licence or annex outside its validity",
            "港口危险货物安全管理规定 Art.27",
        ),
        Rule(
            "PERMIT-SCOPE",
            "goods, mode or site outside the annex scope",
            "港口危险货物安全管理规定 Art.27/71",
        ),
        Rule("PERMIT-CAPACITY", "quantity above permitted or design capacity", "2024 判定标准 1.6"),
        Rule("PERMIT-TANK", "substance not permitted in this tank", "annex scope / tank design"),
        Rule(
            "PERMIT-STAFF",
            "staff without a valid qualification",
            "港口危险货物安全管理规定 Art.27 (R05)",
        ),
        Rule(
            "DECL-LEAD-TIME", "declaration later than the lead time", "R01 (24 h before operation)"
        ),
        Rule(
            "DECL-SEGREGATION",
            "declared goods incompatible with stock",
            "IMDG 7.2.4 / 2024 判定标准 1.5",
        ),
        Rule("DECL-DATA", "declared data differ from the DG list", "IMDG 3.2 (the list prevails)"),
        Rule("DECL-STOCK", "outbound quantity above the stock", "cargo records"),
        Rule("DECL-HAZARD-SOURCE", "major hazard source not filed", "2024 判定标准 5.6 / R11"),
        Rule("DECL-DIRECT", "goods that may not be stored in the unit", "JT 397 (直装直取)"),
        Rule("SENSOR-LIMIT", "reading beyond the design limit", "2024 判定标准 1.2"),
    )
}


@dataclass(frozen=True)
class Finding:
    """One result of a check.

    ``cell`` names the table cell or clause value used (e.g. ``IMDG 7.2.4 [3, 5.1] = 2``);
    ``verify`` is true when that cell is flagged VERIFY in the reference data.
    """

    rule_id: str
    severity: Severity
    message: str
    cell: str = ""
    subjects: tuple[str, ...] = ()
    verify: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def clause(self) -> str:
        """The clause of the rule."""
        rule = RULES.get(self.rule_id)
        return rule.clause if rule else ""

    def as_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "message": self.message + (" [VERIFY: reference cell disputed]" if self.verify else ""),
            "clause": self.clause,
            "cell": self.cell,
            "subjects": list(self.subjects),
            "verify": self.verify,
            **({"details": self.details} if self.details else {}),
        }


def worst(findings: Iterable[Finding]) -> Severity | None:
    """The most serious severity among findings (``None`` when there are none)."""
    best: Severity | None = None
    for f in findings:
        if best is None or _ORDER[f.severity] > _ORDER[best]:
            best = f.severity
    return best


def outcome(findings: Iterable[Finding]) -> str:
    """``pass``, ``warn`` or ``block`` for a set of findings."""
    w = worst(findings)
    return {None: "pass", Severity.info: "pass", Severity.warning: "warn"}.get(w, "block")
