"""The list and preview queries behind the web pages: scoped like every other read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import Engine

from seawarden.dangerous_goods import cargo
from seawarden.dangerous_goods import facilities as f
from seawarden.dangerous_goods import hazard_sources as hs
from seawarden.dangerous_goods import hidden_dangers as hd
from seawarden.dangerous_goods.errors import InvalidInputError, NotFoundError
from seawarden.dangerous_goods.inputs import plan_from_text

from .helpers import CITY_NB, DAY, ENT_A, ENT_B, SUPERVISOR, T0, World, build
from .test_safety import png


@pytest.fixture
def world(db_engine: Engine) -> World:
    return build(db_engine)


def test_facility_lists_are_scoped(db_engine: Engine, world: World) -> None:
    assert {c["id"] for c in f.list_companies(db_engine, ENT_A)} == {world.company}
    assert {c["id"] for c in f.list_companies(db_engine, SUPERVISOR)} == {
        world.company,
        world.company_b,
    }
    assert {x["id"] for x in f.list_terminals(db_engine, ENT_B)} == {world.terminal_b}
    assert f.list_terminals(db_engine, ENT_A, world.company_b) == []
    (lic,) = f.list_licences(db_engine, ENT_A)
    assert lic["id"] == world.licence and len(lic["annexes"]) == 3
    assert f.list_licences(db_engine, ENT_B) == []
    assert f.port_rules_in_force(db_engine, "ENT-A").decision_hours == 24


def test_cargo_records_newest_first(db_engine: Engine, world: World) -> None:
    cargo.record_cargo(db_engine, ENT_A, world.tank, "in", "1230", 100, T0)
    cargo.record_cargo(db_engine, ENT_A, world.tank, "out", "1230", 40, T0 + DAY)
    recs = cargo.list_records(db_engine, ENT_A, world.farm)
    assert [(r["direction"], r["quantity_t"]) for r in recs] == [("out", 40), ("in", 100)]
    assert cargo.list_records(db_engine, ENT_A, world.farm, limit=1)[0]["direction"] == "out"
    assert cargo.list_records(db_engine, ENT_B) == []
    with pytest.raises(NotFoundError):
        cargo.list_records(db_engine, ENT_B, world.tank)


def test_hidden_danger_list_and_photo(db_engine: Engine, world: World, tmp_path: Path) -> None:
    a = hd.report(
        db_engine,
        ENT_A,
        world.terminal,
        "blocked lane",
        "",
        category_no=2,
        photos=[("a.png", png())],
        data_dir=tmp_path,
        now_ms=T0,
    )
    b = hd.report(db_engine, ENT_A, world.terminal, "gas detector off", "", criterion_id="1.2")
    assert {x["id"] for x in hd.list_dangers(db_engine, ENT_A, "open")} == {a["id"], b["id"]}
    assert [x["id"] for x in hd.list_dangers(db_engine, ENT_A, level="major")] == [b["id"]]
    assert hd.list_dangers(db_engine, ENT_A, "closed") == []
    assert hd.list_dangers(db_engine, ENT_B) == []
    (photo,) = hd.history(db_engine, ENT_A, a["id"])["photos"]
    assert hd.photo(db_engine, ENT_A, a["id"], photo["id"])["mime"] == "image/png"
    with pytest.raises(NotFoundError):
        hd.photo(db_engine, ENT_A, b["id"], photo["id"])  # not a photo of that danger
    with pytest.raises(NotFoundError):
        hd.photo(db_engine, ENT_B, a["id"], photo["id"])


def test_hazard_source_preview_list_and_detail(db_engine: Engine, world: World) -> None:
    preview = hs.assess_preview(db_engine, ENT_A, world.farm)
    assert preview["storage_unit_id"] == world.farm and preview["is_major_hazard"]
    assert preview["working"][-1].startswith("R = ")
    with pytest.raises(InvalidInputError):
        hs.assess_preview(db_engine, ENT_A, world.tank)
    src = hs.register(db_engine, ENT_A, world.farm, T0)
    assert [s["id"] for s in hs.list_sources(db_engine, CITY_NB)] == [src["id"]]
    hs.deregister(db_engine, SUPERVISOR, src["id"], "tanks emptied and cleaned", T0 + DAY)
    assert hs.list_sources(db_engine, ENT_A) == []
    assert [s["state"] for s in hs.list_sources(db_engine, ENT_A, True)] == ["deregistered"]
    detail = hs.source(db_engine, ENT_A, src["id"])
    assert [e["action"] for e in detail["events"]] == ["register", "deregister"]
    with pytest.raises(NotFoundError):
        hs.source(db_engine, ENT_B, src["id"])


def test_plan_from_text() -> None:
    bay = plan_from_text("id,position,un_number,class\nA,0130282,1263,3\n", "csv")
    assert bay.kind == "bay" and len(bay.bay_units) == 1
    yard = plan_from_text(
        json.dumps([{"id": "C1", "block": "A", "bay": 1, "row": 1, "tier": 1, "un_number": "1263"}])
    )
    assert yard.kind == "yard" and len(yard.yard_units) == 1
    for text in ("{not json", "[1, 2]", json.dumps({"kind": "yard", "blocks": ["A"]}), "[" * 5000):
        with pytest.raises(InvalidInputError):
            plan_from_text(text)
