"""Fixtures for the database tests."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture(scope="module")
def pg_or_sqlite_zones(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Any:
    """A database (PostgreSQL when configured, else SQLite) holding the spatial test zones."""
    import os
    import uuid

    from sqlalchemy import create_engine, text

    from seawarden.db.engine import connect
    from seawarden.supervision.zonestore import save_zones

    from .test_spatial import _zones

    url = os.environ.get("SEAWARDEN_TEST_DATABASE_URL")
    if not url:
        engine = connect(f"sqlite:///{tmp_path_factory.mktemp('zones') / 'z.db'}")
        save_zones(engine, _zones(), "tester")
        yield engine
        return
    url = "postgresql+psycopg://" + url.removeprefix("postgresql://").removeprefix(
        "postgresql+psycopg://"
    )
    schema = "t_" + uuid.uuid4().hex[:12]
    admin = create_engine(url)
    with admin.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine = connect(url, connect_args={"options": f"-csearch_path={schema}"})
    save_zones(engine, _zones(), "tester")
    yield engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()
