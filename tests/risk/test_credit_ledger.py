"""The credit ledger, appeals, repair, stored scores and their recomputation (database)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from seawarden.credit import feed, ledger, scoring
from seawarden.credit.ledger import CreditEventIn, SubjectKind
from seawarden.credit.rules import default_ruleset
from seawarden.db import schema
from seawarden.registry import crews, events
from seawarden.registry.schemas import CrewIn, EventKind, InspectionIn, PenaltyPointsIn, ShipEventIn
from seawarden.registry.scope import NotFoundError, RegistryError
from seawarden.security.actor import Forbidden

from ..registry.helpers import ADMIN, FJ, USCC_A, ZJ, company, id_number, ship

AS_OF = dt.date(2026, 6, 30)


def test_ledger_scores_appeal_repair_and_recompute(db_engine: Engine) -> None:
    company(db_engine)
    e1 = ledger.record_event(
        db_engine,
        ZJ,
        CreditEventIn(
            subject_kind=SubjectKind.company,
            subject=USCC_A,
            kind="detention",
            on_date=dt.date(2026, 1, 5),
            source="PSC-2026-001",
        ),
    )
    e2 = ledger.record_event(
        db_engine,
        ZJ,
        CreditEventIn(
            subject_kind=SubjectKind.company,
            subject=USCC_A,
            kind="false_declaration",
            on_date=dt.date(2026, 2, 5),
            source="DEC-7",
        ),
    )
    with pytest.raises(RegistryError, match="already recorded"):
        ledger.record_event(
            db_engine,
            ZJ,
            CreditEventIn(
                subject_kind=SubjectKind.company,
                subject=USCC_A,
                kind="detention",
                on_date=dt.date(2026, 1, 5),
                source="PSC-2026-001",
            ),
        )
    with pytest.raises(RegistryError, match="not in rule set"):
        ledger.record_event(
            db_engine,
            ZJ,
            CreditEventIn(
                subject_kind=SubjectKind.company,
                subject=USCC_A,
                kind="made_up",
                on_date=dt.date(2026, 1, 5),
            ),
        )
    rows = ledger.events_of(db_engine, ZJ, None, USCC_A)
    assert [(r["kind"], r["points"], r["legal_basis"] != "") for r in rows] == [
        ("detention", -10.0, True),
        ("false_declaration", -30.0, True),
    ]

    s1 = scoring.compute_score(db_engine, ZJ, SubjectKind.company, USCC_A, AS_OF)
    assert (s1["score"], s1["grade"], s1["listing"], s1["ruleset_version"]) == (
        60.0,
        "D",
        "black",
        default_ruleset().version,
    )
    assert len(s1["inputs"]) == 2

    aid = ledger.file_appeal(db_engine, ZJ, e2, "the declaration was corrected before the deadline")
    with pytest.raises(RegistryError):
        ledger.file_appeal(db_engine, ZJ, e2, "again")
    assert (
        scoring.compute_score(db_engine, ZJ, None, USCC_A, AS_OF)["grade"] == "D"
    )  # under appeal still counts
    assert ledger.decide_appeal(db_engine, ZJ, aid, True, "evidence accepted") == "upheld"
    with pytest.raises(RegistryError):
        ledger.decide_appeal(db_engine, ZJ, aid, False, "again")
    s3 = scoring.compute_score(db_engine, ZJ, None, USCC_A, AS_OF)
    assert (s3["score"], s3["grade"], s3["listing"]) == (90.0, "A", None)
    ledger.repair(db_engine, ZJ, e1, "deficiencies rectified and verified; ISM training completed")
    with pytest.raises(RegistryError):
        ledger.repair(db_engine, ZJ, e1, "twice")
    s4 = scoring.compute_score(db_engine, ZJ, None, USCC_A, AS_OF)
    assert (s4["score"], s4["grade"]) == (100.0, "AA")

    # every stored score recomputes to the same grade with its stored rule-set version
    for s in (s1, s3, s4):
        rec = scoring.recompute(db_engine, ZJ, s["id"])
        assert rec.same and rec.again.lines == rec.stored["lines"]
    latest = scoring.latest_score(db_engine, ZJ, SubjectKind.company, USCC_A)
    assert latest is not None and latest["id"] == s4["id"]
    assert [r["id"] for r in scoring.latest_scores(db_engine, ZJ)] == [s4["id"]]

    # a new rule-set version does not change old scores
    strict = default_ruleset().model_copy(
        update={"version": "strict-2026.2", "repaired_weight": 1.0}
    )
    assert ledger.install_ruleset(db_engine, ADMIN, strict, activate=True)
    assert not ledger.install_ruleset(db_engine, ADMIN, strict)
    with pytest.raises(RegistryError):
        ledger.install_ruleset(db_engine, ADMIN, strict.model_copy(update={"title": "changed"}))
    with pytest.raises(Forbidden):
        ledger.install_ruleset(db_engine, ZJ, strict.model_copy(update={"version": "zj-1"}))
    s5 = scoring.compute_score(db_engine, ZJ, None, USCC_A, AS_OF)
    assert (s5["ruleset_version"], s5["score"], s5["grade"]) == ("strict-2026.2", 90.0, "A")
    assert scoring.recompute(db_engine, ZJ, s4["id"]).again.grade.value == "AA"
    assert [r["active"] for r in ledger.list_rulesets(db_engine)] == [False, True]

    with db_engine.connect() as conn:
        actions = {r[0] for r in conn.execute(select(schema.audit_log.c.action))}
    assert {
        "credit.event",
        "credit.appeal",
        "credit.appeal_upheld",
        "credit.repair",
        "credit.score",
        "credit.ruleset_install",
    } <= actions


def test_scope_of_the_ledger(db_engine: Engine) -> None:
    company(db_engine)
    eid = ledger.record_event(
        db_engine,
        ZJ,
        CreditEventIn(
            subject_kind=SubjectKind.company,
            subject=USCC_A,
            kind="detention",
            on_date=dt.date(2026, 1, 5),
        ),
    )
    with pytest.raises(NotFoundError):
        ledger.events_of(db_engine, FJ, None, USCC_A)
    with pytest.raises(NotFoundError):
        ledger.file_appeal(db_engine, FJ, eid, "not mine")
    with pytest.raises(NotFoundError):
        scoring.compute_score(db_engine, FJ, None, USCC_A)
    with pytest.raises(NotFoundError):
        ledger.record_event(
            db_engine,
            FJ,
            CreditEventIn(
                subject_kind=SubjectKind.company,
                subject=USCC_A,
                kind="commendation",
                on_date=dt.date(2026, 1, 5),
            ),
        )
    assert scoring.latest_scores(db_engine, FJ) == []


def test_feed_from_the_register(db_engine: Engine) -> None:
    cid = company(db_engine)
    sid = ship(db_engine, ism_company=cid)
    events.record_inspection(
        db_engine,
        ZJ,
        InspectionIn(
            ship=sid, on_date=dt.date(2026, 1, 1), port="Ningbo", deficiencies=9, detained=True
        ),
    )
    events.record_inspection(
        db_engine,
        ZJ,
        InspectionIn(ship=sid, on_date=dt.date(2026, 2, 1), port="Ningbo", deficiencies=1),
    )
    events.record_event(
        db_engine,
        ZJ,
        sid,
        ShipEventIn(
            kind=EventKind.penalty,
            on_date=dt.date(2026, 3, 1),
            legal_basis="海上交通安全法",
            penalty_amount=5000,
        ),
    )
    events.record_event(
        db_engine,
        ZJ,
        sid,
        ShipEventIn(
            kind=EventKind.accident, on_date=dt.date(2026, 4, 1), detail={"severity": "major"}
        ),
    )
    events.record_event(
        db_engine,
        ZJ,
        sid,
        ShipEventIn(kind=EventKind.accident, on_date=dt.date(2026, 4, 2), detail={"liable": False}),
    )
    pid = id_number("33090219850612001")
    crews.create_crew(db_engine, ZJ, CrewIn(name="王海生", id_number=pid, organisation="ZJ"))
    crews.add_penalty_points(
        db_engine,
        ZJ,
        pid,
        PenaltyPointsIn(on_date=dt.date(2026, 5, 1), points=6, reason="no lookout"),
    )
    assert feed.feed(db_engine, ZJ) == 5
    assert feed.feed(db_engine, ZJ) == 0
    kinds = [
        (r["kind"], r["points"]) for r in ledger.events_of(db_engine, ZJ, SubjectKind.ship, sid)
    ]
    assert kinds == [
        ("detention", -10.0),
        ("administrative_penalty", -5.0),
        ("accident_major", -20.0),
    ]
    assert [r["kind"] for r in ledger.events_of(db_engine, ZJ, SubjectKind.company, cid)] == [
        "detention"
    ]
    assert [r["points"] for r in ledger.events_of(db_engine, ZJ, SubjectKind.crew, pid)] == [-6.0]
    s = scoring.compute_score(db_engine, ZJ, SubjectKind.ship, sid, AS_OF)
    assert (s["score"], s["grade"]) == (65.0, "C")
    assert s["intensity"]["level"] == "enhanced"


def test_an_enterprise_appeals_against_a_record_of_its_own(db_engine: Engine) -> None:
    from seawarden.security.actor import Actor, Role

    company(db_engine, organisation="ZJ-ZS")
    eid = ledger.record_event(
        db_engine,
        ZJ,
        CreditEventIn(
            subject_kind=SubjectKind.company,
            subject=USCC_A,
            kind="detention",
            on_date=dt.date(2026, 1, 5),
        ),
    )
    own = Actor("ent", frozenset({Role.enterprise}), "ZJ-ZS", frozenset({"ZJ-ZS"}))
    stranger = Actor("other", frozenset({Role.enterprise}), "FJ", frozenset({"FJ"}))
    public = Actor("citizen", frozenset({Role.public}), "ZJ-ZS", frozenset({"ZJ-ZS"}))
    with pytest.raises(NotFoundError):
        ledger.file_appeal(db_engine, stranger, eid, "not mine")
    with pytest.raises(Forbidden):
        ledger.file_appeal(db_engine, public, eid, "may not appeal")
    aid = ledger.file_appeal(db_engine, own, eid, "the deficiencies were rectified")
    with pytest.raises(Forbidden):
        ledger.decide_appeal(db_engine, own, aid, True, "deciding my own appeal")
    assert ledger.decide_appeal(db_engine, ZJ, aid, False, "detention confirmed") == "rejected"


def test_activate_and_show_a_stored_rule_set(db_engine: Engine) -> None:
    bundled = default_ruleset().version
    strict = default_ruleset().model_copy(update={"version": "strict-2026.3"})
    assert ledger.install_ruleset(db_engine, ADMIN, strict)
    with pytest.raises(RegistryError, match="already the active one"):
        ledger.activate_ruleset(db_engine, ADMIN, bundled)
    with pytest.raises(Forbidden):
        ledger.activate_ruleset(db_engine, ZJ, "strict-2026.3")
    with pytest.raises(NotFoundError):
        ledger.activate_ruleset(db_engine, ADMIN, "no-such-version")
    ledger.activate_ruleset(db_engine, ADMIN, "strict-2026.3")
    shown = ledger.show_ruleset(db_engine, "strict-2026.3")
    assert shown["active"] and shown["rules"]["version"] == "strict-2026.3"
    assert not ledger.show_ruleset(db_engine, bundled)["active"]
    ledger.activate_ruleset(db_engine, ADMIN, bundled)  # back to the bundled rules
    assert [r["version"] for r in ledger.list_rulesets(db_engine) if r["active"]] == [bundled]
    with pytest.raises(NotFoundError):
        ledger.show_ruleset(db_engine, "no-such-version")
    with db_engine.connect() as conn:
        actions = [
            r[0]
            for r in conn.execute(
                select(schema.audit_log.c.action).where(
                    schema.audit_log.c.action == "credit.ruleset_activate"
                )
            )
        ]
    assert len(actions) == 2
