"""Schema migrations: bring the operational database to this code's revision (alembic)."""

from __future__ import annotations

import contextlib
import fcntl
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text

from seawarden.db import schema

MIGRATIONS = Path(__file__).parent / "migrations"
BASELINE = "0001"
"""The first revision; a database made before migrations existed is stamped with it."""

_PG_LOCK_KEY = 0x5EA3A7DE
"""Advisory lock that serialises migrations of one PostgreSQL database."""


class SchemaTooNew(Exception):  # noqa: N818 - reads as the outcome
    """The database was migrated by a newer Seawarden than this one."""


@dataclass(frozen=True)
class SchemaState:
    """Where a database stands against this code's migrations."""

    current: str | None
    head: str
    pending: tuple[str, ...]


def _config(conn: Connection | None = None) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    if conn is not None:
        cfg.attributes["connection"] = conn
    return cfg


def script() -> ScriptDirectory:
    """The migration scripts shipped with this code."""
    return ScriptDirectory.from_config(_config())


def head() -> str:
    """The newest revision this code knows."""
    rev = script().get_current_head()
    assert rev is not None
    return rev


def current(conn: Connection) -> str | None:
    """The revision the database is at (None when it was never migrated)."""
    return MigrationContext.configure(conn).get_current_revision()


def state(conn: Connection) -> SchemaState:
    """Current revision, head and the revisions still to apply."""
    cur = current(conn)
    scripts = script()
    pending = tuple(
        rev.revision
        for rev in reversed(list(scripts.iterate_revisions(scripts.get_current_head(), cur)))
    )
    return SchemaState(cur, head(), pending)


@contextlib.contextmanager
def _exclusive(engine: Engine) -> Iterator[None]:
    """Serialise migrations of one database across processes."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        lock = Path(f"{engine.url.database}.migrate.lock")
        with lock.open("a") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
    else:
        yield


def upgrade(engine: Engine, revision: str = "heads") -> SchemaState:
    """Apply every pending migration (in one transaction per call; serialised across processes).

    A database created before migrations existed (tables present, no revision) is stamped
    with the baseline first. Raises :class:`SchemaTooNew` when the database is at a revision
    this code does not know.
    """
    with _exclusive(engine), engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
        cur = current(conn)
        scripts = script()
        if cur is not None and not _known(scripts, cur):
            raise SchemaTooNew(
                f"database schema revision {cur} is newer than this Seawarden (head {head()})"
            )
        if cur is None and inspect(conn).has_table(schema.meta.name):
            command.stamp(_config(conn), BASELINE)
        command.upgrade(_config(conn), revision)
        return state(conn)


def _known(scripts: ScriptDirectory, revision: str) -> bool:
    from alembic.util import CommandError

    try:
        return scripts.get_revision(revision) is not None
    except CommandError:
        return False


def drift(conn: Connection) -> list[object]:
    """Differences between the migrated database and the table definitions in the code.

    Empty when the migrations are complete; anything else means a table changed without a
    migration.
    """
    from seawarden.db.spatial import DB_ONLY_COLUMNS, DB_ONLY_INDEXES

    def include(obj: object, name: str | None, kind: str, reflected: bool, _: object) -> bool:
        if kind == "column" and (getattr(getattr(obj, "table", None), "name", None), name) in (
            DB_ONLY_COLUMNS
        ):
            return False
        return not (kind == "index" and name in DB_ONLY_INDEXES)

    ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include})
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Did not recognize type")
        return list(compare_metadata(ctx, schema.metadata))


def new_revision(message: str, rev_id: str | None = None) -> Path:
    """Write a migration for the tables changed since the last revision (for developers).

    An empty SQLite database is brought to head, compared with the table definitions, and
    the differences are written as a new script under ``migrations/versions``.
    """
    import tempfile

    from sqlalchemy import create_engine

    from seawarden.db.engine import load_table_modules

    load_table_modules()
    with tempfile.TemporaryDirectory() as tmp:
        engine = create_engine(f"sqlite:///{tmp}/draft.db")
        try:
            with engine.begin() as conn:
                if script().get_current_head() is not None:
                    command.upgrade(_config(conn), "heads")
                result = command.revision(
                    _config(conn), message=message, autogenerate=True, rev_id=rev_id
                )
        finally:
            engine.dispose()
    scripts = result if isinstance(result, list) else [result]
    assert scripts and scripts[0] is not None
    return Path(scripts[0].path)
