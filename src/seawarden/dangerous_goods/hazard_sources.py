"""Major hazard sources: registration, filing, periodic evaluation, deregistration, each step kept.

A unit (yard, warehouse or tank farm) is assessed by GB 18218 at the designed maximum
quantities of its permitted substances (``dg_unit_substances``, with a tank farm's tanks);
only a unit with ``S ≥ 1`` can be registered.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, select

from seawarden.dangerous_goods import tables as t
from seawarden.dangerous_goods.cargo import unit_and_children
from seawarden.dangerous_goods.errors import InvalidInputError, InvalidStateError
from seawarden.dangerous_goods.facilities import port_rules_for
from seawarden.dangerous_goods.hazard import HazardItem, HazardResult, assess
from seawarden.dangerous_goods.store import (
    AUTHORITY_ROLES,
    TERMINAL_ROLES,
    change,
    create,
    get,
    rows,
)
from seawarden.db.engine import now_ms as wall_ms
from seawarden.security.actor import Actor

DAY_MS = 86_400_000


def assess_unit(
    conn: Connection, actor: Actor, unit_id: int
) -> tuple[dict[str, Any], HazardResult]:
    """GB 18218 of a unit at its designed maximum quantities."""
    unit = get(conn, actor, t.storage_units, unit_id, "storage unit")
    if unit["kind"] == "tank":
        raise InvalidInputError("a tank is assessed with its tank farm (one bund = one unit)")
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
        raise InvalidInputError(
            f"{unit['name']} has no permitted substances with designed maximum quantities"
        )
    items = [
        HazardItem(s["un_number"] or s["substance"], s["max_quantity_t"], tuple(s["categories"]))
        for s in subs
    ]
    return unit, assess(items, int(unit["people_within_500m"]))


def _event(
    conn: Connection, actor: Actor, hs: dict[str, Any], action: str, detail: dict[str, Any], at: int
) -> None:
    create(
        conn,
        actor,
        t.hazard_source_events,
        {
            "organisation": hs["organisation"],
            "hazard_source_id": hs["id"],
            "at_ms": at,
            "actor": actor.username,
            "action": action,
            "detail": detail,
        },
        "hazard_source_event",
    )


def _result_values(result: HazardResult) -> dict[str, Any]:
    return {"S": result.S, "R": result.R, "grade": result.grade, "working": result.working()}


def register(
    engine: Engine, actor: Actor, unit_id: int, now_ms: int | None = None
) -> dict[str, Any]:
    """Register a unit as a major hazard source (refused when S < 1 or already registered)."""
    actor.require(*TERMINAL_ROLES)
    at = wall_ms() if now_ms is None else now_ms
    with engine.begin() as conn:
        unit, result = assess_unit(conn, actor, unit_id)
        if not result.is_major_hazard:
            raise InvalidStateError(
                f"{unit['name']} is not a major hazard source (S = {round(result.S, 4):g})"
            )
        active = conn.execute(
            select(t.hazard_sources.c.id).where(
                t.hazard_sources.c.storage_unit_id == unit_id,
                t.hazard_sources.c.state != "deregistered",
            )
        ).first()
        if active is not None:
            raise InvalidStateError(
                f"{unit['name']} is already registered (hazard source {active[0]})"
            )
        interval = port_rules_for(conn, unit["organisation"]).hazard_evaluation_interval_days
        hs_id = create(
            conn,
            actor,
            t.hazard_sources,
            {
                "organisation": unit["organisation"],
                "storage_unit_id": unit_id,
                "state": "registered",
                "people_within_500m": unit["people_within_500m"],
                "registered_ms": at,
                "last_evaluated_ms": at,
                "next_evaluation_ms": at + int(interval * DAY_MS),
                **_result_values(result),
            },
            "hazard_source_register",
        )
        hs = get(conn, actor, t.hazard_sources, hs_id, "hazard source")
        _event(
            conn, actor, hs, "register", {"S": result.S, "R": result.R, "grade": result.grade}, at
        )
        return hs


def file_source(
    engine: Engine, actor: Actor, hs_id: int, filing_no: str, now_ms: int | None = None
) -> dict[str, Any]:
    """Record the authority's filing (备案) of a registered source."""
    actor.require(*AUTHORITY_ROLES)
    if not filing_no.strip():
        raise InvalidInputError("a filing has a number")
    at = wall_ms() if now_ms is None else now_ms
    with engine.begin() as conn:
        hs = get(conn, actor, t.hazard_sources, hs_id, "hazard source")
        if hs["state"] != "registered":
            raise InvalidStateError(f"hazard source {hs_id} is {hs['state']}")
        change(
            conn,
            actor,
            t.hazard_sources,
            hs,
            {"state": "filed", "filed_ms": at, "filing_no": filing_no},
            "hazard_source_file",
        )
        _event(conn, actor, hs, "file", {"filing_no": filing_no}, at)
        return get(conn, actor, t.hazard_sources, hs_id, "hazard source")


def evaluate(engine: Engine, actor: Actor, hs_id: int, now_ms: int | None = None) -> dict[str, Any]:
    """Re-assess a source (periodic evaluation); records the new S, R and grade."""
    actor.require(*TERMINAL_ROLES)
    at = wall_ms() if now_ms is None else now_ms
    with engine.begin() as conn:
        hs = get(conn, actor, t.hazard_sources, hs_id, "hazard source")
        if hs["state"] == "deregistered":
            raise InvalidStateError(f"hazard source {hs_id} is deregistered")
        unit, result = assess_unit(conn, actor, hs["storage_unit_id"])
        interval = port_rules_for(conn, hs["organisation"]).hazard_evaluation_interval_days
        values = {
            **_result_values(result),
            "people_within_500m": unit["people_within_500m"],
            "last_evaluated_ms": at,
            "next_evaluation_ms": at + int(interval * DAY_MS),
        }
        change(conn, actor, t.hazard_sources, hs, values, "hazard_source_evaluate")
        _event(
            conn,
            actor,
            hs,
            "evaluate",
            {
                "S": result.S,
                "R": result.R,
                "grade": result.grade,
                "still_major": result.is_major_hazard,
            },
            at,
        )
        return get(conn, actor, t.hazard_sources, hs_id, "hazard source")


def deregister(
    engine: Engine, actor: Actor, hs_id: int, reason: str, now_ms: int | None = None
) -> dict[str, Any]:
    """Deregister a source with a reason (the authority reviews within 20 working days, R11)."""
    actor.require(*AUTHORITY_ROLES)
    if not reason.strip():
        raise InvalidInputError("deregistration needs a reason")
    at = wall_ms() if now_ms is None else now_ms
    with engine.begin() as conn:
        hs = get(conn, actor, t.hazard_sources, hs_id, "hazard source")
        if hs["state"] == "deregistered":
            raise InvalidStateError(f"hazard source {hs_id} is already deregistered")
        change(
            conn,
            actor,
            t.hazard_sources,
            hs,
            {"state": "deregistered", "deregistered_ms": at, "deregister_reason": reason},
            "hazard_source_deregister",
        )
        _event(conn, actor, hs, "deregister", {"reason": reason}, at)
        return get(conn, actor, t.hazard_sources, hs_id, "hazard source")


def due_evaluations(
    engine: Engine, actor: Actor, now_ms: int | None = None
) -> list[dict[str, Any]]:
    """Active sources whose periodic evaluation is due."""
    at = wall_ms() if now_ms is None else now_ms
    with engine.connect() as conn:
        return rows(
            conn,
            actor,
            t.hazard_sources,
            t.hazard_sources.c.state != "deregistered",
            t.hazard_sources.c.next_evaluation_ms <= at,
        )


def list_sources(
    engine: Engine, actor: Actor, include_deregistered: bool = False
) -> list[dict[str, Any]]:
    """Visible major hazard sources (active ones unless asked for all)."""
    where = [] if include_deregistered else [t.hazard_sources.c.state != "deregistered"]
    with engine.connect() as conn:
        return rows(conn, actor, t.hazard_sources, *where)


def assess_preview(engine: Engine, actor: Actor, unit_id: int) -> dict[str, Any]:
    """GB 18218 of a unit at its designed maximum quantities, without registering it."""
    with engine.connect() as conn:
        unit, result = assess_unit(conn, actor, unit_id)
    return {"storage_unit_id": unit["id"], "name": unit["name"], **result.as_dict()}


def source(engine: Engine, actor: Actor, hs_id: int) -> dict[str, Any]:
    """A visible source with its recorded steps."""
    with engine.connect() as conn:
        hs = get(conn, actor, t.hazard_sources, hs_id, "hazard source")
        hs["events"] = rows(
            conn, actor, t.hazard_source_events, t.hazard_source_events.c.hazard_source_id == hs_id
        )
    return hs


def events(engine: Engine, actor: Actor, hs_id: int) -> list[dict[str, Any]]:
    """The recorded steps of a source."""
    with engine.connect() as conn:
        get(conn, actor, t.hazard_sources, hs_id, "hazard source")
        return rows(
            conn, actor, t.hazard_source_events, t.hazard_source_events.c.hazard_source_id == hs_id
        )
