"""Scores: computed from the ledger, stored with inputs and rule-set version, recomputed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, func, insert, select

from seawarden.credit.ledger import SubjectKind, ruleset, subject_name, subject_of
from seawarden.credit.rules import CreditInput, Score, score
from seawarden.credit.tables import events, scores
from seawarden.db.engine import audit, now_ms
from seawarden.registry.scope import check_write, insert_id, scoped, scoped_row
from seawarden.security.actor import Actor


def compute_score(
    engine: Engine,
    actor: Actor,
    kind: SubjectKind | None,
    ref: str,
    as_of: dt.date | None = None,
    version: str | None = None,
) -> dict[str, Any]:
    """Score a subject from its ledger with a rule set (default: active) and store the score."""
    day = as_of or dt.date.today()
    with engine.begin() as conn:
        k, subject = subject_of(conn, actor, kind, ref)
        org = check_write(actor, subject["organisation"])
        rules = ruleset(conn, version)
        rows = conn.execute(
            select(events).where(
                events.c.subject_kind == k.value, events.c.subject_id == subject["id"]
            )
        ).mappings()
        inputs = [
            CreditInput(
                id=r["id"],
                kind=r["kind"],
                on_date=r["on_date"],
                points=r["points"],
                status=r["status"],
                legal_basis=r["legal_basis"],
            )
            for r in rows
        ]
        result = score(inputs, rules, day)
        data = result.as_dict()
        sid = insert_id(
            conn,
            insert(scores).values(
                organisation=org,
                subject_kind=k.value,
                subject_id=subject["id"],
                ruleset_version=rules.version,
                as_of=day,
                score=result.score,
                grade=result.grade.value,
                listing=result.listing.value if result.listing else None,
                intensity=result.intensity.level,
                inputs=data["inputs"],
                lines=result.lines,
                computed_ms=now_ms(),
                actor=actor.username,
            ),
        )
        audit(
            conn,
            actor,
            "credit.score",
            "credit_score",
            str(sid),
            {
                "subject": subject["id"],
                "grade": result.grade.value,
                "score": result.score,
                "ruleset": rules.version,
            },
            org,
        )
    return {
        "id": sid,
        "subject_kind": k.value,
        "subject_id": subject["id"],
        "name": subject_name(k, subject),
        **data,
    }


@dataclass(frozen=True)
class Recomputation:
    """A stored score and the same rules run again on its stored inputs."""

    stored: dict[str, Any]
    again: Score

    @property
    def same(self) -> bool:
        """Whether score, grade and list agree."""
        return bool(
            self.stored["score"] == self.again.score
            and self.stored["grade"] == self.again.grade.value
            and self.stored["listing"] == (self.again.listing.value if self.again.listing else None)
        )


def recompute(engine: Engine, actor: Actor, score_id: int) -> Recomputation:
    """Recompute a stored score from its stored inputs with its stored rule-set version."""
    with engine.connect() as conn:
        row = scoped_row(conn, scores, score_id, actor, "credit score")
        rules = ruleset(conn, row["ruleset_version"])
    inputs = [CreditInput.model_validate(i) for i in row["inputs"]]
    return Recomputation(dict(row), score(inputs, rules, row["as_of"]))


def latest_score(
    engine: Engine, actor: Actor, kind: SubjectKind | None, ref: str
) -> dict[str, Any] | None:
    """The latest stored score of a subject (``None`` if never scored)."""
    with engine.connect() as conn:
        k, subject = subject_of(conn, actor, kind, ref)
        row = (
            conn.execute(
                scoped(
                    select(scores).where(
                        scores.c.subject_kind == k.value, scores.c.subject_id == subject["id"]
                    ),
                    scores,
                    actor,
                )
                .order_by(scores.c.computed_ms.desc(), scores.c.id.desc())
                .limit(1)
            )
            .mappings()
            .first()
        )
        return None if row is None else {**dict(row), "name": subject_name(k, subject)}


def latest_scores(
    engine: Engine, actor: Actor, kind: SubjectKind | None = None
) -> list[dict[str, Any]]:
    """The latest score of every scored subject in scope."""
    newest = (
        select(func.max(scores.c.id).label("id"))
        .group_by(scores.c.subject_kind, scores.c.subject_id)
        .subquery()
    )
    stmt = scoped(
        select(scores).where(scores.c.id.in_(select(newest.c.id))), scores, actor
    ).order_by(scores.c.subject_kind, scores.c.grade, scores.c.id)
    if kind is not None:
        stmt = stmt.where(scores.c.subject_kind == kind.value)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]
