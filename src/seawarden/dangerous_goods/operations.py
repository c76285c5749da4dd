"""Observed operations checked against approvals: AIS at the berth, gate and EDI events.

An operation observed without an approved declaration covering it opens an
``unapproved_operation`` alarm (one per berth, ship and declaration while it stays open).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Engine, select

from seawarden.dangerous_goods import tables as t
from seawarden.dangerous_goods.berth_watch import BerthArea, DeclarationWindow, unapproved_at_berths
from seawarden.dangerous_goods.declarations import approved_covering
from seawarden.dangerous_goods.facilities import port_rules_for
from seawarden.dangerous_goods.store import TERMINAL_ROLES, create, get, rows
from seawarden.db.engine import now_ms as wall_ms
from seawarden.security.actor import Actor
from seawarden.supervision.events import Event


def _open_alarm(
    conn: Connection,
    actor: Actor,
    berth: dict[str, Any],
    key: str,
    message: str,
    at_ms: int,
    details: dict[str, Any],
) -> int:
    existing = conn.execute(
        select(t.alarms.c.id).where(t.alarms.c.key == key, t.alarms.c.state == "open")
    ).first()
    if existing is not None:
        return int(existing[0])
    return create(
        conn,
        actor,
        t.alarms,
        {
            "organisation": berth["organisation"],
            "kind": "unapproved_operation",
            "berth_id": berth["id"],
            "declaration_id": details.get("declaration_id"),
            "key": key,
            "severity": "high",
            "message": message,
            "state": "open",
            "opened_ms": at_ms,
            "details": details,
        },
        "alarm",
    )


def observe_operation(
    engine: Engine,
    actor: Actor,
    berth_id: int,
    at_ms: int | None = None,
    mmsi: int | None = None,
    ship_name: str | None = None,
    source: str = "ais",
) -> dict[str, Any]:
    """Check an observed operation at a berth; opens an alarm when nothing approved covers it."""
    actor.require(*TERMINAL_ROLES)
    at = wall_ms() if at_ms is None else at_ms
    with engine.begin() as conn:
        berth = get(conn, actor, t.berths, berth_id, "berth")
        decl = approved_covering(conn, berth_id, at, mmsi, ship_name)
        if decl is not None:
            return {"approved": True, "declaration_id": decl["id"], "alarm_id": None}
        who = str(mmsi) if mmsi is not None else (ship_name or "unknown ship")
        key = f"unapproved:{berth_id}:{who}"
        details = {"source": source, "mmsi": mmsi, "ship_name": ship_name, "declaration_id": None}
        alarm_id = _open_alarm(
            conn,
            actor,
            berth,
            key,
            f"{who} operating at {berth['name']} without an approved declaration",
            at,
            details,
        )
        return {"approved": False, "declaration_id": None, "alarm_id": alarm_id}


def watch_berths(
    engine: Engine, actor: Actor, positions: Any, at_ms: int | None = None, record: bool = True
) -> list[Event]:
    """Run the berth watch over the actor's berths; optionally record alarms for the events."""
    at = wall_ms() if at_ms is None else at_ms
    with engine.begin() as conn:
        berths = [b for b in rows(conn, actor, t.berths) if b["geometry"]]
        if not berths:
            return []
        ids = [b["id"] for b in berths]
        day = 86_400_000
        decls = rows(
            conn,
            actor,
            t.declarations,
            t.declarations.c.berth_id.in_(ids),
            t.declarations.c.end_ms >= at - day,
            t.declarations.c.start_ms <= at + day,
        )
        max_sog = min(
            (port_rules_for(conn, b["organisation"]).berth_max_sog_kn for b in berths), default=1.0
        )
        events = unapproved_at_berths(
            [
                BerthArea(b["id"], b["name"], b["geometry"], bool(b["dg_only"]), b["organisation"])
                for b in berths
            ],
            positions,
            [
                DeclarationWindow(
                    d["id"], d["berth_id"], d["status"], d["start_ms"], d["end_ms"], d["mmsi"]
                )
                for d in decls
            ],
            max_sog,
        )
        if record:
            actor.require(*TERMINAL_ROLES)
            by_id = {b["id"]: b for b in berths}
            for ev in events:
                berth = by_id[ev.details["berth_id"]]
                key = (
                    f"unapproved:{berth['id']}:{ev.mmsi if ev.mmsi is not None else ev.vessel_key}"
                )
                _open_alarm(
                    conn,
                    actor,
                    berth,
                    key,
                    f"{ev.mmsi or ev.vessel_key} at {berth['name']}: {ev.details['reason']}",
                    ev.start_ms,
                    {
                        "source": "ais",
                        "mmsi": ev.mmsi,
                        "declaration_id": ev.details["declaration_id"],
                    },
                )
        return events


@dataclass(frozen=True)
class _BerthOwner:
    """What the alert store needs of a berth's zone: its name and owner (the organisation)."""

    name: str
    owner: str
    params: Any = field(default_factory=lambda: SimpleNamespace(severity=None))


def observe_berths(
    engine: Engine,
    actor: Actor,
    positions: Any,
    at_ms: int | None = None,
    alert_store: Any = None,
) -> dict[str, Any]:
    """Run the berth watch over a picture of vessel positions and raise what it finds.

    Opens ``unapproved_operation`` alarms (see :func:`watch_berths`) and stores the
    ``dg_unapproved_operation`` events in the supervision alert store, each alert belonging
    to the berth's organisation (so it shows in the alerts panel of that subtree). Returns
    the events and what the alert store did.
    """
    from seawarden.supervision.alerts import AlertStore

    actor.require(*TERMINAL_ROLES)
    events = watch_berths(engine, actor, positions, at_ms, record=True)
    owners = {
        ev.zone: _BerthOwner(str(ev.details["berth"]), str(ev.details["organisation"]))
        for ev in events
        if ev.zone is not None and ev.details.get("organisation")
    }
    base = alert_store or AlertStore(engine)
    store = AlertStore(
        engine, {**base.zones, **owners}, base.grid, base.merge_window_ms, base.notifier
    )
    applied = store.apply(events, actor.username)
    return {
        "events": [ev.as_dict() for ev in events],
        "alerts_created": applied.created,
        "alerts_merged": applied.merged,
        "alert_ids": applied.alert_ids,
    }
