"""The automatic comparison of a declaration with permits, capacity, stock and segregation.

:func:`compare` reads what it needs through the connection it is given and returns the
findings; :func:`~seawarden.dangerous_goods.findings.outcome` turns them into pass/warn/block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from seawarden.dangerous_goods import tables as t
from seawarden.dangerous_goods.cargo import stock, unit_and_children
from seawarden.dangerous_goods.classes import Hazard
from seawarden.dangerous_goods.dglist import hazard_of
from seawarden.dangerous_goods.findings import Finding, Severity
from seawarden.dangerous_goods.hazard import HazardItem, assess
from seawarden.dangerous_goods.permits import (
    OperationMode,
    ScopeEntry,
    StaffQualification,
    check_capacity,
    check_lead_time,
    check_scope,
    check_staff,
    check_stock,
    check_tank,
)
from seawarden.dangerous_goods.portrules import PortRules

INBOUND = (OperationMode.discharging, OperationMode.storage, OperationMode.lightering)


@dataclass(frozen=True)
class LineIn:
    """A declared goods line (validated)."""

    un_number: str
    quantity_t: float
    hazard_class: str = ""
    packing_group: str = ""


def scope_entries(conn: Connection, company_id: int) -> list[ScopeEntry]:
    """Every annex of a company's licences."""
    q = (
        select(
            t.licence_annexes,
            t.licences.c.number,
            t.licences.c.valid_from_ms.label("lf"),
            t.licences.c.valid_to_ms.label("lt"),
            t.licences.c.status,
        )
        .join(t.licences, t.licences.c.id == t.licence_annexes.c.licence_id)
        .where(t.licences.c.company_id == company_id)
    )
    out = []
    for r in conn.execute(q).mappings().all():
        out.append(
            ScopeEntry(
                annex_id=r["id"],
                licence_no=r["number"],
                site_kind=r["site_kind"] or "",
                site_id=r["site_id"],
                un_numbers=tuple(r["un_numbers"]),
                classes=tuple(r["classes"]),
                modes=tuple(r["modes"]),
                max_quantity_t=r["max_quantity_t"],
                valid_from_ms=r["valid_from_ms"],
                valid_to_ms=r["valid_to_ms"],
                licence_valid_from_ms=r["lf"],
                licence_valid_to_ms=r["lt"],
                licence_active=r["status"] == "active",
            )
        )
    return out


def site_of(mode: str, berth_id: int | None, unit_id: int | None) -> tuple[str, int | None]:
    """Where an operation happens for the annex scope: the unit for storage, else the berth."""
    if mode in (OperationMode.storage, OperationMode.stuffing) and unit_id is not None:
        return "storage_unit", unit_id
    if berth_id is not None:
        return "berth", berth_id
    return "storage_unit", unit_id


def _staff(conn: Connection, company_id: int, person_ids: list[int]) -> list[StaffQualification]:
    out = []
    for pid in person_ids:
        person = (
            conn.execute(
                select(t.personnel).where(
                    t.personnel.c.id == pid, t.personnel.c.company_id == company_id
                )
            )
            .mappings()
            .first()
        )
        name = person["name"] if person else f"person {pid} (not on the company's staff)"
        valid = (
            conn.execute(
                select(t.qualifications.c.valid_to_ms).where(t.qualifications.c.personnel_id == pid)
            )
            .scalars()
            .all()
            if person
            else []
        )
        out.append(StaffQualification(name, tuple(valid)))
    return out


def _unit_checks(
    conn: Connection,
    unit: dict[str, Any],
    mode: str,
    goods: list[tuple[Hazard, LineIn]],
    rules: PortRules,
) -> list[Finding]:
    out: list[Finding] = []
    ids = unit_and_children(conn, unit["id"])
    held = stock(conn, ids)
    total_in = sum(line.quantity_t for _, line in goods)
    if mode in INBOUND:
        out += check_capacity(unit["name"], unit["capacity_t"], sum(held.values()), total_in)
        if unit["kind"] == "tank":
            permitted = (
                conn.execute(
                    select(t.unit_substances.c.un_number).where(
                        t.unit_substances.c.storage_unit_id == unit["id"]
                    )
                )
                .scalars()
                .all()
            )
            for h, _ in goods:
                out += check_tank(unit["name"], [p for p in permitted if p], h)
    elif mode == OperationMode.loading:
        for h, line in goods:
            if held.get(h.un_number, 0.0) + 1e-9 < line.quantity_t:
                out.append(
                    Finding(
                        "DECL-STOCK",
                        Severity.warning,
                        f"UN {h.un_number}: {line.quantity_t:g} t to load, "
                        f"{held.get(h.un_number, 0.0):g} t in "
                        f"{unit['name']}",
                        subjects=(f"UN {h.un_number}",),
                    )
                )
    stock_hazards = [hazard_of(un)[0] for un in held]
    for h, _ in goods:
        out += check_stock(unit["name"], unit["kind"], h, stock_hazards, mode, rules)
    return out


def _hazard_source(conn: Connection, unit: dict[str, Any]) -> list[Finding]:
    unit_id = unit["parent_id"] or unit["id"]
    subs = (
        conn.execute(
            select(t.unit_substances).where(
                t.unit_substances.c.storage_unit_id.in_(unit_and_children(conn, unit_id))
            )
        )
        .mappings()
        .all()
    )
    if not subs:
        return []
    top = (
        conn.execute(select(t.storage_units).where(t.storage_units.c.id == unit_id))
        .mappings()
        .one()
    )
    items = [
        HazardItem(s["un_number"] or s["substance"], s["max_quantity_t"], tuple(s["categories"]))
        for s in subs
    ]
    try:
        result = assess(items, int(top["people_within_500m"]))
    except Exception:
        return [
            Finding(
                "DECL-HAZARD-SOURCE",
                Severity.warning,
                f"{top['name']}: GB 18218 assessment not possible",
            )
        ]
    if not result.is_major_hazard:
        return []
    filed = conn.execute(
        select(t.hazard_sources.c.id).where(
            t.hazard_sources.c.storage_unit_id == unit_id, t.hazard_sources.c.state == "filed"
        )
    ).first()
    if filed:
        return [
            Finding(
                "DECL-HAZARD-SOURCE",
                Severity.info,
                f"{top['name']}: filed major hazard source, grade {result.grade}",
            )
        ]
    return [
        Finding(
            "DECL-HAZARD-SOURCE",
            Severity.warning,
            f"{top['name']}: a major hazard source "
            f"(S = {round(result.S, 3):g}, grade {result.grade}) "
            "that is not filed",
            cell="2024 判定标准 5.6",
        )
    ]


def compare(
    conn: Connection,
    terminal: dict[str, Any],
    mode: str,
    berth_id: int | None,
    unit: dict[str, Any] | None,
    lines: list[LineIn],
    personnel: list[int],
    start_ms: int,
    end_ms: int,
    submitted_ms: int,
    rules: PortRules,
) -> list[Finding]:
    """Every finding of the automatic comparison for one declaration."""
    findings: list[Finding] = list(check_lead_time(submitted_ms, start_ms, rules))
    goods: list[tuple[Hazard, LineIn]] = []
    for line in lines:
        h, notes = hazard_of(line.un_number, line.hazard_class, (), line.packing_group)
        goods.append((h, line))
        for n in notes:
            findings.append(
                Finding("DECL-DATA", Severity.warning, n, subjects=(f"UN {h.un_number}",))
            )
    scopes = scope_entries(conn, terminal["company_id"])
    site_kind, site_id = site_of(mode, berth_id, unit["id"] if unit else None)
    for h, line in goods:
        findings += check_scope(
            scopes, h, mode, site_kind, site_id, start_ms, end_ms, line.quantity_t
        )
    if unit is not None:
        findings += _unit_checks(conn, unit, mode, goods, rules)
        findings += _hazard_source(conn, unit)
    findings += check_staff(_staff(conn, terminal["company_id"], personnel), start_ms, end_ms)
    return findings
