"""Tables of the operational database."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

meta = Table(
    "seawarden_meta",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

organisations = Table(
    "organisations",
    metadata,
    Column("code", String(64), primary_key=True),
    Column("name", Text, nullable=False),
    Column("parent", String(64), ForeignKey("organisations.code"), nullable=True),
    Column("level", String(32), nullable=False, default="unit"),
)

zones = Table(
    "zones",
    metadata,
    Column("id", String(128), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("owner", String(64), nullable=True),
    Column("geometry", JSON, nullable=False),
    Column("params", JSON, nullable=False),
    Column("version", Integer, nullable=False, default=1),
    Column("updated_ms", BigInteger, nullable=False),
)

grid_cells = Table(
    "grid_cells",
    metadata,
    Column("cell", String(20), primary_key=True),
    Column("unit", String(64), nullable=False),
    Column("resolution", Integer, nullable=False),
)

alerts = Table(
    "alerts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(32), nullable=False),
    Column("vessel", BigInteger, nullable=False),
    Column("mmsi", BigInteger, nullable=True),
    Column("zone", String(128), nullable=True),
    Column("start_ms", BigInteger, nullable=False),
    Column("end_ms", BigInteger, nullable=True),
    Column("severity", String(16), nullable=False),
    Column("state", String(16), nullable=False, default="open"),
    Column("unit", String(64), nullable=True),
    Column("lat", Float, nullable=True),
    Column("lon", Float, nullable=True),
    Column("occurrences", Integer, nullable=False, default=1),
    Column("details", JSON, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
    Index("ix_alerts_state", "state"),
    Index("ix_alerts_vessel", "vessel", "kind", "zone"),
    Index("ix_alerts_start", "start_ms"),
)

alert_occurrences = Table(
    "alert_occurrences",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("vessel", BigInteger, nullable=False),
    Column("zone", String(128), nullable=True),
    Column("start_ms", BigInteger, nullable=False),
    Column("end_ms", BigInteger, nullable=True),
    Index("ix_occurrence_key", "kind", "vessel", "zone", "start_ms", unique=True),
)

alert_history = Table(
    "alert_history",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("alert_id", Integer, ForeignKey("alerts.id"), nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("from_state", String(16), nullable=True),
    Column("to_state", String(16), nullable=True),
    Column("comment", Text, nullable=True),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column(
        "id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=False
    ),
    Column("at_ms", BigInteger, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("roles", String(256), nullable=False, default=""),
    Column("organisation", String(64), nullable=True),
    Column("ip", String(64), nullable=True),
    Column("request_id", String(64), nullable=True),
    Column("action", String(64), nullable=False),
    Column("entity", String(64), nullable=False),
    Column("entity_id", String(128), nullable=True),
    Column("outcome", String(16), nullable=False, default="ok"),
    Column("detail", JSON, nullable=False),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_entity", "entity", "entity_id"),
    Index("ix_audit_at", "at_ms"),
    Index("ix_audit_actor", "actor"),
)

audit_head = Table(
    "audit_head",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("seq", BigInteger, nullable=False),
    Column("last_hash", String(64), nullable=False),
)
"""One row: the number and hash of the last audit row (its update serialises appends)."""

webhooks = Table(
    "webhooks",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("url", Text, nullable=False),
    Column("kinds", JSON, nullable=False),
    Column("secret", Text, nullable=True),
    Column("active", Boolean, nullable=False, default=True),
)
