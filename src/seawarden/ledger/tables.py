"""Tables of the ledger in the operational database.

Leaves and perfect-subtree hashes are keyed by ``(log_id, index)`` and
``(log_id, level, index)``: the primary keys make a repeated index impossible, and the
counter row in ``ledger_logs`` (updated first in every append transaction) serialises
writers so no index is skipped. Level-0 hashes live in ``ledger_leaves``. Leaves and
nodes carry no foreign key (checking it on every row costs a quarter of the append rate on
SQLite); only the ledger service writes them, and ``seawarden ledger audit`` checks them.
Leaves are found by hash through ``hash_key``, the first eight bytes of the leaf hash as a
signed integer: an index of 8-byte keys costs far less to keep than one of 32-byte hashes.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    text,
)

from seawarden.db.schema import metadata

ledger_logs = Table(
    "ledger_logs",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False, unique=True),
    Column("origin", String(400), nullable=False, unique=True),
    Column("hash_alg", String(16), nullable=False),
    Column("size", BigInteger, nullable=False, default=0),
    Column("organisation", String(64), nullable=True),
    Column("created_ms", BigInteger, nullable=False),
)

ledger_leaves = Table(
    "ledger_leaves",
    metadata,
    Column("log_id", Integer, nullable=False),
    Column("idx", BigInteger, nullable=False),
    Column("leaf_hash", LargeBinary(64), nullable=False),
    Column("hash_key", BigInteger, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("ref", String(200), nullable=True),
    Column("data", LargeBinary, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    PrimaryKeyConstraint("log_id", "idx", name="pk_ledger_leaves"),
    Index("ix_ledger_leaf_hash_key", "log_id", "hash_key"),
    Index(
        "ix_ledger_leaf_ref",
        "log_id",
        "ref",
        sqlite_where=text("ref IS NOT NULL"),
        postgresql_where=text("ref IS NOT NULL"),
    ),
    sqlite_with_rowid=False,
)

ledger_nodes = Table(
    "ledger_nodes",
    metadata,
    Column("log_id", Integer, nullable=False),
    Column("level", SmallInteger, nullable=False),
    Column("idx", BigInteger, nullable=False),
    Column("hash", LargeBinary(64), nullable=False),
    PrimaryKeyConstraint("log_id", "level", "idx", name="pk_ledger_nodes"),
    sqlite_with_rowid=False,
)

ledger_checkpoints = Table(
    "ledger_checkpoints",
    metadata,
    Column("log_id", Integer, ForeignKey("ledger_logs.id"), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("root", LargeBinary(64), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    PrimaryKeyConstraint("log_id", "size", name="pk_ledger_checkpoints"),
)

ledger_witness_state = Table(
    "ledger_witness_state",
    metadata,
    Column("witness", String(200), nullable=False),
    Column("origin", String(400), nullable=False),
    Column("size", BigInteger, nullable=False),
    Column("root", LargeBinary(64), nullable=False),
    Column("checkpoint", Text, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
    PrimaryKeyConstraint("witness", "origin", name="pk_ledger_witness_state"),
)

ledger_witness_refusals = Table(
    "ledger_witness_refusals",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("witness", String(200), nullable=False),
    Column("origin", String(400), nullable=True),
    Column("checkpoint", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("split_view", Boolean, nullable=False),
    Column("at_ms", BigInteger, nullable=False),
)
