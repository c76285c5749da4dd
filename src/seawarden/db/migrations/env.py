"""Alembic environment: migrates the connection handed over by :mod:`seawarden.db.migrate`."""

from __future__ import annotations

from alembic import context

from seawarden.db.engine import load_table_modules
from seawarden.db.schema import metadata

load_table_modules()

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - only via seawarden.db.migrate
    raise RuntimeError("migrations run through `seawarden db upgrade` or on start")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
