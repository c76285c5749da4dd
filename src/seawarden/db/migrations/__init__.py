"""Alembic migrations of the operational database (run on start by :func:`seawarden.db.migrate`)."""
