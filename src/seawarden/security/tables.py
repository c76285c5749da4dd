"""Accounts and sessions tables (organisations and the audit trail: ``seawarden.db.schema``)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from seawarden.db.schema import metadata

users = Table(
    "users",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("username", String(64), nullable=False, unique=True),
    Column("display_name", Text, nullable=True),
    Column("password_hash", Text, nullable=False),
    Column("password_history", JSON, nullable=False),
    Column("password_changed_ms", BigInteger, nullable=False),
    Column("must_change_password", Boolean, nullable=False, default=False),
    Column("roles", JSON, nullable=False),
    Column("organisation", String(64), ForeignKey("organisations.code"), nullable=True),
    Column("active", Boolean, nullable=False, default=True),
    Column("totp_secret", String(64), nullable=True),
    Column("failed_logins", JSON, nullable=False),
    Column("locked_until_ms", BigInteger, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(64), primary_key=True),
    Column("user_id", Integer, ForeignKey("users.id"), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("last_seen_ms", BigInteger, nullable=False),
    Column("ip", String(64), nullable=True),
    Column("user_agent", Text, nullable=True),
    Column("csrf", String(64), nullable=False),
    Column("mfa_ok", Boolean, nullable=False, default=False),
    Index("ix_sessions_user", "user_id"),
)
