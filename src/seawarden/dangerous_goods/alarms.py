"""Tank sensor readings evaluated against design limits into alarms, and their escalation.

One alarm per tank and quantity stays open while readings remain beyond the limit and clears
on the first reading within it. An alarm still open after the port's
``sensor_escalation_minutes`` becomes a major hidden danger (criterion 1.2: tank above design
temperature, pressure or level and not handled promptly).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, select

from seawarden.dangerous_goods import tables as t
from seawarden.dangerous_goods.errors import DGError, InvalidInputError, InvalidStateError
from seawarden.dangerous_goods.facilities import port_rules_for
from seawarden.dangerous_goods.findings import Severity
from seawarden.dangerous_goods.hidden_dangers import report_in
from seawarden.dangerous_goods.sensors import DesignLimits, Quantity, evaluate, validate
from seawarden.dangerous_goods.store import TERMINAL_ROLES, change, create, get, rows
from seawarden.db.engine import now_ms as wall_ms
from seawarden.security.actor import Actor


def limits_of(tank: dict[str, Any]) -> DesignLimits:
    """Design limits from a ``dg_tanks`` row."""
    return DesignLimits(
        temperature_min_c=tank["temperature_min_c"],
        temperature_max_c=tank["temperature_max_c"],
        pressure_min_kpa=tank["pressure_min_kpa"],
        pressure_max_kpa=tank["pressure_max_kpa"],
        level_max_m=tank["level_max_m"],
        height_m=tank["height_m"],
        gas_warn_pct_lel=tank["gas_warn_pct_lel"],
        gas_alarm_pct_lel=tank["gas_alarm_pct_lel"],
        toxic_warn_ppm=tank["toxic_warn_ppm"],
        toxic_alarm_ppm=tank["toxic_alarm_ppm"],
    )


def record_reading(
    engine: Engine,
    actor: Actor,
    tank_id: int,
    quantity: str,
    value: float,
    at_ms: int | None = None,
    received_ms: int | None = None,
) -> dict[str, Any]:
    """Store a reading, open/update/clear its alarm; impossible values are refused unrecorded."""
    actor.require(*TERMINAL_ROLES)
    with engine.begin() as conn:
        return _record_in(conn, actor, tank_id, quantity, value, at_ms, received_ms)


def record_readings(
    engine: Engine, actor: Actor, readings: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Store a batch of readings (``tank_id``, ``quantity``, ``value``, optional ``at_ms``).

    All or nothing: one refused reading (unknown or invisible tank, impossible value) refuses
    the batch, stores nothing, and its error names the reading's ``index``. Readings are stored
    in time order, so the alarms end as they would have reading by reading.
    """
    actor.require(*TERMINAL_ROLES)
    if not readings:
        raise InvalidInputError("a batch has at least one reading")
    received = wall_ms()
    order = sorted(
        range(len(readings)),
        key=lambda i: received if readings[i].get("at_ms") is None else readings[i]["at_ms"],
    )
    results: list[dict[str, Any]] = [{} for _ in readings]
    with engine.begin() as conn:
        for i in order:
            r = readings[i]
            try:
                results[i] = _record_in(
                    conn, actor, r["tank_id"], r["quantity"], r["value"], r.get("at_ms"), received
                )
            except DGError as exc:
                exc.detail["index"] = i
                raise
    return results


def tank_readings(
    engine: Engine,
    actor: Actor,
    tank_id: int,
    quantity: str | None = None,
    start_ms: int | None = None,
    end_ms: int | None = None,
    limit: int = 500,
) -> dict[str, Any]:
    """A tank's design limits, its latest reading per quantity and its readings, newest first."""
    if quantity is not None:
        validate(quantity, 0.0)
    r = t.sensor_readings.c
    with engine.connect() as conn:
        unit = get(conn, actor, t.storage_units, tank_id, "tank")
        tank = next(iter(rows(conn, actor, t.tanks, t.tanks.c.storage_unit_id == tank_id)), None)
        if tank is None:
            raise InvalidInputError(f"{unit['name']} is not a tank")
        latest = {}
        for q in Quantity:
            row = (
                conn.execute(
                    select(t.sensor_readings)
                    .where(r.storage_unit_id == tank_id, r.quantity == q.value)
                    .order_by(r.at_ms.desc(), r.id.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
            if row is not None:
                latest[q.value] = {"value": row["value"], "at_ms": row["at_ms"]}
        query = select(t.sensor_readings).where(r.storage_unit_id == tank_id)
        if quantity is not None:
            query = query.where(r.quantity == quantity)
        if start_ms is not None:
            query = query.where(r.at_ms >= start_ms)
        if end_ms is not None:
            query = query.where(r.at_ms <= end_ms)
        history = [
            {k: row[k] for k in ("id", "quantity", "value", "at_ms", "received_ms")}
            for row in conn.execute(
                query.order_by(r.at_ms.desc(), r.id.desc()).limit(limit)
            ).mappings()
        ]
    return {
        "storage_unit_id": tank_id,
        "name": unit["name"],
        "limits": {k: v for k, v in tank.items() if k not in ("storage_unit_id", "organisation")},
        "latest": latest,
        "readings": history,
    }


def _record_in(
    conn: Connection,
    actor: Actor,
    tank_id: int,
    quantity: str,
    value: float,
    at_ms: int | None = None,
    received_ms: int | None = None,
) -> dict[str, Any]:
    at = wall_ms() if at_ms is None else at_ms
    unit = get(conn, actor, t.storage_units, tank_id, "tank")
    tank = next(iter(rows(conn, actor, t.tanks, t.tanks.c.storage_unit_id == tank_id)), None)
    if tank is None:
        raise InvalidInputError(f"{unit['name']} is not a tank")
    limits = limits_of(tank)
    q = validate(quantity, value, limits)
    findings = evaluate(unit["name"], q.value, value, limits)
    create(
        conn,
        actor,
        t.sensor_readings,
        {
            "organisation": unit["organisation"],
            "storage_unit_id": tank_id,
            "quantity": q.value,
            "value": float(value),
            "at_ms": at,
            "received_ms": wall_ms() if received_ms is None else received_ms,
        },
        "sensor_reading",
    )
    key = f"sensor:{tank_id}:{q.value}"
    open_alarm = (
        conn.execute(select(t.alarms).where(t.alarms.c.key == key, t.alarms.c.state == "open"))
        .mappings()
        .first()
    )
    result: dict[str, Any] = {
        "findings": [f.as_dict() for f in findings],
        "alarm_id": None,
        "cleared": None,
    }
    if findings:
        f = max(findings, key=lambda x: x.severity == Severity.block)
        sev = "critical" if f.severity == Severity.block else "medium"
        if open_alarm is None:
            result["alarm_id"] = create(
                conn,
                actor,
                t.alarms,
                {
                    "organisation": unit["organisation"],
                    "kind": "sensor",
                    "storage_unit_id": tank_id,
                    "key": key,
                    "quantity": q.value,
                    "value": float(value),
                    "limit_value": f.details.get("limit"),
                    "severity": sev,
                    "message": f.message,
                    "state": "open",
                    "opened_ms": at,
                    "details": {"rule_id": f.rule_id, "cell": f.cell},
                },
                "alarm",
            )
        else:
            change(
                conn,
                actor,
                t.alarms,
                dict(open_alarm),
                {"value": float(value), "severity": sev},
                "alarm_update",
            )
            result["alarm_id"] = open_alarm["id"]
    elif open_alarm is not None:
        change(
            conn,
            actor,
            t.alarms,
            dict(open_alarm),
            {"state": "cleared", "cleared_ms": at},
            "alarm_clear",
        )
        result["cleared"] = open_alarm["id"]
    return result


def escalate(engine: Engine, actor: Actor, now_ms: int | None = None) -> list[int]:
    """Turn critical sensor alarms open too long into major hidden dangers; returns their ids."""
    actor.require(*TERMINAL_ROLES)
    at = wall_ms() if now_ms is None else now_ms
    made = []
    with engine.begin() as conn:
        for alarm in rows(
            conn,
            actor,
            t.alarms,
            t.alarms.c.kind == "sensor",
            t.alarms.c.state == "open",
            t.alarms.c.severity == "critical",
            t.alarms.c.hidden_danger_id.is_(None),
        ):
            rules = port_rules_for(conn, alarm["organisation"])
            if at - alarm["opened_ms"] < rules.sensor_escalation_minutes * 60_000:
                continue
            made.append(_to_hidden_danger(conn, actor, alarm, at))
    return made


def _to_hidden_danger(conn: Connection, actor: Actor, alarm: dict[str, Any], at: int) -> int:
    unit = get(conn, actor, t.storage_units, alarm["storage_unit_id"], "tank")
    minutes = (at - alarm["opened_ms"]) / 60_000
    hd = report_in(
        conn,
        actor,
        unit["terminal_id"],
        f"{unit['name']}: {alarm['quantity']} beyond design limit for {minutes:.0f} min",
        alarm["message"],
        criterion_id="1.2",
        storage_unit_id=unit["id"],
        source="sensor",
        source_ref=f"alarm:{alarm['id']}",
        now_ms=at,
    )
    change(conn, actor, t.alarms, alarm, {"hidden_danger_id": hd["id"]}, "alarm_escalate")
    return int(hd["id"])


def list_alarms(
    engine: Engine, actor: Actor, state: str | None = "open", kind: str | None = None
) -> list[dict[str, Any]]:
    """Visible alarms (open ones by default)."""
    where = []
    if state is not None:
        where.append(t.alarms.c.state == state)
    if kind is not None:
        where.append(t.alarms.c.kind == kind)
    with engine.connect() as conn:
        return rows(conn, actor, t.alarms, *where)


def clear_alarm(
    engine: Engine, actor: Actor, alarm_id: int, comment: str, now_ms: int | None = None
) -> dict[str, Any]:
    """Clear an alarm by hand with a comment."""
    actor.require(*TERMINAL_ROLES)
    if not comment.strip():
        raise InvalidInputError("clearing an alarm by hand needs a comment")
    at = wall_ms() if now_ms is None else now_ms
    with engine.begin() as conn:
        alarm = get(conn, actor, t.alarms, alarm_id, "alarm")
        if alarm["state"] != "open":
            raise InvalidStateError(f"alarm {alarm_id} is {alarm['state']}")
        details = {**alarm["details"], "cleared_comment": comment}
        change(
            conn,
            actor,
            t.alarms,
            alarm,
            {"state": "cleared", "cleared_ms": at, "details": details},
            "alarm_clear",
        )
        return get(conn, actor, t.alarms, alarm_id, "alarm")
