"""Credit events from the register: detentions, penalties, accidents, violations, crew points.

Each register record becomes at most one ledger event per subject (its ``source`` names the
record), so feeding again adds only what is new. A detention also counts against the
ship's ISM company.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select

from seawarden.credit.ledger import CreditEventIn, SubjectKind, insert_event, ruleset
from seawarden.credit.tables import events
from seawarden.registry.scope import scoped
from seawarden.registry.tables import companies, crew_penalties, crews, ship_events, ships
from seawarden.security.actor import Actor

ACCIDENT_KINDS = {"minor", "general", "major", "serious"}


@dataclass(frozen=True)
class Derived:
    """A ledger event derived from a register record."""

    subject_kind: SubjectKind
    subject_id: str
    organisation: str
    kind: str
    on_date: dt.date
    source: str
    points: float | None = None
    legal_basis: str | None = None


def derive(
    ship_event: dict[str, Any], ism_company: str | None, company_org: str | None
) -> list[Derived]:
    """The credit events one ship event gives (pure)."""
    e = ship_event
    src = f"ship_event:{e['id']}"
    detail = e.get("detail") or {}
    out: list[Derived] = []
    ship = (SubjectKind.ship, e["ship_id"], e["organisation"])
    if e["kind"] == "inspection" and e.get("detained"):
        out.append(Derived(*ship, "detention", e["on_date"], src))
        if ism_company and company_org:
            out.append(
                Derived(
                    SubjectKind.company, ism_company, company_org, "detention", e["on_date"], src
                )
            )
    elif e["kind"] == "penalty":
        out.append(
            Derived(
                *ship,
                str(detail.get("credit_kind", "administrative_penalty")),
                e["on_date"],
                src,
                None,
                e.get("legal_basis"),
            )
        )
    elif e["kind"] == "accident":
        severity = str(detail.get("severity", "general"))
        if detail.get("liable", True):
            out.append(
                Derived(
                    *ship,
                    f"accident_{severity if severity in ACCIDENT_KINDS else 'general'}",
                    e["on_date"],
                    src,
                )
            )
    elif e["kind"] == "violation":
        out.append(
            Derived(
                *ship,
                str(detail.get("credit_kind", "administrative_penalty")),
                e["on_date"],
                src,
                None,
                e.get("legal_basis"),
            )
        )
    return out


def feed(engine: Engine, actor: Actor, since: dt.date | None = None) -> int:
    """Record the credit events of register records not yet in the ledger; returns how many."""
    added = 0
    with engine.begin() as conn:
        rules = ruleset(conn)
        known = {
            (r.subject_kind, r.subject_id, r.source)
            for r in conn.execute(
                select(events.c.subject_kind, events.c.subject_id, events.c.source)
            )
        }
        stmt = scoped(
            select(
                ship_events, ships.c.ism_company_id, companies.c.organisation.label("company_org")
            )
            .join(ships, ships.c.id == ship_events.c.ship_id)
            .outerjoin(companies, companies.c.id == ships.c.ism_company_id)
            .where(ship_events.c.kind.in_(["inspection", "penalty", "accident", "violation"])),
            ship_events,
            actor,
        )
        if since is not None:
            stmt = stmt.where(ship_events.c.on_date >= since)
        derived: list[Derived] = []
        for r in conn.execute(stmt.order_by(ship_events.c.id)).mappings():
            company_org = (
                r["company_org"] if r["company_org"] and actor.can_see(r["company_org"]) else None
            )
            derived.extend(derive(dict(r), r["ism_company_id"], company_org))
        pstmt = scoped(
            select(crew_penalties, crews.c.organisation.label("crew_org")).join(
                crews, crews.c.id == crew_penalties.c.crew_id
            ),
            crew_penalties,
            actor,
        )
        if since is not None:
            pstmt = pstmt.where(crew_penalties.c.on_date >= since)
        for p in conn.execute(pstmt.order_by(crew_penalties.c.id)).mappings():
            derived.append(
                Derived(
                    SubjectKind.crew,
                    p["crew_id"],
                    p["crew_org"],
                    "crew_penalty_points",
                    p["on_date"],
                    f"crew_penalty:{p['id']}",
                    -float(p["points"]),
                    p["legal_basis"],
                )
            )
        for d in derived:
            if (d.subject_kind.value, d.subject_id, d.source) in known:
                continue
            data = CreditEventIn(
                subject_kind=d.subject_kind,
                subject=d.subject_id,
                kind=d.kind,
                on_date=d.on_date,
                points=d.points,
                legal_basis=d.legal_basis,
                source=d.source,
            )
            if d.kind not in rules.events and (d.points is None or not d.legal_basis):
                data = data.model_copy(update={"kind": "administrative_penalty"})
            insert_event(
                conn,
                actor,
                data,
                d.subject_kind,
                {"id": d.subject_id, "organisation": d.organisation},
                rules,
            )
            known.add((d.subject_kind.value, d.subject_id, d.source))
            added += 1
    return added
