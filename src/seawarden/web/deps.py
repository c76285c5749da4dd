"""Request dependencies: the platform state, the caller (session, roles, CSRF) and limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from sqlalchemy import Engine

from seawarden.security import accounts
from seawarden.security.actor import Actor, Role
from seawarden.web.policy import ROUTES

COOKIE = "sw_session"

_ERROR = {
    "content": {"application/json": {"schema": {"type": "object", "properties": {"detail": {}}}}}
}
#: Error answers every API route may give (declared in the OpenAPI document).
ERRORS: dict[int | str, dict[str, object]] = {
    400: {"description": "Invalid input, or a page, box or time range beyond the limits", **_ERROR},
    401: {"description": "No valid session (or the second factor is missing)", **_ERROR},
    403: {
        "description": "Role or organisation scope does not allow it, or the CSRF token is missing",
        **_ERROR,
    },
    404: {"description": "No such object in the caller's scope", **_ERROR},
    409: {"description": "Conflicts with the object's state", **_ERROR},
    413: {"description": "Request body too large", **_ERROR},
    423: {"description": "Account locked", **_ERROR},
    429: {"description": "Too many failed logins from this address", **_ERROR},
    503: {"description": "The track store or live picture is not available yet", **_ERROR},
}
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


@dataclass
class State:
    """What every request can reach."""

    data_dir: Path
    engine: Engine
    secure_cookies: bool = True
    extras: dict[str, Any] = field(default_factory=dict)


def state(request: Request) -> State:
    """The platform state."""
    s: State = request.app.state.seawarden
    return s


def client_ip(request: Request) -> str | None:
    """The caller's address."""
    return request.client.host if request.client else None


def _route_key(request: Request) -> tuple[str, str]:
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    return request.method, path


def actor(request: Request) -> Actor:
    """The logged-in caller, checked against the route's roles and (for writes) CSRF."""
    cached = getattr(request.state, "actor", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    st = state(request)
    token = request.cookies.get(COOKIE)
    found = accounts.resolve(st.engine, token) if token else None
    if found is None:
        raise HTTPException(401, "log in first")
    session, user = found
    rid = getattr(request.state, "request_id", None)
    who = accounts.actor_for(st.engine, user, client_ip(request), rid)
    key = _route_key(request)
    allowed = ROUTES.get(key)
    second_factor_route = key in {
        ("POST", "/api/auth/totp"),
        ("POST", "/api/auth/logout"),
        ("GET", "/api/session"),
    }
    if not session["mfa_ok"] and not second_factor_route:
        raise HTTPException(401, "second factor required")
    if (
        not second_factor_route
        and key != ("POST", "/api/auth/password")
        and accounts.password_change_due(user)
    ):
        raise HTTPException(403, "change your password first")
    if request.method in UNSAFE and request.headers.get("x-csrf-token") != session["csrf"]:
        _deny(st, who, key, "bad or missing CSRF token")
        raise HTTPException(403, "bad or missing CSRF token")
    if allowed is None or (allowed and not who.has(*allowed)):
        _deny(st, who, key, "role")
        raise HTTPException(403, "your role does not allow this")
    request.state.actor = who
    request.state.session = session
    return who


def _deny(st: State, who: Actor, key: tuple[str, str], reason: str) -> None:
    from seawarden.db.engine import audit

    with st.engine.begin() as conn:
        audit(
            conn,
            who,
            "access.denied",
            "route",
            f"{key[0]} {key[1]}",
            {"reason": reason},
            outcome="denied",
        )


def roles(*wanted: Role) -> Callable[[Request], Actor]:
    """A dependency requiring one of some roles (on top of the route table)."""

    def check(request: Request) -> Actor:
        who = actor(request)
        if not who.has(*wanted):
            raise HTTPException(403, "your role does not allow this")
        return who

    return check


MAX_PAGE = 10_000
MAX_BBOX_DEG2 = 400.0
MAX_RANGE_MS = 31 * 86_400_000


def page_size(value: int | None, default: int = 1000) -> int:
    """A page size within limits (400 beyond)."""
    n = default if value is None else value
    if not 1 <= n <= MAX_PAGE:
        raise HTTPException(400, f"page_size must be between 1 and {MAX_PAGE}")
    return n


def bbox(value: str | None) -> tuple[float, float, float, float] | None:
    """A bounding box min_lon,min_lat,max_lon,max_lat within limits (400 otherwise)."""
    if value is None or value == "":
        return None
    try:
        x0, y0, x1, y1 = (float(v) for v in value.split(","))
    except ValueError:
        raise HTTPException(400, "bbox is min_lon,min_lat,max_lon,max_lat") from None
    if not (-180 <= x0 <= 180 and -180 <= x1 <= 180 and -90 <= y0 < y1 <= 90):
        raise HTTPException(400, "bbox out of range")
    width = (x1 - x0) % 360 or 360
    if width * (y1 - y0) > MAX_BBOX_DEG2:
        raise HTTPException(400, f"bbox larger than {MAX_BBOX_DEG2:g} square degrees")
    return x0, y0, x1, y1


def time_range(start: int | None, end: int | None) -> None:
    """Refuse ranges longer than a month (400)."""
    if start is not None and end is not None:
        if end < start:
            raise HTTPException(400, "the end is before the start")
        if end - start > MAX_RANGE_MS:
            raise HTTPException(400, "time range longer than 31 days")
