"""Authority views: province/city/county dashboards, the storage-unit map layer, enforcement.

Counts are made per organisation in SQL and summed over each child's subtree of the
organisation tree (``organisations.parent``), limited to what the actor may see.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, select
from sqlalchemy.sql.elements import ColumnElement

from seawarden.dangerous_goods import tables as t
from seawarden.dangerous_goods.cargo import stock, unit_and_children
from seawarden.dangerous_goods.errors import InvalidInputError, NotFoundError
from seawarden.dangerous_goods.store import AUTHORITY_ROLES, create, get, rows
from seawarden.db import schema
from seawarden.db.engine import now_ms as wall_ms
from seawarden.security.actor import Actor, Role

#: Map colours of the hazard grades (1 is the most severe), and of units that are not sources.
GRADE_COLOURS = {1: "#d7191c", 2: "#fdae61", 3: "#ffd92f", 4: "#2b83ba", None: "#999999"}


def subtree(conn: Connection, root: str) -> set[str]:
    """An organisation and all organisations below it."""
    parents = dict(
        conn.execute(select(schema.organisations.c.code, schema.organisations.c.parent)).all()
    )
    children: dict[str, list[str]] = {}
    for code, parent in parents.items():
        if parent:
            children.setdefault(parent, []).append(code)
    out, todo = set(), [root]
    while todo:
        code = todo.pop()
        if code in out:
            continue
        out.add(code)
        todo += children.get(code, [])
    return out


def _count(
    conn: Connection, table: Table, orgs: set[str], *where: ColumnElement[bool]
) -> dict[str, int]:
    q = (
        select(table.c.organisation, func.count())
        .where(table.c.organisation.in_(sorted(orgs)), *where)
        .group_by(table.c.organisation)
    )
    return {org: int(n) for org, n in conn.execute(q).all()}


def _counts(conn: Connection, orgs: set[str], now: int) -> dict[str, dict[str, int]]:
    hd, hs, d, a = t.hidden_dangers, t.hazard_sources, t.declarations, t.alarms
    open_hd = hd.c.state.in_(("reported", "assigned", "rectified"))
    out = {
        "companies": _count(conn, t.companies, orgs),
        "terminals": _count(conn, t.terminals, orgs),
        "storage_units": _count(conn, t.storage_units, orgs, t.storage_units.c.kind != "tank"),
        "hazard_sources": _count(conn, hs, orgs, hs.c.state != "deregistered"),
        "hidden_dangers_open": _count(conn, hd, orgs, open_hd),
        "hidden_dangers_major_open": _count(conn, hd, orgs, open_hd, hd.c.level == "major"),
        "hidden_dangers_overdue": _count(conn, hd, orgs, open_hd, hd.c.deadline_ms < now),
        "declarations_pending": _count(conn, d, orgs, d.c.status == "submitted"),
        "declarations_overdue": _count(
            conn, d, orgs, d.c.status == "submitted", d.c.decision_deadline_ms < now
        ),
        "declarations_blocked": _count(conn, d, orgs, d.c.status == "blocked"),
        "alarms_open": _count(conn, a, orgs, a.c.state == "open"),
    }
    for g in (1, 2, 3, 4):
        out[f"grade_{g}"] = _count(conn, hs, orgs, hs.c.state != "deregistered", hs.c.grade == g)
    return out


def _sum(counts: dict[str, dict[str, int]], orgs: Iterable[str]) -> dict[str, int]:
    orgs = set(orgs)
    return {name: sum(n for org, n in per.items() if org in orgs) for name, per in counts.items()}


def dashboard(
    engine: Engine, actor: Actor, scope: str, now_ms: int | None = None
) -> dict[str, Any]:
    """Counts for an organisation (province, city, county …) and for each of its children."""
    now = wall_ms() if now_ms is None else now_ms
    with engine.connect() as conn:
        root = (
            conn.execute(select(schema.organisations).where(schema.organisations.c.code == scope))
            .mappings()
            .first()
        )
        if root is None or not actor.can_see(scope):
            raise NotFoundError(f"no organisation {scope}", entity="organisations", id=scope)
        orgs = subtree(conn, scope)
        if actor.visible is not None:
            orgs &= set(actor.visible)
        counts = _counts(conn, orgs, now)
        kids = (
            conn.execute(
                select(schema.organisations)
                .where(schema.organisations.c.parent == scope)
                .order_by(schema.organisations.c.code)
            )
            .mappings()
            .all()
        )
        children = []
        for k in kids:
            below = subtree(conn, k["code"]) & orgs
            if below:
                children.append(
                    {
                        "code": k["code"],
                        "name": k["name"],
                        "level": k["level"],
                        **_sum(counts, below),
                    }
                )
    return {
        "scope": scope,
        "name": root["name"],
        "level": root["level"],
        "totals": _sum(counts, orgs),
        "children": children,
    }


def storage_unit_layer(engine: Engine, actor: Actor) -> dict[str, Any]:
    """GeoJSON of the visible storage units, coloured by hazard grade, with their inventory."""
    features = []
    with engine.connect() as conn:
        units = rows(conn, actor, t.storage_units, t.storage_units.c.kind != "tank")
        sources = {
            s["storage_unit_id"]: s
            for s in rows(conn, actor, t.hazard_sources, t.hazard_sources.c.state != "deregistered")
        }
        terminals = {r["id"]: r for r in rows(conn, actor, t.terminals)}
        for u in units:
            geometry = u["geometry"]
            term = terminals.get(u["terminal_id"])
            if geometry is None and term and term["lat"] is not None:
                geometry = {"type": "Point", "coordinates": [term["lon"], term["lat"]]}
            if geometry is None:
                continue
            src = sources.get(u["id"])
            grade = src["grade"] if src else None
            features.append(
                {
                    "type": "Feature",
                    "geometry": geometry,
                    "properties": {
                        "id": u["id"],
                        "name": u["name"],
                        "kind": u["kind"],
                        "organisation": u["organisation"],
                        "terminal": term["name"] if term else None,
                        "capacity_t": u["capacity_t"],
                        "inventory_t": stock(conn, unit_and_children(conn, u["id"])),
                        "hazard_source": src["id"] if src else None,
                        "S": src["S"] if src else None,
                        "R": src["R"] if src else None,
                        "grade": grade,
                        "colour": GRADE_COLOURS.get(grade, GRADE_COLOURS[None]),
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


def record_enforcement(
    engine: Engine,
    actor: Actor,
    terminal_id: int,
    kind: str,
    description: str,
    result: str | None = None,
    at_ms: int | None = None,
) -> int:
    """Record an inspection or enforcement action at a terminal (authority)."""
    actor.require(*AUTHORITY_ROLES, Role.system_admin)
    if not kind.strip() or not description.strip():
        raise InvalidInputError("an enforcement record has a kind and a description")
    with engine.begin() as conn:
        term = get(conn, actor, t.terminals, terminal_id, "terminal")
        return create(
            conn,
            actor,
            t.enforcement,
            {
                "organisation": term["organisation"],
                "terminal_id": terminal_id,
                "kind": kind,
                "description": description,
                "result": result,
                "officer": actor.username,
                "at_ms": wall_ms() if at_ms is None else at_ms,
            },
            "enforcement",
        )


def list_enforcement(
    engine: Engine, actor: Actor, terminal_id: int | None = None
) -> list[dict[str, Any]]:
    """Visible enforcement records."""
    with engine.connect() as conn:
        where = [t.enforcement.c.terminal_id == terminal_id] if terminal_id is not None else []
        return rows(conn, actor, t.enforcement, *where)
