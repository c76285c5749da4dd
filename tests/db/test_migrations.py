"""Alembic migrations: a new database reaches head, the code's tables match, old ones upgrade."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from typer.testing import CliRunner

from seawarden.cli import app
from seawarden.db import migrate, schema
from seawarden.db.engine import DatabaseError, connect, dispose_all, load_table_modules


def test_new_database_is_at_head_and_matches_the_code(db_engine: Any) -> None:
    with db_engine.connect() as conn:
        assert migrate.current(conn) == migrate.head()
        assert migrate.state(conn).pending == ()
        assert migrate.drift(conn) == []
        tables = set(inspect(conn).get_table_names())
    load_table_modules()
    assert set(schema.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_second_start_applies_nothing(db_engine: Any) -> None:
    state = migrate.upgrade(db_engine)
    assert state.current == state.head
    assert state.pending == ()


def test_database_made_before_migrations_is_stamped_and_upgraded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    raw = create_engine(url)
    load_table_modules()
    schema.metadata.create_all(raw)
    with raw.begin() as conn:
        conn.execute(schema.meta.insert().values(key="schema_version", value="1"))
    raw.dispose()
    engine = connect(url)
    with engine.connect() as conn:
        assert migrate.current(conn) == migrate.head()
        assert migrate.drift(conn) == []
        assert conn.execute(text("SELECT value FROM seawarden_meta")).scalar_one() == "1"


def test_database_from_a_newer_release_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    connect(url)
    dispose_all()
    raw = create_engine(url)
    with raw.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'ffff_future'"))
    raw.dispose()
    with pytest.raises(DatabaseError, match="newer than this Seawarden"):
        connect(url)


def test_migration_drift_is_detected(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'drift.db'}"
    engine = connect(url)
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE zones ADD COLUMN stray INTEGER"))
        diffs = migrate.drift(conn)
    assert any("stray" in repr(d) for d in diffs)


def test_db_cli_status_upgrade_and_check(tmp_path: Path) -> None:
    runner = CliRunner()
    before = runner.invoke(app, ["db", "status", "--data-dir", str(tmp_path)])
    assert before.exit_code == 0, before.output
    assert "database revision: (none)" in before.output
    assert migrate.head() in before.output
    up = runner.invoke(app, ["db", "upgrade", "--data-dir", str(tmp_path)])
    assert up.exit_code == 0, up.output
    after = runner.invoke(app, ["db", "status", "--data-dir", str(tmp_path)])
    assert f"database revision: {migrate.head()}" in after.output
    assert "pending:           (none)" in after.output
    check = runner.invoke(app, ["db", "check", "--data-dir", str(tmp_path)])
    assert check.exit_code == 0, check.output
    assert "matches" in check.output
