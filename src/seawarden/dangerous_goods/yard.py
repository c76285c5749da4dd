"""Segregation and JT 397 rules in a container yard, re-checked incrementally after each move.

A yard unit stands in a block at bay/row/tier (odd bays are 20-ft ground slots, an even bay a
40-ft unit over the two slots around it, rows and tiers from 1) or at explicit ``x``/``y``
metres. Rules: segregation distance per port (``yard_distance_m`` for codes 1-4), no
segregated goods on top of each other, JT 397 direct delivery (1.1/1.2 explosives, ammonium
nitrate), stack height (2 tiers for flammable/explosive DG, 3 for other DG), lithium batteries
not in a block with flammable/explosive DG, and per-port storage time limits.

:class:`YardState` keeps a spatial grid and the current findings; :meth:`YardState.move`
re-checks only the moved unit, its old and new stacks and blocks.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from seawarden.dangerous_goods.classes import Hazard
from seawarden.dangerous_goods.errors import InvalidPositionError
from seawarden.dangerous_goods.findings import Finding, Severity
from seawarden.dangerous_goods.portrules import PortRules
from seawarden.dangerous_goods.segregation import MEANING, PairCode, items_code

LENGTH_20 = 6.058
LENGTH_40 = 12.192
WIDTH = 2.438


@dataclass(frozen=True)
class YardBlock:
    """A yard block: bays along x, rows along y from its origin (metres, yard frame)."""

    name: str
    x0: float = 0.0
    y0: float = 0.0
    bay_pitch_m: float = 6.5
    row_pitch_m: float = 2.8


@dataclass(frozen=True)
class YardUnit:
    """A container in the yard."""

    id: str
    block: str
    bay: int
    row: int
    tier: int
    hazards: tuple[Hazard, ...] = ()
    open: bool = False
    in_ms: int | None = None
    x: float | None = None
    y: float | None = None

    @property
    def slots(self) -> tuple[int, ...]:
        """The 20-ft ground slots the unit stands on."""
        if self.bay % 2 == 0:
            return (self.bay // 2, self.bay // 2 + 1)
        return ((self.bay + 1) // 2,)

    @property
    def length_m(self) -> float:
        """Container length (metres)."""
        return LENGTH_40 if self.bay % 2 == 0 else LENGTH_20

    def divisions(self) -> tuple[str, ...]:
        """Primary and subsidiary divisions of every item."""
        return tuple(d for h in self.hazards for d in (h.division, *h.subsidiary))


@dataclass
class YardCheck:
    """Findings and counts of a yard check."""

    findings: list[Finding] = field(default_factory=list)
    units: int = 0
    dg_units: int = 0
    pairs_examined: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "kind": "yard",
            "units": self.units,
            "dg_units": self.dg_units,
            "pairs_examined": self.pairs_examined,
            "findings": [f.as_dict() for f in self.findings],
        }


@dataclass
class MoveResult:
    """What a move changed in the findings."""

    added: list[Finding] = field(default_factory=list)
    removed: list[Finding] = field(default_factory=list)


Ground = tuple[str, int, int]


class YardState:
    """A yard's units and current findings, kept up to date move by move."""

    def __init__(
        self,
        blocks: Iterable[YardBlock] = (),
        rules: PortRules | None = None,
        now_ms: int | None = None,
    ) -> None:
        self.blocks = {b.name: b for b in blocks}
        self.rules = rules or PortRules.default()
        self.now_ms = now_ms
        self.units: dict[str, YardUnit] = {}
        self._rect: dict[str, tuple[float, float, float, float]] = {}
        reach = max(self.rules.yard_distance_m.values()) + LENGTH_40 + 3.0
        self.cell = max(reach, 10.0)
        self._grid: dict[tuple[int, int], set[str]] = {}
        self._ground: dict[Ground, dict[str, int]] = {}
        self._by_block: dict[str, set[str]] = {}
        self._pairs: dict[tuple[str, str], Finding] = {}
        self._partners: dict[str, set[str]] = {}
        self._unit: dict[str, list[Finding]] = {}
        self._stack: dict[Ground, Finding] = {}
        self._lithium: dict[str, list[Finding]] = {}
        self._codes: dict[tuple[int, int], PairCode] = {}
        self._profile_ids: dict[tuple[Hazard, ...], int] = {}
        self._profile: dict[str, int] = {}
        self._lithium_ids: dict[str, set[str]] = {}
        self._flammable_ids: dict[str, set[str]] = {}
        self.pairs_examined = 0
        self._lithium_un = frozenset(self.rules.lithium_battery_un)

    # ------------------------------------------------------------------ geometry
    def _place(self, u: YardUnit) -> tuple[float, float, float, float]:
        if u.x is not None and u.y is not None:
            return (u.x, u.y, u.length_m / 2, WIDTH / 2)
        b = self.blocks.get(u.block)
        if b is None:
            raise InvalidPositionError(f"{u.id}: unknown yard block {u.block!r}", unit=u.id)
        s = u.slots
        x = b.x0 + ((s[0] + s[-1]) / 2 - 0.5) * b.bay_pitch_m
        y = b.y0 + (u.row - 0.5) * b.row_pitch_m
        return (x, y, u.length_m / 2, WIDTH / 2)

    def _grounds(self, u: YardUnit) -> list[Ground]:
        return [(u.block, s, u.row) for s in u.slots]

    def _cell_of(self, x: float, y: float) -> tuple[int, int]:
        return (math.floor(x / self.cell), math.floor(y / self.cell))

    def _validate(self, u: YardUnit) -> None:
        if u.bay < 1 or u.row < 1 or u.tier < 1:
            raise InvalidPositionError(f"{u.id}: bay, row and tier start at 1", unit=u.id)
        if u.id in self.units:
            raise InvalidPositionError(f"{u.id}: already in the yard", unit=u.id)
        for g in self._grounds(u):
            for other, tier in self._ground.get(g, {}).items():
                if tier == u.tier:
                    raise InvalidPositionError(
                        f"{u.id}: slot {g[0]} {g[1]}/{g[2]} tier {u.tier} is taken by {other}",
                        unit=u.id,
                    )

    # ------------------------------------------------------------------ public API
    def add(self, unit: YardUnit) -> MoveResult:
        """Put a unit in the yard; returns the findings that appeared or went away."""
        self._validate(unit)
        rect = self._place(unit)
        self.units[unit.id] = unit
        self._rect[unit.id] = rect
        for g in self._grounds(unit):
            self._ground.setdefault(g, {})[unit.id] = unit.tier
        self._by_block.setdefault(unit.block, set()).add(unit.id)
        self._profile[unit.id] = self._profile_ids.setdefault(unit.hazards, len(self._profile_ids))
        lithium, flammable = self._kinds(unit)
        if lithium:
            self._lithium_ids.setdefault(unit.block, set()).add(unit.id)
        elif flammable:
            self._flammable_ids.setdefault(unit.block, set()).add(unit.id)
        change = MoveResult()
        if unit.hazards:
            self._grid.setdefault(self._cell_of(rect[0], rect[1]), set()).add(unit.id)
            change.added += self._check_unit(unit)
            change.added += self._check_pairs(unit)
        for g in self._grounds(unit):
            self._merge(change, self._set_stack(g))
        if lithium or flammable:
            self._merge(change, self._set_lithium(unit.block))
        return change

    def _kinds(self, u: YardUnit) -> tuple[bool, bool]:
        """Whether a unit holds lithium batteries, or (otherwise) flammable/explosive DG."""
        if not u.hazards:
            return False, False
        lithium = any(h.un_number in self._lithium_un for h in u.hazards)
        return lithium, not lithium and self.rules.is_flammable_explosive(u.divisions())

    def remove(self, unit_id: str) -> MoveResult:
        """Take a unit out of the yard; returns the findings that went away or appeared."""
        u = self.units.pop(unit_id, None)
        if u is None:
            raise InvalidPositionError(f"{unit_id}: not in the yard", unit=unit_id)
        rect = self._rect.pop(unit_id)
        change = MoveResult()
        for g in self._grounds(u):
            self._ground[g].pop(unit_id, None)
            if not self._ground[g]:
                del self._ground[g]
        self._by_block[u.block].discard(unit_id)
        self._profile.pop(unit_id, None)
        lithium, flammable = self._kinds(u)
        self._lithium_ids.get(u.block, set()).discard(unit_id)
        self._flammable_ids.get(u.block, set()).discard(unit_id)
        if u.hazards:
            self._grid[self._cell_of(rect[0], rect[1])].discard(unit_id)
        for other in self._partners.pop(unit_id, set()):
            key = (unit_id, other) if unit_id < other else (other, unit_id)
            self._partners.get(other, set()).discard(unit_id)
            f = self._pairs.pop(key, None)
            if f is not None:
                change.removed.append(f)
        change.removed += self._unit.pop(unit_id, [])
        for g in self._grounds(u):
            self._merge(change, self._set_stack(g))
        if lithium or flammable:
            self._merge(change, self._set_lithium(u.block))
        return change

    def move(self, unit_id: str, block: str, bay: int, row: int, tier: int) -> MoveResult:
        """Move a unit to another slot and re-check; nothing changes when the target is invalid."""
        u = self.units.get(unit_id)
        if u is None:
            raise InvalidPositionError(f"{unit_id}: not in the yard", unit=unit_id)
        if block not in self.blocks:
            raise InvalidPositionError(f"{unit_id}: unknown yard block {block!r}", unit=unit_id)
        target = replace(u, block=block, bay=bay, row=row, tier=tier, x=None, y=None)
        out = self.remove(unit_id)
        try:
            back = self.add(target)
        except InvalidPositionError:
            self.add(u)
            raise
        self._merge(out, back)
        return out

    @staticmethod
    def _merge(into: MoveResult, change: MoveResult) -> None:
        """Combine changes; a finding removed and added again is neither."""
        for f in change.added:
            if f in into.removed:
                into.removed.remove(f)
            else:
                into.added.append(f)
        for f in change.removed:
            if f in into.added:
                into.added.remove(f)
            else:
                into.removed.append(f)

    def findings_keys(self) -> list[tuple[str, tuple[str, ...]]]:
        """Keys of the current findings (rule and subjects)."""
        return [(f.rule_id, f.subjects) for f in self.findings()]

    def findings(self) -> list[Finding]:
        """Every current finding, in a stable order."""
        out = list(self._pairs.values())
        for fs in self._unit.values():
            out += fs
        out += self._stack.values()
        for fs in self._lithium.values():
            out += fs
        return sorted(out, key=lambda f: (f.rule_id, f.subjects))

    def check(self) -> YardCheck:
        """The current state as a check result."""
        dg = sum(1 for u in self.units.values() if u.hazards)
        return YardCheck(self.findings(), len(self.units), dg, self.pairs_examined)

    # ------------------------------------------------------------------ rules
    def _code(self, a: YardUnit, b: YardUnit) -> PairCode:
        key = (self._profile[a.id], self._profile[b.id])
        pc = self._codes.get(key)
        if pc is None:
            pc = self._codes[key] = items_code(a.hazards, b.hazards)
        return pc

    def _check_pairs(self, u: YardUnit) -> list[Finding]:
        x, y = self._rect[u.id][:2]
        cx, cy = self._cell_of(x, y)
        out = []
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for other in self._grid.get((cx + dx, cy + dy), ()):
                    if other == u.id:
                        continue
                    f = self.pair_finding(u, self.units[other])
                    if f is not None:
                        key = (u.id, other) if u.id < other else (other, u.id)
                        self._pairs[key] = f
                        self._partners.setdefault(u.id, set()).add(other)
                        self._partners.setdefault(other, set()).add(u.id)
                        out.append(f)
        return out

    def pair_finding(self, a: YardUnit, b: YardUnit) -> Finding | None:
        """The segregation finding between two DG units, if any."""
        self.pairs_examined += 1
        if a.id > b.id:
            a, b = b, a
        pc = self._code(a, b)
        if pc.rank == 0:
            return None
        code = "2" if pc.code == "*" else pc.code
        soft = pc.code == "*" or pc.same_class
        severity = Severity.warning if soft else Severity.block
        stacked = a.block == b.block and a.row == b.row and set(a.slots) & set(b.slots)
        ra, rb = self._rect[a.id], self._rect[b.id]
        if stacked and a.x is None and b.x is None:
            if pc.rank >= 2 or a.open or b.open:
                return Finding(
                    "YARD-VERTICAL",
                    severity,
                    f"{a.id} and {b.id} in one stack ({a.block} {a.bay:02d}/{a.row:02d}) need "
                    f"code {pc.code} '{MEANING.get(pc.code, pc.code)}'",
                    cell="; ".join(pc.cells),
                    subjects=(a.id, b.id),
                    verify=pc.verify,
                )
            return None
        need = self.rules.yard_distance_m[code]
        if code == "1" and (a.open or b.open):
            need = max(need, 3.0)
        if need <= 0:
            return None
        gx = max(0.0, abs(ra[0] - rb[0]) - ra[2] - rb[2])
        gy = max(0.0, abs(ra[1] - rb[1]) - ra[3] - rb[3])
        dist = math.hypot(gx, gy)
        if dist + 1e-9 >= need:
            return None
        return Finding(
            "YARD-SEG",
            severity,
            f"{a.id} ({_label(a)}) and {b.id} ({_label(b)}) are {dist:.1f} m apart; code "
            f"{pc.code} '{MEANING.get(pc.code, pc.code)}' needs {need:g} m",
            cell="; ".join(pc.cells) + f"; yard_distance_m[{code}] = {need:g}",
            subjects=(a.id, b.id),
            verify=pc.verify,
            details={"distance_m": round(dist, 2), "required_m": need},
        )

    def _check_unit(self, u: YardUnit) -> list[Finding]:
        out = []
        r = self.rules
        for h in u.hazards:
            if h.division in r.direct_delivery_divisions or h.un_number in r.direct_delivery_un:
                out.append(
                    Finding(
                        "YARD-DIRECT",
                        Severity.block,
                        f"{u.id}: {('UN ' + h.un_number + ' ') if h.un_number else ''}class "
                        f"{h.label} must be delivered or loaded directly, not stored",
                        cell="JT 397: 1.1/1.2 explosives and ammonium nitrate 直装直取",
                        subjects=(u.id,),
                    )
                )
            limit = r.storage_limit_hours(h.division)
            if limit is not None and self.now_ms is not None and u.in_ms is not None:
                stay_h = (self.now_ms - u.in_ms) / 3_600_000
                if stay_h > limit:
                    out.append(
                        Finding(
                            "YARD-DWELL",
                            Severity.block if limit == 0 else Severity.warning,
                            f"{u.id}: class {h.label} stored {stay_h:.1f} h; limit {limit:g} h",
                            cell=f"storage_time_limits_hours[{h.division}] = {limit:g}",
                            subjects=(u.id,),
                        )
                    )
        if out:
            self._unit[u.id] = out
        return out

    def _set_stack(self, g: Ground) -> MoveResult:
        old = self._stack.pop(g, None)
        new = self._stack_finding(g)
        if new is not None:
            self._stack[g] = new
        change = MoveResult()
        if new is not None and new != old:
            change.added.append(new)
        if old is not None and old != new:
            change.removed.append(old)
        return change

    def _stack_finding(self, g: Ground) -> Finding | None:
        members = self._ground.get(g)
        if not members:
            return None
        dg = [self.units[i] for i in members if self.units[i].hazards]
        if not dg:
            return None
        flam = any(self.rules.is_flammable_explosive(u.divisions()) for u in dg)
        limit = self.rules.stack_limit_flammable_explosive if flam else self.rules.stack_limit_other
        height = max(members.values())
        if height <= limit:
            return None
        kind = "flammable/explosive" if flam else "other"
        return Finding(
            "YARD-STACK",
            Severity.block,
            f"stack {g[0]} slot {g[1]} row {g[2]} is {height} tiers high with {kind} DG; "
            f"limit {limit}",
            cell=f"JT 397 stack height: {kind} DG ≤ {limit} tiers",
            subjects=tuple(sorted(u.id for u in dg)),
        )

    def _set_lithium(self, block: str) -> MoveResult:
        before = self._lithium.pop(block, [])
        found = self._lithium_findings(block)
        if found:
            self._lithium[block] = found
        return MoveResult(
            added=[f for f in found if f not in before],
            removed=[f for f in before if f not in found],
        )

    def _lithium_findings(self, block: str) -> list[Finding]:
        li = sorted(self._lithium_ids.get(block, ()))
        fe = self._flammable_ids.get(block, set())
        if not li or not fe:
            return []
        return [
            Finding(
                "YARD-LITHIUM",
                Severity.warning,
                f"{i}: lithium batteries in block {block} with flammable/explosive DG "
                f"(e.g. {min(fe)})",
                cell="JT 397: lithium battery containers not in the same stacking area",
                subjects=(i,),
            )
            for i in li
        ]


def _label(u: YardUnit) -> str:
    return ", ".join(
        (f"UN {h.un_number} " if h.un_number else "") + f"class {h.label}" for h in u.hazards
    )


def check_yard(
    units: Iterable[YardUnit],
    blocks: Iterable[YardBlock] = (),
    rules: PortRules | None = None,
    now_ms: int | None = None,
) -> YardCheck:
    """Every finding of a yard (built unit by unit through :class:`YardState`)."""
    state = YardState(blocks, rules, now_ms)
    for u in units:
        state.add(u)
    return state.check()


def check_yard_naive(
    units: Iterable[YardUnit],
    blocks: Iterable[YardBlock] = (),
    rules: PortRules | None = None,
    now_ms: int | None = None,
) -> YardCheck:
    """Segregation findings by comparing every pair of DG units (reference implementation)."""
    state = YardState(blocks, rules, now_ms)
    state.cell = 1e12  # one grid cell: every DG unit is every other's neighbour
    for u in units:
        state.add(u)
    return state.check()
