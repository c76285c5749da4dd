from __future__ import annotations

import csv
import datetime as dt
import json
import re
from pathlib import Path

from sqlalchemy import Engine

from seawarden.credit.ledger import CreditEventIn, SubjectKind, record_event
from seawarden.credit.scoring import compute_score
from seawarden.db.schema import metadata
from seawarden.registry import crews, events, public
from seawarden.registry.public import Dataset, dataset_fields
from seawarden.registry.schemas import CrewIn, EventKind, InspectionIn, PenaltyPointsIn, ShipEventIn

from .helpers import FJ, PUBLIC, USCC_A, ZJ, company, id_number, ship

ID = id_number("33090219850612001")
#: Every column labelled public or personal (personal ones are masked).
LABELLED = {
    (t.name, c.name)
    for t in metadata.tables.values()
    for c in t.columns
    if c.info.get("public") or c.info.get("personal")
}


def _populate(engine: Engine) -> None:
    cid = company(engine)
    sid = ship(engine, ism_company=cid)
    events.record_inspection(
        engine,
        ZJ,
        InspectionIn(ship=sid, on_date=dt.date(2025, 3, 1), port="Ningbo", deficiencies=2),
    )
    events.record_inspection(
        engine,
        ZJ,
        InspectionIn(
            ship=sid,
            on_date=dt.date(2025, 9, 1),
            port="Ningbo",
            deficiencies=9,
            detained=True,
            released_on=dt.date(2025, 9, 4),
        ),
    )
    events.record_inspection(
        engine,
        ZJ,
        InspectionIn(ship=sid, on_date=dt.date(2025, 10, 1), port="Ningbo", public=False),
    )
    events.record_event(
        engine,
        ZJ,
        sid,
        ShipEventIn(
            kind=EventKind.penalty,
            on_date=dt.date(2025, 9, 2),
            legal_basis="海上交通安全法",
            penalty_amount=20000,
            detail={"officer": "secret"},
        ),
    )
    crews.create_crew(engine, ZJ, CrewIn(name="王海生", id_number=ID, organisation="ZJ"))
    crews.add_penalty_points(
        engine, ZJ, ID, PenaltyPointsIn(on_date=dt.date(2025, 5, 1), points=3, reason="no lookout")
    )
    record_event(
        engine,
        ZJ,
        CreditEventIn(
            subject_kind=SubjectKind.company,
            subject=USCC_A,
            kind="detention",
            on_date=dt.date(2025, 9, 1),
            source="PSC-1",
        ),
    )
    compute_score(engine, ZJ, SubjectKind.company, USCC_A, dt.date(2025, 10, 1))


def test_public_queries(db_engine: Engine) -> None:
    _populate(db_engine)
    insp = public.inspection_results(db_engine, PUBLIC)
    assert [(r["date"], r["deficiencies"], r["detained"]) for r in insp] == [
        (dt.date(2025, 9, 1), 9, True),
        (dt.date(2025, 3, 1), 2, False),
    ]
    assert [r["released"] for r in public.detentions(db_engine, PUBLIC)] == [dt.date(2025, 9, 4)]
    pens = public.penalties(db_engine, PUBLIC)
    assert {(p["subject_type"], p["subject_name"]) for p in pens} == {
        ("ship", "HAI XING"),
        ("seafarer", "王**"),
    }
    grades = public.company_grades(db_engine, PUBLIC)
    assert [(g["company_name"], g["grade"], g["uscc"]) for g in grades] == [
        ("Zhoushan Shipping Co.", "A", USCC_A)
    ]
    assert public.inspection_results(db_engine, FJ) == []
    assert public.company_grades(db_engine, PUBLIC, grade="D") == []


def test_open_data_export_has_only_public_fields(db_engine: Engine, tmp_path: Path) -> None:
    _populate(db_engine)
    for ds in Dataset:
        fields = dataset_fields(ds)
        for fmt in ("csv", "json"):
            out = tmp_path / f"{ds.value}.{fmt}"
            n = public.export_open_data(db_engine, PUBLIC, ds, out)
            assert n >= 1, ds
            if fmt == "csv":
                with out.open(encoding="utf-8") as f:
                    reader = csv.DictReader(f)
                    assert reader.fieldnames == fields
                    rows = list(reader)
            else:
                rows = json.loads(out.read_text())
                assert all(list(r) == fields for r in rows)
            text = out.read_text(encoding="utf-8")
            assert ID not in text and "王海生" not in text and "secret" not in text
            assert not re.search(r"\d{17}[\dX]", text.replace(USCC_A, ""))
            assert (
                "organisation" not in fields
                and "id_number" not in fields
                and "detail" not in fields
            )
            assert len(rows) == n


def test_dataset_fields_come_from_labelled_columns() -> None:
    specs = [
        public._INSPECTION,
        public._DETENTION,
        public._SHIP_PENALTY,
        public._CREW_PENALTY,
        public._CREDIT,
    ]
    for spec in specs:
        for f in spec:
            assert (f.column.table.name, f.column.name) in LABELLED
    personal = [f for spec in specs for f in spec if f.personal]
    assert [(f.column.table.name, f.column.name) for f in personal] == [("registry_crews", "name")]
