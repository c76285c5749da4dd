"""Declaration → comparison → approval → operation → alert, end to end (SQLite and PostgreSQL)."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from seawarden.dangerous_goods import declarations as decl
from seawarden.dangerous_goods import tables as t
from seawarden.dangerous_goods.alarms import list_alarms, record_reading
from seawarden.dangerous_goods.berth_watch import KIND
from seawarden.dangerous_goods.cargo import inventory, inventory_series, record_cargo
from seawarden.dangerous_goods.errors import (
    DeclarationBlockedError,
    InsufficientStockError,
    InvalidInputError,
    InvalidQuantityError,
    NotFoundError,
    OutOfPhysicalRangeError,
    OverCapacityError,
    UnknownUNNumberError,
)
from seawarden.dangerous_goods.facilities import create_company, create_terminal, list_personnel
from seawarden.dangerous_goods.operations import observe_operation, watch_berths
from seawarden.db import schema
from seawarden.security.actor import Forbidden

from .helpers import CITY_NB, DAY, ENT_A, ENT_B, HOUR, SUPERVISOR, T0, World, build, declaration


@pytest.fixture
def world(db_engine: Engine) -> World:
    return build(db_engine)


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            tab.name: int(conn.execute(select(func.count()).select_from(tab)).scalar_one())
            for tab in (
                t.declarations,
                t.declaration_lines,
                t.cargo_records,
                t.sensor_readings,
                t.alarms,
                schema.audit_log,
            )
        }


def test_declare_compare_approve_operate(db_engine: Engine, world: World) -> None:
    signed: list[dict[str, Any]] = []

    def hook(conn: Any, record: dict[str, Any]) -> dict[str, Any]:
        signed.append(record)
        return {"leaf": len(signed), "declaration": record["declaration"]["id"]}

    d = decl.submit(db_engine, ENT_A, declaration(world), now_ms=T0)
    assert (d["status"], d["comparison"]) == ("submitted", "pass"), d["findings"]
    assert d["decision_deadline_ms"] == T0 + 24 * HOUR
    assert [ln["name"] for ln in d["lines"]] == ["甲醇"]
    decl.set_approval_hook(hook)
    try:
        with pytest.raises(Forbidden):
            decl.approve(db_engine, ENT_A, d["id"], "self-approval")
        approved = decl.approve(db_engine, SUPERVISOR, d["id"], "ok", now_ms=T0 + HOUR)
    finally:
        decl.set_approval_hook(None)
    assert approved["status"] == "approved" and not approved["late_decision"]
    assert approved["ledger_receipt"] == {"leaf": 1, "declaration": d["id"]}
    assert signed[0]["decided_by"] == "officer" and signed[0]["lines"][0]["un_number"] == "1230"
    at = T0 + 2 * DAY + HOUR
    seen = observe_operation(db_engine, ENT_A, world.berth, at, mmsi=413000001)
    assert seen == {"approved": True, "declaration_id": d["id"], "alarm_id": None}
    ship = [
        {
            "vessel_key": 413000001,
            "mmsi": 413000001,
            "time": at,
            "lat": 29.902,
            "lon": 121.805,
            "sog": 0.1,
        }
    ]
    assert watch_berths(db_engine, ENT_A, ship, at) == []
    with db_engine.connect() as conn:
        actions = (
            conn.execute(
                select(schema.audit_log.c.action).where(
                    schema.audit_log.c.entity == "dg_declarations"
                )
            )
            .scalars()
            .all()
        )
    assert actions == ["dg.declare", "dg.approve"]


def test_blocked_declaration(db_engine: Engine, world: World) -> None:
    late_and_wrong = declaration(
        world,
        start_ms=T0 + 10 * HOUR,
        end_ms=T0 + 20 * HOUR,
        personnel=[world.person_ok, world.person_expired],
        lines=[{"un_number": "1942", "quantity_t": 50}, {"un_number": "1230", "quantity_t": 10}],
    )
    d = decl.submit(db_engine, ENT_A, late_and_wrong, now_ms=T0)
    assert (d["status"], d["comparison"]) == ("blocked", "block")
    rules = {f["rule_id"] for f in d["findings"] if f["severity"] == "block"}
    assert rules == {"DECL-LEAD-TIME", "PERMIT-SCOPE", "PERMIT-STAFF"}
    with pytest.raises(DeclarationBlockedError):
        decl.approve(db_engine, SUPERVISOR, d["id"], "approve anyway")
    with pytest.raises(InvalidInputError):
        decl.reject(db_engine, SUPERVISOR, d["id"], " ")
    rejected = decl.reject(db_engine, SUPERVISOR, d["id"], "outside the annex scope")
    assert (
        rejected["status"] == "rejected"
        and rejected["decision_comment"] == "outside the annex scope"
    )


def test_operation_without_approval_raises_alerts(db_engine: Engine, world: World) -> None:
    pending = decl.submit(
        db_engine, ENT_A, declaration(world, mmsi=413000002, ship_name="OCEAN"), now_ms=T0
    )
    at = T0 + 2 * DAY + 2 * HOUR
    positions = [
        {
            "vessel_key": 413000002,
            "mmsi": 413000002,
            "time": at,
            "lat": 29.903,
            "lon": 121.806,
            "sog": 0.2,
        },
        {
            "vessel_key": 413000003,
            "mmsi": 413000003,
            "time": at,
            "lat": 29.903,
            "lon": 121.807,
            "sog": None,
        },
        {
            "vessel_key": 413000004,
            "mmsi": 413000004,
            "time": at,
            "lat": 29.903,
            "lon": 121.807,
            "sog": 9.0,
        },
        {
            "vessel_key": 413000005,
            "mmsi": 413000005,
            "time": at,
            "lat": 29.950,
            "lon": 121.807,
            "sog": 0.0,
        },
    ]
    events = watch_berths(db_engine, ENT_A, positions, at)
    by_mmsi = {e.mmsi: e for e in events}
    assert set(by_mmsi) == {413000002, 413000003}  # moving and outside vessels are ignored
    e = by_mmsi[413000002]
    assert e.kind.value == KIND and e.zone == f"dg_berth:{world.berth}"
    assert (
        e.details["declaration_id"] == pending["id"]
        and e.details["declaration_status"] == "submitted"
    )
    assert (
        by_mmsi[413000003].details["reason"] == "no approved declaration at a dangerous-goods berth"
    )
    assert e.as_dict()["kind"] == KIND
    alarms = list_alarms(db_engine, ENT_A, kind="unapproved_operation")
    assert len(alarms) == 2
    watch_berths(db_engine, ENT_A, positions, at + 60_000)  # still there: no new alarms
    assert len(list_alarms(db_engine, ENT_A, kind="unapproved_operation")) == 2
    # A gate/EDI event at the berth by ship name, nothing approved:
    seen = observe_operation(db_engine, ENT_A, world.berth, at, ship_name="GHOST", source="gate")
    assert not seen["approved"] and seen["alarm_id"]
    # Once approved, the same ship is covered.
    decl.approve(db_engine, SUPERVISOR, pending["id"], "ok", now_ms=T0 + 2 * HOUR)
    later = [dict(positions[0], time=at + HOUR)]
    assert watch_berths(db_engine, ENT_A, later, at + HOUR) == []


def test_warned_declaration_needs_a_comment_and_late_decisions_are_marked(
    db_engine: Engine, world: World
) -> None:
    into_tank = declaration(world, storage_unit_id=world.tank)
    d = decl.submit(db_engine, ENT_A, into_tank, now_ms=T0)
    assert d["comparison"] == "warn", d["findings"]
    assert any(f["rule_id"] == "DECL-HAZARD-SOURCE" for f in d["findings"])
    assert decl.overdue_decisions(db_engine, SUPERVISOR, T0 + 25 * HOUR)[0]["id"] == d["id"]
    with pytest.raises(InvalidInputError):
        decl.approve(db_engine, SUPERVISOR, d["id"], None)
    done = decl.approve(db_engine, SUPERVISOR, d["id"], "filing in progress", now_ms=T0 + 25 * HOUR)
    assert done["late_decision"]
    with pytest.raises(Exception, match="approved"):
        decl.approve(db_engine, SUPERVISOR, d["id"], "again")


def test_capacity_through_a_declaration(db_engine: Engine, world: World) -> None:
    record_cargo(db_engine, ENT_A, world.tank2, "in", "1294", 80, T0)
    d = decl.submit(
        db_engine,
        ENT_A,
        declaration(
            world, storage_unit_id=world.tank2, lines=[{"un_number": "1294", "quantity_t": 30}]
        ),
        now_ms=T0,
    )
    blocks = {f["rule_id"] for f in d["findings"] if f["severity"] == "block"}
    assert "PERMIT-CAPACITY" in blocks and d["status"] == "blocked"


def test_bad_input_changes_nothing(db_engine: Engine, world: World) -> None:
    before = counts(db_engine)
    with pytest.raises(UnknownUNNumberError):
        decl.submit(
            db_engine,
            ENT_A,
            declaration(world, lines=[{"un_number": "9999", "quantity_t": 5}]),
            now_ms=T0,
        )
    with pytest.raises(InvalidQuantityError):
        decl.submit(
            db_engine,
            ENT_A,
            declaration(world, lines=[{"un_number": "1230", "quantity_t": -5}]),
            now_ms=T0,
        )
    with pytest.raises(InvalidInputError):
        decl.submit(db_engine, ENT_A, declaration(world, lines=[]), now_ms=T0)
    with pytest.raises(InvalidInputError):
        decl.submit(db_engine, ENT_A, declaration(world, end_ms=T0), now_ms=T0)
    with pytest.raises(UnknownUNNumberError):
        record_cargo(db_engine, ENT_A, world.tank, "in", "0000", 5, T0)
    with pytest.raises(InvalidQuantityError):
        record_cargo(db_engine, ENT_A, world.tank, "in", "1230", -5, T0)
    with pytest.raises(OverCapacityError):
        record_cargo(db_engine, ENT_A, world.tank2, "in", "1294", 150, T0)  # design capacity 100 t
    with pytest.raises(InsufficientStockError):
        record_cargo(db_engine, ENT_A, world.tank, "out", "1230", 1, T0)
    with pytest.raises(Exception, match="not permitted"):
        record_cargo(db_engine, ENT_A, world.tank, "in", "1294", 5, T0)
    with pytest.raises(OutOfPhysicalRangeError):
        record_reading(db_engine, ENT_A, world.tank, "temperature_c", -400.0, T0)
    with pytest.raises(OutOfPhysicalRangeError):
        record_reading(db_engine, ENT_A, world.tank, "level_m", 25.0, T0)  # tank is 20 m high
    assert counts(db_engine) == before


def test_inventory_over_time(db_engine: Engine, world: World) -> None:
    record_cargo(db_engine, ENT_A, world.tank, "in", "1230", 3000, T0)
    record_cargo(db_engine, ENT_A, world.tank, "in", "1230", 2000, T0 + DAY)
    record_cargo(db_engine, ENT_A, world.tank, "out", "1230", 1500, T0 + 2 * DAY)
    assert inventory(db_engine, ENT_A, world.tank) == {"1230": 3500.0}
    assert inventory(db_engine, ENT_A, world.tank, T0 + DAY) == {"1230": 5000.0}
    assert inventory(db_engine, ENT_A, world.farm) == {"1230": 3500.0}
    series = inventory_series(db_engine, ENT_A, world.tank)
    assert [s["balance_t"] for s in series] == [3000.0, 5000.0, 3500.0]
    with pytest.raises(OverCapacityError):
        record_cargo(
            db_engine, ENT_A, world.tank, "in", "1230", 5000, T0 + 3 * DAY
        )  # 3500 + 5000 > 8000


def test_other_organisations_cannot_see_or_change(db_engine: Engine, world: World) -> None:
    d = decl.submit(db_engine, ENT_A, declaration(world), now_ms=T0)
    before = counts(db_engine)
    with pytest.raises(NotFoundError):
        decl.get_declaration(db_engine, ENT_B, d["id"])
    with pytest.raises(NotFoundError):
        decl.withdraw(db_engine, ENT_B, d["id"])
    with pytest.raises(NotFoundError):
        record_cargo(db_engine, ENT_B, world.tank, "in", "1230", 5, T0)
    with pytest.raises(NotFoundError):
        create_terminal(db_engine, ENT_B, world.company, "hijack")
    with pytest.raises(Forbidden):
        create_company(db_engine, ENT_B, "ENT-A", "fake")
    with pytest.raises(NotFoundError):
        decl.submit(db_engine, ENT_B, declaration(world), now_ms=T0)
    assert decl.list_declarations(db_engine, ENT_B) == []
    assert [x["id"] for x in decl.list_declarations(db_engine, CITY_NB)] == [d["id"]]
    city_zs = SUPERVISOR.__class__("zs", SUPERVISOR.roles, "ZJ-ZS", frozenset({"ZJ-ZS", "ENT-B"}))
    with pytest.raises(NotFoundError):
        decl.approve(db_engine, city_zs, d["id"], "not mine")
    assert counts(db_engine) == before
    masked = list_personnel(db_engine, ENT_A)
    assert masked[0]["id_number"] == "330***********1234"
    assert list_personnel(db_engine, SUPERVISOR)[0]["id_number"] == "330206198001011234"
