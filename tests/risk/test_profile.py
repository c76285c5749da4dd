"""Risk profiles of registered ships: facts from the register, windows and due lists."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from seawarden.registry import events
from seawarden.registry.companies import update_company
from seawarden.registry.schemas import EventKind, InspectionIn, ShipEventIn
from seawarden.registry.scope import NotFoundError, RegistryError
from seawarden.risk import company as company_perf
from seawarden.risk import performance
from seawarden.risk.config import load_config
from seawarden.risk.profile import due_list, ship_profile
from seawarden.risk.window import Priority, add_months, months_between, window
from seawarden.security.actor import Forbidden

from ..registry.helpers import ADMIN, FJ, ZJ, company, imo, ship

ON = dt.date(2026, 6, 1)


def _lists(engine: Engine, tmp_path: Path) -> None:
    (tmp_path / "flags.csv").write_text(
        "flag,performance,imo_audit,year\nPA,black_medium_high,false,2025\nCN,white,true,2025\n"
    )
    (tmp_path / "ros.csv").write_text(
        "ro,performance,eu_recognised,year\nCCS,medium,true,2025\nABS,high,true,2025\nBAD,worst,true,2025\n"
    )
    assert performance.load_list(engine, ADMIN, tmp_path / "flags.csv", "flags")[0] == 2
    n, bad = performance.load_list(engine, ADMIN, tmp_path / "ros.csv", "ros")
    assert n == 2 and [b["line"] for b in bad] == [4]
    with pytest.raises(Forbidden):
        performance.load_list(engine, ZJ, tmp_path / "ros.csv", "ros")


def test_worked_example_from_the_register(db_engine: Engine, tmp_path: Path) -> None:
    _lists(db_engine, tmp_path)
    cid = company(db_engine)
    update_company(db_engine, ZJ, cid, {"ism_performance": "low"})
    sid = ship(db_engine, ism_company=cid, keel_laid=dt.date(2011, 1, 1))
    events.record_inspection(
        db_engine,
        ZJ,
        InspectionIn(
            ship=sid,
            on_date=dt.date(2025, 12, 1),
            port="Ningbo",
            regime="tokyo",
            deficiencies=8,
            detained=True,
        ),
    )
    events.record_inspection(
        db_engine,
        ZJ,
        InspectionIn(
            ship=sid, on_date=dt.date(2022, 1, 1), port="Ningbo", deficiencies=1, detained=True
        ),
    )
    events.record_inspection(
        db_engine,
        ZJ,
        InspectionIn(
            ship=sid, on_date=dt.date(2026, 1, 1), port="Zhoushan", regime="fsc", deficiencies=1
        ),
    )
    p = ship_profile(db_engine, ZJ, "9074729", load_config(), ON)
    f = p.facts
    assert (f.ship_type, f.flag_performance.value, f.imo_audit, f.company_performance.value) == (
        "bulk_carrier",
        "black_medium_high",
        False,
        "low",
    )
    assert (
        f.ro_performance is not None and f.ro_performance.value == "medium" and f.ro_eu_recognised
    )
    assert f.age_years == pytest.approx(15.41, abs=0.01)
    assert (f.inspections_36m, f.detentions_36m) == (
        [8],
        1,
    )  # 2022 is outside 36 months, fsc does not count
    assert (p.profile.points, p.profile.risk.value) == (7, "HRS")
    assert p.window.last_inspection == dt.date(2025, 12, 1)
    assert (p.window.opens, p.window.closes) == (dt.date(2026, 5, 1), dt.date(2026, 6, 1))
    assert p.window.priority(ON) is Priority.priority_ii
    assert p.window.priority(dt.date(2026, 6, 2)) is Priority.priority_i
    data = p.as_dict()
    assert (
        data["profile"] == "HRS" and len(data["parameters"]) == 9 and "company" in data["sources"]
    )
    with pytest.raises(NotFoundError):
        ship_profile(db_engine, FJ, sid, load_config(), ON)

    # an accident after the last inspection is an overriding factor -> Priority I
    events.record_event(
        db_engine, ZJ, sid, ShipEventIn(kind=EventKind.accident, on_date=dt.date(2026, 2, 1))
    )
    p = ship_profile(db_engine, ZJ, sid, load_config(), dt.date(2026, 3, 1))
    assert p.window.priority(dt.date(2026, 3, 1)) is Priority.priority_i and p.window.overriding


def test_unlisted_flag_and_ro_unknown_company_and_derived_company(db_engine: Engine) -> None:
    sid = ship(db_engine, flag="XX", class_society=None, build_year=None)
    p = ship_profile(db_engine, ZJ, sid, load_config(), ON)
    f = p.facts
    assert (
        f.flag_performance.value,
        f.ro_performance,
        f.company_performance.value,
        f.age_years,
    ) == ("not_listed", None, "medium", None)
    assert (
        p.profile.risk.value == "SRS" and p.window.priority(ON) is Priority.priority_i
    )  # never inspected
    assert "not in the inspection database" in p.window.overriding[0]
    # company performance from the fleet's record against the register average
    cid = company(db_engine)
    bad = ship(db_engine, name="BAD", imo=imo(111111), mmsi=413000020, ism_company=cid)
    good = ship(db_engine, name="GOOD", imo=imo(222222), mmsi=413000021)
    for d in (1, 2, 3):
        events.record_inspection(
            db_engine,
            ZJ,
            InspectionIn(
                ship=bad, on_date=dt.date(2025, d, 1), port="P", deficiencies=9, detained=True
            ),
        )
        events.record_inspection(
            db_engine,
            ZJ,
            InspectionIn(ship=good, on_date=dt.date(2025, d, 1), port="P", deficiencies=0),
        )
    assert (
        ship_profile(db_engine, ZJ, bad, load_config(), ON).facts.company_performance.value
        == "very_low"
    )


def test_company_indices() -> None:
    everyone = company_perf.Record(100, 5, 300)
    assert company_perf.performance(company_perf.Record(10, 0, 10), everyone)[0] == "high"
    assert company_perf.performance(company_perf.Record(10, 2, 60), everyone)[0] == "very_low"
    assert company_perf.performance(company_perf.Record(10, 0, 30), everyone)[0] == "high"
    assert company_perf.performance(company_perf.Record(20, 1, 60), everyone)[0] == "medium"
    assert company_perf.performance(company_perf.Record(0, 0, 0), everyone)[0] == "medium"


def test_windows() -> None:
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert months_between(dt.date(2025, 1, 31), dt.date(2025, 2, 28)) == 0
    assert months_between(dt.date(2025, 1, 15), dt.date(2026, 1, 15)) == 12
    w = window(dt.date(2025, 1, 1), (10, 12))
    assert w.priority(dt.date(2025, 10, 31)) is Priority.not_due
    assert w.priority(dt.date(2025, 11, 1)) is Priority.priority_ii
    assert w.priority(dt.date(2026, 1, 1)) is Priority.priority_ii
    assert w.priority(dt.date(2026, 1, 2)) is Priority.priority_i


def test_due_list_per_port(db_engine: Engine) -> None:
    hrs = ship(db_engine, name="OLD BULKER", build_year=1990)
    lrs_like = ship(
        db_engine,
        name="NEW BOX",
        imo=imo(300003),
        mmsi=413000030,
        ship_type="container_ship",
        build_year=2022,
    )
    away = ship(db_engine, name="ELSEWHERE", imo=imo(300004), mmsi=413000031)
    fresh = ship(
        db_engine, name="JUST INSPECTED", imo=imo(300005), mmsi=413000032, port_of_registry="Ningbo"
    )
    for sid in (hrs, lrs_like, fresh):
        if sid != fresh:
            events.record_event(
                db_engine,
                ZJ,
                sid,
                ShipEventIn(kind=EventKind.port_call, on_date=dt.date(2026, 5, 30), port="Ningbo"),
            )
    events.record_event(
        db_engine,
        ZJ,
        away,
        ShipEventIn(
            kind=EventKind.port_call,
            on_date=dt.date(2026, 5, 1),
            ended_on=dt.date(2026, 5, 3),
            port="Ningbo",
        ),
    )
    events.record_inspection(
        db_engine,
        ZJ,
        InspectionIn(ship=lrs_like, on_date=dt.date(2025, 7, 1), port="Ningbo", deficiencies=0),
    )
    events.record_inspection(
        db_engine,
        ZJ,
        InspectionIn(ship=fresh, on_date=dt.date(2026, 5, 1), port="Ningbo", deficiencies=0),
    )
    rows = due_list(db_engine, ZJ, "Ningbo", load_config(), ON)
    assert [r["name"] for r in rows] == ["OLD BULKER", "NEW BOX"]
    assert rows[0]["priority"] == "priority_I" and rows[1]["priority"] == "priority_II"
    assert rows[1]["basis"].startswith("in port since")
    every = due_list(db_engine, ZJ, "Ningbo", load_config(), ON, include_not_due=True)
    assert [r["name"] for r in every][-1] == "JUST INSPECTED" and every[-1][
        "basis"
    ] == "port of registry"
    assert due_list(db_engine, FJ, "Ningbo", load_config(), ON) == []
    assert due_list(db_engine, ZJ, "Nowhere", load_config(), ON) == []


def test_list_rows_report_bad_lines_and_keep_other_owners_entries(db_engine: Engine) -> None:
    rows = [
        (2, {"flag": "PA", "performance": "black_high", "imo_audit": "no", "year": "2024"}),
        (3, {"flag": "Panama", "performance": "white", "year": "2024"}),
        (4, None),
    ]
    n, bad = performance.load_rows(db_engine, ADMIN, rows, "flags", "paris", None, "web")
    assert n == 1 and [b["line"] for b in bad] == [3, 4]
    assert "flag" in bad[0]["message"]
    entries = performance.lists(db_engine, ZJ, "flags")
    assert [(e["flag"], e["performance"], e["source"]) for e in entries] == [
        ("PA", "black_high", "web")
    ]
    # an organisation's upload does not replace a platform-wide entry
    mine = [(2, {"flag": "PA", "performance": "white", "year": "2024"})]
    n, bad = performance.load_rows(db_engine, ZJ, mine, "flags", "paris", "ZJ", "zj.csv")
    assert n == 0 and "whole platform" in bad[0]["message"]
    with pytest.raises(Forbidden):
        performance.load_rows(db_engine, ZJ, mine, "flags", "paris", None)
    with pytest.raises(RegistryError):
        performance.load_rows(db_engine, ADMIN, mine, "ships", "paris", None)
