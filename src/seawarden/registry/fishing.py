"""Fishing licences (gear, area, period) and catch quotas of fishing vessels."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert, select, update

from seawarden.db.engine import audit
from seawarden.registry.schemas import LicenceChange, LicenceIn, QuotaChangeIn, QuotaIn
from seawarden.registry.scope import (
    NotFoundError,
    RegistryError,
    check_write,
    insert_id,
    scoped,
    scoped_row,
)
from seawarden.registry.ships import require_ship
from seawarden.registry.tables import fishing_licences, fishing_quotas, ships
from seawarden.security.actor import Actor


def add_licence(engine: Engine, actor: Actor, ref: str, data: LicenceIn) -> int:
    """Record a fishing licence of a fishing vessel; returns its id."""
    with engine.begin() as conn:
        ship = require_ship(conn, actor, ref)
        org = check_write(actor, ship["organisation"])
        if ship["ship_type"] != "fishing_vessel" and not ship["fishing_no"]:
            raise RegistryError("invalid", "fishing licences are for fishing vessels")
        taken = conn.execute(
            select(fishing_licences.c.id).where(
                fishing_licences.c.ship_id == ship["id"], fishing_licences.c.number == data.number
            )
        ).first()
        if taken:
            raise RegistryError("exists", f"licence {data.number} is already recorded for the ship")
        lid = insert_id(
            conn,
            insert(fishing_licences).values(
                ship_id=ship["id"], organisation=org, **data.model_dump()
            ),
        )
        audit(
            conn,
            actor,
            "fishing.licence",
            "fishing_licence",
            str(lid),
            data.model_dump(mode="json"),
            org,
        )
    return lid


def update_licence(
    engine: Engine, actor: Actor, licence_id: int, data: LicenceChange
) -> dict[str, Any]:
    """Change a licence's gear, area or period; returns the changed fields (old and new)."""
    with engine.begin() as conn:
        row = scoped_row(conn, fishing_licences, licence_id, actor, "fishing licence")
        org = check_write(actor, row["organisation"])
        given = data.model_dump(exclude_none=True)
        merged = LicenceIn.model_validate({**dict(row), **given})
        diff = {
            k: {"old": row[k], "new": getattr(merged, k)}
            for k in given
            if row[k] != getattr(merged, k)
        }
        if diff:
            conn.execute(
                update(fishing_licences)
                .where(fishing_licences.c.id == licence_id)
                .values(**{k: v["new"] for k, v in diff.items()})
            )
            audit(
                conn,
                actor,
                "fishing.licence_change",
                "fishing_licence",
                str(licence_id),
                {k: {"old": str(v["old"]), "new": str(v["new"])} for k, v in diff.items()},
                org,
            )
    return diff


def add_quota(engine: Engine, actor: Actor, ref: str, data: QuotaIn) -> int:
    """Record a catch quota of a fishing vessel; returns its id."""
    with engine.begin() as conn:
        ship = require_ship(conn, actor, ref)
        org = check_write(actor, ship["organisation"])
        if ship["ship_type"] != "fishing_vessel" and not ship["fishing_no"]:
            raise RegistryError("invalid", "catch quotas are for fishing vessels")
        licence_id = None
        if data.licence:
            licence_id = conn.execute(
                select(fishing_licences.c.id).where(
                    fishing_licences.c.ship_id == ship["id"],
                    fishing_licences.c.number == data.licence,
                )
            ).scalar()
            if licence_id is None:
                raise NotFoundError("fishing licence", data.licence)
        values = data.model_dump(exclude={"licence"})
        qid = insert_id(
            conn,
            insert(fishing_quotas).values(
                ship_id=ship["id"], licence_id=licence_id, organisation=org, **values
            ),
        )
        audit(
            conn,
            actor,
            "fishing.quota",
            "fishing_quota",
            str(qid),
            data.model_dump(mode="json"),
            org,
        )
    return qid


def record_catch(engine: Engine, actor: Actor, quota_id: int, tonnes: float) -> dict[str, Any]:
    """Add a landed catch to a quota; returns the quota with ``remaining_t``."""
    if not tonnes >= 0:
        raise RegistryError("invalid", "a catch is a non-negative number of tonnes")
    with engine.begin() as conn:
        row = scoped_row(conn, fishing_quotas, quota_id, actor, "quota")
        org = check_write(actor, row["organisation"])
        caught = float(row["caught_t"]) + tonnes
        conn.execute(
            update(fishing_quotas).where(fishing_quotas.c.id == quota_id).values(caught_t=caught)
        )
        audit(
            conn,
            actor,
            "fishing.catch",
            "fishing_quota",
            str(quota_id),
            {"tonnes": tonnes, "caught_t": caught},
            org,
        )
    return {**dict(row), "caught_t": caught, "remaining_t": float(row["quota_t"]) - caught}


def change_quota(
    engine: Engine, actor: Actor, quota_id: int, data: QuotaChangeIn
) -> dict[str, Any]:
    """Set a quota's amount (tonnes), with a reason; returns the quota with ``remaining_t``.

    The new amount may not be below what has already been caught against the quota.
    """
    with engine.begin() as conn:
        row = scoped_row(conn, fishing_quotas, quota_id, actor, "quota")
        org = check_write(actor, row["organisation"])
        caught = float(row["caught_t"])
        if data.quota_t < caught:
            raise RegistryError(
                "invalid",
                f"the quota cannot be set below what has been caught ({caught:g} t)",
            )
        old = float(row["quota_t"])
        if data.quota_t != old:
            conn.execute(
                update(fishing_quotas)
                .where(fishing_quotas.c.id == quota_id)
                .values(quota_t=data.quota_t)
            )
            audit(
                conn,
                actor,
                "fishing.quota_change",
                "fishing_quota",
                str(quota_id),
                {"old": old, "new": data.quota_t, "caught_t": caught, "reason": data.reason},
                org,
            )
    return {**dict(row), "quota_t": data.quota_t, "remaining_t": data.quota_t - caught}


def licences(engine: Engine, actor: Actor, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Fishing licences in scope (valid on ``on`` when given), with the vessel's number."""
    stmt = scoped(
        select(fishing_licences, ships.c.fishing_no, ships.c.name.label("ship_name")).join(
            ships, ships.c.id == fishing_licences.c.ship_id
        ),
        fishing_licences,
        actor,
    ).order_by(fishing_licences.c.valid_from, fishing_licences.c.id)
    if on is not None:
        stmt = stmt.where(fishing_licences.c.valid_from <= on, fishing_licences.c.valid_to >= on)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def quotas(engine: Engine, actor: Actor, year: int | None = None) -> list[dict[str, Any]]:
    """Quotas in scope with what remains of each."""
    stmt = scoped(select(fishing_quotas), fishing_quotas, actor).order_by(
        fishing_quotas.c.year, fishing_quotas.c.id
    )
    if year is not None:
        stmt = stmt.where(fishing_quotas.c.year == year)
    with engine.connect() as conn:
        return [
            {**dict(r), "remaining_t": float(r["quota_t"]) - float(r["caught_t"])}
            for r in conn.execute(stmt).mappings()
        ]
