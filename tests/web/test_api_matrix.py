"""Object-level authorisation: every route × every role, and organisation scope on objects."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from seawarden.security.actor import Role
from seawarden.web.policy import PUBLIC, ROUTES

from .conftest import ACCOUNTS, login

ROLE_USER = {
    Role(roles[0]): name
    for name, (roles, _org) in ACCOUNTS.items()
    if name
    in ("sysadmin", "secadmin", "auditor", "prov_sup", "city_a_duty", "enterprise", "citizen")
}
BODIES: dict[tuple[str, str], Any] = {
    ("POST", "/api/auth/totp"): {"code": "123456"},
    ("POST", "/api/auth/password"): {"old": "x", "new": "y"},
    ("POST", "/api/alerts/{alert_id}/state"): {"state": "acknowledged"},
    ("POST", "/api/zones"): {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[122, 30], [122.01, 30], [122.01, 30.01], [122, 30]]],
        },
        "properties": {"name": "matrix zone", "kind": "custom"},
    },
    ("PUT", "/api/zones/{zone_id}"): {
        "type": "Feature",
        "geometry": {
            "type": "Polygon",
            "coordinates": [[[122, 30], [122.01, 30], [122.01, 30.01], [122, 30]]],
        },
        "properties": {"name": "matrix zone 2", "kind": "custom"},
    },
    ("POST", "/api/organisations"): {
        "code": "MX",
        "name": "matrix",
        "parent": "ZJ",
        "level": "city",
    },
    ("POST", "/api/users"): {"username": "matrixuser", "password": "x", "roles": ["duty_officer"]},
    ("PATCH", "/api/users/{user_id}"): {"display_name": "x"},
}
SKIP = {
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/login"),
    ("GET", "/api/live"),
    ("POST", "/api/auth/totp"),
}


def _path(template: str, ids: dict[str, Any]) -> str:
    path = (
        template.replace("{vessel}", str(ids["vessel"]))
        .replace("{alert_id}", str(ids["alert"]))
        .replace("{zone_id}", "no-such-zone")
        .replace("{user_id}", str(ids["user"]))
    )
    return re.sub(r"\{[a-z_]+\}", "0", path)  # other objects: an id that does not exist


@pytest.mark.parametrize("role", list(ROLE_USER))
def test_every_route_for_every_role(
    role: Role, client: TestClient, platform: dict[str, Any]
) -> None:
    """Allowed roles never get 401/403; other roles always get 403."""
    with TestClient(client.app) as probe:
        login(probe, "prov_sup", platform)
        vessel = probe.get("/api/vessels/latest?limit=1").json()["vessels"][0]["mmsi"]
        alert = probe.get("/api/alerts").json()["alerts"][0]["id"]
    ids = {"vessel": vessel, "alert": alert, "user": 999_999}
    csrf = login(client, ROLE_USER[role], platform)
    checked = 0
    for (method, template), allowed in ROUTES.items():
        if (method, template) in SKIP or allowed == PUBLIC:
            continue
        body = BODIES.get((method, template))
        if template == "/api/users/{user_id}" and role is Role.security_admin:
            body = {"unlock": True}
        r = client.request(method, _path(template, ids), json=body, headers={"x-csrf-token": csrf})
        if role in allowed:
            assert r.status_code not in (401, 403), (role, method, template, r.status_code, r.text)
        else:
            assert r.status_code == 403, (role, method, template, r.status_code)
        checked += 1
    assert checked == sum(1 for k, v in ROUTES.items() if k not in SKIP and v != PUBLIC)


def api_routes(app: Any) -> set[tuple[str, str]]:
    """Every (method, path) of the API, from the OpenAPI document."""
    return {
        (m.upper(), path)
        for path, ops in app.openapi()["paths"].items()
        if path.startswith("/api/")
        for m in ops
    }


def test_routes_table_covers_every_api_route(app: Any) -> None:
    assert api_routes(app) == set(ROUTES)


def test_alert_scope_follows_the_organisation_tree(
    client: TestClient, platform: dict[str, Any]
) -> None:
    login(client, "prov_sup", platform)
    alerts = client.get("/api/alerts?page_size=1000").json()["alerts"]
    in_city_a = [a for a in alerts if a["unit"] == "ZJ-NB"]
    platform_wide = [a for a in alerts if a["unit"] is None]
    assert in_city_a and platform_wide
    with TestClient(client.app) as b:
        csrf = login(b, "city_b_duty", platform)
        seen = {a["id"] for a in b.get("/api/alerts?page_size=1000").json()["alerts"]}
        assert not seen & {a["id"] for a in in_city_a}
        target = in_city_a[0]["id"]
        assert b.get(f"/api/alerts/{target}/history").status_code == 404
        assert (
            b.post(
                f"/api/alerts/{target}/state",
                json={"state": "acknowledged"},
                headers={"x-csrf-token": csrf},
            ).status_code
            == 404
        )
    with TestClient(client.app) as county:
        login(county, "county_duty", platform)
        seen = {a["id"] for a in county.get("/api/alerts?page_size=1000").json()["alerts"]}
        assert not seen & {a["id"] for a in in_city_a}  # a county sees its own unit, not its city's
    with TestClient(client.app) as a:
        login(a, "city_a_duty", platform)
        seen = {x["id"] for x in a.get("/api/alerts?page_size=1000").json()["alerts"]}
        assert {x["id"] for x in in_city_a} <= seen and not seen & {x["id"] for x in platform_wide}


def test_zone_scope(client: TestClient, platform: dict[str, Any]) -> None:
    csrf = login(client, "city_a_sup", platform)
    h = {"x-csrf-token": csrf}
    square = {
        "type": "Polygon",
        "coordinates": [[[122.4, 30.1], [122.45, 30.1], [122.45, 30.15], [122.4, 30.1]]],
    }
    r = client.post(
        "/api/zones",
        json={
            "type": "Feature",
            "geometry": square,
            "properties": {"name": "Zhoushan water", "kind": "restricted", "owner": "ZJ-ZS"},
        },
        headers=h,
    )
    assert r.status_code == 403
    r = client.post(
        "/api/zones",
        json={
            "type": "Feature",
            "geometry": square,
            "properties": {"name": "Ningbo water", "kind": "restricted"},
        },
        headers=h,
    )
    assert r.status_code == 201 and r.json()["properties"]["owner"] == "ZJ-NB"
    zid = r.json()["properties"]["id"]
    with TestClient(client.app) as b:
        login(b, "city_b_duty", platform)
        ids = {f["properties"]["id"] for f in b.get("/api/zones").json()["features"]}
        assert zid not in ids
    with TestClient(client.app) as ent:
        login(ent, "enterprise", platform)
        assert ent.get("/api/zones").status_code == 200
        assert ent.get("/api/alerts").status_code == 403
    assert client.delete(f"/api/zones/{zid}", headers=h).status_code == 200


def test_users_and_organisations_are_scoped(client: TestClient, platform: dict[str, Any]) -> None:
    login(client, "city_b_duty", platform)
    codes = {o["code"] for o in client.get("/api/organisations").json()["organisations"]}
    assert codes == {"ZJ-ZS"}
    with TestClient(client.app) as e:
        login(e, "enterprise", platform)
        codes = {o["code"] for o in e.get("/api/organisations").json()["organisations"]}
        assert codes == {"ENT-1"}
        (org,) = e.get("/api/organisations").json()["organisations"]
        assert (
            org["name"] == "<b>码头公司</b>"
        )  # stored and returned as text; the UI sets it with textContent
