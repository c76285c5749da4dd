"""Health, login (password, then TOTP for administrators), logout, session, password change."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException, Request, Response
from pydantic import BaseModel, Field

from seawarden import __version__
from seawarden.security import accounts
from seawarden.security.actor import Actor
from seawarden.security.passwords import PasswordRejected
from seawarden.settings import get_settings
from seawarden.web.deps import COOKIE, ERRORS, actor, client_ip, state

router = APIRouter(prefix="/api", tags=["auth"], responses=ERRORS)


class Login(BaseModel):
    """Credentials."""

    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class Totp(BaseModel):
    """A one-time code."""

    code: str = Field(min_length=6, max_length=8, pattern=r"^\d{6,8}$")


class PasswordChange(BaseModel):
    """Old and new password."""

    old: str = Field(min_length=1, max_length=256)
    new: str = Field(min_length=1, max_length=256)


@router.get("/health")
def health(request: Request) -> dict[str, Any]:
    """Liveness: the database answers and the data directory is there."""
    st = state(request)
    try:
        with st.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        db = "ok"
    except Exception:
        db = "unavailable"
    store = (st.data_dir / "state" / "commit.json").exists()
    return {
        "status": "ok" if db == "ok" else "degraded",
        "version": __version__,
        "database": db,
        "track_store": store,
    }


def _user_view(user: dict[str, Any], csrf: str, mfa_ok: bool) -> dict[str, Any]:
    web = get_settings().web
    return {
        "user": accounts.public_user(user),
        "csrf": csrf,
        "mfa_required": not mfa_ok,
        "map": {"tile_url": web.tile_url, "attribution": web.tile_attribution},
    }


@router.post("/auth/login")
def login(body: Login, request: Request, response: Response) -> dict[str, Any]:
    """Log in; sets the session cookie (HttpOnly, SameSite=Strict) and returns the CSRF token."""
    st = state(request)
    try:
        s = accounts.login(
            st.engine,
            body.username,
            body.password,
            client_ip(request),
            request.headers.get("user-agent"),
            getattr(request.state, "request_id", None),
        )
    except accounts.AuthError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    response.set_cookie(
        COOKIE,
        s.token,
        httponly=True,
        secure=st.secure_cookies,
        samesite="strict",
        max_age=accounts.ABSOLUTE_MS // 1000,
        path="/",
    )
    return _user_view(s.user, s.csrf, s.mfa_ok)


@router.post("/auth/totp")
def totp(body: Totp, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Second factor."""
    st = state(request)
    token = request.cookies.get(COOKIE, "")
    if not accounts.verify_totp(st.engine, token, body.code, client_ip(request)):
        raise HTTPException(401, "wrong code")
    return {"ok": True}


@router.post("/auth/logout")
def logout(request: Request, response: Response, who: Actor = Depends(actor)) -> dict[str, Any]:
    """End the session."""
    accounts.logout(state(request).engine, request.cookies.get(COOKIE, ""), who)
    response.delete_cookie(COOKIE, path="/")
    return {"ok": True}


@router.get("/session")
def session(request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """The current user, roles, organisation and CSRF token."""
    s = request.state.session
    user = accounts.get_user(state(request).engine, int(s["user_id"]))
    assert user is not None
    return _user_view(user, s["csrf"], s["mfa_ok"])


@router.post("/auth/password")
def password(body: PasswordChange, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Change one's own password."""
    try:
        accounts.change_password(
            state(request).engine, who, int(who.extra["user_id"]), body.old, body.new
        )
    except PasswordRejected as exc:
        raise HTTPException(400, f"password rejected: {exc}") from None
    except accounts.AuthError as exc:
        raise HTTPException(exc.status, str(exc)) from None
    return {"ok": True}
