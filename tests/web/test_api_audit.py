"""The audit trail: written with every change, append-only, verifiable; bad input; live push."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from seawarden.cli import app as cli_app
from seawarden.db import audit as trail
from seawarden.db import schema

from .conftest import login


def test_every_write_is_audited_with_who_where_and_what(
    client: TestClient, platform: dict[str, Any]
) -> None:
    csrf = login(client, "city_a_duty", platform)
    alert = client.get("/api/alerts?state=open").json()["alerts"][0]
    r = client.post(
        f"/api/alerts/{alert['id']}/state",
        json={"state": "acknowledged", "comment": "<script>x</script>"},
        headers={"x-csrf-token": csrf, "x-request-id": "req42"},
    )
    assert r.status_code in (200, 409)
    rows = trail.search(platform["engine"], entity="alert", entity_id=str(alert["id"]))
    ack = next(x for x in rows if x["action"] in ("alert.acknowledged",))
    assert ack["actor"] == "city_a_duty" and ack["roles"] == "duty_officer" and ack["ip"]
    assert ack["request_id"] == "req42" and ack["outcome"] == "ok" and ack["at_ms"] > 0
    assert ack["detail"]["comment"] == "<script>x</script>"  # stored as data, never interpreted
    denied = trail.search(platform["engine"], action="access.denied", actor="city_a_duty")
    assert client.get("/api/users").status_code == 403
    assert (
        len(trail.search(platform["engine"], action="access.denied", actor="city_a_duty"))
        == len(denied) + 1
    )


def test_audit_rows_cannot_be_changed_and_tampering_is_found(db_engine: Any, tmp_path: Any) -> None:
    engine = db_engine
    with engine.begin() as conn:
        for i in range(10):
            trail.append(
                conn,
                f"user{i}",
                "zone.update",
                "zone",
                f"z{i}",
                {"before": {"v": i}, "after": {"v": i + 1}},
            )
    assert trail.verify(engine).ok and trail.verify(engine).rows == 10
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = 3"))
    with pytest.raises(DBAPIError), engine.begin() as conn:
        conn.execute(text("DELETE FROM audit_log WHERE id = 3"))
    # someone with direct database access disables the protection and edits a row
    with engine.begin() as conn:
        _unprotect(conn)
        conn.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE id = 5"))
    r = trail.verify(engine)
    assert not r.ok and r.first_bad == 5 and "altered" in (r.reason or "")
    with engine.begin() as conn:
        row = dict(
            conn.execute(select(schema.audit_log).where(schema.audit_log.c.id == 5))
            .mappings()
            .one()
        )
        conn.execute(text("DELETE FROM audit_log WHERE id = 5"))
    r = trail.verify(engine)
    assert not r.ok and r.first_bad == 5 and "missing" in (r.reason or "")
    with engine.begin() as conn:  # a forged row 5 with a recomputed hash: the link breaks at row 6
        row["hash"] = trail.row_hash(row)
        conn.execute(schema.audit_log.insert().values(**row))
    r = trail.verify(engine)
    assert not r.ok and r.first_bad == 6 and "link" in (r.reason or "")
    with engine.begin() as conn:  # the last rows deleted
        conn.execute(text("DELETE FROM audit_log WHERE id >= 5"))
    r = trail.verify(engine)
    assert not r.ok and "deleted" in (r.reason or "")


def test_audit_verify_command(tmp_path: Any) -> None:
    from seawarden.db.engine import connect

    url = f"sqlite:///{tmp_path / 'a.db'}"
    engine = connect(url)
    with engine.begin() as conn:
        for i in range(5):
            trail.append(conn, "u", "x.y", "x", str(i), {})
    runner = CliRunner()
    args = ["audit", "verify", "--data-dir", str(tmp_path), "--database-url", url]
    ok = runner.invoke(cli_app, args)
    assert ok.exit_code == 0 and "intact: 5 rows" in ok.output
    with engine.begin() as conn:
        _unprotect(conn)
        conn.execute(text("UPDATE audit_log SET entity_id = '99' WHERE id = 4"))
    bad = runner.invoke(cli_app, args)
    assert bad.exit_code == 1 and "row 4" in bad.output


def _unprotect(conn: Any) -> None:
    if conn.dialect.name == "sqlite":
        conn.execute(text("DROP TRIGGER audit_log_no_update"))
        conn.execute(text("DROP TRIGGER audit_log_no_delete"))
    else:
        conn.execute(text("DROP TRIGGER audit_log_no_change ON audit_log"))


def test_audit_search_and_export_for_auditors(client: TestClient, platform: dict[str, Any]) -> None:
    login(client, "auditor", platform)
    rows = client.get("/api/audit?action=auth.login&page_size=5").json()["rows"]
    assert 0 < len(rows) <= 5 and all(r["action"] == "auth.login" for r in rows)
    csv_text = client.get("/api/audit/export").text
    header, *lines = csv_text.splitlines()
    assert header.startswith("id,at_ms,actor") and len(lines) > 10


def test_bad_input_is_refused_quickly(client: TestClient, platform: dict[str, Any]) -> None:
    csrf = login(client, "prov_sup", platform)
    h = {"x-csrf-token": csrf, "content-type": "application/json"}
    big = b'{"state": "acknowledged", "comment": "' + b"x" * (2 << 20) + b'"}'
    assert client.post("/api/alerts/1/state", content=big, headers=h).status_code == 413
    assert client.get("/api/alerts?page_size=1000000").status_code == 400
    assert client.get("/api/vessels/latest?bbox=-180,-90,180,90").status_code == 400
    assert client.get("/api/vessels/latest?bbox=1,2,3").status_code == 400
    v = client.get("/api/vessels/latest?limit=1").json()["vessels"][0]["mmsi"]
    assert (
        client.get(
            f"/api/vessels/{v}/track?from=2026-01-01T00:00:00Z&to=2026-11-01T00:00:00Z"
        ).status_code
        == 400
    )
    assert client.get(f"/api/vessels/{v}/track?from=yesterday").status_code == 400
    assert client.get("/api/snapshot?at=not-a-time").status_code == 400
    r = client.post(
        "/api/zones",
        json={
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [1, 2]},
            "properties": {"name": "x", "kind": "restricted"},
        },
        headers={"x-csrf-token": csrf},
    )
    assert r.status_code == 400 and "radius_m" in r.text


def test_live_stream_sends_the_picture(platform: dict[str, Any]) -> None:
    from seawarden.web.app import create_app

    app = create_app(platform["data"], platform["url"], secure_cookies=False, live_hub=True)
    with TestClient(app) as c:
        login(c, "prov_sup", platform)
        with c.stream("GET", "/api/live?max_seconds=3") as r:
            assert r.status_code == 200 and r.headers["content-type"].startswith(
                "text/event-stream"
            )
            body = b""
            for chunk in r.iter_bytes():
                body += chunk
                if b"event: vessels" in body and body.endswith(b"\n\n"):
                    break
        event = next(block for block in body.split(b"\n\n") if block.startswith(b"event: vessels"))
        data = json.loads(event.split(b"data: ", 1)[1])
        assert data["full"] is True and len(data["rows"]) > 10


def test_create_admin_from_the_command_line(platform: dict[str, Any]) -> None:
    runner = CliRunner()
    base = [
        "users",
        "create-admin",
        "--username",
        "newadmin",
        "--role",
        "security_admin",
        "--data-dir",
        str(platform["data"]),
        "--database-url",
        platform["url"],
    ]
    r = runner.invoke(cli_app, [*base, "--password-stdin"], input="Lighthouse-Keeper-9\n")
    assert r.exit_code == 0 and "TOTP secret" in r.output
    r = runner.invoke(cli_app, [*base, "--password-stdin"], input="Lighthouse-Keeper-9\n")
    assert r.exit_code == 2 and "exists" in r.output
    r = runner.invoke(
        cli_app,
        [*base[:3], "prompted", *base[4:]],
        input="Lighthouse-Keeper-9\nLighthouse-Keeper-9\n",
    )
    assert r.exit_code == 0 and "created security_admin prompted" in r.output
    r = runner.invoke(
        cli_app, [*base[:3], "weak", *base[4:], "--password-stdin"], input="password\n"
    )
    assert r.exit_code == 2 and "rejected" in r.output
