"""Companies: unified social credit code, fleet, permits (every write audited)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Connection, Engine, insert, or_, select, update

from seawarden.db.engine import audit, now_ms
from seawarden.registry.schemas import CompanyIn, CompanyStatus, PermitIn, PermitRevocationIn
from seawarden.registry.scope import (
    NotFoundError,
    RegistryError,
    check_write,
    child_row,
    insert_id,
    scoped,
)
from seawarden.registry.tables import companies, company_permits, ships
from seawarden.security.actor import Actor


def find_company(conn: Connection, actor: Actor, ref: str) -> dict[str, Any] | None:
    """The company with this id, unified social credit code or IMO company number."""
    ref = ref.strip()
    cond = or_(
        companies.c.id == ref,
        companies.c.uscc == ref.upper(),
        companies.c.imo_company_no == ref,
    )
    rows = conn.execute(scoped(select(companies).where(cond), companies, actor)).mappings().all()
    if len(rows) > 1:
        raise RegistryError("ambiguous", f"{ref!r} names several companies")
    return dict(rows[0]) if rows else None


def require_company(conn: Connection, actor: Actor, ref: str) -> dict[str, Any]:
    """Like :func:`find_company`, raising :class:`NotFoundError` when there is none."""
    found = find_company(conn, actor, ref)
    if found is None:
        raise NotFoundError("company", ref)
    return found


def company_id(conn: Connection, actor: Actor, ref: str | None) -> str | None:
    """The id of a referenced company (``None`` for no reference); unknown raises NotFoundError."""
    if ref is None:
        return None
    return str(require_company(conn, actor, ref)["id"])


def company_values(data: CompanyIn, organisation: str) -> dict[str, Any]:
    """The table row of a validated company (a new id unless it has one)."""
    t = now_ms()
    return {
        "id": data.id or str(uuid.uuid4()),
        "organisation": organisation,
        "name": data.name,
        "uscc": data.uscc,
        "imo_company_no": data.imo_company_no,
        "kind": data.kind,
        "address": data.address,
        "ism_performance": data.ism_performance.value if data.ism_performance else None,
        "status": "active",
        "created_ms": t,
        "updated_ms": t,
    }


def _taken(conn: Connection, data: CompanyIn) -> str | None:
    for col, value in (("uscc", data.uscc), ("imo_company_no", data.imo_company_no)):
        if value and conn.execute(select(companies.c.id).where(companies.c[col] == value)).first():
            return f"{col} {value} is already registered"
    return None


def create_company(engine: Engine, actor: Actor, data: CompanyIn) -> str:
    """Register a company; returns its id."""
    org = check_write(actor, data.organisation)
    with engine.begin() as conn:
        taken = _taken(conn, data)
        if taken:
            raise RegistryError("exists", taken)
        values = company_values(data, org)
        conn.execute(insert(companies).values(**values))
        audit(
            conn,
            actor,
            "company.create",
            "company",
            values["id"],
            {"name": data.name},
            org,
        )
    return str(values["id"])


#: Company fields a change may touch (the unified social credit code never changes).
EDITABLE = ("name", "imo_company_no", "kind", "address", "ism_performance", "status")


def update_company(
    engine: Engine, actor: Actor, ref: str, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change a company's particulars; returns the changed fields with old and new values.

    Name, IMO company number, kind, address, ISM performance and status may change; the
    unified social credit code identifies the company and is refused if it differs. An IMO
    company number held by another company is refused (``exists``).
    """
    with engine.begin() as conn:
        old = require_company(conn, actor, ref)
        check_write(actor, old["organisation"])
        unknown = sorted(set(changes) - set(EDITABLE) - {"uscc"})
        if unknown:
            raise RegistryError("invalid", f"not a changeable company field: {', '.join(unknown)}")
        if "uscc" in changes and (changes["uscc"] or None) != old["uscc"]:
            raise RegistryError("invalid", "the unified social credit code cannot be changed")
        status = CompanyStatus(changes.get("status", old["status"])).value
        given = {k: v for k, v in changes.items() if k not in ("uscc", "status")}
        merged = CompanyIn.model_validate(
            {**old, **given, "uscc": old["uscc"], "organisation": old["organisation"]}
        )
        new = {**company_values(merged, old["organisation"]), "status": status}
        diff = {k: {"old": old[k], "new": new[k]} for k in EDITABLE if old[k] != new[k]}
        if "imo_company_no" in diff and new["imo_company_no"]:
            holder = conn.execute(
                select(companies.c.id).where(
                    companies.c.imo_company_no == new["imo_company_no"],
                    companies.c.id != old["id"],
                )
            ).first()
            if holder:
                raise RegistryError(
                    "exists", f"imo_company_no {new['imo_company_no']} is already registered"
                )
        if diff:
            conn.execute(
                update(companies)
                .where(companies.c.id == old["id"])
                .values(**{k: v["new"] for k, v in diff.items()}, updated_ms=now_ms())
            )
            audit(
                conn,
                actor,
                "company.update",
                "company",
                old["id"],
                diff,
                old["organisation"],
            )
    return diff


def get_company(engine: Engine, actor: Actor, ref: str) -> dict[str, Any]:
    """One company by id, USCC or IMO company number."""
    with engine.connect() as conn:
        return require_company(conn, actor, ref)


def list_companies(engine: Engine, actor: Actor) -> list[dict[str, Any]]:
    """Every company within the actor's scope, by name."""
    stmt = scoped(select(companies).order_by(companies.c.name), companies, actor)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def fleet(engine: Engine, actor: Actor, ref: str) -> list[dict[str, Any]]:
    """Ships the company owns, operates or manages (ISM), with its roles for each."""
    with engine.connect() as conn:
        found = require_company(conn, actor, ref)
        cid = found["id"]
        stmt = scoped(
            select(ships).where(
                or_(
                    ships.c.owner_id == cid,
                    ships.c.operator_id == cid,
                    ships.c.ism_company_id == cid,
                )
            ),
            ships,
            actor,
        ).order_by(ships.c.name)
        out = []
        for r in conn.execute(stmt).mappings():
            roles = [
                role
                for role, col in (
                    ("owner", "owner_id"),
                    ("operator", "operator_id"),
                    ("ism", "ism_company_id"),
                )
                if r[col] == cid
            ]
            out.append({**dict(r), "roles": roles})
    return out


def add_permit(engine: Engine, actor: Actor, ref: str, data: PermitIn) -> int:
    """Record a permit of a company; returns its id."""
    with engine.begin() as conn:
        found = require_company(conn, actor, ref)
        org = check_write(actor, found["organisation"])
        values = {"company_id": found["id"], "organisation": org, **data.model_dump()}
        pid = insert_id(conn, insert(company_permits).values(**values))
        audit(
            conn,
            actor,
            "permit.create",
            "company_permit",
            str(pid),
            data.model_dump(mode="json"),
            org,
        )
    return pid


def permit_state(permit: dict[str, Any], on: dt.date) -> str:
    """``revoked``, ``expired``, ``pending`` (not yet valid) or ``valid`` on a date."""
    if permit.get("revoked_on") is not None and permit["revoked_on"] <= on:
        return "revoked"
    if permit.get("valid_to") is not None and permit["valid_to"] < on:
        return "expired"
    if permit.get("valid_from") is not None and permit["valid_from"] > on:
        return "pending"
    return "valid"


def revoke_permit(
    engine: Engine, actor: Actor, ref: str, permit_id: int, data: PermitRevocationIn
) -> dict[str, Any]:
    """Revoke a company permit from ``data.on_date``, with a reason; returns the permit.

    The permit stays in the company's history with its revocation; from that day it is no
    longer valid. A permit is revoked once; the day may not precede its validity.
    """
    with engine.begin() as conn:
        found = require_company(conn, actor, ref)
        org = check_write(actor, found["organisation"])
        row = child_row(
            conn, company_permits, permit_id, company_permits.c.company_id, found["id"], "permit"
        )
        if row["revoked_on"] is not None:
            raise RegistryError("invalid", f"the permit was revoked on {row['revoked_on']}")
        if row["valid_from"] is not None and data.on_date < row["valid_from"]:
            raise RegistryError(
                "invalid",
                f"the revocation date is before the permit's validity ({row['valid_from']})",
            )
        values = {"revoked_on": data.on_date, "revoke_reason": data.reason}
        conn.execute(
            update(company_permits).where(company_permits.c.id == permit_id).values(**values)
        )
        audit(
            conn,
            actor,
            "permit.revoke",
            "company_permit",
            str(permit_id),
            {"number": row["number"], "on_date": data.on_date.isoformat(), "reason": data.reason},
            org,
        )
    out = {**dict(row), **values}
    return {**out, "state": permit_state(out, dt.date.today())}


def permits(engine: Engine, actor: Actor, ref: str) -> list[dict[str, Any]]:
    """A company's permits, latest first, each with its ``state`` today (revoked ones too)."""
    with engine.connect() as conn:
        found = require_company(conn, actor, ref)
        stmt = scoped(
            select(company_permits).where(company_permits.c.company_id == found["id"]),
            company_permits,
            actor,
        ).order_by(company_permits.c.valid_from.desc(), company_permits.c.id.desc())
        today = dt.date.today()
        return [
            {**dict(r), "state": permit_state(dict(r), today)}
            for r in conn.execute(stmt).mappings()
        ]
