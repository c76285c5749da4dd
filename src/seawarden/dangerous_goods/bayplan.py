"""Segregation in a container ship's bay plan (IMDG 7.4.3, closed and open units).

Stow cells are ``BBBRRTT`` (bay, row, tier; the BAPLIE ``LOC+147`` form): odd bays are 20-ft
slots, an even bay is a 40-ft unit over the two odd bays around it; rows are 00 on the centre
line, odd to starboard and even to port; tiers from ``deck_tier`` (80) up are on deck. Holds
are given as ranges of 20-ft bays; without them every two 40-ft bays are taken as one hold
(an assumption stated in each finding).

:func:`check_bay_plan` is vectorised (pairs within reach only); :func:`check_bay_plan_naive`
compares every pair with :func:`pair_violation`, the scalar statement of the same rules, and
is kept for tests and the benchmark.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import numpy.typing as npt

from seawarden.dangerous_goods.classes import Hazard
from seawarden.dangerous_goods.errors import InvalidPositionError
from seawarden.dangerous_goods.findings import Finding, Severity
from seawarden.dangerous_goods.segregation import MEANING, PairCode, items_code, pair_code
from seawarden.dangerous_goods.stowage_rules import (
    COMBINATIONS,
    POSITIONS,
    requirement_arrays,
    requirements,
    satisfied_array,
    vertical_text,
)

#: Slots a 20-ft bay number covers fore-and-aft beyond which no rule of 7.4.3.3 can bite
#: (24 m = four container spaces).
REACH_SPACES = 4


@dataclass(frozen=True)
class StowedUnit:
    """A container on board with its dangerous goods items."""

    id: str
    position: str
    hazards: tuple[Hazard, ...]
    open: bool = False
    limited_quantity: bool = False


@dataclass(frozen=True)
class Cell:
    """A stow cell."""

    bay: int
    row: int
    tier: int


def parse_cell(text: str) -> Cell:
    """Bay, row and tier of a ``BBBRRTT`` (or ``BBRRTT``) stow cell."""
    t = str(text).strip()
    if not t.isdigit() or len(t) not in (6, 7):
        raise InvalidPositionError(f"not a stow cell BBBRRTT: {text!r}", position=str(text))
    bay, row, tier = int(t[:-4]), int(t[-4:-2]), int(t[-2:])
    if bay < 1 or tier < 1:
        raise InvalidPositionError(f"bay and tier start at 1: {text!r}", position=str(text))
    return Cell(bay, row, tier)


@dataclass(frozen=True)
class ShipLayout:
    """What the check needs to know of the ship."""

    holds: tuple[tuple[int, int], ...] = ()
    deck_tier: int = 80
    bays_per_hold: int = 4
    centre_row: bool | None = None
    """Whether the ship has a row 00 (``None``: whether any unit of the plan stands in one)."""

    def hold_of(self, slot: int) -> int:
        """Hold index of a 20-ft slot (slot ``s`` is bay ``2s - 1``).

        A bay belongs to the last hold starting at or before it; beyond the last listed hold
        (or with none listed) every ``bays_per_hold`` slots are one more hold.
        """
        if not self.holds:
            return (slot - 1) // self.bays_per_hold
        end = (self.holds[-1][1] + 1) // 2
        if slot > end:
            return len(self.holds) + (slot - end - 1) // self.bays_per_hold
        starts = [first for first, _ in self.holds]
        return max(bisect.bisect_right(starts, 2 * slot - 1) - 1, 0)

    def last_slot_of(self, hold: int) -> int:
        """The last 20-ft slot of a hold."""
        if not self.holds:
            return (hold + 1) * self.bays_per_hold
        end = (self.holds[-1][1] + 1) // 2
        if hold + 1 < len(self.holds):
            return (self.holds[hold + 1][0] + 1) // 2 - 1
        if hold + 1 == len(self.holds):
            return end
        return end + (hold - len(self.holds) + 1) * self.bays_per_hold

    @property
    def assumed(self) -> bool:
        """Whether the hold layout is the default assumption."""
        return not self.holds


@dataclass
class Geometry:
    """Per-unit positions as arrays."""

    slot_lo: npt.NDArray[np.int64]
    slot_hi: npt.NDArray[np.int64]
    ath: npt.NDArray[np.float64]
    on_deck: npt.NDArray[np.bool_]
    tier: npt.NDArray[np.int64]
    hold: npt.NDArray[np.int64]
    open: npt.NDArray[np.bool_]


def cells(units: list[StowedUnit]) -> tuple[npt.NDArray[np.int64], ...]:
    """Bay, row and tier arrays of the units' stow cells (:class:`InvalidPositionError` if bad)."""
    texts = [str(u.position).strip() for u in units]
    if not all(t.isdigit() and len(t) in (6, 7) for t in texts):
        for t in texts:
            parse_cell(t)
    nums = np.array([int(t) for t in texts], dtype=np.int64)
    bays, rows, tiers = nums // 10_000, (nums // 100) % 100, nums % 100
    if ((bays < 1) | (tiers < 1)).any():
        parse_cell(texts[int(np.flatnonzero((bays < 1) | (tiers < 1))[0])])
    return bays, rows, tiers


def geometry(units: list[StowedUnit], layout: ShipLayout) -> Geometry:
    """Slots, athwartships positions, deck and hold of every unit."""
    bays, rows, tiers = cells(units)
    even = bays % 2 == 0
    slot_lo = np.where(even, bays // 2, (bays + 1) // 2)
    slot_hi = np.where(even, bays // 2 + 1, (bays + 1) // 2)
    centre = bool((rows == 0).any()) if layout.centre_row is None else layout.centre_row
    odd = rows % 2 == 1
    half = 0.0 if centre else 0.5
    ath = np.where(rows == 0, 0.0, np.where(odd, (rows + 1) // 2 - half, -(rows // 2) + half))
    hold = np.array([layout.hold_of(int(s)) for s in slot_lo], dtype=np.int64)
    return Geometry(
        slot_lo.astype(np.int64),
        slot_hi.astype(np.int64),
        ath.astype(np.float64),
        tiers >= layout.deck_tier,
        tiers,
        hold,
        np.array([u.open for u in units], dtype=np.bool_),
    )


def _combo(open_a: bool, open_b: bool) -> str:
    return COMBINATIONS[int(open_a) + int(open_b)]


def pair_violation(g: Geometry, i: int, j: int, code: int) -> str | None:
    """The rule text two units break for a code (``None`` when the stowage is allowed)."""
    if code <= 0:
        return None
    combo = _combo(bool(g.open[i]), bool(g.open[j]))
    fa_overlap = not (g.slot_hi[i] < g.slot_lo[j] or g.slot_hi[j] < g.slot_lo[i])
    same_row = g.ath[i] == g.ath[j]
    deck_between = bool(g.on_deck[i] != g.on_deck[j])
    if fa_overlap and same_row:
        text = "vertical: " + vertical_text(code, combo)
        if code == 4:
            return text
        if code in (2, 3) or combo == "open_open":
            return None if deck_between else text
        if combo == "closed_open" and not deck_between:
            open_above = (g.tier[i] > g.tier[j]) == bool(g.open[i])
            return None if open_above else text
        return None
    gap_fa = (
        0
        if fa_overlap
        else int(max(g.slot_lo[i], g.slot_lo[j]) - min(g.slot_hi[i], g.slot_hi[j]) - 1)
    )
    gap_ath = 0 if same_row else round(abs(g.ath[i] - g.ath[j])) - 1
    bulk = int(abs(g.hold[i] - g.hold[j]))
    if g.on_deck[i] and g.on_deck[j]:
        positions: tuple[str, ...] = ("on_deck",)
    elif not g.on_deck[i] and not g.on_deck[j]:
        positions = ("under_deck",)
    else:
        positions = POSITIONS
    reqs = requirements()

    def broken(direction: str, gap: int, nb: int) -> str | None:
        for p in positions:
            req = reqs[(code, direction, combo, p)]
            if not req.satisfied(gap, nb):
                d_text, p_text = direction.replace("_", "-"), p.replace("_", " ")
                where = f"{d_text} {p_text}, {combo.replace('_', '/')}"
                return f"{where}: {req.text}"
        return None

    if fa_overlap:
        return broken("athwartships", gap_ath, 0)
    if same_row:
        return broken("fore_aft", gap_fa, bulk)
    fa = broken("fore_aft", gap_fa, bulk)
    ath = broken("athwartships", gap_ath, 0)
    return fa if fa is not None and ath is not None else None


@dataclass
class BayCheck:
    """Findings and counts of a bay-plan check."""

    findings: list[Finding] = field(default_factory=list)
    units: int = 0
    dg_units: int = 0
    pairs_examined: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "kind": "bay",
            "units": self.units,
            "dg_units": self.dg_units,
            "pairs_examined": self.pairs_examined,
            "findings": [f.as_dict() for f in self.findings],
        }


def _seg_key(h: Hazard) -> Hazard:
    """The part of a hazard segregation depends on (the UN number only for group L)."""
    return Hazard(
        h.division,
        h.compatibility_group,
        h.subsidiary,
        h.un_number if h.compatibility_group == "L" else "",
    )


def _profiles(units: list[StowedUnit]) -> tuple[npt.NDArray[np.int64], list[tuple[Hazard, ...]]]:
    index: dict[tuple[Hazard, ...], int] = {}
    ids = np.empty(len(units), dtype=np.int64)
    for k, u in enumerate(units):
        key = tuple(sorted({_seg_key(h) for h in u.hazards}, key=lambda h: h.label + h.un_number))
        ids[k] = index.setdefault(key, len(index))
    return ids, list(index)


def _candidates(
    g: Geometry, layout: ShipLayout
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Pairs (i < j in slot order) close enough fore-and-aft, or in the same or next hold."""
    n = g.slot_lo.size
    order = np.argsort(g.slot_lo, kind="stable")
    lo = g.slot_lo[order]
    hi = g.slot_hi[order]
    hold = g.hold[order]
    top = int(hold.max()) + 2 if n else 1
    last = np.array([layout.last_slot_of(h) for h in range(top)], dtype=np.int64)
    end_slot = np.maximum(hi + REACH_SPACES, last[np.minimum(hold + 1, top - 1)])
    end = np.searchsorted(lo, end_slot, side="right")
    start = np.arange(n, dtype=np.int64) + 1
    counts = np.maximum(end - start, 0)
    total = int(counts.sum())
    first = np.repeat(np.arange(n, dtype=np.int64), counts)
    offsets = np.repeat(np.cumsum(counts) - counts, counts)
    second = np.arange(total, dtype=np.int64) - offsets + np.repeat(start, counts)
    return order[first], order[second]


def _violations(
    g: Geometry, ia: npt.NDArray[np.int64], ib: npt.NDArray[np.int64], codes: npt.NDArray[np.int64]
) -> npt.NDArray[np.bool_]:
    """Which candidate pairs break their requirement (vectorised :func:`pair_violation`)."""
    arrs = requirement_arrays()
    combo = g.open[ia].astype(np.intp) + g.open[ib].astype(np.intp)
    fa_overlap = ~((g.slot_hi[ia] < g.slot_lo[ib]) | (g.slot_hi[ib] < g.slot_lo[ia]))
    same_row = g.ath[ia] == g.ath[ib]
    deck_between = g.on_deck[ia] != g.on_deck[ib]
    gap_fa = np.where(
        fa_overlap,
        0,
        np.maximum(g.slot_lo[ia], g.slot_lo[ib]) - np.minimum(g.slot_hi[ia], g.slot_hi[ib]) - 1,
    ).astype(np.int64)
    gap_ath = np.where(same_row, 0, np.rint(np.abs(g.ath[ia] - g.ath[ib])).astype(np.int64) - 1)
    bulk = np.abs(g.hold[ia] - g.hold[ib])
    zero = np.zeros_like(bulk)
    both_on = g.on_deck[ia] & g.on_deck[ib]
    both_under = ~g.on_deck[ia] & ~g.on_deck[ib]
    c = codes.astype(np.intp)

    def ok(
        direction: int, gap: npt.NDArray[np.int64], nb: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.bool_]:
        d = np.full(c.size, direction, dtype=np.intp)
        on = satisfied_array(arrs, (c, d, combo, np.zeros_like(c)), gap, nb)
        under = satisfied_array(arrs, (c, d, combo, np.ones_like(c)), gap, nb)
        return np.where(both_on, on, np.where(both_under, under, on & under))

    ok_fa = ok(0, gap_fa, bulk)
    ok_ath = ok(1, gap_ath, zero)
    horizontal_bad = np.where(fa_overlap, ~ok_ath, np.where(same_row, ~ok_fa, ~ok_fa & ~ok_ath))
    # Same vertical line.
    open_i = g.open[ia]
    open_above = (g.tier[ia] > g.tier[ib]) == open_i
    v_bad = np.where(
        c == 4,
        True,
        np.where(
            (c >= 2) | (combo == 2),
            ~deck_between,
            np.where(combo == 1, ~deck_between & ~open_above, False),
        ),
    )
    vertical = fa_overlap & same_row
    return np.asarray((codes > 0) & np.where(vertical, v_bad, horizontal_bad), dtype=np.bool_)


def _finding(
    units: list[StowedUnit], i: int, j: int, pc: PairCode, rule_text: str, layout: ShipLayout
) -> Finding:
    a, b = units[i], units[j]
    code = pc.code
    meaning = MEANING.get(code, code)
    severity = Severity.block
    notes = []
    if code == "*":
        severity = Severity.warning
        notes.append("class 1 compatibility groups unknown: checked as 'separated from'")
    if pc.same_class:
        severity = Severity.warning
        notes.append("code from subsidiary hazards of one class: IMDG 7.2.6.1 may exempt")
    if layout.assumed and "bulkhead" in rule_text:
        notes.append(f"hold layout assumed ({layout.bays_per_hold} twenty-foot bays per hold)")

    def labels(u: StowedUnit) -> str:
        return ", ".join(
            (f"UN {h.un_number} " if h.un_number else "") + f"class {h.label}" for h in u.hazards
        )

    msg = (
        f"{a.id} ({labels(a)}) at {a.position} and {b.id} ({labels(b)}) at {b.position}: "
        f"code {code} '{meaning}' not met ({rule_text})"
    )
    if notes:
        msg += "; " + "; ".join(notes)
    return Finding(
        "BAY-SEG",
        severity,
        msg,
        cell="; ".join(pc.cells) + f"; IMDG 7.4.3.3 code {code}: {rule_text}",
        subjects=(a.id, b.id),
        verify=pc.verify,
        details={"code": code, "positions": [a.position, b.position]},
    )


def _same_ctu(units: list[StowedUnit]) -> list[Finding]:
    out = []
    for u in units:
        hs = u.hazards
        for x in range(len(hs)):
            for y in range(x + 1, len(hs)):
                pc = pair_code(hs[x], hs[y])
                if pc.rank >= 1:
                    sev = Severity.warning if pc.code == "1" or pc.same_class else Severity.block
                    out.append(
                        Finding(
                            "SEG-SAME-CTU",
                            sev,
                            f"{u.id}: class {hs[x].label} and class {hs[y].label} packed together "
                            f"need code {pc.code} '{MEANING.get(pc.code, pc.code)}'"
                            + (
                                " (allowed only with competent-authority approval)"
                                if pc.code == "1"
                                else ""
                            ),
                            cell="; ".join(pc.cells),
                            subjects=(u.id,),
                            verify=pc.verify,
                        )
                    )
    return out


def _dg(units: list[StowedUnit]) -> list[StowedUnit]:
    return [u for u in units if u.hazards and not u.limited_quantity]


def _resolved(units: list[StowedUnit], layout: ShipLayout | None) -> ShipLayout:
    """The layout with ``centre_row`` decided from every unit; two units in one cell are refused."""
    layout = layout or ShipLayout()
    if not units:
        return layout
    bays, rows, tiers = cells(units)
    even = bays % 2 == 0
    lo = np.where(even, bays // 2, (bays + 1) // 2)
    owner = np.concatenate([np.arange(bays.size), np.flatnonzero(even)])
    slot = np.concatenate([lo, lo[even] + 1])
    key = (slot * 100 + np.concatenate([rows, rows[even]])) * 100 + np.concatenate(
        [tiers, tiers[even]]
    )
    order = np.argsort(key, kind="stable")
    dup = np.flatnonzero(key[order][1:] == key[order][:-1])
    if dup.size:
        a, b = units[int(owner[order][dup[0]])], units[int(owner[order][dup[0] + 1])]
        raise InvalidPositionError(
            f"{b.id} at {b.position} overlaps {a.id} (same slot, row and tier)", position=b.position
        )
    if layout.centre_row is None:
        layout = replace(layout, centre_row=bool((rows == 0).any()))
    return layout


def check_bay_plan(units: list[StowedUnit], layout: ShipLayout | None = None) -> BayCheck:
    """Every segregation violation between the DG units of a bay plan (vectorised)."""
    layout = _resolved(units, layout)
    dg = _dg(units)
    result = BayCheck(units=len(units), dg_units=len(dg))
    result.findings.extend(_same_ctu(dg))
    if len(dg) < 2:
        return result
    g = geometry(dg, layout)
    prof, keys = _profiles(dg)
    ia, ib = _candidates(g, layout)
    result.pairs_examined = int(ia.size)
    pa, pb = prof[ia], prof[ib]
    pairs = np.unique(pa * len(keys) + pb)
    rank = np.zeros(len(keys) * len(keys), dtype=np.int64)
    for key in pairs.tolist():
        rank[key] = items_code(keys[key // len(keys)], keys[key % len(keys)]).rank
    codes = rank[pa * len(keys) + pb]
    keep = codes > 0
    ia, ib, codes = ia[keep], ib[keep], codes[keep]
    bad = _violations(g, ia, ib, codes)
    for i, j, c in zip(ia[bad].tolist(), ib[bad].tolist(), codes[bad].tolist(), strict=True):
        i, j = (i, j) if i < j else (j, i)
        text = pair_violation(g, i, j, c) or "violation"
        pc = items_code(dg[i].hazards, dg[j].hazards)
        result.findings.append(_finding(dg, i, j, pc, text, layout))
    result.findings.sort(key=lambda f: f.subjects)
    return result


def check_bay_plan_naive(units: list[StowedUnit], layout: ShipLayout | None = None) -> BayCheck:
    """The same check comparing every pair with the scalar rules (reference implementation)."""
    layout = _resolved(units, layout)
    dg = _dg(units)
    result = BayCheck(units=len(units), dg_units=len(dg))
    result.findings.extend(_same_ctu(dg))
    if len(dg) < 2:
        return result
    g = geometry(dg, layout)
    for i in range(len(dg)):
        for j in range(i + 1, len(dg)):
            result.pairs_examined += 1
            pc = items_code(dg[i].hazards, dg[j].hazards)
            if pc.rank == 0:
                continue
            text = pair_violation(g, i, j, pc.rank)
            if text is not None:
                result.findings.append(_finding(dg, i, j, pc, text, layout))
    result.findings.sort(key=lambda f: f.subjects)
    return result
