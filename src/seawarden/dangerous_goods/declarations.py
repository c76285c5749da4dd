"""Operation declarations: submit (≥ the port's lead time ahead), automatic comparison, decision.

A declaration is compared at once with permits, capacity, stock and segregation
(:mod:`.comparison`): ``block`` findings make it ``blocked`` (it cannot be approved),
``warn`` findings need the approver's comment. The authority approves or rejects within the
port's ``decision_hours``; a late decision is marked. Each decision calls the approval hook
in the same transaction (:func:`set_approval_hook`), which the ledger uses to sign it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Connection, Engine, select

from seawarden.dangerous_goods import tables as t
from seawarden.dangerous_goods.comparison import LineIn, compare
from seawarden.dangerous_goods.dglist import entry_for, normalise_un
from seawarden.dangerous_goods.errors import (
    DeclarationBlockedError,
    InvalidInputError,
    InvalidQuantityError,
    InvalidStateError,
)
from seawarden.dangerous_goods.facilities import port_rules_for
from seawarden.dangerous_goods.findings import outcome
from seawarden.dangerous_goods.permits import OperationMode
from seawarden.dangerous_goods.store import (
    AUTHORITY_ROLES,
    TERMINAL_ROLES,
    change,
    create,
    get,
    rows,
)
from seawarden.db.engine import now_ms as wall_ms
from seawarden.security.actor import Actor

#: ``hook(conn, record) -> receipt or None``: called inside the approval transaction.
ApprovalHook = Callable[[Connection, dict[str, Any]], dict[str, Any] | None]


def _no_hook(conn: Connection, record: dict[str, Any]) -> dict[str, Any] | None:
    """The default hook: nothing is signed."""
    return None


_hook: ApprovalHook = _no_hook


def set_approval_hook(hook: ApprovalHook | None) -> None:
    """Install the callable run on every decision (``None`` restores the no-op).

    It receives the open connection and the decision record (declaration, lines, decision,
    who, when, comment) and may return a receipt (stored in ``ledger_receipt``). If it
    raises, the approval is rolled back.
    """
    global _hook
    _hook = hook or _no_hook


def approval_hook() -> ApprovalHook:
    """The installed approval hook."""
    return _hook


class DeclarationLine(BaseModel):
    """One declared goods line."""

    model_config = ConfigDict(extra="forbid")

    un_number: str
    quantity_t: float
    hazard_class: str = ""
    packing_group: str = ""
    name: str | None = None
    packaging: str | None = None


class Declaration(BaseModel):
    """A DG operation declaration (ship, berth, cargo lines, time, staff)."""

    model_config = ConfigDict(extra="forbid")

    terminal_id: int
    mode: OperationMode
    start_ms: int
    end_ms: int
    lines: list[DeclarationLine] = Field(min_length=1)
    berth_id: int | None = None
    storage_unit_id: int | None = None
    ship_name: str | None = None
    mmsi: int | None = None
    imo: int | None = None
    voyage: str | None = None
    client: str | None = None
    personnel: list[int] = Field(default_factory=list)


def parse_declaration(data: Any) -> Declaration:
    """A declaration from plain data (typed errors for bad input)."""
    try:
        return Declaration.model_validate(data)
    except ValidationError as exc:
        raise InvalidInputError(
            f"invalid declaration: {exc.errors()[0]['loc']}: {exc.errors()[0]['msg']}"
        ) from exc


def submit(
    engine: Engine,
    actor: Actor,
    declaration: Declaration | dict[str, Any],
    now_ms: int | None = None,
) -> dict[str, Any]:
    """File a declaration and run the automatic comparison; returns the stored declaration."""
    actor.require(*TERMINAL_ROLES)
    d = declaration if isinstance(declaration, Declaration) else parse_declaration(declaration)
    if d.end_ms <= d.start_ms:
        raise InvalidInputError("an operation ends after it starts")
    if d.berth_id is None and d.storage_unit_id is None:
        raise InvalidInputError("a declaration names a berth or a storage unit")
    if d.mmsi is not None and not 0 < d.mmsi < 1_000_000_000:
        raise InvalidInputError("MMSI has nine digits")
    lines = []
    for raw_line in d.lines:
        q = raw_line.quantity_t
        if not math.isfinite(q) or q <= 0:
            raise InvalidQuantityError(
                f"UN {raw_line.un_number}: quantity must be positive, got {q!r}"
            )
        un = normalise_un(raw_line.un_number)
        entry_for(un, raw_line.packing_group, raw_line.hazard_class)
        lines.append(LineIn(un, q, raw_line.hazard_class, raw_line.packing_group))
    now = wall_ms() if now_ms is None else now_ms
    with engine.begin() as conn:
        terminal = get(conn, actor, t.terminals, d.terminal_id, "terminal")
        org = terminal["organisation"]
        if d.berth_id is not None:
            berth = get(conn, actor, t.berths, d.berth_id, "berth")
            if berth["terminal_id"] != d.terminal_id:
                raise InvalidInputError("the berth belongs to another terminal")
        unit = None
        if d.storage_unit_id is not None:
            unit = get(conn, actor, t.storage_units, d.storage_unit_id, "storage unit")
            if unit["terminal_id"] != d.terminal_id:
                raise InvalidInputError("the storage unit belongs to another terminal")
        rules = port_rules_for(conn, org)
        findings = compare(
            conn,
            terminal,
            d.mode.value,
            d.berth_id,
            unit,
            lines,
            d.personnel,
            d.start_ms,
            d.end_ms,
            now,
            rules,
        )
        result = outcome(findings)
        decl_id = create(
            conn,
            actor,
            t.declarations,
            {
                "organisation": org,
                "terminal_id": d.terminal_id,
                "berth_id": d.berth_id,
                "storage_unit_id": d.storage_unit_id,
                "ship_name": d.ship_name,
                "mmsi": d.mmsi,
                "imo": d.imo,
                "voyage": d.voyage,
                "client": d.client,
                "mode": d.mode.value,
                "start_ms": d.start_ms,
                "end_ms": d.end_ms,
                "personnel": d.personnel,
                "status": "blocked" if result == "block" else "submitted",
                "comparison": result,
                "findings": [f.as_dict() for f in findings],
                "submitted_by": actor.username,
                "submitted_ms": now,
                "decision_deadline_ms": now + int(rules.decision_hours * 3_600_000),
            },
            "declare",
        )
        for ln, raw in zip(lines, d.lines, strict=True):
            e = entry_for(ln.un_number, ln.packing_group, ln.hazard_class)
            create(
                conn,
                actor,
                t.declaration_lines,
                {
                    "organisation": org,
                    "declaration_id": decl_id,
                    "un_number": ln.un_number,
                    "hazard_class": e.hazard_class,
                    "packing_group": e.packing_group or None,
                    "name": raw.name or e.name_cn or e.name_en,
                    "quantity_t": ln.quantity_t,
                    "packaging": raw.packaging,
                },
                "declare_line",
            )
        return _load(conn, actor, decl_id)


def _load(conn: Connection, actor: Actor, decl_id: int) -> dict[str, Any]:
    d = get(conn, actor, t.declarations, decl_id, "declaration")
    d["lines"] = rows(
        conn, actor, t.declaration_lines, t.declaration_lines.c.declaration_id == decl_id
    )
    return d


def get_declaration(engine: Engine, actor: Actor, decl_id: int) -> dict[str, Any]:
    """A declaration with its lines."""
    with engine.connect() as conn:
        return _load(conn, actor, decl_id)


def list_declarations(
    engine: Engine, actor: Actor, status: str | None = None, terminal_id: int | None = None
) -> list[dict[str, Any]]:
    """Visible declarations, optionally of one status or terminal."""
    where = []
    if status is not None:
        where.append(t.declarations.c.status == status)
    if terminal_id is not None:
        where.append(t.declarations.c.terminal_id == terminal_id)
    with engine.connect() as conn:
        return rows(conn, actor, t.declarations, *where)


def _decide(
    engine: Engine,
    actor: Actor,
    decl_id: int,
    approve: bool,
    comment: str | None,
    now_ms: int | None,
) -> dict[str, Any]:
    actor.require(*AUTHORITY_ROLES)
    now = wall_ms() if now_ms is None else now_ms
    with engine.begin() as conn:
        d = _load(conn, actor, decl_id)
        if d["status"] == "blocked" and approve:
            raise DeclarationBlockedError(
                f"declaration {decl_id} is blocked by the comparison and cannot be approved",
                findings=[f for f in d["findings"] if f["severity"] == "block"],
            )
        if d["status"] not in ("submitted", "blocked"):
            raise InvalidStateError(f"declaration {decl_id} is {d['status']}", status=d["status"])
        text = (comment or "").strip()
        if not approve and not text:
            raise InvalidInputError("a rejection needs a comment")
        if approve and d["comparison"] == "warn" and not text:
            raise InvalidInputError("approving a declaration with warnings needs a comment")
        values: dict[str, Any] = {
            "status": "approved" if approve else "rejected",
            "decided_by": actor.username,
            "decided_ms": now,
            "decision_comment": text or None,
            "late_decision": now > d["decision_deadline_ms"],
        }
        record = {
            "declaration": {k: v for k, v in d.items() if k != "lines"},
            "lines": d["lines"],
            "decision": values["status"],
            "decided_by": actor.username,
            "decided_ms": now,
            "comment": text or None,
        }
        values["ledger_receipt"] = _hook(conn, record)
        change(conn, actor, t.declarations, d, values, "approve" if approve else "reject")
        return _load(conn, actor, decl_id)


def approve(
    engine: Engine,
    actor: Actor,
    decl_id: int,
    comment: str | None = None,
    now_ms: int | None = None,
) -> dict[str, Any]:
    """Approve a declaration (authority); a blocked one raises :class:`DeclarationBlockedError`."""
    return _decide(engine, actor, decl_id, True, comment, now_ms)


def reject(
    engine: Engine, actor: Actor, decl_id: int, comment: str, now_ms: int | None = None
) -> dict[str, Any]:
    """Reject a declaration with a comment (authority)."""
    return _decide(engine, actor, decl_id, False, comment, now_ms)


def withdraw(engine: Engine, actor: Actor, decl_id: int) -> dict[str, Any]:
    """Withdraw an undecided declaration (the declarant's side)."""
    actor.require(*TERMINAL_ROLES)
    with engine.begin() as conn:
        d = get(conn, actor, t.declarations, decl_id, "declaration")
        if d["status"] not in ("submitted", "blocked"):
            raise InvalidStateError(f"declaration {decl_id} is {d['status']}", status=d["status"])
        change(conn, actor, t.declarations, d, {"status": "withdrawn"}, "withdraw")
        return _load(conn, actor, decl_id)


def overdue_decisions(
    engine: Engine, actor: Actor, now_ms: int | None = None
) -> list[dict[str, Any]]:
    """Undecided declarations past the authority's decision time limit (for escalation)."""
    now = wall_ms() if now_ms is None else now_ms
    with engine.connect() as conn:
        return rows(
            conn,
            actor,
            t.declarations,
            t.declarations.c.status == "submitted",
            t.declarations.c.decision_deadline_ms < now,
        )


def approved_covering(
    conn: Connection,
    berth_id: int,
    at_ms: int,
    mmsi: int | None = None,
    ship_name: str | None = None,
) -> dict[str, Any] | None:
    """An approved declaration at a berth whose window covers a time (and matches the ship)."""
    q = select(t.declarations).where(
        t.declarations.c.berth_id == berth_id,
        t.declarations.c.status == "approved",
        t.declarations.c.start_ms <= at_ms,
        t.declarations.c.end_ms >= at_ms,
    )
    for d in conn.execute(q).mappings().all():
        if mmsi is not None and d["mmsi"] is not None and d["mmsi"] != mmsi:
            continue
        if (
            mmsi is None
            and ship_name
            and d["ship_name"]
            and d["ship_name"].strip().upper() != ship_name.strip().upper()
        ):
            continue
        return dict(d)
    return None
