"""Scoped reads and audited writes shared by the service modules.

Reads are limited to ``actor.visible``; an object outside it is reported as not found (its
existence is not revealed). Writes check the actor's role and scope and record an audit
entry in the same transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Table, insert, select, true, update
from sqlalchemy.sql.elements import ColumnElement

from seawarden.dangerous_goods.errors import NotFoundError
from seawarden.db.engine import audit
from seawarden.security.actor import Actor, Role

#: Roles that may write terminal-side records (the enterprise and the authority's staff).
TERMINAL_ROLES = (Role.enterprise, Role.supervisor, Role.duty_officer, Role.system_admin)
#: Roles that may decide on declarations and file major hazard sources.
AUTHORITY_ROLES = (Role.supervisor, Role.duty_officer)


def visible(actor: Actor, table: Table) -> ColumnElement[bool]:
    """A WHERE clause limiting a table to the actor's organisations."""
    if actor.visible is None:
        return true()
    return table.c.organisation.in_(sorted(actor.visible))


def get(
    conn: Connection, actor: Actor, table: Table, row_id: Any, what: str = ""
) -> dict[str, Any]:
    """One visible row by primary key (:class:`NotFoundError` otherwise)."""
    pk = next(iter(table.primary_key.columns))
    row = conn.execute(select(table).where(pk == row_id, visible(actor, table))).mappings().first()
    if row is None:
        raise NotFoundError(f"no {what or table.name} {row_id}", entity=table.name, id=row_id)
    return dict(row)


def rows(
    conn: Connection, actor: Actor, table: Table, *where: ColumnElement[bool]
) -> list[dict[str, Any]]:
    """Visible rows matching conditions, by primary key."""
    pk = next(iter(table.primary_key.columns))
    q = select(table).where(visible(actor, table), *where).order_by(pk)
    return [dict(r) for r in conn.execute(q).mappings().all()]


def create(
    conn: Connection,
    actor: Actor,
    table: Table,
    values: dict[str, Any],
    action: str = "create",
) -> int:
    """Insert a row of the actor's scope and audit it; returns the new id."""
    actor.check_scope(values["organisation"])
    result = conn.execute(insert(table).values(**values))
    pk = result.inserted_primary_key
    key = pk[0] if pk else None
    audit(
        conn,
        actor,
        f"dg.{action}",
        table.name,
        str(key),
        _jsonable(values),
        values["organisation"],
    )
    return key if isinstance(key, int) else 0


def change(
    conn: Connection,
    actor: Actor,
    table: Table,
    row: dict[str, Any],
    values: dict[str, Any],
    action: str,
) -> None:
    """Update a row already read within scope and audit the change (before and after)."""
    actor.check_scope(row["organisation"])
    pk = next(iter(table.primary_key.columns))
    conn.execute(update(table).where(pk == row[pk.name]).values(**values))
    before = {k: row.get(k) for k in values}
    audit(
        conn,
        actor,
        f"dg.{action}",
        table.name,
        str(row[pk.name]),
        {"before": _jsonable(before), "after": _jsonable(values)},
        row["organisation"],
    )


def _jsonable(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in values.items():
        if isinstance(v, str | int | float | bool) or v is None:
            out[k] = v
        elif isinstance(v, list | tuple):
            out[k] = [
                x if isinstance(x, str | int | float | bool) or x is None else str(x) for x in v
            ]
        elif isinstance(v, dict):
            out[k] = _jsonable(v)
        else:
            out[k] = str(v)
    return out
