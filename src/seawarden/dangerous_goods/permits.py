"""Permit checks: licence and annex scope (作业附证), validity, capacity, tanks, staff, lead time.

Pure functions over plain records; the declaration service loads the records and calls them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from seawarden.dangerous_goods.classes import Hazard, class_of
from seawarden.dangerous_goods.findings import Finding, Severity
from seawarden.dangerous_goods.portrules import PortRules
from seawarden.dangerous_goods.segregation import MEANING, items_code


class OperationMode(StrEnum):
    """Operation modes of a licence annex and a declaration."""

    loading = "loading"
    discharging = "discharging"
    lightering = "lightering"
    storage = "storage"
    stuffing = "stuffing"
    pipeline = "pipeline"


def day(ms: int | None) -> str:
    """UTC date of epoch milliseconds (``-`` for none)."""
    if ms is None:
        return "-"
    return dt.datetime.fromtimestamp(ms / 1000, dt.UTC).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class ScopeEntry:
    """One annex row of a port operating licence."""

    annex_id: int
    licence_no: str
    site_kind: str
    site_id: int | None
    un_numbers: tuple[str, ...]
    classes: tuple[str, ...]
    modes: tuple[str, ...]
    max_quantity_t: float | None
    valid_from_ms: int
    valid_to_ms: int
    licence_valid_from_ms: int
    licence_valid_to_ms: int
    licence_active: bool = True

    def covers_goods(self, h: Hazard) -> bool:
        """Whether the annex names the UN number, division or class."""
        return (
            h.un_number in self.un_numbers
            or h.division in self.classes
            or class_of(h.division) in self.classes
        )

    def covers_site(self, site_kind: str, site_id: int | None) -> bool:
        """Whether the annex covers the site (an annex without a site covers every site)."""
        return self.site_id is None or (self.site_kind == site_kind and self.site_id == site_id)

    def valid_at(self, at_ms: int) -> bool:
        """Whether annex and licence are valid at a time."""
        return (
            self.licence_active
            and self.valid_from_ms <= at_ms <= self.valid_to_ms
            and self.licence_valid_from_ms <= at_ms <= self.licence_valid_to_ms
        )


def check_scope(
    scopes: Iterable[ScopeEntry],
    goods: Hazard,
    mode: str,
    site_kind: str,
    site_id: int | None,
    start_ms: int,
    end_ms: int,
    quantity_t: float,
) -> list[Finding]:
    """Whether a licence annex covers the goods, mode and site for the whole operation."""
    scopes = list(scopes)
    what = f"UN {goods.un_number}" if goods.un_number else f"class {goods.label}"
    site = f"{site_kind} {site_id}"
    if not scopes:
        return [
            Finding(
                "PERMIT-SCOPE",
                Severity.block,
                "no port operating licence on record",
                subjects=(what,),
            )
        ]
    at_site = [s for s in scopes if s.covers_site(site_kind, site_id)]
    if not at_site:
        return [
            Finding(
                "PERMIT-SCOPE",
                Severity.block,
                f"{site} is not in any licence annex",
                subjects=(what,),
            )
        ]
    with_mode = [s for s in at_site if mode in s.modes]
    if not with_mode:
        return [
            Finding(
                "PERMIT-SCOPE",
                Severity.block,
                f"operation mode {mode} is not licensed at {site}",
                cell="annexes " + ", ".join(str(s.annex_id) for s in at_site),
                subjects=(what,),
            )
        ]
    covering = [s for s in with_mode if s.covers_goods(goods)]
    if not covering:
        return [
            Finding(
                "PERMIT-SCOPE",
                Severity.block,
                f"{what} (class {goods.label}) is outside the annex scope for {mode} at {site}",
                cell="annexes " + ", ".join(str(s.annex_id) for s in with_mode),
                subjects=(what,),
            )
        ]
    valid = [s for s in covering if s.valid_at(start_ms) and s.valid_at(end_ms)]
    if not valid:
        s = covering[0]
        return [
            Finding(
                "PERMIT-VALIDITY",
                Severity.block,
                f"licence {s.licence_no} annex {s.annex_id} is not valid for the whole operation "
                f"({day(start_ms)} to {day(end_ms)}; annex {day(s.valid_from_ms)} to "
                f"{day(s.valid_to_ms)}, licence {day(s.licence_valid_from_ms)} to "
                f"{day(s.licence_valid_to_ms)})",
                cell=f"annex {s.annex_id}",
                subjects=(what,),
            )
        ]
    limits = [s.max_quantity_t for s in valid if s.max_quantity_t is not None]
    if limits and len(limits) == len(valid) and quantity_t > max(limits):
        return [
            Finding(
                "PERMIT-CAPACITY",
                Severity.block,
                f"{what}: {quantity_t:g} t exceeds the annex maximum {max(limits):g} t",
                cell="annex max_quantity_t",
                subjects=(what,),
            )
        ]
    return []


def check_capacity(
    unit_name: str, capacity_t: float | None, stock_t: float, add_t: float
) -> list[Finding]:
    """Whether stock plus an inbound quantity stays within a unit's design capacity."""
    if capacity_t is None or stock_t + add_t <= capacity_t + 1e-9:
        return []
    return [
        Finding(
            "PERMIT-CAPACITY",
            Severity.block,
            f"{unit_name}: {stock_t:g} t in stock + {add_t:g} t declared exceeds the design "
            f"capacity {capacity_t:g} t",
            cell="design capacity (2024 判定标准 1.6)",
            subjects=(unit_name,),
        )
    ]


def check_tank(tank_name: str, permitted_un: Iterable[str], goods: Hazard) -> list[Finding]:
    """Whether a tank is permitted to hold the goods."""
    permitted = set(permitted_un)
    if goods.un_number in permitted:
        return []
    return [
        Finding(
            "PERMIT-TANK",
            Severity.block,
            f"{tank_name}: UN {goods.un_number or '?'} is not among its permitted substances "
            f"({', '.join(sorted(permitted)) or 'none'})",
            subjects=(tank_name,),
        )
    ]


@dataclass(frozen=True)
class StaffQualification:
    """A person named for an operation and their qualifications' expiry dates."""

    name: str
    valid_to_ms: tuple[int, ...]


def check_staff(staff: Iterable[StaffQualification], start_ms: int, end_ms: int) -> list[Finding]:
    """Whether every named person holds a qualification valid through the operation."""
    out = []
    for p in staff:
        if not any(v >= end_ms for v in p.valid_to_ms):
            last = max(p.valid_to_ms) if p.valid_to_ms else None
            out.append(
                Finding(
                    "PERMIT-STAFF",
                    Severity.block,
                    f"{p.name}: no qualification valid to {day(end_ms)}"
                    + (f" (latest expires {day(last)})" if last else " (none on record)"),
                    subjects=(p.name,),
                )
            )
    return out


def check_lead_time(submitted_ms: int, start_ms: int, rules: PortRules) -> list[Finding]:
    """Whether a declaration came at least the port's lead time before the operation."""
    lead_h = (start_ms - submitted_ms) / 3_600_000
    if lead_h >= rules.declaration_lead_hours:
        return []
    sev = Severity.block if rules.late_declaration == "block" else Severity.warning
    return [
        Finding(
            "DECL-LEAD-TIME",
            sev,
            f"declared {lead_h:.1f} h before the operation; the port requires "
            f"{rules.declaration_lead_hours:g} h",
            cell=f"declaration_lead_hours = {rules.declaration_lead_hours:g}",
        )
    ]


def check_stock(
    unit_name: str,
    unit_kind: str,
    goods: Hazard,
    stock: Iterable[Hazard],
    mode: str,
    rules: PortRules,
) -> list[Finding]:
    """Declared goods against a storage unit's stock and the JT 397 storage rules."""
    out = []
    what = f"UN {goods.un_number}" if goods.un_number else f"class {goods.label}"
    if mode == OperationMode.storage and (
        goods.division in rules.direct_delivery_divisions
        or goods.un_number in rules.direct_delivery_un
    ):
        out.append(
            Finding(
                "DECL-DIRECT",
                Severity.block,
                f"{what} (class {goods.label}) may not be stored in {unit_name}: "
                "direct delivery only",
                cell="JT 397 直装直取",
                subjects=(what,),
            )
        )
    seen: set[Hazard] = set()
    for other in stock:
        if other in seen or other == goods:
            continue
        seen.add(other)
        pc = items_code((goods,), (other,))
        if pc.rank == 0:
            continue
        if unit_kind == "warehouse":
            sev = (
                Severity.block
                if pc.rank >= 3
                else Severity.warning
                if pc.rank == 2
                else Severity.info
            )
        else:
            sev = Severity.warning if pc.rank >= 2 else Severity.info
        other_what = f"UN {other.un_number}" if other.un_number else f"class {other.label}"
        out.append(
            Finding(
                "DECL-SEGREGATION",
                sev,
                f"{what} (class {goods.label}) into {unit_kind} {unit_name} holding {other_what} "
                f"(class {other.label}): code {pc.code} '{MEANING.get(pc.code, pc.code)}'",
                cell="; ".join(pc.cells),
                subjects=(what, other_what),
                verify=pc.verify,
            )
        )
    return out
