from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, func, select

from seawarden.db import schema
from seawarden.registry import importer, ships
from seawarden.registry.importer import ImportKind, import_file
from seawarden.registry.importplan import ShipPlanner
from seawarden.registry.lists import LEADING, LISTS, ListName
from seawarden.registry.reasons import Reason
from seawarden.registry.tables import crew_certificates, crews, ship_events, ship_identities
from seawarden.registry.tables import ships as ships_table
from seawarden.registry.tabular import TableFileError, write_table
from seawarden.security.actor import Forbidden

from .helpers import FJ, VIEWER, ZJ, id_number, imo, ship, uscc

DATA = Path(__file__).resolve().parents[1] / "data" / "registry"


def _count(engine: Engine, table: object) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())  # type: ignore[arg-type]


def test_each_bad_row_reported_with_line_and_reason(db_engine: Engine) -> None:
    report = import_file(db_engine, ZJ, DATA / "ships_bad_rows.csv", ImportKind.ships)
    got = {(e.line, e.reason) for e in report.errors}
    assert got == {
        (3, Reason.bad_imo),
        (4, Reason.bad_mmsi),
        (5, Reason.missing_field),
        (6, Reason.bad_value),
        (7, Reason.duplicate_in_file),
        (8, Reason.bad_row_shape),
        (9, Reason.out_of_scope),
        (10, Reason.unknown_company),
    }
    assert (report.rows, report.created, report.updated, report.rejected) == (10, 2, 0, 8)
    by_line = {e.line: e for e in report.errors}
    assert by_line[3].field == "imo" and "check digit should be 9" in by_line[3].message
    assert by_line[6].field == "length_m"
    names = sorted(s["name"] for s in ships.list_ships(db_engine, ZJ))
    assert names == ["GOOD ONE", "QUOTED, NAME"]
    assert ships.get_ship(db_engine, ZJ, "9074793")["ship_type"] == "bulk_carrier"
    assert _count(db_engine, ship_identities) == 8
    with db_engine.connect() as conn:
        row = (
            conn.execute(
                select(schema.audit_log).where(schema.audit_log.c.action == "registry.import")
            )
            .mappings()
            .one()
        )
    assert row["detail"]["rejected"] == 8 and row["detail"]["created"] == 2
    assert importer.import_history(db_engine, ZJ)[0]["rejected"] == 8


def test_nothing_half_written_when_the_write_fails(
    db_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = ShipPlanner.write

    def failing(self: ShipPlanner, conn: object, source: str) -> tuple[int, int]:
        original(self, conn, source)  # type: ignore[arg-type]
        raise RuntimeError("disk full")

    monkeypatch.setattr(ShipPlanner, "write", failing)
    with pytest.raises(importer.ImportFailedError, match="nothing was imported"):
        import_file(db_engine, ZJ, DATA / "ships_bad_rows.csv", ImportKind.ships)
    assert _count(db_engine, ships_table) == 0
    assert _count(db_engine, ship_identities) == 0
    assert _count(db_engine, schema.audit_log) == 0


def test_file_level_errors(db_engine: Engine, tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("imo,mmsi\n9074729,413000001\n")
    with pytest.raises(TableFileError, match="missing column"):
        import_file(db_engine, ZJ, p, ImportKind.ships)
    with pytest.raises(TableFileError):
        import_file(db_engine, ZJ, tmp_path / "x.txt", ImportKind.ships)
    (tmp_path / "e.csv").write_bytes(b"")
    with pytest.raises(TableFileError, match="empty"):
        import_file(db_engine, ZJ, tmp_path / "e.csv", ImportKind.ships)
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    with pytest.raises(TableFileError):
        import_file(db_engine, ZJ, tmp_path / "bad.xlsx", ImportKind.ships)
    (tmp_path / "bad.json").write_bytes(b"{")
    with pytest.raises(TableFileError):
        import_file(db_engine, ZJ, tmp_path / "bad.json", ImportKind.ships)
    with pytest.raises(Forbidden):
        import_file(db_engine, VIEWER, DATA / "ships_bad_rows.csv", ImportKind.ships)


def test_excel_gb18030_json_and_update_by_imo(db_engine: Engine, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Name", "IMO", "MMSI", "Ship Type", "Registered On", "organisation"])
    ws.append(["EXCEL ONE", 9074729, 413000001, "oil tanker", dt.datetime(2020, 1, 2), "ZJ"])
    ws.append([None, None, None, None, None, None])
    ws.append(["EXCEL BAD", 1234568, 413000002, "oil tanker", "2020-02-30", "ZJ"])
    wb.save(tmp_path / "ships.xlsx")
    rep = import_file(db_engine, ZJ, tmp_path / "ships.xlsx", ImportKind.ships)
    assert rep.created == 1 and [(e.line, e.reason) for e in rep.errors] == [(4, Reason.bad_imo)]
    assert ships.get_ship(db_engine, ZJ, "9074729")["registered_on"] == dt.date(2020, 1, 2)

    (tmp_path / "gb.csv").write_bytes(
        "name,imo,mmsi,organisation\n海星,9074729,413000001,ZJ\n".encode("gb18030")
    )
    rep = import_file(db_engine, ZJ, tmp_path / "gb.csv", ImportKind.ships)
    assert (rep.created, rep.updated, rep.rejected) == (0, 1, 0)
    updated = ships.get_ship(db_engine, ZJ, "9074729")
    assert updated["name"] == "海星"
    # columns the file does not have keep their registered values
    assert (updated["ship_type"], updated["registered_on"]) == ("oil_tanker", dt.date(2020, 1, 2))
    assert LISTS[ListName.events](db_engine, ZJ)[0]["kind"] == "name_change"

    (tmp_path / "s.json").write_text(
        json.dumps([{"name": "JSON", "imo": imo(100001), "organisation": "ZJ"}, 5])
    )
    rep = import_file(db_engine, ZJ, tmp_path / "s.json", ImportKind.ships)
    assert rep.created == 1 and rep.errors[0].reason is Reason.bad_row_shape


def test_export_round_trip(db_engine: Engine, tmp_path: Path) -> None:
    import_file(db_engine, ZJ, DATA / "ships_bad_rows.csv", ImportKind.ships)
    for fmt in ("csv", "xlsx", "json"):
        out = tmp_path / f"ships.{fmt}"
        rows = LISTS[ListName.ships](db_engine, ZJ)
        write_table(out, rows, LEADING[ListName.ships])
        rep = import_file(db_engine, ZJ, out, ImportKind.ships)
        assert (rep.created, rep.updated, rep.rejected) == (0, 0, 0), rep.errors
    with (tmp_path / "ships.csv").open() as f:
        assert next(csv.reader(f))[:3] == ["id", "organisation", "name"]
    assert LISTS[ListName.ships](db_engine, FJ) == []


def test_crews_companies_inspections(db_engine: Engine, tmp_path: Path) -> None:
    good_id = id_number("33090219850612001")
    (tmp_path / "crews.csv").write_text(
        "name,id_number,certificate_no,certificate_grade,certificate_expires,organisation\n"
        f"王海生,{good_id},C-1,master,2030-01-01,ZJ\n"
        "李四,330902198506120010,,,,ZJ\n"
        f"张三,{good_id},,,,ZJ\n"
        f"赵五,{id_number('33090219900101002')},C-9,,,ZJ\n"
    )
    rep = import_file(db_engine, ZJ, tmp_path / "crews.csv", ImportKind.crews)
    assert [(e.line, e.reason) for e in rep.errors] == [
        (3, Reason.bad_id_number),
        (4, Reason.duplicate_in_file),
        (5, Reason.bad_value),
    ]
    assert _count(db_engine, crews) == 1 and _count(db_engine, crew_certificates) == 1
    rep = import_file(db_engine, ZJ, tmp_path / "crews.csv", ImportKind.crews)
    assert rep.errors[0].reason is Reason.exists_in_register

    code = uscc("91330200717845273")
    (tmp_path / "companies.csv").write_text(
        f"name,uscc,kind,organisation\nNingbo Shipping,{code},shipping,ZJ\nBad,91350100M000100Y44,shipping,ZJ\n"
    )
    rep = import_file(db_engine, ZJ, tmp_path / "companies.csv", ImportKind.companies)
    assert rep.created == 1 and rep.errors[0].reason is Reason.bad_uscc
    (tmp_path / "companies2.csv").write_text(
        f"name,uscc,ism_performance\nNingbo Shipping Group,{code},low\n"
    )
    rep = import_file(db_engine, ZJ, tmp_path / "companies2.csv", ImportKind.companies)
    assert rep.updated == 1

    sid = ship(db_engine)
    (tmp_path / "insp.csv").write_text(
        "ship,on_date,port,regime,deficiencies,detained\n"
        "9074729,2025-03-01,Ningbo,tokyo,4,false\n"
        "413000001,2025-09-01,Ningbo,tokyo,9,true\n"
        "9999999,2025-09-01,Ningbo,tokyo,9,true\n"
        "9074729,2025-03-01,Ningbo,tokyo,4,false\n"
        "9074729,01/03/2025,Ningbo,tokyo,4,false\n"
    )
    rep = import_file(db_engine, ZJ, tmp_path / "insp.csv", ImportKind.inspections)
    assert rep.created == 2
    assert [(e.line, e.reason) for e in rep.errors] == [
        (4, Reason.unknown_ship),
        (5, Reason.duplicate_in_file),
        (6, Reason.bad_date),
    ]
    with db_engine.connect() as conn:
        n = conn.execute(
            select(func.count()).where(
                ship_events.c.ship_id == sid, ship_events.c.kind == "inspection"
            )
        ).scalar_one()
    assert n == 2
    rep = import_file(
        db_engine, FJ, tmp_path / "insp.csv", ImportKind.inspections, organisation="FJ"
    )
    assert rep.created == 0 and {e.reason for e in rep.errors} >= {Reason.unknown_ship}


def test_empty_optional_cells_take_the_default_or_keep_the_registered_value(
    db_engine: Engine, tmp_path: Path
) -> None:
    (tmp_path / "ships.csv").write_text(
        "name,imo,ship_type,status,organisation\n"
        f"BLANK TYPE,{imo(200001)},,,ZJ\n"
        f"TANKER,{imo(200002)},oil tanker,,ZJ\n"
    )
    rep = import_file(db_engine, ZJ, tmp_path / "ships.csv", ImportKind.ships)
    assert (rep.created, rep.rejected) == (2, 0), rep.errors
    blank = ships.get_ship(db_engine, ZJ, imo(200001))
    assert (blank["ship_type"], blank["status"]) == ("other", "active")
    # an update with empty cells keeps the registered type
    (tmp_path / "again.csv").write_text(
        f"name,imo,ship_type,organisation\nTANKER II,{imo(200002)},,ZJ\n"
    )
    rep = import_file(db_engine, ZJ, tmp_path / "again.csv", ImportKind.ships)
    assert (rep.updated, rep.rejected) == (1, 0)
    assert ships.get_ship(db_engine, ZJ, imo(200002))["ship_type"] == "oil_tanker"
    # a company update without a kind keeps the registered kind
    code = uscc("91330200MA2B3C4D5")
    (tmp_path / "co.csv").write_text(f"name,uscc,kind,organisation\nPORT CO,{code},port,ZJ\n")
    assert import_file(db_engine, ZJ, tmp_path / "co.csv", ImportKind.companies).created == 1
    (tmp_path / "co2.csv").write_text(f"name,uscc,kind\nPORT CO LTD,{code},\n")
    rep = import_file(db_engine, ZJ, tmp_path / "co2.csv", ImportKind.companies)
    assert (rep.updated, rep.rejected) == (1, 0)
    from seawarden.registry.companies import get_company

    assert get_company(db_engine, ZJ, code)["kind"] == "port"
    # a required value left empty is still missing
    (tmp_path / "bad.csv").write_text("name,ship_type,organisation\n,tug,ZJ\n")
    rep = import_file(db_engine, ZJ, tmp_path / "bad.csv", ImportKind.ships)
    assert [(e.reason, e.field) for e in rep.errors] == [(Reason.missing_field, "name")]
