"""The operational database (SQLite by default, PostgreSQL at scale) through SQLAlchemy Core."""
