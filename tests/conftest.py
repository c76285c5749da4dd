from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from seawarden.ingest.pipeline import Ingester
from seawarden.sim.engine import SimConfig, Simulation
from seawarden.sim.output import companion, write_files

from .traffic import START

DATA = Path(__file__).parent / "data"

# Track answers are built in the serving process unless a test asks for query workers
# (tests/web/test_query_pool.py does): most tests start many short-lived applications.
os.environ.setdefault("SEAWARDEN_WEB__QUERY_WORKERS", "0")


@pytest.fixture(scope="session")
def ais_data() -> Path:
    return DATA / "ais"


def pytest_report_header() -> str:
    url = os.environ.get("SEAWARDEN_TEST_DATABASE_URL")
    return f"seawarden: database {'PostgreSQL ' + url if url else 'SQLite only'}"


@pytest.fixture(scope="session")
def sim_files(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Path, dict[str, Any], Simulation]:
    """A small simulated capture (with 1% damaged lines) and its ground truth."""
    d = tmp_path_factory.mktemp("sim")
    sim = Simulation(SimConfig(vessels=60, hours=1.0, start_ms=START, seed=4, corrupt=0.01))
    out = d / "sim.nmea"
    truth = write_files(sim, out)
    return out, companion(out, ".beidou.jsonl"), truth, sim


@pytest.fixture(scope="session")
def ingested(
    sim_files: tuple[Path, Path, dict[str, Any], Simulation],
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, Any]:
    nmea, beidou, _, _ = sim_files
    data = tmp_path_factory.mktemp("data")
    summary = Ingester(data).run_files([str(nmea), str(beidou)])
    return data, summary


def _db_params() -> list[str]:
    return ["sqlite", *(["postgresql"] if os.environ.get("SEAWARDEN_TEST_DATABASE_URL") else [])]


@pytest.fixture(params=_db_params())
def db_engine(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """An empty operational database: SQLite always, PostgreSQL when configured."""
    import uuid

    from sqlalchemy import create_engine, text

    from seawarden.db.engine import connect

    if request.param == "sqlite":
        engine = connect(f"sqlite:///{tmp_path / 'test.db'}")
        yield engine
        engine.dispose()
        return
    url = os.environ["SEAWARDEN_TEST_DATABASE_URL"]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = connect(url, connect_args={"options": f"-csearch_path={schema}"})
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()
    admin.dispose()
