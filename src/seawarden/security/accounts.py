"""Organisations, user accounts, logins and sessions.

- Organisations form a tree (province > city > county; enterprises under their supervising
  authority); a user sees its organisation's subtree.
- No account holds two of the three administrator roles (系统/安全/审计管理员 separated).
- Logins: 5 failures within 15 minutes lock the account for 15 minutes; an address with 20
  failures within 5 minutes is refused (429) for 5 minutes; everything audited.
- Sessions live in the database: a random token (only its SHA-256 is stored), a CSRF
  token, 30 minutes idle and 12 hours absolute lifetime, a new id at every login, and a
  second factor (TOTP) required before an administrator's session is usable.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

import pyotp
from sqlalchemy import Engine, delete, insert, select, update

from seawarden.db import schema
from seawarden.db.engine import audit
from seawarden.security import tables as T  # noqa: N812 - table namespace
from seawarden.security.actor import ADMIN_ROLES, Actor, Forbidden, Role
from seawarden.security.passwords import (
    Policy,
    check_password,
    configured_policy,
    hash_password,
    validate,
)

IDLE_MS = 30 * 60_000
ABSOLUTE_MS = 12 * 3_600_000
LOCK_FAILURES = 5
LOCK_WINDOW_MS = 15 * 60_000
LOCK_MS = 15 * 60_000
IP_FAILURES = 20
IP_WINDOW_MS = 5 * 60_000
LEVELS = ("platform", "province", "city", "county", "enterprise", "unit")


def now_ms() -> int:
    """Wall clock, epoch milliseconds."""
    return time.time_ns() // 1_000_000


class AuthError(Exception):
    """A refused login (generic message: never says whether the user exists)."""

    def __init__(self, message: str = "wrong user name or password", status: int = 401) -> None:
        super().__init__(message)
        self.status = status


# ---------------------------------------------------------------------- organisations
def create_organisation(
    engine: Engine, actor: Actor, code: str, name: str, parent: str | None, level: str
) -> None:
    """Add an organisation under a parent (system administrators only)."""
    actor.require(Role.system_admin)
    if level not in LEVELS:
        raise ValueError(f"level must be one of {', '.join(LEVELS)}")
    if not code or len(code) > 64 or not all(c.isalnum() or c in "-_." for c in code):
        raise ValueError("an organisation code is 1-64 letters, digits, '-', '_' or '.'")
    with engine.begin() as conn:
        if parent is not None:
            if (
                conn.execute(
                    select(schema.organisations.c.code).where(schema.organisations.c.code == parent)
                ).first()
                is None
            ):
                raise ValueError(f"no parent organisation {parent}")
            actor.check_scope(parent)
        if conn.execute(
            select(schema.organisations.c.code).where(schema.organisations.c.code == code)
        ).first():
            raise ValueError(f"organisation {code} exists")
        conn.execute(
            insert(schema.organisations).values(code=code, name=name, parent=parent, level=level)
        )
        audit(
            conn,
            actor,
            "organisation.create",
            "organisation",
            code,
            {"after": {"name": name, "parent": parent, "level": level}},
            organisation=code,
        )


def organisation_tree(engine: Engine) -> dict[str, list[str]]:
    """Children of each organisation."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(schema.organisations.c.code, schema.organisations.c.parent)
        ).all()
    children: dict[str, list[str]] = {code: [] for code, _ in rows}
    for code, parent in rows:
        if parent is not None:
            children.setdefault(parent, []).append(code)
    return children


def subtree(engine: Engine, code: str | None) -> frozenset[str] | None:
    """An organisation and all below it (``None``: no organisation means the whole platform)."""
    if code is None:
        return None
    children = organisation_tree(engine)
    out, todo = set(), [code]
    while todo:
        c = todo.pop()
        if c in out:
            continue
        out.add(c)
        todo += children.get(c, [])
    return frozenset(out)


def list_organisations(engine: Engine, actor: Actor) -> list[dict[str, Any]]:
    """Organisations the actor may see."""
    with engine.connect() as conn:
        rows = [
            dict(r)
            for r in conn.execute(
                select(schema.organisations).order_by(schema.organisations.c.code)
            ).mappings()
        ]
    return [r for r in rows if actor.can_see(r["code"])]


# ---------------------------------------------------------------------- users
def _check_roles(roles: list[str]) -> list[str]:
    try:
        parsed = {Role(r) for r in roles}
    except ValueError as exc:
        raise ValueError(f"unknown role: {exc}") from None
    if len(parsed & ADMIN_ROLES) > 1:
        raise ValueError("no account may hold two of system_admin, security_admin and audit_admin")
    return sorted(r.value for r in parsed)


def create_user(
    engine: Engine,
    actor: Actor,
    username: str,
    password: str,
    roles: list[str],
    organisation: str | None,
    policy: Policy | None = None,
    display_name: str | None = None,
    bootstrap: bool = False,
) -> dict[str, Any]:
    """Create an account (system administrators; ``bootstrap`` for the first administrator).

    Returns the account, with ``totp_uri`` for administrators (they must enrol it).
    """
    if not bootstrap:
        actor.require(Role.system_admin)
        actor.check_scope(organisation)
    policy = policy or configured_policy()
    username = username.strip()
    if not username or len(username) > 64 or not all(c.isalnum() or c in "._-@" for c in username):
        raise ValueError("a user name is 1-64 letters, digits, '.', '_', '-' or '@'")
    role_list = _check_roles(roles)
    validate(password, policy, username)
    totp = pyotp.random_base32() if set(role_list) & {r.value for r in ADMIN_ROLES} else None
    t = now_ms()
    with engine.begin() as conn:
        if conn.execute(select(T.users.c.id).where(T.users.c.username == username)).first():
            raise ValueError(f"user {username} exists")
        if (
            organisation is not None
            and conn.execute(
                select(schema.organisations.c.code).where(
                    schema.organisations.c.code == organisation
                )
            ).first()
            is None
        ):
            raise ValueError(f"no organisation {organisation}")
        uid = conn.execute(
            insert(T.users)
            .values(
                username=username,
                display_name=display_name,
                password_hash=hash_password(password),
                password_history=[],
                password_changed_ms=t,
                must_change_password=False,
                roles=role_list,
                organisation=organisation,
                active=True,
                totp_secret=totp,
                failed_logins=[],
                locked_until_ms=None,
                created_ms=t,
            )
            .returning(T.users.c.id)
        ).scalar_one()
        audit(
            conn,
            actor,
            "user.create",
            "user",
            username,
            {"after": {"roles": role_list, "organisation": organisation}},
            organisation=organisation,
        )
    out: dict[str, Any] = {
        "id": uid,
        "username": username,
        "roles": role_list,
        "organisation": organisation,
    }
    if totp:
        out["totp_uri"] = pyotp.TOTP(totp).provisioning_uri(name=username, issuer_name="Seawarden")
        out["totp_secret"] = totp
    return out


def password_change_due(row: dict[str, Any], policy: Policy | None = None) -> bool:
    """Whether the user must change the password before anything else (reset or expired)."""
    policy = policy or configured_policy()
    if row.get("must_change_password"):
        return True
    if policy.expiry_days is None:
        return False
    return bool(now_ms() - int(row["password_changed_ms"]) > policy.expiry_days * 86_400_000)


def public_user(row: dict[str, Any]) -> dict[str, Any]:
    """An account without secrets."""
    return {
        k: row[k]
        for k in (
            "id",
            "username",
            "display_name",
            "roles",
            "organisation",
            "active",
            "locked_until_ms",
            "password_changed_ms",
            "created_ms",
        )
    } | {
        "mfa": row.get("totp_secret") is not None,
        "password_change_due": password_change_due(row),
    }


def list_users(engine: Engine, actor: Actor) -> list[dict[str, Any]]:
    """Accounts in the actor's scope (system and security administrators)."""
    actor.require(Role.system_admin, Role.security_admin)
    with engine.connect() as conn:
        rows = [
            dict(r) for r in conn.execute(select(T.users).order_by(T.users.c.username)).mappings()
        ]
    return [public_user(r) for r in rows if actor.can_see(r["organisation"])]


def get_user(engine: Engine, user_id: int) -> dict[str, Any] | None:
    """One account (with secrets; for the security layer)."""
    with engine.connect() as conn:
        row = conn.execute(select(T.users).where(T.users.c.id == user_id)).mappings().first()
    return dict(row) if row else None


def update_user(
    engine: Engine, actor: Actor, user_id: int, changes: dict[str, Any]
) -> dict[str, Any]:
    """Change an account.

    Roles, unlocking and password resets (a temporary password the user must change at
    the next login): security administrators; activation, organisation and display name:
    system administrators.
    """
    allowed_by = {
        "roles": Role.security_admin,
        "unlock": Role.security_admin,
        "password": Role.security_admin,
        "active": Role.system_admin,
        "organisation": Role.system_admin,
        "display_name": Role.system_admin,
    }
    unknown = set(changes) - set(allowed_by)
    if unknown:
        raise ValueError(f"cannot change {', '.join(sorted(unknown))}")
    for key in changes:
        actor.require(allowed_by[key])
    with engine.begin() as conn:
        row = conn.execute(select(T.users).where(T.users.c.id == user_id)).mappings().first()
        if row is None:
            raise LookupError(f"no user {user_id}")
        actor.check_scope(row["organisation"])
        values: dict[str, Any] = {}
        if "roles" in changes:
            values["roles"] = _check_roles(list(changes["roles"]))
            if set(values["roles"]) & {r.value for r in ADMIN_ROLES} and row["totp_secret"] is None:
                values["totp_secret"] = pyotp.random_base32()
        if "active" in changes:
            values["active"] = bool(changes["active"])
            if not values["active"]:
                conn.execute(delete(T.sessions).where(T.sessions.c.user_id == user_id))
        if "organisation" in changes:
            actor.check_scope(changes["organisation"])
            values["organisation"] = changes["organisation"]
        if "display_name" in changes:
            values["display_name"] = changes["display_name"]
        if changes.get("unlock"):
            values["locked_until_ms"] = None
            values["failed_logins"] = []
        if "password" in changes:
            validate(str(changes["password"]), configured_policy(), row["username"])
            values["password_hash"] = hash_password(str(changes["password"]))
            values["password_history"] = [row["password_hash"], *row["password_history"]][
                : configured_policy().history
            ]
            values["password_changed_ms"] = now_ms()
            values["must_change_password"] = True
            values["locked_until_ms"] = None
            values["failed_logins"] = []
            conn.execute(delete(T.sessions).where(T.sessions.c.user_id == user_id))
        if row["username"] == actor.username and ("roles" in values or "active" in values):
            raise Forbidden("an administrator cannot change their own roles or disable themselves")
        conn.execute(update(T.users).where(T.users.c.id == user_id).values(**values))
        secret = {"totp_secret", "password_hash", "password_history"}
        before = {k: row[k] for k in values if k in row and k not in secret}
        after = {k: v for k, v in values.items() if k not in secret}
        audit(
            conn,
            actor,
            "user.update",
            "user",
            row["username"],
            {"before": before, "after": after},
            organisation=row["organisation"],
        )
        new = dict(row) | values
    return public_user(new)


def change_password(
    engine: Engine, actor: Actor, user_id: int, old: str, new: str, policy: Policy | None = None
) -> None:
    """A user changes their own password (the old one must be given)."""
    policy = policy or configured_policy()
    with engine.begin() as conn:
        row = conn.execute(select(T.users).where(T.users.c.id == user_id)).mappings().first()
        if row is None or not check_password(row["password_hash"], old):
            audit(conn, actor, "user.password", "user", actor.username, {}, outcome="denied")
            raise AuthError("the current password is wrong", 400)
        validate(new, policy, row["username"], [row["password_hash"], *row["password_history"]])
        history = [row["password_hash"], *row["password_history"]][: policy.history]
        conn.execute(
            update(T.users)
            .where(T.users.c.id == user_id)
            .values(
                password_hash=hash_password(new),
                password_history=history,
                password_changed_ms=now_ms(),
                must_change_password=False,
            )
        )
        audit(
            conn,
            actor,
            "user.password",
            "user",
            row["username"],
            {},
            organisation=row["organisation"],
        )


# ---------------------------------------------------------------------- logins
@dataclass
class Throttle:
    """Failed logins per address (in memory, per process)."""

    failures: dict[str, deque[int]]
    lock: threading.Lock

    def blocked(self, ip: str, t: int) -> bool:
        """Whether the address is refused for now."""
        with self.lock:
            q = self.failures.get(ip)
            while q and q[0] < t - IP_WINDOW_MS:
                q.popleft()
            return q is not None and len(q) >= IP_FAILURES

    def fail(self, ip: str, t: int) -> None:
        """Count a failure."""
        with self.lock:
            self.failures.setdefault(ip, deque()).append(t)


THROTTLE = Throttle({}, threading.Lock())


@dataclass
class Session:
    """A logged-in session."""

    token: str
    csrf: str
    user: dict[str, Any]
    mfa_ok: bool


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def login(
    engine: Engine,
    username: str,
    password: str,
    ip: str | None,
    user_agent: str | None = None,
    request_id: str | None = None,
) -> Session:
    """Check a password and open a new session (raises :class:`AuthError`)."""
    t = now_ms()
    who = Actor(username[:64] or "?", frozenset(), None, None, ip, request_id)
    if ip and THROTTLE.blocked(ip, t):
        with engine.begin() as conn:
            audit(
                conn,
                who,
                "auth.login",
                "user",
                username[:64],
                {"reason": "address throttled"},
                outcome="throttled",
            )
        raise AuthError("too many failed logins from this address; try again later", 429)
    with engine.begin() as conn:
        row = conn.execute(select(T.users).where(T.users.c.username == username)).mappings().first()
        ok = row is not None and row["active"] and check_password(row["password_hash"], password)
        locked = (
            row is not None and row["locked_until_ms"] is not None and row["locked_until_ms"] > t
        )
        if not ok or locked:
            if ip:
                THROTTLE.fail(ip, t)
            reason = "locked" if locked else "bad credentials"
            if row is not None and not locked:
                recent = [x for x in row["failed_logins"] if x > t - LOCK_WINDOW_MS] + [t]
                values: dict[str, Any] = {"failed_logins": recent[-LOCK_FAILURES:]}
                if len(recent) >= LOCK_FAILURES:
                    values["locked_until_ms"] = t + LOCK_MS
                    reason = "locked after repeated failures"
                conn.execute(update(T.users).where(T.users.c.id == row["id"]).values(**values))
            audit(
                conn,
                who,
                "auth.login",
                "user",
                username[:64],
                {"reason": reason},
                organisation=row["organisation"] if row else None,
                outcome="denied",
            )
        else:
            assert row is not None
            token, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(24)
            mfa_ok = row["totp_secret"] is None
            conn.execute(
                insert(T.sessions).values(
                    id=_hash_token(token),
                    user_id=row["id"],
                    created_ms=t,
                    last_seen_ms=t,
                    ip=ip,
                    user_agent=(user_agent or "")[:256],
                    csrf=csrf,
                    mfa_ok=mfa_ok,
                )
            )
            conn.execute(
                update(T.users)
                .where(T.users.c.id == row["id"])
                .values(failed_logins=[], locked_until_ms=None)
            )
            audit(
                conn,
                Actor(
                    row["username"],
                    frozenset(Role(r) for r in row["roles"]),
                    row["organisation"],
                    None,
                    ip,
                    request_id,
                ),
                "auth.login",
                "user",
                row["username"],
                {"mfa_pending": not mfa_ok},
            )
            return Session(token, csrf, dict(row), mfa_ok)
    if locked:
        raise AuthError("account locked; try again later", 423)
    raise AuthError()


def verify_totp(engine: Engine, token: str, code: str, ip: str | None = None) -> bool:
    """Complete the second factor of a session."""
    with engine.begin() as conn:
        s = (
            conn.execute(select(T.sessions).where(T.sessions.c.id == _hash_token(token)))
            .mappings()
            .first()
        )
        if s is None:
            return False
        u = conn.execute(select(T.users).where(T.users.c.id == s["user_id"])).mappings().first()
        ok = (
            u is not None
            and u["totp_secret"] is not None
            and pyotp.TOTP(u["totp_secret"]).verify(code.strip(), valid_window=1)
        )
        who = Actor(
            u["username"] if u else "?", frozenset(), u["organisation"] if u else None, None, ip
        )
        if ok:
            conn.execute(update(T.sessions).where(T.sessions.c.id == s["id"]).values(mfa_ok=True))
        audit(conn, who, "auth.totp", "user", who.username, {}, outcome="ok" if ok else "denied")
        return bool(ok)


def resolve(
    engine: Engine, token: str, ip: str | None = None, touch: bool = True
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The (session, user) of a token, or ``None`` if unknown or expired (then removed)."""
    t = now_ms()
    key = _hash_token(token)
    with engine.begin() as conn:
        s = conn.execute(select(T.sessions).where(T.sessions.c.id == key)).mappings().first()
        if s is None:
            return None
        if t - s["last_seen_ms"] > IDLE_MS or t - s["created_ms"] > ABSOLUTE_MS:
            conn.execute(delete(T.sessions).where(T.sessions.c.id == key))
            return None
        u = conn.execute(select(T.users).where(T.users.c.id == s["user_id"])).mappings().first()
        if u is None or not u["active"]:
            conn.execute(delete(T.sessions).where(T.sessions.c.id == key))
            return None
        if touch and t - s["last_seen_ms"] > 10_000:
            conn.execute(update(T.sessions).where(T.sessions.c.id == key).values(last_seen_ms=t))
    return dict(s), dict(u)


def logout(engine: Engine, token: str, actor: Actor) -> None:
    """End a session."""
    with engine.begin() as conn:
        conn.execute(delete(T.sessions).where(T.sessions.c.id == _hash_token(token)))
        audit(conn, actor, "auth.logout", "user", actor.username, {})


def actor_for(
    engine: Engine, user: dict[str, Any], ip: str | None, request_id: str | None
) -> Actor:
    """The actor of a logged-in user (scope: its organisation's subtree)."""
    roles = frozenset(Role(r) for r in user["roles"])
    return Actor(
        user["username"],
        roles,
        user["organisation"],
        subtree(engine, user["organisation"]),
        ip,
        request_id,
        {"user_id": str(user["id"])},
    )
