"""Hidden dangers closed loop, major hazard sources, sensor alarms, dashboards."""

from __future__ import annotations

import struct
import zlib
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from seawarden.dangerous_goods import hazard_sources as hs
from seawarden.dangerous_goods import hidden_dangers as hd
from seawarden.dangerous_goods import tables as t
from seawarden.dangerous_goods.alarms import clear_alarm, escalate, list_alarms, record_reading
from seawarden.dangerous_goods.cargo import record_cargo
from seawarden.dangerous_goods.dashboard import (
    dashboard,
    list_enforcement,
    record_enforcement,
    storage_unit_layer,
)
from seawarden.dangerous_goods.declarations import submit
from seawarden.dangerous_goods.errors import (
    InvalidFileError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
)
from seawarden.dangerous_goods.facilities import set_port_rules
from seawarden.security.actor import Forbidden

from .helpers import CITY_NB, DAY, ENT_A, ENT_B, HOUR, SUPERVISOR, T0, World, build, declaration


def png(width: int = 2, height: int = 2) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * width for _ in range(height))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


@pytest.fixture
def world(db_engine: Engine) -> World:
    return build(db_engine)


def rows_in(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_hidden_danger_closed_loop_with_photos(
    db_engine: Engine, world: World, tmp_path: Path
) -> None:
    danger = hd.report(
        db_engine,
        ENT_A,
        world.terminal,
        "T-101 level alarm bypassed",
        "high-high level switch jumpered",
        criterion_id="2.1",
        storage_unit_id=world.tank,
        photos=[("a.png", png())],
        data_dir=tmp_path,
        now_ms=T0,
    )
    assert (danger["level"], danger["category_no"], danger["state"]) == ("major", 2, "reported")
    general = hd.report(
        db_engine,
        ENT_A,
        world.terminal,
        "faded sign",
        "warning sign unreadable",
        category_no=5,
        now_ms=T0,
    )
    assert general["level"] == "general"
    hd.assign(db_engine, ENT_A, danger["id"], "Li Wei", now_ms=T0)
    with pytest.raises(InvalidStateError):
        hd.verify(db_engine, SUPERVISOR, danger["id"], True)
    hd.rectify(
        db_engine,
        ENT_A,
        danger["id"],
        "switch restored and tested",
        [("b.png", png(3, 3))],
        tmp_path,
        T0 + DAY,
    )
    hd.verify(db_engine, SUPERVISOR, danger["id"], False, "no test record", T0 + 2 * DAY)
    hd.rectify(db_engine, ENT_A, danger["id"], "test record added", now_ms=T0 + 3 * DAY)
    hd.verify(db_engine, SUPERVISOR, danger["id"], True, "ok", T0 + 4 * DAY)
    with pytest.raises(Forbidden):
        hd.close(db_engine, ENT_A, danger["id"])  # a major danger is closed by the authority
    closed = hd.close(db_engine, SUPERVISOR, danger["id"], "closed", T0 + 5 * DAY)
    assert closed["state"] == "closed"
    full = hd.history(db_engine, ENT_A, danger["id"])
    assert [e["action"] for e in full["events"]] == [
        "report",
        "assign",
        "rectify",
        "verify_failed",
        "rectify",
        "verify",
        "close",
    ]
    assert "memory" in (full["events"][0]["comment"] or "")  # criterion 2.1 wording is unverified
    assert [p["stage"] for p in full["photos"]] == ["report", "rectification"]
    for p in full["photos"]:
        assert Path(p["path"]).is_file() and str(tmp_path) in p["path"] and p["mime"] == "image/png"
    stats = hd.statistics(db_engine, SUPERVISOR, T0 + 5 * DAY)
    assert stats["by_terminal"][world.terminal] == {
        "total": 2,
        "open": 1,
        "major_open": 0,
        "overdue": 0,
        "closed": 1,
    }
    assert stats["by_category"][2]["closed"] == 1


def test_bad_photos_and_criteria_change_nothing(
    db_engine: Engine, world: World, tmp_path: Path
) -> None:
    before = rows_in(db_engine, t.hidden_dangers), rows_in(db_engine, t.photos)
    with pytest.raises(InvalidFileError):
        hd.report(
            db_engine,
            ENT_A,
            world.terminal,
            "x",
            "y",
            category_no=1,
            photos=[("a.txt", b"hello")],
            data_dir=tmp_path,
        )
    set_port_rules(db_engine, SUPERVISOR, "ENT-A", {"photo_max_bytes": 50})
    with pytest.raises(InvalidFileError):
        hd.report(
            db_engine,
            ENT_A,
            world.terminal,
            "x",
            "y",
            category_no=1,
            photos=[("a.png", png(20, 20))],
            data_dir=tmp_path,
        )
    with pytest.raises(InvalidInputError):
        hd.report(db_engine, ENT_A, world.terminal, "x", "y", criterion_id="9.9")
    with pytest.raises(InvalidInputError):
        hd.report(db_engine, ENT_A, world.terminal, "x", "y", criterion_id="C1")
    with pytest.raises(InvalidInputError):
        hd.report(db_engine, ENT_A, world.terminal, "x", "y")
    assert (rows_in(db_engine, t.hidden_dangers), rows_in(db_engine, t.photos)) == before
    assert not (tmp_path / "dg").exists() or not any((tmp_path / "dg").rglob("*.png"))


def test_overdue_escalation(db_engine: Engine, world: World) -> None:
    d = hd.report(
        db_engine,
        ENT_A,
        world.terminal,
        "blocked exit",
        "fire exit blocked",
        category_no=3,
        now_ms=T0,
    )
    assigned = hd.assign(db_engine, ENT_A, d["id"], "Li Wei", now_ms=T0)
    assert assigned["deadline_ms"] == T0 + 30 * DAY  # default for a general danger
    assert hd.escalate_overdue(db_engine, SUPERVISOR, T0 + 29 * DAY) == []
    (first,) = hd.escalate_overdue(db_engine, SUPERVISOR, T0 + 31 * DAY)
    assert first["escalation_level"] == 1
    assert hd.escalate_overdue(db_engine, SUPERVISOR, T0 + 32 * DAY) == []
    (second,) = hd.escalate_overdue(db_engine, SUPERVISOR, T0 + 38 * DAY)
    assert second["escalation_level"] == 2
    assert hd.statistics(db_engine, ENT_A, T0 + 38 * DAY)["by_category"][3]["overdue"] == 1
    assert hd.escalate_overdue(db_engine, ENT_B, T0 + 60 * DAY) == []  # not visible to B


def test_major_hazard_source_lifecycle(db_engine: Engine, world: World) -> None:
    with pytest.raises(InvalidInputError):
        hs.register(db_engine, ENT_A, world.warehouse)  # nothing permitted in it
    with pytest.raises(InvalidInputError):
        hs.register(db_engine, ENT_A, world.tank)  # tanks are assessed with their farm
    src = hs.register(db_engine, ENT_A, world.farm, T0)
    # methanol 8000/500 = 16 (β 1) + toluene 100/500 = 0.2 (β 1); 60 people → α 1.5
    assert (round(src["S"], 6), round(src["R"], 6), src["grade"]) == (16.2, 24.3, 3)
    assert any("S = 16 + 0.2 = 16.2" in line for line in src["working"])
    with pytest.raises(InvalidStateError):
        hs.register(db_engine, ENT_A, world.farm, T0)
    with pytest.raises(Forbidden):
        hs.file_source(db_engine, ENT_A, src["id"], "BA-2026-001")
    filed = hs.file_source(db_engine, SUPERVISOR, src["id"], "BA-2026-001", T0 + DAY)
    assert filed["state"] == "filed"
    assert hs.due_evaluations(db_engine, ENT_A, T0 + 1094 * DAY) == []
    assert [x["id"] for x in hs.due_evaluations(db_engine, ENT_A, T0 + 1096 * DAY)] == [src["id"]]
    again = hs.evaluate(db_engine, ENT_A, src["id"], T0 + 1096 * DAY)
    assert again["next_evaluation_ms"] == T0 + (1096 + 1095) * DAY
    gone = hs.deregister(db_engine, SUPERVISOR, src["id"], "tank farm demolished", T0 + 1200 * DAY)
    assert gone["state"] == "deregistered"
    assert [e["action"] for e in hs.events(db_engine, ENT_A, src["id"])] == [
        "register",
        "file",
        "evaluate",
        "deregister",
    ]
    with pytest.raises(NotFoundError):
        hs.events(db_engine, ENT_B, src["id"])
    # A filed source turns the comparison's hazard-source warning into information.
    src2 = hs.register(db_engine, ENT_A, world.farm, T0 + 1300 * DAY)
    hs.file_source(db_engine, SUPERVISOR, src2["id"], "BA-2029-001")
    d = submit(db_engine, ENT_A, declaration(world, storage_unit_id=world.tank), now_ms=T0)
    assert d["comparison"] == "pass", d["findings"]


def test_sensor_alarms_escalate_to_a_major_hidden_danger(db_engine: Engine, world: World) -> None:
    assert (
        record_reading(db_engine, ENT_A, world.tank, "temperature_c", 25.0, T0)["alarm_id"] is None
    )
    first = record_reading(db_engine, ENT_A, world.tank, "temperature_c", 45.0, T0 + 60_000)
    assert first["alarm_id"] and first["findings"][0]["rule_id"] == "SENSOR-LIMIT"
    again = record_reading(db_engine, ENT_A, world.tank, "temperature_c", 46.0, T0 + 120_000)
    assert again["alarm_id"] == first["alarm_id"]
    gas = record_reading(db_engine, ENT_A, world.tank, "gas_pct_lel", 30.0, T0 + 120_000)
    assert gas["alarm_id"] and gas["alarm_id"] != first["alarm_id"]
    assert escalate(db_engine, ENT_A, T0 + 10 * 60_000) == []
    (made,) = escalate(db_engine, ENT_A, T0 + 40 * 60_000)  # critical and open for 39 min > 30
    danger = hd.history(db_engine, ENT_A, made)
    assert (danger["level"], danger["criterion_id"], danger["source"]) == ("major", "1.2", "sensor")
    assert escalate(db_engine, ENT_A, T0 + 50 * 60_000) == []
    cleared = record_reading(db_engine, ENT_A, world.tank, "temperature_c", 30.0, T0 + 60 * 60_000)
    assert cleared["cleared"] == first["alarm_id"]
    open_ = list_alarms(db_engine, ENT_A)
    assert [a["quantity"] for a in open_] == ["gas_pct_lel"]
    clear_alarm(db_engine, ENT_A, open_[0]["id"], "detector recalibrated")
    assert list_alarms(db_engine, ENT_A) == []
    with pytest.raises(InvalidInputError):
        record_reading(db_engine, ENT_A, world.yard, "temperature_c", 20.0)


def test_dashboards_and_map_layer(db_engine: Engine, world: World) -> None:
    record_cargo(db_engine, ENT_A, world.tank, "in", "1230", 3000, T0)
    src = hs.register(db_engine, ENT_A, world.farm, T0)
    submit(db_engine, ENT_A, declaration(world), now_ms=T0)
    hd.report(db_engine, ENT_A, world.terminal, "x", "y", criterion_id="1.6", now_ms=T0)
    record_enforcement(
        db_engine,
        SUPERVISOR,
        world.terminal,
        "inspection",
        "quarterly check",
        "2 dangers found",
        T0,
    )
    board = dashboard(db_engine, SUPERVISOR, "ZJ", T0 + 30 * HOUR)
    assert board["totals"]["companies"] == 2 and board["totals"]["terminals"] == 2
    assert board["totals"]["grade_3"] == 1 and board["totals"]["hidden_dangers_major_open"] == 1
    assert (
        board["totals"]["declarations_pending"] == 1
        and board["totals"]["declarations_overdue"] == 1
    )
    kids = {c["code"]: c for c in board["children"]}
    assert kids["ZJ-NB"]["hazard_sources"] == 1 and kids["ZJ-ZS"]["hazard_sources"] == 0
    assert kids["ZJ-ZS"]["companies"] == 1
    city = dashboard(db_engine, CITY_NB, "ZJ-NB")
    assert [c["code"] for c in city["children"]] == ["ZJ-NB-BL"]
    with pytest.raises(NotFoundError):
        dashboard(db_engine, CITY_NB, "ZJ")
    layer = storage_unit_layer(db_engine, SUPERVISOR)
    farm = next(f for f in layer["features"] if f["properties"]["id"] == world.farm)
    assert farm["properties"]["grade"] == 3 and farm["properties"]["inventory_t"] == {
        "1230": 3000.0
    }
    assert farm["properties"]["hazard_source"] == src["id"]
    assert storage_unit_layer(db_engine, ENT_B)["features"] == []
    assert [e["kind"] for e in list_enforcement(db_engine, ENT_A)] == ["inspection"]
    assert list_enforcement(db_engine, ENT_B) == []
