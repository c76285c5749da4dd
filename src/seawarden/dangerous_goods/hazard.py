"""GB 18218-2018 major hazard identification and grading of one unit, with the working shown.

``S = Σ q/Q`` over the unit's substances at their designed maximum quantities; the unit is a
major hazard source when ``S ≥ 1``. Then ``R = α · Σ β·q/Q`` and the grade (1–4) from Table 6.
Q: Table 1 for named substances, otherwise the lowest Table 2 Q of the substance's categories.
β: Table 3 for the listed toxic gases, otherwise the largest Table 4 β of its categories.
Categories come from the input, else from the Table 1 defaults, else from the IMDG class and
packing group of a UN number (an approximate bridge, always reported as a warning).
"""

from __future__ import annotations

import contextlib
import math
import re
from dataclasses import dataclass, field
from typing import Any

from seawarden.dangerous_goods.dglist import lookup, normalise_un
from seawarden.dangerous_goods.errors import (
    InvalidInputError,
    InvalidQuantityError,
    UnknownSubstanceError,
    UnknownUNNumberError,
)
from seawarden.dangerous_goods.findings import Finding, Severity
from seawarden.dangerous_goods.reference import reference

_CAS_RE = re.compile(r"^\d{2,7}-\d{2}-\d$")
_EPS = 1e-9


@dataclass(frozen=True)
class HazardItem:
    """One substance of a unit: name, CAS or UN number; quantity in tonnes; GB 30000 categories."""

    substance: str
    quantity_t: float
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Line:
    """The working for one substance."""

    substance: str
    matched: str
    q_t: float
    Q_t: float
    beta: float
    q_ratio: float
    beta_q_ratio: float
    Q_source: str
    beta_source: str
    categories: tuple[str, ...]

    def as_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "substance": self.substance,
            "matched": self.matched,
            "q_t": self.q_t,
            "Q_t": self.Q_t,
            "beta": self.beta,
            "q_over_Q": _r(self.q_ratio),
            "beta_q_over_Q": _r(self.beta_q_ratio),
            "Q_source": self.Q_source,
            "beta_source": self.beta_source,
            "categories": list(self.categories),
        }


@dataclass
class HazardResult:
    """S, R, grade, the lines and the findings of one unit."""

    S: float
    is_major_hazard: bool
    people_within_500m: int
    alpha: float | None
    sum_beta_q_ratio: float
    R: float | None
    grade: int | None
    lines: list[Line] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    not_counted: list[str] = field(default_factory=list)

    def working(self) -> list[str]:
        """The calculation as text, one step a line."""
        out = [
            f"{ln.substance}: q/crit = {ln.q_t:g}/{ln.Q_t:g} = {_r(ln.q_ratio):g} ({ln.Q_source}); "
            f"β = {ln.beta:g} ({ln.beta_source})"
            for ln in self.lines
        ]
        out += [f"{name}: not a GB 18218 category, not counted" for name in self.not_counted]
        terms = " + ".join(f"{_r(ln.q_ratio):g}" for ln in self.lines) or "0"
        verdict = "major hazard source" if self.is_major_hazard else "not a major hazard source"
        out.append(f"S = {terms} = {_r(self.S):g} → {verdict} (S ≥ 1)")
        if self.is_major_hazard and self.alpha is not None and self.R is not None:
            bterms = " + ".join(f"{ln.beta:g}·{_r(ln.q_ratio):g}" for ln in self.lines)
            out.append(f"Σβq/crit = {bterms} = {_r(self.sum_beta_q_ratio):g}")
            out.append(
                f"α = {self.alpha:g} ({self.people_within_500m} people within 500 m, table 5)"
            )
            out.append(
                f"R = {self.alpha:g} × {_r(self.sum_beta_q_ratio):g} = {_r(self.R):g} → grade "
                f"{self.grade} (table 6)"
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        """Plain data (the interface of ``seawarden dg hazard --format json``)."""
        return {
            "S": _r(self.S),
            "is_major_hazard": self.is_major_hazard,
            "R": None if self.R is None else _r(self.R),
            "grade": self.grade,
            "alpha": self.alpha,
            "sum_beta_q_over_Q": _r(self.sum_beta_q_ratio),
            "people_within_500m": self.people_within_500m,
            "lines": [ln.as_dict() for ln in self.lines],
            "not_counted": self.not_counted,
            "working": self.working(),
            "findings": [f.as_dict() for f in self.findings],
        }


def _r(x: float) -> float:
    return round(x, 6) + 0.0


def _table1_row(text: str) -> str | None:
    """Table 1 sequence number of a name, alias, CAS or UN number (``None`` if not listed)."""
    ref = reference()
    t = text.strip()
    low = t.lower()
    if _CAS_RE.match(t):
        for seq, row in ref.table1.items():
            if t in row["cas"].split(";"):
                return seq
        return None
    try:
        un = normalise_un(t)
    except UnknownUNNumberError:
        un = ""
    if un:
        return ref.un_to_table1.get(un)
    for seq, row in ref.table1.items():
        names = [row["name_cn"], row["name_en"].lower(), *row["alias_cn"].split(";")]
        if t in names or low in names:
            return seq
    for seq, row in ref.table1.items():  # English name without qualifiers, e.g. "chlorine"
        if low and row["name_en"].lower().split(" (")[0] == low:
            return seq
    return None


def _categories_from_un(un: str) -> tuple[tuple[str, ...], list[str]]:
    """Table 2 categories of a UN number's class, subsidiaries and packing group (bridge)."""
    ref = reference()
    cats: set[str] = set()
    notes: list[str] = []
    for e in lookup(un):
        for division in (e.division, *e.subsidiary):
            row = ref.class_bridge.get((division, e.packing_group)) or ref.class_bridge.get(
                (division, "")
            )
            if row is None and division == "1":
                row = ref.class_bridge.get(("1.3", ""))
            if row and row["category"]:
                cats.add(row["category"])
        if e.division == "2.2" and "5.1" in e.subsidiary:
            cats.add("W4")
    if cats:
        notes.append(
            f"UN {un}: category {'/'.join(sorted(cats))} derived from its IMDG class and packing "
            "group (transport_class_bridge.csv); confirm with the SDS (GB 30000)"
        )
    return tuple(sorted(cats)), notes


def _split_categories(categories: tuple[str, ...] | list[str] | str | None) -> tuple[str, ...]:
    if categories is None:
        return ()
    if isinstance(categories, str):
        categories = [categories]
    out = []
    table2 = reference().table2
    for c in categories:
        for part in re.split(r"[;,/\s]+", str(c)):
            p = part.strip().upper()
            if not p:
                continue
            if p not in table2:
                raise InvalidInputError(f"not a GB 18218 table 2 category: {part!r}", category=part)
            out.append(p)
    return tuple(dict.fromkeys(out))


def _beta3(seq: str, cas: str) -> float | None:
    ref = reference()
    row = ref.table1[seq]
    if row["beta_table3"]:
        return float(row["beta_table3"])
    for b in ref.beta:
        if b["kind"] == "substance" and cas and b["cas"] == cas:
            return float(b["beta"])
    return None


def resolve(item: HazardItem) -> tuple[Line | None, list[Finding], str | None]:
    """The working line of one item (``None`` and a note when it is not counted)."""
    q = item.quantity_t
    if not isinstance(q, int | float) or isinstance(q, bool) or not math.isfinite(q) or q < 0:
        raise InvalidQuantityError(
            f"{item.substance}: quantity must be a non-negative number of tonnes, got {q!r}",
            substance=item.substance,
        )
    ref = reference()
    given = _split_categories(item.categories)
    findings: list[Finding] = []
    seq = _table1_row(item.substance)
    un = ""
    with contextlib.suppress(UnknownUNNumberError):
        un = normalise_un(item.substance)
    if seq is not None:
        row = ref.table1[seq]
        crit = float(row["critical_quantity_t"])
        q_src = f"GB 18218 table 1 #{seq} {row['name_cn']} Q = {crit:g} t"
        cats = given or ref.default_categories.get(seq, ())
        beta3 = _beta3(seq, row["cas"].split(";")[0])
        if beta3 is not None:
            beta, b_src = beta3, f"table 3 {row['name_cn']} β = {beta3:g}"
        elif cats:
            beta = max(float(ref.table2[c]["beta_table4"]) for c in cats)
            b_src = f"table 4 {'/'.join(cats)} β = {beta:g}" + (
                " (largest)" if len(cats) > 1 else ""
            )
        else:
            beta, b_src = 1.0, "β = 1 assumed: no category known"
            findings.append(
                Finding(
                    "GB18218-CATEGORY",
                    Severity.warning,
                    f"{item.substance}: no GB 30000 category known, β taken as 1; "
                    "give its category",
                    cell=f"GB 18218 table 1 #{seq}",
                )
            )
        matched = f"table 1 #{seq} {row['name_cn']} ({row['name_en']})"
    else:
        cats = given
        if not cats and un:
            cats, notes = _categories_from_un(un)
            for n in notes:
                findings.append(
                    Finding(
                        "GB18218-CATEGORY", Severity.warning, n, cell="transport_class_bridge.csv"
                    )
                )
            if not cats:
                return None, findings, f"{item.substance} (UN {un})"
        if not cats:
            raise UnknownSubstanceError(
                f"{item.substance!r} is not named in GB 18218 table 1; give its GB 30000 category "
                "(table 2 symbol such as W5.3 or J5) or a UN number",
                substance=item.substance,
            )
        crit = min(float(ref.table2[c]["critical_quantity_t"]) for c in cats)
        beta = max(float(ref.table2[c]["beta_table4"]) for c in cats)
        lowest = min(cats, key=lambda c: float(ref.table2[c]["critical_quantity_t"]))
        q_src = f"table 2 {lowest} Q = {crit:g} t" + (" (lowest)" if len(cats) > 1 else "")
        b_src = f"table 4 {'/'.join(cats)} β = {beta:g}" + (" (largest)" if len(cats) > 1 else "")
        matched = f"table 2 {'/'.join(cats)}"
    ratio = q / crit
    line = Line(item.substance, matched, q, crit, beta, ratio, beta * ratio, q_src, b_src, cats)
    return line, findings, None


def alpha_for(people: int) -> float:
    """α of table 5 for the number of people within 500 m."""
    if isinstance(people, bool) or not isinstance(people, int) or people < 0:
        raise InvalidInputError(
            f"people_within_500m must be a non-negative integer, got {people!r}"
        )
    for row in reference().alpha:
        lo = int(row["people_min"])
        hi = int(row["people_max"]) if row["people_max"] else None
        if people >= lo and (hi is None or people <= hi):
            return float(row["alpha"])
    raise InvalidInputError(f"no α for {people} people")  # pragma: no cover - table covers all


def grade_for(r_value: float) -> int:
    """Grade 1–4 of table 6."""
    for row in reference().grade:
        lo = float(row["r_min_inclusive"])
        hi = float(row["r_max_exclusive"]) if row["r_max_exclusive"] else math.inf
        if lo - _EPS <= r_value and hi - _EPS > r_value:
            return int(row["grade"])
    return 4


def assess(items: list[HazardItem], people_within_500m: int) -> HazardResult:
    """Identify and grade one unit (raises a typed error on bad input, before computing)."""
    alpha = alpha_for(people_within_500m)
    lines: list[Line] = []
    findings: list[Finding] = []
    skipped: list[str] = []
    for item in items:
        line, fs, skip = resolve(item)
        findings += fs
        if line is not None:
            lines.append(line)
        if skip:
            skipped.append(skip)
    s_value = math.fsum(ln.q_ratio for ln in lines)
    sb = math.fsum(ln.beta_q_ratio for ln in lines)
    major = s_value >= 1 - _EPS
    r_value = alpha * sb if major else None
    grade = grade_for(r_value) if r_value is not None else None
    findings.append(
        Finding(
            "GB18218-S",
            Severity.warning if major else Severity.info,
            f"S = {_r(s_value):g}: "
            + ("a major hazard source" if major else "not a major hazard source"),
            cell="GB 18218-2018 4.2: S ≥ 1",
        )
    )
    if r_value is not None:
        findings.append(
            Finding(
                "GB18218-R",
                Severity.info,
                f"R = {_r(r_value):g}: grade {grade}",
                cell=f"GB 18218-2018 table 5 α = {alpha:g}; table 6 grade {grade}",
            )
        )
    return HazardResult(
        s_value,
        major,
        people_within_500m,
        alpha if major else None,
        sb,
        r_value,
        grade,
        lines,
        findings,
        skipped,
    )


def items_from_json(data: Any) -> tuple[list[HazardItem], int]:
    """Items and people of a unit file.

    The file is ``{"people_within_500m": N, "items": [{"substance", "quantity_t", "category"}]}``.
    """
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise InvalidInputError('a unit file is {"people_within_500m": N, "items": [...]}')
    people = data.get("people_within_500m", 0)
    items = []
    for k, raw in enumerate(data["items"]):
        if not isinstance(raw, dict) or "substance" not in raw or "quantity_t" not in raw:
            raise InvalidInputError(f"item {k}: needs substance and quantity_t")
        cat = raw.get("category", raw.get("categories"))
        q = raw["quantity_t"]
        if isinstance(q, str):
            try:
                q = float(q)
            except ValueError as exc:
                raise InvalidQuantityError(f"item {k}: quantity_t is not a number: {q!r}") from exc
        items.append(HazardItem(str(raw["substance"]), q, _split_categories(cat)))
    return items, people
