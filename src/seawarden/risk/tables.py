"""Tables of the risk domain: flag and RO performance lists, the risk register and reviews.

Performance lists are reference data; their ``organisation`` may be empty (platform-wide,
visible to everyone, written only by an actor whose scope is the whole platform).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from seawarden.db.schema import metadata

flag_performance = Table(
    "risk_flag_performance",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("organisation", String(64), nullable=True),
    Column("regime", String(16), nullable=False),
    Column("flag", String(2), nullable=False),
    Column("year", Integer, nullable=False),
    Column("performance", String(24), nullable=False),
    Column("imo_audit", Boolean, nullable=False),
    Column("source", Text, nullable=False),
    Index("ix_flag_perf", "regime", "flag", "year", unique=True),
)

ro_performance = Table(
    "risk_ro_performance",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("organisation", String(64), nullable=True),
    Column("regime", String(16), nullable=False),
    Column("ro", String(64), nullable=False),
    Column("year", Integer, nullable=False),
    Column("performance", String(16), nullable=False),
    Column("eu_recognised", Boolean, nullable=False),
    Column("source", Text, nullable=False),
    Index("ix_ro_perf", "regime", "ro", "year", unique=True),
)

risk_points = Table(
    "risk_points",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("organisation", String(64), nullable=False, index=True),
    Column("name", Text, nullable=False),
    Column("location", Text, nullable=False),
    Column("lat", Float, nullable=True),
    Column("lon", Float, nullable=True),
    Column("hazard", Text, nullable=False),
    Column("likelihood", Integer, nullable=False),
    Column("consequence", Integer, nullable=False),
    Column("level", String(16), nullable=False),
    Column("measures", JSON, nullable=False),
    Column("owner", Text, nullable=False),
    Column("status", String(16), nullable=False, default="open"),
    Column("review_months", Integer, nullable=False, default=12),
    Column("next_review", Date, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

risk_reviews = Table(
    "risk_reviews",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("point_id", Integer, ForeignKey("risk_points.id"), nullable=False),
    Column("organisation", String(64), nullable=False),
    Column("reviewed_on", Date, nullable=False),
    Column("reviewer", Text, nullable=False),
    Column("likelihood", Integer, nullable=False),
    Column("consequence", Integer, nullable=False),
    Column("level", String(16), nullable=False),
    Column("measures", JSON, nullable=False),
    Column("note", Text, nullable=True),
    Index("ix_review_point", "point_id"),
)
