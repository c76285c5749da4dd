"""Users and organisations (system, security administrators); the audit trail (auditors)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from seawarden.db import audit as trail
from seawarden.security import accounts
from seawarden.security.actor import Actor, Forbidden
from seawarden.security.passwords import PasswordRejected
from seawarden.tracks.query import to_ms
from seawarden.web.deps import ERRORS, actor, page_size, state

router = APIRouter(prefix="/api", tags=["administration"], responses=ERRORS)


class OrganisationIn(BaseModel):
    """A new organisation."""

    code: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")
    name: str = Field(min_length=1, max_length=200)
    parent: str | None = Field(None, max_length=64)
    level: Literal["province", "city", "county", "enterprise", "unit"]


class UserIn(BaseModel):
    """A new account."""

    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._@-]+$")
    password: str = Field(min_length=1, max_length=256)
    roles: list[str] = Field(min_length=1, max_length=7)
    organisation: str | None = Field(None, max_length=64)
    display_name: str | None = Field(None, max_length=200)


class UserChange(BaseModel):
    """Changes to an account."""

    roles: list[str] | None = Field(None, max_length=7)
    active: bool | None = None
    organisation: str | None = Field(None, max_length=64)
    display_name: str | None = Field(None, max_length=200)
    unlock: bool | None = None
    password: str | None = Field(
        None,
        min_length=1,
        max_length=256,
        description="Temporary password (security administrator); changed at the next login.",
    )


@router.get("/organisations")
def organisations(request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Organisations in the caller's scope."""
    return {"organisations": accounts.list_organisations(state(request).engine, who)}


@router.post("/organisations", status_code=201)
def create_organisation(
    body: OrganisationIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Add an organisation."""
    try:
        accounts.create_organisation(
            state(request).engine, who, body.code, body.name, body.parent, body.level
        )
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None
    return body.model_dump()


@router.get("/users")
def users(request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Accounts in the caller's scope."""
    return {"users": accounts.list_users(state(request).engine, who)}


@router.post("/users", status_code=201)
def create_user(body: UserIn, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Create an account (administrators get a TOTP secret to enrol)."""
    try:
        return accounts.create_user(
            state(request).engine,
            who,
            body.username,
            body.password,
            body.roles,
            body.organisation,
            display_name=body.display_name,
        )
    except PasswordRejected as exc:
        raise HTTPException(400, f"password rejected: {exc}") from None
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None


@router.patch("/users/{user_id}")
def update_user(
    user_id: int, body: UserChange, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Change an account.

    Roles, unlocking and password resets: security administrator; activation, organisation
    and display name: system administrator.
    """
    changes = body.model_dump(exclude_none=True)
    if not changes:
        raise HTTPException(400, "nothing to change")
    try:
        return accounts.update_user(state(request).engine, who, user_id, changes)
    except LookupError:
        raise HTTPException(404, "no such user") from None
    except Forbidden as exc:
        raise HTTPException(403, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None


def _rows(
    request: Request,
    since: str | None,
    until: str | None,
    actor_: str | None,
    action: str | None,
    entity: str | None,
    outcome: str | None,
    limit: int,
    offset: int,
) -> list[dict[str, Any]]:
    try:
        t0 = to_ms(since) if since else None
        t1 = to_ms(until) if until else None
    except ValueError:
        raise HTTPException(400, "from/to: not a time") from None
    return trail.search(
        state(request).engine, t0, t1, actor_, action, entity, None, outcome, limit, offset
    )


@router.get("/audit")
def audit_search(
    request: Request,
    since: str | None = Query(None, alias="from"),
    until: str | None = Query(None, alias="to"),
    actor_: str | None = Query(None, alias="actor", max_length=128),
    action: str | None = Query(None, max_length=64),
    entity: str | None = Query(None, max_length=64),
    outcome: str | None = Query(None, max_length=16),
    page: int = Query(1, ge=1, le=1_000_000),
    page_size_: int | None = Query(None, alias="page_size"),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Search the audit trail (audit administrators)."""
    n = page_size(page_size_, 100)
    rows = _rows(request, since, until, actor_, action, entity, outcome, n, (page - 1) * n)
    return {"page": page, "rows": rows}


@router.get("/audit/export")
def audit_export(
    request: Request,
    since: str | None = Query(None, alias="from"),
    until: str | None = Query(None, alias="to"),
    who: Actor = Depends(actor),
) -> StreamingResponse:
    """The audit trail as CSV (values that could run as spreadsheet formulas are quoted)."""
    rows = _rows(request, since, until, None, None, None, None, 1_000_000, 0)
    cols = [
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
        "hash",
    ]

    def safe(v: Any) -> str:
        text = "" if v is None else str(v)
        return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

    def generate() -> Iterator[str]:
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(cols)
        for r in reversed(rows):
            w.writerow([safe(r[c]) for c in cols])
            yield buf.getvalue()
            buf.seek(0)
            buf.truncate()
        yield buf.getvalue()

    return StreamingResponse(
        generate(),
        media_type="text/csv",
        headers={"content-disposition": "attachment; filename=audit.csv"},
    )


@router.get("/audit/verify")
def audit_verify(request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Check the audit trail's hash chain."""
    r = trail.verify(state(request).engine)
    return {"ok": r.ok, "rows": r.rows, "first_bad": r.first_bad, "reason": r.reason}
