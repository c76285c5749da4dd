"""Flag (White/Grey/Black list, IMO audit) and recognised-organisation performance lists."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, ValidationError
from sqlalchemy import Connection, Engine, delete, insert, select

from seawarden.db.engine import audit
from seawarden.registry.schemas import Performance, Record
from seawarden.registry.scope import RegistryError, check_reference_write
from seawarden.registry.tabular import read_table
from seawarden.risk.srp import FlagPerformance
from seawarden.risk.tables import flag_performance, ro_performance
from seawarden.security.actor import Actor


class FlagRow(Record):
    """A flag's performance in one year's list."""

    flag: Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
    performance: FlagPerformance
    imo_audit: bool = False
    year: Annotated[int, Field(ge=1990, le=2100)]


class RoRow(Record):
    """A recognised organisation's performance in one year's list."""

    ro: Annotated[str, Field(min_length=1, max_length=64)]
    performance: Performance
    eu_recognised: bool = False
    year: Annotated[int, Field(ge=1990, le=2100)]


def _visible(rows: Any, actor: Actor) -> list[dict[str, Any]]:
    return [dict(r) for r in rows if r["organisation"] is None or actor.can_see(r["organisation"])]


def load_list(
    engine: Engine,
    actor: Actor,
    path: Path,
    kind: str,
    regime: str = "paris",
    organisation: str | None = None,
    source: str | None = None,
) -> tuple[int, list[dict[str, Any]]]:
    """Load a flag or RO list file (CSV/Excel/JSON); returns (rows loaded, bad rows).

    Rows replace those of the same regime, key and year. Bad rows are reported, good rows
    loaded in one transaction.
    """
    check_reference_write(actor, organisation)
    _, rows = read_table(path)
    return load_rows(engine, actor, rows, kind, regime, organisation, source or path.name)


def load_rows(
    engine: Engine,
    actor: Actor,
    rows: Iterable[tuple[int, dict[str, Any] | None]],
    kind: str,
    regime: str = "paris",
    organisation: str | None = None,
    source: str = "upload",
) -> tuple[int, list[dict[str, Any]]]:
    """Load ``(line, record)`` pairs of a flag (``flags``) or RO (``ros``) list.

    Like :func:`load_list`; an entry of the same regime, key and year that belongs to another
    organisation (or to the whole platform, for an actor of one organisation) is not replaced
    but reported as a bad row.
    """
    if kind not in ("flags", "ros"):
        raise RegistryError("invalid", f"unknown list {kind!r}; choose flags or ros")
    org = check_reference_write(actor, organisation)
    model: type[BaseModel] = FlagRow if kind == "flags" else RoRow
    table = flag_performance if kind == "flags" else ro_performance
    key = "flag" if kind == "flags" else "ro"
    good: list[dict[str, Any]] = []
    bad: list[dict[str, Any]] = []
    for line, rec in rows:
        try:
            if rec is None:
                raise RegistryError("invalid", "the row does not have the header's number of cells")
            item = model.model_validate(rec).model_dump(mode="json")
        except (ValidationError, RegistryError) as exc:
            bad.append(
                {
                    "line": line,
                    "message": str(exc).splitlines()[0]
                    if isinstance(exc, RegistryError)
                    else "; ".join(
                        f"{'.'.join(str(x) for x in e.get('loc', ()))}: {e['msg']}".lstrip(": ")
                        for e in exc.errors()
                    ),
                }
            )
            continue
        good.append(
            {**item, "regime": regime, "organisation": org, "source": source, "_line": line}
        )
    with engine.begin() as conn:
        loaded: list[dict[str, Any]] = []
        for g in good:
            line = g.pop("_line")
            owner = conn.execute(
                select(table.c.organisation).where(
                    table.c.regime == regime, table.c[key] == g[key], table.c.year == g["year"]
                )
            ).first()
            if owner is not None and owner[0] != org:
                bad.append(
                    {
                        "line": line,
                        "message": f"{g[key]} {g['year']} is listed by "
                        f"{owner[0] or 'the whole platform'}; not replaced",
                    }
                )
                continue
            conn.execute(
                delete(table).where(
                    table.c.regime == regime, table.c[key] == g[key], table.c.year == g["year"]
                )
            )
            loaded.append(g)
        if loaded:
            conn.execute(insert(table), loaded)
        audit(
            conn,
            actor,
            f"risk.{kind}_list",
            kind,
            regime,
            {"file": source, "rows": len(loaded), "rejected": len(bad)},
            org,
        )
    bad.sort(key=lambda b: int(b["line"]))
    return len(loaded), bad


def flag_of(
    conn: Connection, actor: Actor, flag: str | None, regime: str, year: int
) -> dict[str, Any] | None:
    """The latest list entry of a flag up to ``year`` (``None`` when not listed)."""
    if not flag:
        return None
    stmt = (
        select(flag_performance)
        .where(
            flag_performance.c.regime == regime,
            flag_performance.c.flag == flag,
            flag_performance.c.year <= year,
        )
        .order_by(flag_performance.c.year.desc())
    )
    rows = _visible(conn.execute(stmt).mappings(), actor)
    return rows[0] if rows else None


def ro_of(
    conn: Connection, actor: Actor, ro: str | None, regime: str, year: int
) -> dict[str, Any] | None:
    """The latest list entry of a recognised organisation up to ``year`` (``None``: not listed)."""
    if not ro:
        return None
    stmt = (
        select(ro_performance)
        .where(
            ro_performance.c.regime == regime,
            ro_performance.c.ro == ro,
            ro_performance.c.year <= year,
        )
        .order_by(ro_performance.c.year.desc())
    )
    rows = _visible(conn.execute(stmt).mappings(), actor)
    return rows[0] if rows else None


def lists(engine: Engine, actor: Actor, kind: str) -> list[dict[str, Any]]:
    """Every entry of the flag or RO lists the actor may see."""
    table = flag_performance if kind == "flags" else ro_performance
    with engine.connect() as conn:
        return _visible(
            conn.execute(
                select(table).order_by(table.c.regime, table.c.year, table.c.id)
            ).mappings(),
            actor,
        )
