"""Public information and the open-data export: only columns labelled public, personal data masked.

Each dataset is a list of output fields, each taken from a table column; a column may be
used only if its ``info`` labels it ``public`` (checked when this module loads), and a
column labelled ``personal`` is always masked. :func:`dataset_fields` is the schema of
each dataset's output.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sqlalchemy import Column, Engine, Select, func, literal, select

from seawarden.credit.tables import scores
from seawarden.registry.codes import mask_id, mask_name
from seawarden.registry.scope import scoped
from seawarden.registry.tables import companies, crew_penalties, crews, ship_events, ships
from seawarden.registry.tabular import TableFormat, write_table
from seawarden.security.actor import Actor


class Dataset(StrEnum):
    """Public datasets."""

    inspections = "inspections"
    detentions = "detentions"
    penalties = "penalties"
    company_credit = "company_credit"


@dataclass(frozen=True)
class PublicField:
    """An output field and the column it comes from."""

    name: str
    column: Column[Any]

    @property
    def personal(self) -> bool:
        """Whether the value is personal data (masked on output)."""
        return bool(self.column.info.get("personal"))


def _fields(*pairs: tuple[str, Column[Any]]) -> list[PublicField]:
    out = [PublicField(n, c) for n, c in pairs]
    for f in out:
        if not f.column.info.get("public") and not f.personal:
            raise RuntimeError(f"{f.column.table.name}.{f.column.name} is not labelled public")
    return out


_SHIP = (
    ("ship_name", ships.c.name),
    ("imo", ships.c.imo),
    ("flag", ships.c.flag),
    ("ship_type", ships.c.ship_type),
)
_INSPECTION = _fields(
    *_SHIP,
    ("date", ship_events.c.on_date),
    ("port", ship_events.c.port),
    ("regime", ship_events.c.regime),
    ("authority", ship_events.c.authority),
    ("deficiencies", ship_events.c.deficiencies),
    ("detained", ship_events.c.detained),
)
_DETENTION = _fields(
    *_SHIP,
    ("date", ship_events.c.on_date),
    ("released", ship_events.c.ended_on),
    ("port", ship_events.c.port),
    ("authority", ship_events.c.authority),
    ("deficiencies", ship_events.c.deficiencies),
)
_SHIP_PENALTY = _fields(
    ("subject_name", ships.c.name),
    ("imo", ships.c.imo),
    ("date", ship_events.c.on_date),
    ("legal_basis", ship_events.c.legal_basis),
    ("penalty_amount", ship_events.c.penalty_amount),
    ("authority", ship_events.c.authority),
)
_CREW_PENALTY = _fields(
    ("subject_name", crews.c.name),
    ("date", crew_penalties.c.on_date),
    ("legal_basis", crew_penalties.c.legal_basis),
    ("points", crew_penalties.c.points),
    ("reason", crew_penalties.c.reason),
)
_CREDIT = _fields(
    ("company_name", companies.c.name),
    ("uscc", companies.c.uscc),
    ("grade", scores.c.grade),
    ("listing", scores.c.listing),
    ("score", scores.c.score),
    ("as_of", scores.c.as_of),
    ("ruleset_version", scores.c.ruleset_version),
)
PENALTY_FIELDS = [
    "subject_type",
    "subject_name",
    "imo",
    "date",
    "legal_basis",
    "penalty_amount",
    "points",
    "reason",
    "authority",
]


def dataset_fields(dataset: Dataset) -> list[str]:
    """The output fields of a dataset, in order (its published schema)."""
    if dataset is Dataset.penalties:
        return list(PENALTY_FIELDS)
    spec = {
        Dataset.inspections: _INSPECTION,
        Dataset.detentions: _DETENTION,
        Dataset.company_credit: _CREDIT,
    }
    return [f.name for f in spec[dataset]]


def _mask(f: PublicField, value: Any) -> Any:
    if not f.personal or value is None:
        return value
    return mask_name(value) if f.column.name == "name" else mask_id(str(value))


def _run(
    engine: Engine,
    stmt: Select[Any],
    fields: list[PublicField],
    extra: dict[str, Any] | None = None,
) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return [
        {**(extra or {}), **{f.name: _mask(f, v) for f, v in zip(fields, row, strict=True)}}
        for row in rows
    ]


def _events(
    actor: Actor, fields: list[PublicField], kind: str, since: dt.date | None, ship: str | None
) -> Select[Any]:
    stmt = scoped(
        select(*(f.column for f in fields))
        .join_from(ship_events, ships, ships.c.id == ship_events.c.ship_id)
        .where(ship_events.c.kind == kind, ship_events.c.public.is_(True)),
        ship_events,
        actor,
    ).order_by(ship_events.c.on_date.desc(), ship_events.c.id.desc())
    if since is not None:
        stmt = stmt.where(ship_events.c.on_date >= since)
    if ship is not None:
        stmt = stmt.where((ships.c.imo == ship) | (ships.c.id == ship) | (ships.c.name == ship))
    return stmt


def inspection_results(
    engine: Engine, actor: Actor, since: dt.date | None = None, ship: str | None = None
) -> list[dict[str, Any]]:
    """Published inspection results (ship, date, port, deficiencies, detained)."""
    return _run(engine, _events(actor, _INSPECTION, "inspection", since, ship), _INSPECTION)


def detentions(
    engine: Engine, actor: Actor, since: dt.date | None = None, ship: str | None = None
) -> list[dict[str, Any]]:
    """Published detentions."""
    stmt = _events(actor, _DETENTION, "inspection", since, ship).where(
        ship_events.c.detained.is_(True)
    )
    return _run(engine, stmt, _DETENTION)


def penalties(engine: Engine, actor: Actor, since: dt.date | None = None) -> list[dict[str, Any]]:
    """Published penalties of ships and seafarers (seafarers' names masked)."""
    ship_rows = _run(
        engine,
        _events(actor, _SHIP_PENALTY, "penalty", since, None),
        _SHIP_PENALTY,
        {"subject_type": "ship"},
    )
    stmt = scoped(
        select(*(f.column for f in _CREW_PENALTY)).join_from(
            crew_penalties, crews, crews.c.id == crew_penalties.c.crew_id
        ),
        crew_penalties,
        actor,
    ).order_by(crew_penalties.c.on_date.desc(), crew_penalties.c.id.desc())
    if since is not None:
        stmt = stmt.where(crew_penalties.c.on_date >= since)
    crew_rows = _run(engine, stmt, _CREW_PENALTY, {"subject_type": "seafarer"})
    rows = [{k: r.get(k) for k in PENALTY_FIELDS} for r in ship_rows + crew_rows]
    return sorted(rows, key=lambda r: r["date"], reverse=True)


def company_grades(engine: Engine, actor: Actor, grade: str | None = None) -> list[dict[str, Any]]:
    """The latest credit grade of every scored company."""
    newest = (
        select(func.max(scores.c.id).label("id"))
        .where(scores.c.subject_kind == literal("company"))
        .group_by(scores.c.subject_id)
        .subquery()
    )
    stmt = scoped(
        select(*(f.column for f in _CREDIT))
        .join_from(scores, companies, companies.c.id == scores.c.subject_id)
        .where(scores.c.id.in_(select(newest.c.id))),
        scores,
        actor,
    ).order_by(companies.c.name)
    if grade is not None:
        stmt = stmt.where(scores.c.grade == grade)
    return _run(engine, stmt, _CREDIT)


QUERIES: dict[Dataset, Callable[[Engine, Actor], list[dict[str, Any]]]] = {
    Dataset.inspections: inspection_results,
    Dataset.detentions: detentions,
    Dataset.penalties: penalties,
    Dataset.company_credit: company_grades,
}


def export_open_data(
    engine: Engine, actor: Actor, dataset: Dataset, path: Path, fmt: TableFormat | None = None
) -> int:
    """Write a public dataset as CSV or JSON (only its public fields); returns the row count."""
    fmt = fmt or TableFormat(path.suffix.lower().lstrip(".") or "csv")
    if fmt not in (TableFormat.csv, TableFormat.json, TableFormat.jsonl):
        raise ValueError("open data is published as CSV or JSON")
    return write_table(path, QUERIES[dataset](engine, actor), dataset_fields(dataset), fmt)
