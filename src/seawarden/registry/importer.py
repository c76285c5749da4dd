"""Importing ships, crews, companies and inspections from CSV, Excel or JSON files.

Every row is validated on its own; each bad row is reported with its line and a reason
code (:class:`Reason`), and all good rows are written in one transaction, so a file is
never half imported. Rows naming a ship (by id or IMO) or company (by id, USCC or IMO
company number) already in the register update it; other rows create new records.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection, Engine, insert, select, update

from seawarden.db.engine import audit, now_ms
from seawarden.registry.importplan import (
    CompanyPlanner,
    CrewPlanner,
    InspectionPlanner,
    Planner,
    ShipPlanner,
)
from seawarden.registry.reasons import Reason, RowError
from seawarden.registry.schemas import CompanyIn, CrewIn, InspectionIn, ShipIn
from seawarden.registry.scope import WRITE_ROLES, insert_id
from seawarden.registry.tables import imports
from seawarden.registry.tabular import (
    TableFileError,
    TableFormat,
    format_of,
    read_csv,
    read_json,
    read_xlsx,
)
from seawarden.security.actor import Actor


class ImportKind(StrEnum):
    """What a file holds."""

    ships = "ships"
    crews = "crews"
    companies = "companies"
    inspections = "inspections"


MODELS: dict[ImportKind, type[BaseModel]] = {
    ImportKind.ships: ShipIn,
    ImportKind.crews: CrewIn,
    ImportKind.companies: CompanyIn,
    ImportKind.inspections: InspectionIn,
}
PLANNERS: dict[ImportKind, type[Planner]] = {
    ImportKind.ships: ShipPlanner,
    ImportKind.crews: CrewPlanner,
    ImportKind.companies: CompanyPlanner,
    ImportKind.inspections: InspectionPlanner,
}
#: Fields whose invalid value has a reason of its own.
FIELD_REASONS = {
    "imo": Reason.bad_imo,
    "mmsi": Reason.bad_mmsi,
    "callsign": Reason.bad_callsign,
    "uscc": Reason.bad_uscc,
    "id_number": Reason.bad_id_number,
}


class ImportFailedError(Exception):
    """The file as a whole cannot be imported (unreadable, missing columns, write failed)."""


@dataclass
class ImportReport:
    """What an import did: rows read, created, updated and every rejected row."""

    kind: str
    file: str
    rows: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    import_id: int | None = None
    seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def rejected(self) -> int:
        """Rows not imported."""
        return len(self.errors)

    def counts(self) -> dict[str, int]:
        """Rejected rows by reason code."""
        out: dict[str, int] = {}
        for e in self.errors:
            out[e.reason.value] = out.get(e.reason.value, 0) + 1
        return dict(sorted(out.items()))

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return {
            "kind": self.kind,
            "file": self.file,
            "import_id": self.import_id,
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "rejected": self.rejected,
            "reasons": self.counts(),
            "ignored_columns": self.ignored_columns,
            "seconds": round(self.seconds, 3),
            "write_seconds": round(self.write_seconds, 3),
            "errors": [e.as_dict() for e in self.errors],
        }


def row_error(line: int, exc: ValidationError) -> RowError:
    """The reported error of a row that failed validation (first error's reason, all messages)."""
    messages = []
    first: tuple[Reason, str | None] | None = None
    for err in exc.errors():
        loc = err.get("loc") or ()
        name = str(loc[0]) if loc else None
        msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
        if name is None and ":" in msg and msg.split(":", 1)[0] in FIELD_REASONS:
            name, msg = msg.split(":", 1)[0], msg.split(":", 1)[1].strip()
        kind = str(err.get("type", ""))
        if kind == "missing" or (err.get("input", "") is None and kind.endswith("_type")):
            reason = Reason.missing_field
        elif name in FIELD_REASONS:
            reason = FIELD_REASONS[name]
        elif kind.startswith(("date", "datetime")):
            reason = Reason.bad_date
        else:
            reason = Reason.bad_value
        messages.append(f"{name}: {msg}" if name else msg)
        if first is None:
            first = (reason, name)
    reason, name = first or (Reason.bad_value, None)
    return RowError(line, reason, name, "; ".join(messages))


def import_file(
    engine: Engine,
    actor: Actor,
    path: Path,
    kind: ImportKind,
    organisation: str | None = None,
) -> ImportReport:
    """Import a CSV, Excel or JSON file of one kind; bad rows are reported, good rows written."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TableFileError(f"cannot read {path}: {exc.strerror}") from None
    fmt = format_of(path)
    if fmt is TableFormat.csv:
        header, rows = read_csv(data)
    elif fmt is TableFormat.xlsx:
        header, rows = read_xlsx(data)
    else:
        header, rows = read_json(data, fmt is TableFormat.jsonl)
    return import_records(
        engine, actor, kind, header, rows, organisation, path.name, hashlib.sha256(data).hexdigest()
    )


def import_records(
    engine: Engine,
    actor: Actor,
    kind: ImportKind,
    header: list[str],
    rows: Any,
    organisation: str | None = None,
    file_name: str = "<records>",
    sha256: str = "",
) -> ImportReport:
    """Validate and import ``(line, record)`` pairs of one kind (see :func:`import_file`)."""
    started = time.perf_counter()
    actor.require(*WRITE_ROLES)
    model = MODELS[kind]
    required = [n for n, f in model.model_fields.items() if f.is_required()]
    missing = [n for n in required if n not in header]
    if missing:
        raise TableFileError(f"missing column(s): {', '.join(missing)}")
    report = ImportReport(kind.value, file_name)
    report.ignored_columns = [h for h in header if h and h not in model.model_fields]
    planner = PLANNERS[kind](engine, actor, organisation)
    validate = model.model_validate
    for line, rec in rows:
        report.rows += 1
        if rec is None:
            report.errors.append(
                RowError(
                    line,
                    Reason.bad_row_shape,
                    None,
                    "the row does not have the header's number of cells",
                )
            )
            continue
        try:
            item = validate(rec)
        except ValidationError as exc:
            report.errors.append(row_error(line, exc))
            continue
        err = planner.plan(line, item)
        if err is not None:
            report.errors.append(err)
    written = time.perf_counter()
    try:
        with engine.begin() as conn:
            report.import_id = _start(conn, actor, report, organisation, sha256)
            report.created, report.updated = planner.write(conn, f"import:{report.import_id}")
            _finish(conn, actor, report, organisation, sha256)
    except TableFileError:
        raise
    except Exception as exc:
        raise ImportFailedError(
            f"nothing was imported: the write failed ({type(exc).__name__}: {exc})"
        ) from exc
    report.seconds = time.perf_counter() - started
    report.write_seconds = time.perf_counter() - written
    return report


def _start(
    conn: Connection, actor: Actor, report: ImportReport, organisation: str | None, sha256: str
) -> int:
    values = {
        "organisation": organisation or actor.organisation,
        "kind": report.kind,
        "file": report.file,
        "sha256": sha256,
        "rows": report.rows,
        "imported": 0,
        "rejected": report.rejected,
        "errors": [e.as_dict() for e in report.errors],
        "actor": actor.username,
        "at_ms": now_ms(),
    }
    return insert_id(conn, insert(imports).values(**values))


def _finish(
    conn: Connection, actor: Actor, report: ImportReport, organisation: str | None, sha256: str
) -> None:
    conn.execute(
        update(imports)
        .where(imports.c.id == report.import_id)
        .values(imported=report.created + report.updated)
    )
    audit(
        conn,
        actor,
        "registry.import",
        report.kind,
        str(report.import_id),
        {
            "file": report.file,
            "sha256": sha256,
            "rows": report.rows,
            "created": report.created,
            "updated": report.updated,
            "rejected": report.rejected,
            "reasons": report.counts(),
        },
        organisation or actor.organisation,
    )


def import_history(engine: Engine, actor: Actor) -> list[dict[str, Any]]:
    """Past imports visible to the actor (newest first), without their error lists."""
    stmt = select(*(c for c in imports.c if c.name != "errors")).order_by(imports.c.id.desc())
    if actor.visible is not None:
        stmt = stmt.where(imports.c.organisation.in_(sorted(actor.visible)))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]
