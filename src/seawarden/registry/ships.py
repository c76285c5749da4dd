"""Ships: the record, its identities with validity periods, and changes as lifecycle events."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import Connection, Engine, and_, func, insert, or_, select, update

from seawarden.db.engine import audit, now_ms
from seawarden.registry import codes
from seawarden.registry.companies import company_id
from seawarden.registry.schemas import ShipIn, ShipStatus
from seawarden.registry.scope import NotFoundError, RegistryError, check_write, scoped
from seawarden.registry.tables import ship_events, ship_identities, ships
from seawarden.security.actor import Actor

#: Identities kept with validity periods (ship column = identity kind).
IDENTITY_KINDS = ("name", "imo", "mmsi", "callsign", "cn_ship_id", "fishing_no")
#: Columns whose change is a lifecycle event, and the event kind.
CHANGE_EVENTS = {
    "name": "name_change",
    "flag": "flag_change",
    "owner_id": "owner_change",
    "operator_id": "operator_change",
    "ism_company_id": "ism_change",
    "imo": "identity_change",
    "mmsi": "identity_change",
    "callsign": "identity_change",
    "cn_ship_id": "identity_change",
    "fishing_no": "identity_change",
}
STATUS_EVENTS = {"laid_up": "laid_up", "scrapped": "scrapped", "active": "reactivated"}
PARTICULARS = (
    "ship_type",
    "length_m",
    "beam_m",
    "draught_m",
    "gross_tonnage",
    "net_tonnage",
    "deadweight_t",
    "build_year",
    "keel_laid",
    "class_society",
    "port_of_registry",
    "registered_on",
)


def find_ship(conn: Connection, actor: Actor, ref: str) -> dict[str, Any] | None:
    """The ship with this internal id, IMO number, MMSI, fishing-vessel or ship id number."""
    ref = ref.strip()
    conds = [ships.c.id == ref, ships.c.fishing_no == ref, ships.c.cn_ship_id == ref.upper()]
    imo = codes.normalise_imo(ref)
    if len(imo) == 7 and imo.isdigit():
        conds.append(ships.c.imo == imo)
    if len(ref) == 9 and ref.isdigit():
        conds.append(ships.c.mmsi == int(ref))
    stmt = scoped(select(ships).where(or_(*conds)), ships, actor)
    rows = conn.execute(stmt).mappings().all()
    if len(rows) > 1:
        live = [r for r in rows if r["status"] != "scrapped"]
        if len(live) != 1:
            raise RegistryError("ambiguous", f"{ref!r} names several ships; use the internal id")
        rows = live
    return dict(rows[0]) if rows else None


def require_ship(conn: Connection, actor: Actor, ref: str) -> dict[str, Any]:
    """Like :func:`find_ship`, raising :class:`NotFoundError` when there is none."""
    found = find_ship(conn, actor, ref)
    if found is None:
        raise NotFoundError("ship", ref)
    return found


def ship_values(
    data: ShipIn, organisation: str, companies: dict[str, str | None]
) -> dict[str, Any]:
    """The table row of a validated ship (``companies``: resolved owner/operator/ISM ids)."""
    t = now_ms()
    return {
        "id": data.id or str(uuid.uuid4()),
        "organisation": organisation,
        "name": data.name,
        "imo": data.imo,
        "mmsi": data.mmsi,
        "callsign": data.callsign,
        "cn_ship_id": data.cn_ship_id,
        "fishing_no": data.fishing_no,
        "ship_type": data.ship_type.value,
        "flag": data.flag,
        **{k: getattr(data, k) for k in PARTICULARS if k != "ship_type"},
        "owner_id": companies.get("owner"),
        "operator_id": companies.get("operator"),
        "ism_company_id": companies.get("ism_company"),
        "status": data.status.value,
        "created_ms": t,
        "updated_ms": t,
    }


def identity_rows(row: dict[str, Any], since: dt.date | None, source: str) -> list[dict[str, Any]]:
    """Identity rows (open validity period) for every identity a ship row carries."""
    return [
        {
            "ship_id": row["id"],
            "organisation": row["organisation"],
            "kind": kind,
            "value": str(row[kind]),
            "valid_from": since,
            "valid_to": None,
            "source": source,
        }
        for kind in IDENTITY_KINDS
        if row.get(kind) is not None
    ]


def registration_event(row: dict[str, Any], on: dt.date, source: str) -> dict[str, Any]:
    """The registration lifecycle event of a new ship row."""
    return {
        "ship_id": row["id"],
        "organisation": row["organisation"],
        "kind": "registration",
        "on_date": on,
        "public": False,
        "detail": {"name": row["name"], "flag": row["flag"], "imo": row["imo"]},
        "source": source,
        "recorded_ms": row["created_ms"],
    }


def identity_clash(conn: Connection, data: ShipIn, ship_id: str | None = None) -> str | None:
    """Why the ship's IMO or MMSI cannot be used (held by another ship), or ``None``."""
    checks = [(ships.c.imo, data.imo, "IMO"), (ships.c.mmsi, data.mmsi, "MMSI")]
    for col, value, label in checks:
        if value is None:
            continue
        stmt = select(ships.c.id).where(col == value, ships.c.status != "scrapped")
        if ship_id is not None:
            stmt = stmt.where(ships.c.id != ship_id)
        if conn.execute(stmt.limit(1)).first():
            return f"{label} {value} belongs to another ship in the register"
    return None


def _companies(conn: Connection, actor: Actor, data: ShipIn) -> dict[str, str | None]:
    return {
        k: company_id(conn, actor, getattr(data, k)) for k in ("owner", "operator", "ism_company")
    }


def create_ship(engine: Engine, actor: Actor, data: ShipIn, source: str = "manual") -> str:
    """Register a ship with its identities and a registration event; returns its id."""
    org = check_write(actor, data.organisation)
    with engine.begin() as conn:
        clash = identity_clash(conn, data)
        if clash:
            raise RegistryError("exists", clash)
        row = ship_values(data, org, _companies(conn, actor, data))
        since = data.registered_on or dt.date.today()
        conn.execute(insert(ships).values(**row))
        conn.execute(insert(ship_identities), identity_rows(row, since, source))
        conn.execute(insert(ship_events).values(**registration_event(row, since, source)))
        audit(
            conn,
            actor,
            "ship.create",
            "ship",
            row["id"],
            {"name": data.name, "source": source},
            org,
        )
    return str(row["id"])


def apply_update(
    conn: Connection,
    actor: Actor,
    old: dict[str, Any],
    data: ShipIn,
    on: dt.date,
    source: str,
) -> dict[str, Any]:
    """Write a ship's new values: close changed identities, record events; returns the diff."""
    clash = identity_clash(conn, data, old["id"])
    if clash:
        raise RegistryError("exists", clash)
    new = ship_values(data, old["organisation"], _companies(conn, actor, data))
    columns = [
        *IDENTITY_KINDS,
        "flag",
        "owner_id",
        "operator_id",
        "ism_company_id",
        "status",
        *PARTICULARS,
    ]
    diff = {c: {"old": old[c], "new": new[c]} for c in columns if old[c] != new[c]}
    if not diff:
        return diff
    conn.execute(
        update(ships)
        .where(ships.c.id == old["id"])
        .values(**{c: d["new"] for c, d in diff.items()}, updated_ms=now_ms())
    )
    base = {
        "ship_id": old["id"],
        "organisation": old["organisation"],
        "on_date": on,
        "source": source,
    }
    for col, change in diff.items():
        if col in IDENTITY_KINDS:
            conn.execute(
                update(ship_identities)
                .where(
                    and_(
                        ship_identities.c.ship_id == old["id"],
                        ship_identities.c.kind == col,
                        ship_identities.c.valid_to.is_(None),
                    )
                )
                .values(valid_to=on)
            )
            if change["new"] is not None:
                conn.execute(
                    insert(ship_identities).values(
                        ship_id=old["id"],
                        organisation=old["organisation"],
                        kind=col,
                        value=str(change["new"]),
                        valid_from=on,
                        source=source,
                    )
                )
        kind = CHANGE_EVENTS.get(col) or (
            STATUS_EVENTS.get(change["new"]) if col == "status" else None
        )
        if kind:
            detail = {"field": col, "old": _plain(change["old"]), "new": _plain(change["new"])}
            conn.execute(
                insert(ship_events).values(
                    **base, kind=kind, public=False, detail=detail, recorded_ms=now_ms()
                )
            )
    audit(
        conn,
        actor,
        "ship.update",
        "ship",
        old["id"],
        {c: {k: _plain(v) for k, v in d.items()} for c, d in diff.items()},
        old["organisation"],
    )
    return diff


def _plain(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def ship_input(old: dict[str, Any], changes: dict[str, Any]) -> ShipIn:
    """A ship's current record with changes applied, validated as a :class:`ShipIn`."""
    current = {k: v for k, v in old.items() if k in ShipIn.model_fields}
    current.update(
        owner=old["owner_id"], operator=old["operator_id"], ism_company=old["ism_company_id"]
    )
    current.update(changes)
    current["id"] = old["id"]
    current["organisation"] = old["organisation"]
    return ShipIn.model_validate(current)


def update_ship(
    engine: Engine,
    actor: Actor,
    ref: str,
    changes: dict[str, Any],
    on: dt.date | None = None,
    source: str = "manual",
) -> dict[str, Any]:
    """Change a ship's particulars, identities, companies or status; returns the diff.

    A change of name, flag, owner, operator, ISM company or identity is recorded as a
    lifecycle event on ``on`` (default today); a changed identity's validity ends that day.
    """
    with engine.begin() as conn:
        old = require_ship(conn, actor, ref)
        check_write(actor, old["organisation"])
        if old["status"] == ShipStatus.scrapped.value:
            raise RegistryError("invalid", "a scrapped ship cannot change")
        return apply_update(
            conn, actor, old, ship_input(old, changes), on or dt.date.today(), source
        )


def get_ship(engine: Engine, actor: Actor, ref: str) -> dict[str, Any]:
    """One ship by id, IMO, MMSI, fishing-vessel number or ship identification number."""
    with engine.connect() as conn:
        return require_ship(conn, actor, ref)


def list_ships(
    engine: Engine,
    actor: Actor,
    status: str | None = None,
    ship_type: str | None = None,
    flag: str | None = None,
    limit: int | None = None,
) -> list[dict[str, Any]]:
    """Ships within the actor's scope, by name, optionally filtered."""
    stmt = scoped(select(ships), ships, actor).order_by(ships.c.name, ships.c.id)
    for col, value in (("status", status), ("ship_type", ship_type), ("flag", flag)):
        if value is not None:
            stmt = stmt.where(ships.c[col] == value)
    if limit is not None:
        stmt = stmt.limit(limit)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def identities(engine: Engine, actor: Actor, ref: str) -> list[dict[str, Any]]:
    """Every identity a ship has had, with its validity period and source."""
    with engine.connect() as conn:
        ship = require_ship(conn, actor, ref)
        stmt = (
            select(ship_identities)
            .where(ship_identities.c.ship_id == ship["id"])
            .order_by(ship_identities.c.kind, ship_identities.c.valid_from, ship_identities.c.id)
        )
        return [dict(r) for r in conn.execute(stmt).mappings()]


def identity_at(engine: Engine, actor: Actor, kind: str, value: str, on: dt.date) -> list[str]:
    """Ids of the ships that held an identity (e.g. an MMSI) on a date."""
    stmt = scoped(
        select(ship_identities.c.ship_id).where(
            ship_identities.c.kind == kind,
            ship_identities.c.value == value,
            or_(ship_identities.c.valid_from.is_(None), ship_identities.c.valid_from <= on),
            or_(ship_identities.c.valid_to.is_(None), ship_identities.c.valid_to > on),
        ),
        ship_identities,
        actor,
    )
    with engine.connect() as conn:
        return sorted({r[0] for r in conn.execute(stmt)})


def search_ships(engine: Engine, actor: Actor, text: str, limit: int = 100) -> list[dict[str, Any]]:
    """Ships in scope named by ``text``, by name.

    A ship matches when its id is ``text`` or one of its identities, current or former (name,
    IMO, MMSI, call sign, ship id or fishing-vessel number), contains it.
    """
    needle = text.strip()
    escaped = needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    held = scoped(
        select(ship_identities.c.ship_id).where(
            func.upper(ship_identities.c.value).like(f"%{escaped.upper()}%", escape="\\")
        ),
        ship_identities,
        actor,
    )
    stmt = (
        scoped(select(ships).where(or_(ships.c.id == needle, ships.c.id.in_(held))), ships, actor)
        .order_by(ships.c.name, ships.c.id)
        .limit(limit)
    )
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]
