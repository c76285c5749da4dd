from __future__ import annotations

import datetime as dt

import pytest
from pydantic import ValidationError
from sqlalchemy import Engine

from seawarden.registry.scope import NotFoundError
from seawarden.risk import riskpoints
from seawarden.risk.matrix import Level, level
from seawarden.risk.riskpoints import ReviewIn, RiskPointIn
from seawarden.security.actor import Forbidden

from ..registry.helpers import FJ, VIEWER, ZJ


@pytest.mark.parametrize(
    ("likelihood", "consequence", "expected"),
    [
        (1, 1, Level.low),
        (2, 2, Level.low),
        (1, 5, Level.general),
        (3, 3, Level.general),
        (2, 5, Level.significant),
        (4, 4, Level.significant),
        (4, 5, Level.major),
        (5, 5, Level.major),
    ],
)
def test_matrix(likelihood: int, consequence: int, expected: Level) -> None:
    assert level(likelihood, consequence) is expected


def test_matrix_rejects_out_of_range() -> None:
    with pytest.raises(ValueError):
        level(0, 3)


def test_risk_points_and_reviews(db_engine: Engine) -> None:
    pid = riskpoints.add_point(
        db_engine,
        ZJ,
        RiskPointIn(
            name="Tanker berth 3",
            location="Daxie terminal, berth 3",
            lat=29.9,
            lon=121.9,
            hazard="oil spill while loading",
            likelihood=4,
            consequence=5,
            measures=["booms deployed", "loading arm inspection"],
            owner="terminal safety officer",
            organisation="ZJ",
            identified_on=dt.date(2026, 1, 1),
        ),
    )
    rows = riskpoints.points(db_engine, ZJ)
    assert [(r["id"], r["level"], r["colour"], r["next_review"]) for r in rows] == [
        (pid, "major", "red", dt.date(2027, 1, 1))
    ]
    res = riskpoints.review(
        db_engine,
        ZJ,
        pid,
        ReviewIn(
            reviewed_on=dt.date(2026, 6, 1),
            reviewer="inspector",
            likelihood=2,
            consequence=5,
            note="vapour recovery installed",
        ),
    )
    assert (res["level"], res["next_review"], res["measures"]) == (
        "significant",
        dt.date(2027, 6, 1),
        ["booms deployed", "loading arm inspection"],
    )
    assert [r["level"] for r in riskpoints.reviews(db_engine, ZJ, pid)] == ["significant"]
    assert riskpoints.points(db_engine, ZJ, min_level=Level.major) == []
    assert [r["id"] for r in riskpoints.reviews_due(db_engine, ZJ, dt.date(2027, 7, 1))] == [pid]
    riskpoints.review(
        db_engine,
        ZJ,
        pid,
        ReviewIn(
            reviewed_on=dt.date(2026, 9, 1),
            reviewer="inspector",
            likelihood=1,
            consequence=5,
            close=True,
        ),
    )
    assert (
        riskpoints.points(db_engine, ZJ) == []
        and riskpoints.points(db_engine, ZJ, status=None)[0]["status"] == "closed"
    )
    assert riskpoints.points(db_engine, FJ, status=None) == []
    with pytest.raises(NotFoundError):
        riskpoints.review(
            db_engine,
            FJ,
            pid,
            ReviewIn(reviewed_on=dt.date(2026, 9, 1), reviewer="x", likelihood=1, consequence=1),
        )
    with pytest.raises(Forbidden):
        riskpoints.add_point(
            db_engine,
            VIEWER,
            RiskPointIn(name="n", location="l", hazard="h", likelihood=1, consequence=1, owner="o"),
        )
    with pytest.raises(ValidationError):
        RiskPointIn(name="n", location="l", hazard="h", likelihood=6, consequence=1, owner="o")
