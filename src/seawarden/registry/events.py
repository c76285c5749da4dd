"""Lifecycle events of ships: inspections, detentions, accidents, penalties, certificates."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, update

from seawarden.db.engine import audit, now_ms
from seawarden.registry.schemas import EventKind, InspectionIn, ShipCertificateIn, ShipEventIn
from seawarden.registry.scope import RegistryError, check_write, insert_id, scoped
from seawarden.registry.ships import require_ship
from seawarden.registry.tables import ship_certificates, ship_events, ship_identities, ships
from seawarden.security.actor import Actor

#: Status a ship takes after an event of these kinds.
STATUS_AFTER = {
    EventKind.laid_up: "laid_up",
    EventKind.scrapped: "scrapped",
    EventKind.reactivated: "active",
}


def event_values(ship: dict[str, Any], data: ShipEventIn, source: str) -> dict[str, Any]:
    """The table row of a validated event of a ship."""
    values = data.model_dump()
    values["kind"] = data.kind.value
    values["regime"] = data.regime.value if data.regime else None
    return {
        **values,
        "ship_id": ship["id"],
        "organisation": ship["organisation"],
        "source": source,
        "recorded_ms": now_ms(),
    }


def insert_event(
    conn: Connection, actor: Actor, ship: dict[str, Any], data: ShipEventIn, source: str
) -> int:
    """Write one event in the caller's transaction (status changes included); returns its id."""
    if ship["status"] == "scrapped" and data.kind is not EventKind.scrapped:
        raise RegistryError("invalid", "the ship is scrapped")
    values = event_values(ship, data, source)
    eid = insert_id(conn, insert(ship_events).values(**values))
    status = STATUS_AFTER.get(data.kind)
    if status and status != ship["status"]:
        conn.execute(
            update(ships).where(ships.c.id == ship["id"]).values(status=status, updated_ms=now_ms())
        )
        if status == "scrapped":
            conn.execute(
                update(ship_identities)
                .where(
                    ship_identities.c.ship_id == ship["id"], ship_identities.c.valid_to.is_(None)
                )
                .values(valid_to=data.on_date)
            )
    audit(
        conn,
        actor,
        f"ship_event.{data.kind.value}",
        "ship_event",
        str(eid),
        {"ship": ship["id"], **data.model_dump(mode="json")},
        ship["organisation"],
    )
    return eid


def record_event(
    engine: Engine, actor: Actor, ref: str, data: ShipEventIn, source: str = "manual"
) -> int:
    """Record a lifecycle event of a ship; returns the event id."""
    with engine.begin() as conn:
        ship = require_ship(conn, actor, ref)
        check_write(actor, ship["organisation"])
        return insert_event(conn, actor, ship, data, source)


def inspection_event(data: InspectionIn) -> ShipEventIn:
    """The lifecycle event of an inspection (a detention is an inspection with ``detained``)."""
    return ShipEventIn(
        kind=EventKind.inspection,
        on_date=data.on_date,
        ended_on=data.released_on,
        port=data.port,
        regime=data.regime,
        authority=data.authority,
        deficiencies=data.deficiencies,
        detained=data.detained,
        public=data.public,
    )


def record_inspection(
    engine: Engine, actor: Actor, data: InspectionIn, source: str = "manual"
) -> int:
    """Record an inspection of the ship ``data.ship`` names; returns the event id."""
    with engine.begin() as conn:
        ship = require_ship(conn, actor, data.ship)
        check_write(actor, ship["organisation"])
        return insert_event(conn, actor, ship, inspection_event(data), source)


def ship_events_of(
    engine: Engine, actor: Actor, ref: str, kinds: list[str] | None = None
) -> list[dict[str, Any]]:
    """A ship's lifecycle events in date order, optionally only some kinds."""
    with engine.connect() as conn:
        ship = require_ship(conn, actor, ref)
        stmt = select(ship_events).where(ship_events.c.ship_id == ship["id"])
        if kinds:
            stmt = stmt.where(ship_events.c.kind.in_(kinds))
        stmt = stmt.order_by(ship_events.c.on_date, ship_events.c.id)
        return [dict(r) for r in conn.execute(stmt).mappings()]


def list_events(
    engine: Engine,
    actor: Actor,
    kinds: list[str] | None = None,
    since: dt.date | None = None,
    port: str | None = None,
    detained: bool | None = None,
) -> list[dict[str, Any]]:
    """Events of every ship in scope (with ship name and IMO), newest first."""
    stmt = scoped(
        select(ship_events, ships.c.name.label("ship_name"), ships.c.imo.label("ship_imo")).join(
            ships, ships.c.id == ship_events.c.ship_id
        ),
        ship_events,
        actor,
    )
    if kinds:
        stmt = stmt.where(ship_events.c.kind.in_(kinds))
    if since is not None:
        stmt = stmt.where(ship_events.c.on_date >= since)
    if port is not None:
        stmt = stmt.where(ship_events.c.port == port)
    if detained is not None:
        stmt = stmt.where(ship_events.c.detained.is_(detained))
    stmt = stmt.order_by(ship_events.c.on_date.desc(), ship_events.c.id.desc())
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def add_certificate(engine: Engine, actor: Actor, ref: str, data: ShipCertificateIn) -> int:
    """Record a ship certificate and its ``certificate_issued`` event; returns its id."""
    with engine.begin() as conn:
        ship = require_ship(conn, actor, ref)
        org = check_write(actor, ship["organisation"])
        cid = insert_id(
            conn,
            insert(ship_certificates).values(
                ship_id=ship["id"], organisation=org, **data.model_dump()
            ),
        )
        insert_event(
            conn,
            actor,
            ship,
            ShipEventIn(
                kind=EventKind.certificate_issued,
                on_date=data.issued_on,
                ended_on=data.expires_on,
                authority=data.issuer,
                public=False,
                detail={"certificate": cid, "kind": data.kind, "number": data.number},
            ),
            "certificate",
        )
    return cid


def certificates_of(
    engine: Engine, actor: Actor, ref: str, on: dt.date | None = None
) -> list[dict[str, Any]]:
    """A ship's certificates, latest issued first, each with its state on a day (default today)."""
    day = on or dt.date.today()
    with engine.connect() as conn:
        ship = require_ship(conn, actor, ref)
        stmt = scoped(
            select(ship_certificates).where(ship_certificates.c.ship_id == ship["id"]),
            ship_certificates,
            actor,
        ).order_by(ship_certificates.c.issued_on.desc(), ship_certificates.c.id.desc())
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
    for r in rows:
        expires = r.get("expires_on")
        r["state"] = "expired" if expires is not None and expires < day else "valid"
    return rows


def expiring_certificates(
    engine: Engine, actor: Actor, within_days: int = 30, on: dt.date | None = None
) -> list[dict[str, Any]]:
    """Ship certificates expiring within ``within_days`` of ``on`` (or already expired)."""
    day = on or dt.date.today()
    stmt = scoped(
        select(ship_certificates, ships.c.name.label("ship_name"))
        .join(ships, ships.c.id == ship_certificates.c.ship_id)
        .where(
            ship_certificates.c.expires_on.is_not(None),
            ship_certificates.c.expires_on <= day + dt.timedelta(days=within_days),
            ships.c.status != "scrapped",
        ),
        ship_certificates,
        actor,
    ).order_by(ship_certificates.c.expires_on)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
    for r in rows:
        r["state"] = "expired" if r["expires_on"] < day else "expiring"
    return rows


def history(engine: Engine, actor: Actor, ref: str) -> list[dict[str, Any]]:
    """A ship's whole life in date order: events and the start and end of every identity."""
    with engine.connect() as conn:
        ship = require_ship(conn, actor, ref)
        out: list[dict[str, Any]] = []
        for e in conn.execute(
            select(ship_events).where(ship_events.c.ship_id == ship["id"])
        ).mappings():
            out.append(
                {
                    "on_date": e["on_date"],
                    "what": e["kind"],
                    "id": e["id"],
                    "detail": _summary(dict(e)),
                }
            )
        for i in conn.execute(
            select(ship_identities).where(ship_identities.c.ship_id == ship["id"])
        ).mappings():
            if i["valid_from"] is not None:
                out.append(
                    {
                        "on_date": i["valid_from"],
                        "what": f"{i['kind']}_from",
                        "id": None,
                        "detail": i["value"],
                    }
                )
            if i["valid_to"] is not None:
                out.append(
                    {
                        "on_date": i["valid_to"],
                        "what": f"{i['kind']}_to",
                        "id": None,
                        "detail": i["value"],
                    }
                )
    return sorted(out, key=lambda r: (r["on_date"], r["id"] is None, r["id"] or 0))


def _summary(e: dict[str, Any]) -> str:
    parts = [
        f"{k}={e[k]}"
        for k in ("port", "regime", "authority", "deficiencies", "detained", "penalty_amount")
        if e.get(k) is not None
    ]
    parts += [f"{k}={v}" for k, v in (e.get("detail") or {}).items()]
    return ", ".join(parts)
