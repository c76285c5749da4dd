"""The risk register: risk points and their periodic reviews, every write audited.

A risk point has a location, a hazard, a likelihood and a consequence (1-5 each), the level
they give (:mod:`seawarden.risk.matrix`), control measures and an owner.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from pydantic import Field
from sqlalchemy import Engine, insert, select, update

from seawarden.db.engine import audit, now_ms
from seawarden.registry.schemas import Record
from seawarden.registry.scope import check_write, insert_id, scoped, scoped_row
from seawarden.risk.matrix import COLOURS, Level, level
from seawarden.risk.tables import risk_points, risk_reviews
from seawarden.risk.window import add_months
from seawarden.security.actor import Actor

Scale = Annotated[int, Field(ge=1, le=5)]


class RiskPointIn(Record):
    """A new risk point."""

    organisation: Annotated[str | None, Field(max_length=64)] = None
    name: Annotated[str, Field(min_length=1, max_length=256)]
    location: Annotated[str, Field(min_length=1, max_length=512)]
    lat: Annotated[float | None, Field(ge=-90, le=90)] = None
    lon: Annotated[float | None, Field(ge=-180, le=180)] = None
    hazard: Annotated[str, Field(min_length=1, max_length=1024)]
    likelihood: Scale
    consequence: Scale
    measures: list[Annotated[str, Field(min_length=1, max_length=1024)]] = Field(
        default_factory=list
    )
    owner: Annotated[str, Field(min_length=1, max_length=256)]
    review_months: Annotated[int, Field(ge=1, le=60)] = 12
    identified_on: dt.date | None = None


class ReviewIn(Record):
    """A review of a risk point: the reassessed likelihood, consequence and measures."""

    reviewed_on: dt.date
    reviewer: Annotated[str, Field(min_length=1, max_length=256)]
    likelihood: Scale
    consequence: Scale
    measures: list[Annotated[str, Field(min_length=1, max_length=1024)]] | None = None
    note: Annotated[str | None, Field(max_length=2048)] = None
    close: bool = False


def add_point(engine: Engine, actor: Actor, data: RiskPointIn) -> int:
    """Register a risk point; its level follows from likelihood × consequence."""
    org = check_write(actor, data.organisation)
    lv = level(data.likelihood, data.consequence)
    start = data.identified_on or dt.date.today()
    t = now_ms()
    values = data.model_dump(exclude={"organisation", "identified_on"})
    with engine.begin() as conn:
        pid = insert_id(
            conn,
            insert(risk_points).values(
                **values,
                organisation=org,
                level=lv.value,
                status="open",
                next_review=add_months(start, data.review_months),
                created_ms=t,
                updated_ms=t,
            ),
        )
        audit(
            conn,
            actor,
            "risk_point.create",
            "risk_point",
            str(pid),
            {**data.model_dump(mode="json"), "level": lv.value},
            org,
        )
    return pid


def review(engine: Engine, actor: Actor, point_id: int, data: ReviewIn) -> dict[str, Any]:
    """Record a review; the point takes the reviewed likelihood, consequence, level and measures."""
    with engine.begin() as conn:
        row = scoped_row(conn, risk_points, point_id, actor, "risk point")
        org = check_write(actor, row["organisation"])
        lv = level(data.likelihood, data.consequence)
        measures = data.measures if data.measures is not None else row["measures"]
        rid = insert_id(
            conn,
            insert(risk_reviews).values(
                point_id=point_id,
                organisation=org,
                reviewed_on=data.reviewed_on,
                reviewer=data.reviewer,
                likelihood=data.likelihood,
                consequence=data.consequence,
                level=lv.value,
                measures=measures,
                note=data.note,
            ),
        )
        changes = {
            "likelihood": data.likelihood,
            "consequence": data.consequence,
            "level": lv.value,
            "measures": measures,
            "status": "closed" if data.close else "open",
            "next_review": None
            if data.close
            else add_months(data.reviewed_on, row["review_months"]),
            "updated_ms": now_ms(),
        }
        conn.execute(update(risk_points).where(risk_points.c.id == point_id).values(**changes))
        audit(
            conn,
            actor,
            "risk_point.review",
            "risk_point",
            str(point_id),
            {
                "review": rid,
                "from_level": row["level"],
                **data.model_dump(mode="json"),
                "level": lv.value,
            },
            org,
        )
    return {**dict(row), **changes, "review_id": rid}


def points(
    engine: Engine, actor: Actor, min_level: Level | None = None, status: str | None = "open"
) -> list[dict[str, Any]]:
    """Risk points in scope, highest level first, with their colour."""
    stmt = scoped(select(risk_points), risk_points, actor).order_by(risk_points.c.id)
    if status:
        stmt = stmt.where(risk_points.c.status == status)
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
    rank = {lv.value: i for i, lv in enumerate(Level)}
    if min_level is not None:
        rows = [r for r in rows if rank[r["level"]] <= rank[min_level.value]]
    for r in rows:
        r["colour"] = COLOURS[Level(r["level"])]
    return sorted(rows, key=lambda r: (rank[r["level"]], r["id"]))


def reviews(engine: Engine, actor: Actor, point_id: int) -> list[dict[str, Any]]:
    """The reviews of a risk point, oldest first."""
    stmt = scoped(
        select(risk_reviews).where(risk_reviews.c.point_id == point_id), risk_reviews, actor
    ).order_by(risk_reviews.c.reviewed_on, risk_reviews.c.id)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def reviews_due(engine: Engine, actor: Actor, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Open risk points whose next review is on or before the day."""
    day = on or dt.date.today()
    return [
        r for r in points(engine, actor) if r["next_review"] is not None and r["next_review"] <= day
    ]
