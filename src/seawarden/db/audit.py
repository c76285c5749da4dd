"""The audit trail: an append-only, hash-chained record of every write, login and denial.

Each row holds who (name, roles, organisation, address, request id), when (UTC epoch ms),
what (action, entity, entity id, outcome, details with before/after) and the SHA-256 of
the previous row; its own hash covers all of that. Appends take the one-row
``audit_head`` lock first, so rows are numbered without gaps in commit order, on SQLite and
PostgreSQL alike, in the same transaction as the write they record. Database triggers
refuse UPDATE and DELETE on audit rows; :func:`verify` finds the first row that was
altered, deleted or reordered anyway (e.g. by someone with direct database access).
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select, text, update

from seawarden.db import schema

GENESIS = "0" * 64


def canonical(row: dict[str, Any]) -> bytes:
    """The bytes a row's hash covers (every column but ``hash``, in a fixed order)."""
    fields = (
        "id",
        "at_ms",
        "actor",
        "roles",
        "organisation",
        "ip",
        "request_id",
        "action",
        "entity",
        "entity_id",
        "outcome",
        "detail",
        "prev_hash",
    )
    return json.dumps(
        [row.get(f) for f in fields], sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()


def row_hash(row: dict[str, Any]) -> str:
    """SHA-256 (hex) of a row."""
    return hashlib.sha256(canonical(row)).hexdigest()


def append(
    conn: Connection,
    actor: str,
    action: str,
    entity: str,
    entity_id: str | None,
    detail: dict[str, Any],
    organisation: str | None = None,
    *,
    roles: str = "",
    ip: str | None = None,
    request_id: str | None = None,
    outcome: str = "ok",
) -> int:
    """Append one audit row in the caller's transaction; returns its number."""
    head = conn.execute(
        update(schema.audit_head)
        .where(schema.audit_head.c.id == 1)
        .values(seq=schema.audit_head.c.seq + 1)
        .returning(schema.audit_head.c.seq, schema.audit_head.c.last_hash)
    ).first()
    if head is None:
        conn.execute(insert(schema.audit_head).values(id=1, seq=1, last_hash=GENESIS))
        seq, prev = 1, GENESIS
    else:
        seq, prev = int(head[0]), str(head[1])
    row: dict[str, Any] = {
        "id": seq,
        "at_ms": time.time_ns() // 1_000_000,
        "actor": actor,
        "roles": roles,
        "organisation": organisation,
        "ip": ip,
        "request_id": request_id,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "outcome": outcome,
        "detail": json.loads(json.dumps(detail, default=str)),
        "prev_hash": prev,
    }
    row["hash"] = row_hash(row)
    conn.execute(insert(schema.audit_log).values(**row))
    conn.execute(
        update(schema.audit_head).where(schema.audit_head.c.id == 1).values(last_hash=row["hash"])
    )
    return seq


PROTECT_LOCK_KEY = 0x5EA_A0D1
"""PostgreSQL advisory lock taken while the audit triggers are installed."""


def protect(conn: Connection) -> None:
    """Install the triggers that refuse UPDATE and DELETE of audit rows (idempotent)."""
    if conn.dialect.name == "sqlite":
        for op in ("UPDATE", "DELETE"):
            conn.execute(
                text(
                    f"CREATE TRIGGER IF NOT EXISTS audit_log_no_{op.lower()} "
                    f"BEFORE {op} ON audit_log "
                    "BEGIN SELECT RAISE(ABORT, 'audit rows are append-only'); END"
                )
            )
    elif conn.dialect.name == "postgresql":
        # Processes starting at once would race on CREATE OR REPLACE ("tuple concurrently
        # updated"): one at a time, for the rest of this transaction.
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PROTECT_LOCK_KEY})
        conn.execute(
            text(
                "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
                "BEGIN RAISE EXCEPTION 'audit rows are append-only'; END; $$ LANGUAGE plpgsql"
            )
        )
        conn.execute(text("DROP TRIGGER IF EXISTS audit_log_no_change ON audit_log"))
        conn.execute(
            text(
                "CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log "
                "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
            )
        )


@dataclass
class VerifyResult:
    """The outcome of checking the chain."""

    rows: int
    ok: bool
    first_bad: int | None = None
    reason: str | None = None
    last_hash: str = GENESIS


def verify(engine: Engine, batch: int = 10_000) -> VerifyResult:
    """Walk the chain: every row's hash, link and number must follow from the one before."""
    prev, expected, n = GENESIS, 1, 0
    a = schema.audit_log.c
    with engine.connect() as conn:
        last = 0
        while True:
            rows = (
                conn.execute(
                    select(schema.audit_log).where(a.id > last).order_by(a.id).limit(batch)
                )
                .mappings()
                .all()
            )
            if not rows:
                break
            for r in rows:
                row = dict(r)
                if row["id"] != expected:
                    return VerifyResult(
                        n,
                        False,
                        expected,
                        f"row {expected} is missing (next row is {row['id']})",
                        prev,
                    )
                if row["prev_hash"] != prev:
                    return VerifyResult(
                        n,
                        False,
                        row["id"],
                        "its link to the previous row is broken (deleted or reordered)",
                        prev,
                    )
                if row_hash(row) != row["hash"]:
                    return VerifyResult(
                        n, False, row["id"], "its content does not match its hash (altered)", prev
                    )
                prev, expected, n = row["hash"], expected + 1, n + 1
            last = rows[-1]["id"]
        head = conn.execute(select(schema.audit_head)).mappings().first()
    if head is not None and int(head["seq"]) != n:
        return VerifyResult(
            n,
            False,
            n + 1,
            f"the trail should have {head['seq']} rows; {n} remain (rows at the end deleted)",
            prev,
        )
    return VerifyResult(n, True, None, None, prev)


def search(
    engine: Engine,
    since_ms: int | None = None,
    until_ms: int | None = None,
    actor: str | None = None,
    action: str | None = None,
    entity: str | None = None,
    entity_id: str | None = None,
    outcome: str | None = None,
    limit: int = 1000,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """Audit rows matching the filters, newest first."""
    a = schema.audit_log.c
    q = select(schema.audit_log)
    if since_ms is not None:
        q = q.where(a.at_ms >= since_ms)
    if until_ms is not None:
        q = q.where(a.at_ms <= until_ms)
    if actor is not None:
        q = q.where(a.actor == actor)
    if action is not None:
        q = q.where(a.action.like(f"{action}%"))
    if entity is not None:
        q = q.where(a.entity == entity)
    if entity_id is not None:
        q = q.where(a.entity_id == entity_id)
    if outcome is not None:
        q = q.where(a.outcome == outcome)
    q = q.order_by(a.id.desc()).limit(limit).offset(offset)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(q).mappings().all()]


def iter_all(engine: Engine, batch: int = 10_000) -> Iterator[dict[str, Any]]:
    """Every audit row, oldest first (for export)."""
    a = schema.audit_log.c
    last = 0
    with engine.connect() as conn:
        while True:
            rows = (
                conn.execute(
                    select(schema.audit_log).where(a.id > last).order_by(a.id).limit(batch)
                )
                .mappings()
                .all()
            )
            if not rows:
                return
            yield from (dict(r) for r in rows)
            last = rows[-1]["id"]
