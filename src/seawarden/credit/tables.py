"""Tables of the credit domain: rule sets, the event ledger, scores, appeals and repairs.

Column ``info`` labels ``public`` the fields the open-data export may publish.
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

rulesets = Table(
    "credit_rulesets",
    metadata,
    Column("version", String(64), primary_key=True),
    Column("organisation", String(64), nullable=True),
    Column("body", JSON, nullable=False),
    Column("active", Boolean, nullable=False, default=False),
    Column("created_ms", BigInteger, nullable=False),
    Column("actor", String(128), nullable=False),
)

events = Table(
    "credit_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("organisation", String(64), nullable=False, index=True),
    Column("subject_kind", String(16), nullable=False),
    Column("subject_id", String(36), nullable=False),
    Column("kind", String(48), nullable=False),
    Column("on_date", Date, nullable=False),
    Column("points", Float, nullable=False),
    Column("legal_basis", Text, nullable=False),
    Column("source", String(96), nullable=False),
    Column("status", String(16), nullable=False, default="active"),
    Column("note", Text, nullable=True),
    Column("recorded_ms", BigInteger, nullable=False),
    Column("actor", String(128), nullable=False),
    Index("ix_credit_subject", "subject_kind", "subject_id", "on_date"),
    Index("ix_credit_source", "subject_kind", "subject_id", "source", unique=True),
)

scores = Table(
    "credit_scores",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("organisation", String(64), nullable=False, index=True),
    Column("subject_kind", String(16), nullable=False),
    Column("subject_id", String(36), nullable=False),
    Column(
        "ruleset_version",
        String(64),
        ForeignKey("credit_rulesets.version"),
        nullable=False,
        info={"public": True},
    ),
    Column("as_of", Date, nullable=False, info={"public": True}),
    Column("score", Float, nullable=False, info={"public": True}),
    Column("grade", String(4), nullable=False, info={"public": True}),
    Column("listing", String(8), nullable=True, info={"public": True}),
    Column("intensity", String(32), nullable=False),
    Column("inputs", JSON, nullable=False),
    Column("lines", JSON, nullable=False),
    Column("computed_ms", BigInteger, nullable=False),
    Column("actor", String(128), nullable=False),
    Index("ix_score_subject", "subject_kind", "subject_id", "computed_ms"),
)

appeals = Table(
    "credit_appeals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("organisation", String(64), nullable=False, index=True),
    Column("event_id", Integer, ForeignKey("credit_events.id"), nullable=False),
    Column("filed_on", Date, nullable=False),
    Column("reason", Text, nullable=False),
    Column("state", String(16), nullable=False, default="open"),
    Column("decided_on", Date, nullable=True),
    Column("decided_by", String(128), nullable=True),
    Column("decision", Text, nullable=True),
    Column("filed_by", String(128), nullable=False),
)

repairs = Table(
    "credit_repairs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("organisation", String(64), nullable=False, index=True),
    Column("event_id", Integer, ForeignKey("credit_events.id"), nullable=False),
    Column("repaired_on", Date, nullable=False),
    Column("basis", Text, nullable=False),
    Column("actor", String(128), nullable=False),
)
