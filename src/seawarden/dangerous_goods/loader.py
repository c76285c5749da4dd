"""Loading a facilities file (organisations, companies, terminals, units, licences, staff).

Used by ``seawarden dg load`` and the demo. Objects get a ``key`` in the file; the result
maps every key to its new id, and annex sites refer to keys (``berth:K``, ``unit:K``).
Organisations missing from the organisation tree are added (demo seeding).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine, insert, select

from seawarden.dangerous_goods import facilities as f
from seawarden.dangerous_goods.errors import DGError, InvalidInputError
from seawarden.db import schema
from seawarden.db.engine import audit
from seawarden.security.actor import Actor


def _ms(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    try:
        d = dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError as exc:
        raise InvalidInputError(f"not a date or time: {value!r}") from exc
    if d.tzinfo is None:
        d = d.replace(tzinfo=dt.UTC)
    return int(d.timestamp() * 1000)


def _organisations(engine: Engine, actor: Actor, orgs: list[dict[str, Any]]) -> None:
    with engine.begin() as conn:
        for o in orgs:
            exists = conn.execute(
                select(schema.organisations.c.code).where(schema.organisations.c.code == o["code"])
            ).first()
            if exists:
                continue
            values = {
                "code": o["code"],
                "name": o.get("name", o["code"]),
                "parent": o.get("parent"),
                "level": o.get("level", "unit"),
            }
            conn.execute(insert(schema.organisations).values(**values))
            audit(
                conn,
                actor.username,
                "dg.organisation_seed",
                "organisations",
                o["code"],
                values,
                o["code"],
            )


def _unit(
    engine: Engine,
    actor: Actor,
    terminal_id: int,
    u: dict[str, Any],
    ids: dict[str, int],
    parent: int | None = None,
) -> None:
    tank = f.TankDesign(**u["tank"]) if u.get("tank") is not None else None
    subs = [
        f.SubstanceSpec(
            s["substance"],
            s["max_quantity_t"],
            s.get("un_number"),
            tuple(s.get("categories") or ()),
        )
        for s in u.get("substances") or ()
    ]
    uid = f.create_storage_unit(
        engine,
        actor,
        terminal_id,
        u["kind"],
        u["name"],
        u.get("capacity_t"),
        int(u.get("people_within_500m", 0)),
        parent,
        u.get("geometry"),
        tank,
        subs,
    )
    ids[u.get("key", f"unit{uid}")] = uid
    for b in u.get("blocks") or ():
        f.add_yard_block(
            engine,
            actor,
            uid,
            b["name"],
            b["bays"],
            b["rows"],
            b["tiers"],
            b.get("x0", 0.0),
            b.get("y0", 0.0),
            b.get("bay_pitch_m", 6.5),
            b.get("row_pitch_m", 2.8),
        )
    for child in u.get("tanks") or ():
        _unit(engine, actor, terminal_id, {**child, "kind": "tank"}, ids, uid)


def load_facilities(engine: Engine, actor: Actor, data: dict[str, Any]) -> dict[str, int]:
    """Create everything a facilities file describes; returns key → id."""
    if not isinstance(data, dict):
        raise InvalidInputError("a facilities file is a JSON object")
    ids: dict[str, int] = {}
    try:
        _organisations(engine, actor, list(data.get("organisations") or ()))
        for c in data.get("companies") or ():
            cid = f.create_company(
                engine, actor, c["organisation"], c["name"], c.get("credit_code"), c.get("address")
            )
            ids[c.get("key", f"company{cid}")] = cid
            for term in c.get("terminals") or ():
                tid = f.create_terminal(
                    engine,
                    actor,
                    cid,
                    term["name"],
                    term.get("port"),
                    term.get("lat"),
                    term.get("lon"),
                )
                ids[term.get("key", f"terminal{tid}")] = tid
                for b in term.get("berths") or ():
                    bid = f.create_berth(
                        engine,
                        actor,
                        tid,
                        b["name"],
                        b.get("geometry"),
                        bool(b.get("dg_only", False)),
                    )
                    ids[b.get("key", f"berth{bid}")] = bid
                for u in term.get("storage_units") or ():
                    _unit(engine, actor, tid, u, ids)
            for p in c.get("personnel") or ():
                pid = f.create_person(
                    engine, actor, cid, p["name"], p.get("id_number"), p.get("role")
                )
                ids[p.get("key", f"person{pid}")] = pid
                for q in p.get("qualifications") or ():
                    f.add_qualification(
                        engine,
                        actor,
                        pid,
                        q["kind"],
                        _ms(q["valid_from"]),
                        _ms(q["valid_to"]),
                        q.get("number"),
                    )
            for lic in c.get("licences") or ():
                lid = f.create_licence(
                    engine,
                    actor,
                    cid,
                    lic["number"],
                    _ms(lic["valid_from"]),
                    _ms(lic["valid_to"]),
                    lic.get("issued_by"),
                )
                ids[lic.get("key", f"licence{lid}")] = lid
                for a in lic.get("annexes") or ():
                    site_kind = site_id = None
                    if a.get("site"):
                        kind, _, key = str(a["site"]).partition(":")
                        site_kind = {"berth": "berth", "unit": "storage_unit"}.get(kind)
                        if site_kind is None or key not in ids:
                            raise InvalidInputError(
                                f"annex site {a['site']!r}: use berth:KEY or unit:KEY of this file"
                            )
                        site_id = ids[key]
                    f.add_annex(
                        engine,
                        actor,
                        lid,
                        list(a["modes"]),
                        _ms(a.get("valid_from", lic["valid_from"])),
                        _ms(a.get("valid_to", lic["valid_to"])),
                        a.get("un_numbers"),
                        a.get("classes"),
                        site_kind,
                        site_id,
                        a.get("max_quantity_t"),
                    )
        for org, rules in (data.get("port_rules") or {}).items():
            f.set_port_rules(engine, actor, org, rules)
    except DGError:
        raise
    except KeyError as exc:
        raise InvalidInputError(f"facilities file: missing field {exc}") from exc
    except (TypeError, ValueError, AttributeError) as exc:
        raise InvalidInputError(f"facilities file: {exc}") from exc
    return ids
