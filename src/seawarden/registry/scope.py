"""Organisation scope and write permission for register services, and their typed errors."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import (
    Column,
    ColumnElement,
    Connection,
    Insert,
    RowMapping,
    Select,
    Table,
    select,
    true,
)

from seawarden.security.actor import Actor, Forbidden, Role

#: Roles that may change the register, risk register and credit ledger.
WRITE_ROLES = (Role.system_admin, Role.supervisor, Role.duty_officer)

S = TypeVar("S", bound=Select[Any])


class RegistryError(Exception):
    """A register operation cannot be done; ``code`` says why (``not_found``, ``invalid`` …)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class NotFoundError(RegistryError):
    """The object does not exist within the actor's scope."""

    def __init__(self, what: str, ref: str) -> None:
        super().__init__("not_found", f"no {what} {ref!r} within your scope")


def visible_clause(table: Table, actor: Actor) -> ColumnElement[bool]:
    """A WHERE clause limiting ``table`` to the organisations the actor may see."""
    if actor.visible is None:
        return true()
    return table.c.organisation.in_(sorted(actor.visible))


def scoped(stmt: S, table: Table, actor: Actor) -> S:
    """``stmt`` limited to the actor's organisations (no change for a platform-wide scope)."""
    if actor.visible is None:
        return stmt
    return stmt.where(table.c.organisation.in_(sorted(actor.visible)))


def check_write(actor: Actor, organisation: str | None) -> str:
    """The organisation a write goes to, after checking the actor's role and scope."""
    actor.require(*WRITE_ROLES)
    org = organisation or actor.organisation
    if not org:
        raise RegistryError("invalid", "an organisation code is required for this record")
    actor.check_scope(org)
    return org


def check_reference_write(actor: Actor, organisation: str | None) -> str | None:
    """Like :func:`check_write` but allows platform-wide rows (no organisation) for admins."""
    actor.require(*WRITE_ROLES)
    if organisation is None and actor.visible is not None:
        raise Forbidden(f"{actor.username} may not change platform-wide reference data")
    if organisation is not None:
        actor.check_scope(organisation)
    return organisation


def insert_id(conn: Connection, stmt: Insert) -> int:
    """Execute an INSERT of one row and return its integer primary key."""
    key = conn.execute(stmt).inserted_primary_key
    if key is None or key[0] is None:
        raise RegistryError("database", "the database returned no key for the new row")
    return int(key[0])


def child_row(
    conn: Connection, table: Table, key: int, parent: Column[Any], parent_id: Any, what: str
) -> RowMapping:
    """The row of ``table`` with id ``key`` that belongs to a parent row (else NotFoundError).

    The parent was found in the caller's scope; ``parent`` is the column naming it.
    """
    stmt = select(table).where(table.c.id == key, parent == parent_id)
    row = conn.execute(stmt).mappings().first()
    if row is None:
        raise NotFoundError(what, str(key))
    return row


def scoped_row(conn: Connection, table: Table, key: int, actor: Actor, what: str) -> RowMapping:
    """The row of ``table`` with id ``key`` in the actor's scope (else NotFoundError)."""
    stmt = scoped(select(table).where(table.c.id == key), table, actor)
    row = conn.execute(stmt).mappings().first()
    if row is None:
        raise NotFoundError(what, str(key))
    return row
