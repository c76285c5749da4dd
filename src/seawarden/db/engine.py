"""Connecting to the operational database and keeping its schema current."""

from __future__ import annotations

import atexit
import getpass
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event


class DatabaseError(Exception):
    """The database cannot be used (unreachable, newer schema than this code)."""


def database_url(data_dir: Path | None = None, url: str | None = None) -> str:
    """The URL to use: explicit, else ``SEAWARDEN_DATABASE_URL``, else SQLite in the data dir."""
    if url:
        return url
    from seawarden.settings import get_settings

    s = get_settings()
    if s.database_url:
        return s.database_url
    base = Path(data_dir) if data_dir is not None else s.data_dir
    base.mkdir(parents=True, exist_ok=True)
    return f"sqlite:///{base / 'seawarden.db'}"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cur = dbapi_connection.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


#: Modules that define tables on :data:`seawarden.db.schema.metadata` (imported before the
#: schema is created; a module not present yet is skipped).
TABLE_MODULES = (
    "seawarden.security.tables",
    "seawarden.ledger.tables",
    "seawarden.dangerous_goods.tables",
    "seawarden.registry.tables",
)


def load_table_modules() -> None:
    """Import every module that defines tables."""
    import importlib

    for name in TABLE_MODULES:
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise


_ENGINES: dict[str, Engine] = {}
_ENGINES_LOCK = threading.Lock()


def dispose_all() -> None:
    """Close every engine this process opened (at exit)."""
    with _ENGINES_LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


atexit.register(dispose_all)


def connect(url: str, **kwargs: Any) -> Engine:
    """An engine with the schema created (or checked) on first use.

    Engines are shared per URL and options within a process (one connection pool each).
    """
    load_table_modules()
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    key = url + repr(sorted(kwargs.items()))
    with _ENGINES_LOCK:
        cached = _ENGINES.get(key)
    if cached is not None:
        return cached
    engine = _create(url, **kwargs)
    with _ENGINES_LOCK:
        _ENGINES.setdefault(key, engine)
        return _ENGINES[key]


def _create(url: str, **kwargs: Any) -> Engine:
    engine = create_engine(url, future=True, pool_pre_ping=True, **kwargs)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    from seawarden.db import migrate, spatial
    from seawarden.db.audit import protect

    try:
        migrate.upgrade(engine)
        with engine.begin() as conn:
            protect(conn)
            spatial.remember(engine, spatial.enable(conn))
    except migrate.SchemaTooNew as exc:
        engine.dispose()
        raise DatabaseError(str(exc)) from exc
    except Exception as exc:
        engine.dispose()
        raise DatabaseError(
            f"cannot use the database {engine.url.render_as_string(hide_password=True)}: {exc}"
        ) from exc
    return engine


def now_ms() -> int:
    """Wall clock, epoch milliseconds."""
    return time.time_ns() // 1_000_000


def default_actor() -> str:
    """Who is acting when nobody logged in (command-line use)."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def audit(
    conn: Connection,
    actor: Any,
    action: str,
    entity: str,
    entity_id: str | None,
    detail: dict[str, Any],
    organisation: str | None = None,
    outcome: str = "ok",
) -> None:
    """Record a write in the audit trail, in the caller's transaction.

    ``actor`` is a user name or a :class:`seawarden.security.actor.Actor` (whose roles,
    address and request id are recorded too).
    """
    from seawarden.db import audit as trail

    name = getattr(actor, "username", None) or str(actor)
    roles = ",".join(sorted(str(r) for r in getattr(actor, "roles", ())))
    org = organisation if organisation is not None else getattr(actor, "organisation", None)
    trail.append(
        conn,
        name,
        action,
        entity,
        entity_id,
        detail,
        org,
        roles=roles,
        ip=getattr(actor, "ip", None),
        request_id=getattr(actor, "request_id", None),
        outcome=outcome,
    )


@contextmanager
def transaction(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction (committed on success, rolled back on error)."""
    with engine.begin() as conn:
        yield conn
