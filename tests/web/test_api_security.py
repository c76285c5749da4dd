"""Authentication, sessions, CSRF, lockout, second factor, password policy, separation of duties."""

from __future__ import annotations

import re
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from seawarden.db import audit as trail
from seawarden.db import schema
from seawarden.security import accounts
from seawarden.security import tables as T  # noqa: N812
from seawarden.security.actor import cli_actor
from seawarden.security.passwords import POLICIES, PasswordRejected, validate

from .conftest import PASSWORD, login


def test_health_is_public_and_everything_else_needs_a_session(client: TestClient, app: Any) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200 and r.json()["status"] == "ok"
    from .test_api_matrix import api_routes

    routes = api_routes(app)
    assert len(routes) > 20
    for method, path in routes:
        if path in ("/api/health", "/api/auth/login"):
            continue
        concrete = re.sub(r"\{[^}]+\}", "1", path.replace("{vessel}", "413000001"))
        r = client.request(method, concrete, json={})
        assert r.status_code == 401, (method, path, r.status_code)


def test_login_cookie_rotation_logout_and_csrf(
    client: TestClient, platform: dict[str, Any]
) -> None:
    r = client.post("/api/auth/login", json={"username": "city_a_duty", "password": PASSWORD})
    assert r.status_code == 200
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    first = client.cookies.get("sw_session")
    csrf = r.json()["csrf"]
    assert client.get("/api/alerts").status_code == 200
    alert = client.get("/api/alerts?state=open").json()["alerts"][0]
    assert (
        client.post(f"/api/alerts/{alert['id']}/state", json={"state": "acknowledged"}).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/alerts/{alert['id']}/state",
            json={"state": "acknowledged"},
            headers={"x-csrf-token": "forged"},
        ).status_code
        == 403
    )
    assert (
        client.post(
            f"/api/alerts/{alert['id']}/state",
            json={"state": "acknowledged", "comment": "VHF"},
            headers={"x-csrf-token": csrf},
        ).status_code
        == 200
    )
    login(client, "city_a_duty", platform)
    assert client.cookies.get("sw_session") != first  # a new session id at every login
    csrf = client.get("/api/session").json()["csrf"]
    assert client.post("/api/auth/logout", headers={"x-csrf-token": csrf}).status_code == 200
    assert client.get("/api/alerts").status_code == 401


def test_wrong_passwords_lock_the_account_and_are_audited(
    client: TestClient, platform: dict[str, Any]
) -> None:
    engine = platform["engine"]
    accounts.create_user(engine, cli_actor(), "victim", PASSWORD, ["duty_officer"], "ZJ-ZS")
    for _ in range(5):
        r = client.post("/api/auth/login", json={"username": "victim", "password": "guess-guess-1"})
        assert r.status_code == 401 and r.json()["detail"] == "wrong user name or password"
    r = client.post("/api/auth/login", json={"username": "victim", "password": PASSWORD})
    assert r.status_code == 423  # locked even with the right password
    with engine.connect() as conn:
        rows = conn.execute(
            select(
                schema.audit_log.c.action, schema.audit_log.c.outcome, schema.audit_log.c.ip
            ).where(schema.audit_log.c.entity_id == "victim")
        ).all()
    assert sum(1 for a, o, _ in rows if a == "auth.login" and o == "denied") == 6
    assert all(ip for _, _, ip in rows if _ == "denied")
    # an unknown user gets the same answer as a wrong password
    r = client.post(
        "/api/auth/login", json={"username": "nobody-here", "password": "guess-guess-1"}
    )
    assert r.status_code == 401 and r.json()["detail"] == "wrong user name or password"


def test_address_throttling(client: TestClient) -> None:
    accounts.THROTTLE.failures.clear()
    codes = [
        client.post("/api/auth/login", json={"username": f"u{i}", "password": "x"}).status_code
        for i in range(22)
    ]
    assert codes[:20] == [401] * 20 and codes[-1] == 429
    accounts.THROTTLE.failures.clear()


def test_idle_and_absolute_timeouts(client: TestClient, platform: dict[str, Any]) -> None:
    login(client, "city_a_duty", platform)
    assert client.get("/api/session").status_code == 200
    engine = platform["engine"]
    with engine.begin() as conn:
        conn.execute(
            update(T.sessions).values(last_seen_ms=T.sessions.c.last_seen_ms - accounts.IDLE_MS - 1)
        )
    assert client.get("/api/session").status_code == 401
    login(client, "city_a_duty", platform)
    with engine.begin() as conn:
        conn.execute(
            update(T.sessions).values(created_ms=T.sessions.c.created_ms - accounts.ABSOLUTE_MS - 1)
        )
    assert client.get("/api/session").status_code == 401


def test_administrators_need_the_second_factor(
    client: TestClient, platform: dict[str, Any]
) -> None:
    r = client.post("/api/auth/login", json={"username": "sysadmin", "password": PASSWORD})
    assert r.json()["mfa_required"] is True
    assert client.get("/api/users").status_code == 401
    h = {"x-csrf-token": r.json()["csrf"]}
    assert client.post("/api/auth/totp", json={"code": "000000"}).status_code == 403  # CSRF
    wrong = str((int(pyotp.TOTP(platform["totp"]["sysadmin"]).now()) + 500_000) % 1_000_000).zfill(
        6
    )
    assert client.post("/api/auth/totp", json={"code": wrong}, headers=h).status_code == 401
    assert client.get("/api/users").status_code == 401
    login(client, "sysadmin", platform)
    assert client.get("/api/users").status_code == 200


def test_password_policies() -> None:
    d, a = POLICIES["dengbao"], POLICIES["asvs"]
    for bad in ("Sh0rt!", "alllowercase1", "Password1!", "zhangsan-Pass1"):
        with pytest.raises(PasswordRejected):
            validate(bad, d, "zhangsan")
    validate("Tide-Table-42!x", d, "zhangsan")
    with pytest.raises(PasswordRejected):
        validate("short-pass", a)
    with pytest.raises(PasswordRejected):
        validate("iloveyouiloveyou", a)  # long but common and guessable
    validate("correct horse battery staple harbour", a)
    from seawarden.security.passwords import hash_password

    with pytest.raises(PasswordRejected, match="last 5"):
        validate("Tide-Table-42!x", d, "zhangsan", [hash_password("Tide-Table-42!x")])


def test_separation_of_duties(client: TestClient, platform: dict[str, Any]) -> None:
    csrf = login(client, "sysadmin", platform)
    r = client.post(
        "/api/users",
        json={"username": "both", "password": PASSWORD, "roles": ["system_admin", "audit_admin"]},
        headers={"x-csrf-token": csrf},
    )
    assert r.status_code == 400 and "two of" in r.text
    assert (
        client.get("/api/audit").status_code == 403
    )  # a system administrator does not read the audit trail
    users = client.get("/api/users").json()["users"]
    me = next(u for u in users if u["username"] == "sysadmin")
    duty = next(u for u in users if u["username"] == "county_duty")
    assert (
        client.patch(
            f"/api/users/{duty['id']}",
            json={"roles": ["supervisor"]},
            headers={"x-csrf-token": csrf},
        ).status_code
        == 403
    )
    with TestClient(client.app) as other:
        csrf2 = login(other, "secadmin", platform)
        assert (
            other.post(
                "/api/users",
                json={"username": "x1", "password": PASSWORD, "roles": ["duty_officer"]},
                headers={"x-csrf-token": csrf2},
            ).status_code
            == 403
        )
        r = other.patch(
            f"/api/users/{duty['id']}",
            json={"roles": ["supervisor"]},
            headers={"x-csrf-token": csrf2},
        )
        assert r.status_code == 200 and r.json()["roles"] == ["supervisor"]
        secme = next(
            u for u in other.get("/api/users").json()["users"] if u["username"] == "secadmin"
        )
        assert (
            other.patch(
                f"/api/users/{secme['id']}",
                json={"roles": ["security_admin", "supervisor"]},
                headers={"x-csrf-token": csrf2},
            ).status_code
            == 403
        )  # not one's own roles
        other.patch(
            f"/api/users/{duty['id']}",
            json={"roles": ["duty_officer"]},
            headers={"x-csrf-token": csrf2},
        )
    with TestClient(client.app) as aud:
        login(aud, "auditor", platform)
        assert aud.get("/api/users").status_code == 403
        assert aud.get("/api/audit").status_code == 200
    assert me["mfa"] is True


def test_change_password(client: TestClient, platform: dict[str, Any]) -> None:
    engine = platform["engine"]
    accounts.create_user(engine, cli_actor(), "changer", PASSWORD, ["duty_officer"], "ZJ")
    csrf = login(client, "changer", platform)
    h = {"x-csrf-token": csrf}
    assert (
        client.post(
            "/api/auth/password",
            json={"old": "wrong-one-1A!", "new": "Brand-New-Pass-7"},
            headers=h,
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/api/auth/password", json={"old": PASSWORD, "new": "password"}, headers=h
        ).status_code
        == 400
    )
    assert (
        client.post(
            "/api/auth/password", json={"old": PASSWORD, "new": "Brand-New-Pass-7"}, headers=h
        ).status_code
        == 200
    )
    client.cookies.clear()
    assert (
        client.post(
            "/api/auth/login", json={"username": "changer", "password": PASSWORD}
        ).status_code
        == 401
    )
    assert (
        client.post(
            "/api/auth/login", json={"username": "changer", "password": "Brand-New-Pass-7"}
        ).status_code
        == 200
    )
    with engine.connect() as conn:
        (hist,) = conn.execute(
            select(T.users.c.password_history).where(T.users.c.username == "changer")
        ).one()
    assert len(hist) == 1


def test_reset_password_forces_a_change_and_expiry_follows_the_policy(
    client: TestClient, platform: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from seawarden.settings import get_settings

    engine = platform["engine"]
    user = accounts.create_user(engine, cli_actor(), "forgetful", PASSWORD, ["duty_officer"], "ZJ")
    # the security administrator sets a temporary password; open sessions end
    csrf = login(client, "forgetful", platform)
    other = TestClient(client.app)
    admin_csrf = login(other, "secadmin", platform)
    r = other.patch(
        f"/api/users/{user['id']}",
        json={"password": "Temp-Harbour-91"},
        headers={"x-csrf-token": admin_csrf},
    )
    assert r.status_code == 200, r.text
    assert r.json()["password_change_due"] is True
    assert client.get("/api/session").status_code == 401
    # a system administrator may not reset passwords (separation of duties)
    sys_client = TestClient(client.app)
    sys_csrf = login(sys_client, "sysadmin", platform)
    denied = sys_client.patch(
        f"/api/users/{user['id']}",
        json={"password": "Other-Harbour-92"},
        headers={"x-csrf-token": sys_csrf},
    )
    assert denied.status_code == 403
    # with the temporary password only the password change is allowed
    csrf = login(client, "forgetful", platform, password="Temp-Harbour-91")
    assert client.get("/api/session").json()["user"]["password_change_due"] is True
    blocked = client.get("/api/vessels/latest")
    assert blocked.status_code == 403 and "password" in blocked.json()["detail"]
    r = client.post(
        "/api/auth/password",
        json={"old": "Temp-Harbour-91", "new": "Fresh-Harbour-93"},
        headers={"x-csrf-token": csrf},
    )
    assert r.status_code == 200, r.text
    assert client.get("/api/vessels/latest").status_code == 200
    # reset audited without any secret
    rows = trail.search(engine, action="user.update", entity_id="forgetful")
    assert (
        rows
        and rows[0]["actor"] == "secadmin"
        and rows[0]["detail"]["after"]["must_change_password"] is True
    )
    assert "password_hash" not in str(rows[0]["detail"])
    # 等保 profile: passwords expire after 90 days; ASVS profile: no forced expiry
    with engine.begin() as conn:
        conn.execute(
            update(T.users)
            .where(T.users.c.username == "forgetful")
            .values(password_changed_ms=T.users.c.password_changed_ms - 91 * 86_400_000)
        )
    assert client.get("/api/vessels/latest").status_code == 403
    monkeypatch.setenv("SEAWARDEN_WEB__PASSWORD_POLICY", "asvs")
    get_settings.cache_clear()
    try:
        assert client.get("/api/vessels/latest").status_code == 200
        with pytest.raises(PasswordRejected):  # ASVS wants 12 characters
            accounts.create_user(
                engine, cli_actor(), "shortpw", "Tide-Tab-4!", ["duty_officer"], "ZJ"
            )
    finally:
        monkeypatch.delenv("SEAWARDEN_WEB__PASSWORD_POLICY")
        get_settings.cache_clear()


def test_tile_server_setting_reaches_the_map_and_the_csp(
    platform: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from seawarden.settings import get_settings
    from seawarden.web.app import create_app

    monkeypatch.setenv("SEAWARDEN_WEB__TILE_URL", "https://tiles.example.org/{z}/{x}/{y}.png")
    get_settings.cache_clear()
    try:
        app = create_app(platform["data"], platform["url"], secure_cookies=False, live_hub=False)
        with TestClient(app) as c:
            login(c, "city_a_duty", platform)
            s = c.get("/api/session")
            assert s.json()["map"]["tile_url"] == "https://tiles.example.org/{z}/{x}/{y}.png"
            csp = s.headers["content-security-policy"]
            assert "img-src 'self' https://tiles.example.org" in csp
            assert "connect-src 'self' https://tiles.example.org" in csp
    finally:
        monkeypatch.delenv("SEAWARDEN_WEB__TILE_URL")
        get_settings.cache_clear()
    monkeypatch.setenv("SEAWARDEN_WEB__TILE_URL", "javascript:alert(1)")
    get_settings.cache_clear()
    try:
        with pytest.raises(ValueError):
            get_settings()
    finally:
        monkeypatch.delenv("SEAWARDEN_WEB__TILE_URL")
        get_settings.cache_clear()
