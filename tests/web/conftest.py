"""A running platform for web tests: stored traffic, zones, alerts, an organisation tree and
one account per role."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text

from seawarden.db.engine import connect
from seawarden.geo.formats import read_geojson
from seawarden.ingest.pipeline import Ingester
from seawarden.security import accounts
from seawarden.security.actor import cli_actor
from seawarden.sim.area import zones_geojson
from seawarden.sim.engine import SimConfig, Simulation
from seawarden.sim.output import companion, write_files
from seawarden.supervision.driver import run_batch
from seawarden.supervision.zonestore import save_zones

from ..traffic import START

PASSWORD = "Tide-Table-42!x"
#: username -> (roles, organisation)
ACCOUNTS: dict[str, tuple[list[str], str | None]] = {
    "sysadmin": (["system_admin"], None),
    "secadmin": (["security_admin"], None),
    "auditor": (["audit_admin"], None),
    "prov_sup": (["supervisor"], "ZJ"),
    "city_a_sup": (["supervisor"], "ZJ-NB"),
    "city_a_duty": (["duty_officer"], "ZJ-NB"),
    "city_b_duty": (["duty_officer"], "ZJ-ZS"),
    "county_duty": (["duty_officer"], "ZJ-NB-BL"),
    "enterprise": (["enterprise"], "ENT-1"),
    "citizen": (["public"], None),
}


@pytest.fixture(scope="session")
def traffic_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two hours of simulated traffic, ingested once (copied per database)."""
    d = tmp_path_factory.mktemp("webtraffic")
    sim = Simulation(SimConfig(vessels=40, hours=2, start_ms=START, seed=8))
    out = d / "sim.nmea"
    write_files(sim, out)
    data = d / "data"
    Ingester(data).run_files([str(out), str(companion(out, ".beidou.jsonl"))])
    (d / "zones.geojson").write_text(zones_geojson(sim.area))
    return d


def _db_urls() -> list[str]:
    return ["sqlite", *(["postgresql"] if os.environ.get("SEAWARDEN_TEST_DATABASE_URL") else [])]


@pytest.fixture(scope="session", params=_db_urls())
def platform(
    request: pytest.FixtureRequest, traffic_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """Data directory, database URL and the TOTP secrets of the administrators."""
    import uuid

    data = tmp_path_factory.mktemp(f"web-{request.param}") / "data"
    shutil.copytree(traffic_dir / "data", data)
    schema_name = None
    if request.param == "sqlite":
        url = f"sqlite:///{data / 'seawarden.db'}"
        engine = connect(url)
    else:
        base = os.environ["SEAWARDEN_TEST_DATABASE_URL"].replace(
            "postgresql://", "postgresql+psycopg://"
        )
        schema_name = "w_" + uuid.uuid4().hex[:10]
        admin = create_engine(base)
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema_name}"))
        admin.dispose()
        url = base + ("&" if "?" in base else "?") + f"options=-csearch_path%3D{schema_name}"
        engine = connect(url)
    who = cli_actor("test-setup")
    for code, name, parent, level in (
        ("ZJ", "浙江海事局", None, "province"),
        ("ZJ-NB", "宁波海事局", "ZJ", "city"),
        ("ZJ-ZS", "舟山海事局", "ZJ", "city"),
        ("ZJ-NB-BL", "北仑海事处", "ZJ-NB", "county"),
        ("ENT-1", "<b>码头公司</b>", "ZJ-NB", "enterprise"),
    ):
        accounts.create_organisation(engine, who, code, name, parent, level)
    secrets_: dict[str, str] = {}
    for username, (roles, org) in ACCOUNTS.items():
        u = accounts.create_user(engine, who, username, PASSWORD, roles, org, bootstrap=True)
        if "totp_secret" in u:
            secrets_[username] = u["totp_secret"]
    zones = read_geojson((traffic_dir / "zones.geojson").read_text())
    for z in zones:
        z.owner = "ZJ-NB" if z.kind.value in ("channel", "no_stop") else None
    save_zones(engine, zones, who)
    run_batch(data, engine)
    yield {"data": data, "url": url, "totp": secrets_, "engine": engine, "kind": request.param}
    engine.dispose()
    if schema_name:
        admin = create_engine(
            os.environ["SEAWARDEN_TEST_DATABASE_URL"].replace(
                "postgresql://", "postgresql+psycopg://"
            )
        )
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema_name} CASCADE"))
        admin.dispose()


@pytest.fixture
def app(platform: dict[str, Any]) -> Any:
    from seawarden.web.app import create_app

    return create_app(platform["data"], platform["url"], secure_cookies=False, live_hub=False)


@pytest.fixture
def client(app: Any) -> Iterator[TestClient]:
    with TestClient(app) as c:
        yield c


def login(
    client: TestClient, username: str, platform: dict[str, Any], password: str = PASSWORD
) -> str:
    """Log in (with the second factor for administrators); returns the CSRF token."""
    r = client.post("/api/auth/login", json={"username": username, "password": password})
    assert r.status_code == 200, r.text
    body = r.json()
    if body["mfa_required"]:
        code = pyotp.TOTP(platform["totp"][username]).now()
        r = client.post(
            "/api/auth/totp", json={"code": code}, headers={"x-csrf-token": body["csrf"]}
        )
        assert r.status_code == 200, r.text
    return str(body["csrf"])
