"""Stored yards (blocks, containers at slots, incremental findings), port rules in force, tank
reading batches and the berth watch raising supervision alerts."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select

from seawarden.dangerous_goods import tables as t
from seawarden.dangerous_goods import yards
from seawarden.dangerous_goods.alarms import list_alarms, record_readings, tank_readings
from seawarden.dangerous_goods.errors import (
    InvalidInputError,
    InvalidPositionError,
    NotFoundError,
    OutOfPhysicalRangeError,
    UnknownUNNumberError,
)
from seawarden.dangerous_goods.facilities import port_rules_view, set_port_rules
from seawarden.dangerous_goods.operations import observe_berths
from seawarden.db import schema
from seawarden.supervision.alerts import AlertStore

from .helpers import CITY_NB, ENT_A, ENT_B, SUPERVISOR, T0, World, build

PAINT = [{"un_number": "1263"}]
CHLORATE = [{"un_number": "1495"}]


@pytest.fixture
def world(db_engine: Engine) -> World:
    return build(db_engine)


def count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def keys(findings: list[dict[str, object]]) -> set[tuple[object, ...]]:
    return {(f["rule_id"], tuple(f["subjects"])) for f in findings}  # type: ignore[arg-type]


def test_place_move_remove_with_incremental_findings(db_engine: Engine, world: World) -> None:
    e = db_engine
    a = yards.place_container(e, ENT_A, world.yard, "C1", "A", 1, 1, 1, PAINT, now_ms=T0)
    assert a["added"] == [] and a["container"]["items"][0]["un_number"] == "1263"
    b = yards.place_container(e, ENT_A, world.yard, "c2", "A", 3, 1, 1, CHLORATE, now_ms=T0)
    assert (
        keys(b["added"]) == {("YARD-SEG", ("C1", "C2"))} and b["container"]["container_no"] == "C2"
    )
    moved = yards.move_container(e, ENT_A, b["container"]["id"], "A", 9, 1, 1, now_ms=T0)
    assert keys(moved["removed"]) == {("YARD-SEG", ("C1", "C2"))} and moved["added"] == []
    assert moved["findings"] == [] and moved["container"]["bay"] == 9
    top = yards.place_container(e, CITY_NB, world.yard, "C3", "A", 1, 1, 2, [], now_ms=T0)
    before = count(e, t.yard_containers)
    for step in (
        lambda: yards.place_container(e, ENT_A, world.yard, "C4", "A", 5, 1, 2, PAINT),
        lambda: yards.place_container(e, ENT_A, world.yard, "C4", "A", 41, 1, 1, PAINT),
        lambda: yards.place_container(e, ENT_A, world.yard, "C4", "Z", 1, 1, 1, PAINT),
        lambda: yards.place_container(e, ENT_A, world.yard, "C4", "A", 1, 1, 1, PAINT),
        lambda: yards.place_container(e, ENT_A, world.yard, "C1", "A", 11, 1, 1, PAINT),
        lambda: yards.remove_container(e, ENT_A, a["container"]["id"]),
        lambda: yards.move_container(e, ENT_A, a["container"]["id"], "A", 13, 1, 1),
    ):
        with pytest.raises(InvalidPositionError):
            step()
    with pytest.raises(UnknownUNNumberError):
        yards.place_container(e, ENT_A, world.yard, "C4", "A", 5, 1, 1, [{"un_number": "9999"}])
    with pytest.raises(InvalidInputError):
        yards.place_container(e, ENT_A, world.warehouse, "C4", "A", 5, 1, 1, PAINT)
    with pytest.raises(NotFoundError):
        yards.remove_container(e, ENT_B, a["container"]["id"])
    assert count(e, t.yard_containers) == before
    yards.remove_container(e, ENT_A, top["container"]["id"])
    gone = yards.remove_container(e, ENT_A, a["container"]["id"])
    assert gone["container"] is None
    view = yards.yard_view(e, ENT_A, world.yard)
    assert [c["container_no"] for c in view["containers"]] == ["C2"]
    assert [b["name"] for b in view["blocks"]] == ["A"]
    with e.connect() as conn:
        actions = (
            conn.execute(
                select(schema.audit_log.c.action).where(
                    schema.audit_log.c.entity == "dg_yard_containers"
                )
            )
            .scalars()
            .all()
        )
    assert {"dg.yard_place", "dg.yard_move", "dg.yard_remove"} <= set(actions)


def test_blocks_are_unique_and_the_rules_in_force_apply(db_engine: Engine, world: World) -> None:
    e = db_engine
    with pytest.raises(InvalidInputError):
        yards.add_block(e, ENT_A, world.yard, "A", 10, 4, 3)
    blk = yards.add_block(e, ENT_A, world.yard, "B", 10, 4, 4, y0=40)
    assert blk["tiers"] == 4
    set_port_rules(e, SUPERVISOR, "ENT-A", {"stack_limit_other": 1})
    yards.place_container(e, ENT_A, world.yard, "S1", "B", 1, 1, 1, [{"un_number": "1830"}])
    r = yards.place_container(e, ENT_A, world.yard, "S2", "B", 1, 1, 2, [{"un_number": "1830"}])
    assert {f["rule_id"] for f in r["added"]} == {"YARD-STACK"}
    view = port_rules_view(e, ENT_A, "ENT-A")
    assert view["overrides"] == {"stack_limit_other": 1} and view["inherited_from"] == "ENT-A"
    assert view["rules"]["stack_limit_other"] == 1 and "stack_limit_other" in view["fields"]
    assert port_rules_view(e, ENT_A, "ENT-A")["fields"]["stack_limit_other"]["default"] == 3
    assert port_rules_view(e, CITY_NB, "ZJ-NB")["inherited_from"] is None
    with pytest.raises(NotFoundError):
        port_rules_view(e, ENT_B, "ENT-A")


def test_reading_batches_are_all_or_nothing(db_engine: Engine, world: World) -> None:
    e = db_engine
    before = count(e, t.sensor_readings)
    with pytest.raises(OutOfPhysicalRangeError) as exc:
        record_readings(
            e,
            ENT_A,
            [
                {"tank_id": world.tank, "quantity": "temperature_c", "value": 20.0},
                {"tank_id": world.tank, "quantity": "gas_pct_lel", "value": 150.0},
            ],
        )
    assert exc.value.detail["index"] == 1
    with pytest.raises(NotFoundError):
        record_readings(e, ENT_B, [{"tank_id": world.tank, "quantity": "level_m", "value": 1.0}])
    assert count(e, t.sensor_readings) == before
    out = record_readings(
        e,
        ENT_A,
        [
            {"tank_id": world.tank, "quantity": "gas_pct_lel", "value": 3.0, "at_ms": T0 + 2},
            {"tank_id": world.tank, "quantity": "gas_pct_lel", "value": 60.0, "at_ms": T0 + 1},
        ],
    )
    assert out[1]["alarm_id"] is not None and out[0]["cleared"] == out[1]["alarm_id"]
    seen = tank_readings(e, ENT_A, world.tank)
    assert seen["latest"]["gas_pct_lel"] == {"value": 3.0, "at_ms": T0 + 2}
    assert [r["value"] for r in seen["readings"]] == [3.0, 60.0]
    assert seen["limits"]["gas_alarm_pct_lel"] == 50.0
    with pytest.raises(InvalidInputError):
        tank_readings(e, ENT_A, world.yard)


def test_observed_berths_become_supervision_alerts(db_engine: Engine, world: World) -> None:
    e = db_engine
    inside = [{"mmsi": 413999001, "time": T0, "lat": 29.902, "lon": 121.805, "sog": 0.1}]
    out = observe_berths(e, CITY_NB, inside, at_ms=T0)
    assert out["alerts_created"] == 1 and out["events"][0]["zone"] == f"dg_berth:{world.berth}"
    alerts = AlertStore(e).find(kind="dg_unapproved_operation")
    assert [(a["unit"], a["zone"]) for a in alerts] == [("ENT-A", f"dg_berth:{world.berth}")]
    assert [a["berth_id"] for a in list_alarms(e, CITY_NB, kind="unapproved_operation")] == [
        world.berth
    ]
    again = observe_berths(e, CITY_NB, inside, at_ms=T0)
    assert again["alerts_created"] == 0 and len(AlertStore(e).find()) == 1
    assert observe_berths(e, ENT_B, inside, at_ms=T0)["events"] == []
