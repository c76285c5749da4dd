"""Reading and writing the ledger tables (SQLAlchemy Core, one connection in a transaction).

Appends are serialised by updating the log's counter row first: on PostgreSQL the UPDATE
takes the row lock and a concurrent appender waits for the commit, then sees the new size;
on SQLite the UPDATE takes the database's write lock. The new leaves, the perfect subtrees
they complete and the new size are written in that same transaction, so a crash at any
point leaves either all of a batch or none of it: indices never gap or repeat.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from sqlalchemy import Connection, RowMapping, insert, or_, select, update

from seawarden.db.engine import now_ms
from seawarden.ledger.errors import Code, LedgerError
from seawarden.ledger.hashing import Hasher, get_hasher
from seawarden.ledger.tables import (
    ledger_checkpoints,
    ledger_leaves,
    ledger_logs,
)
from seawarden.ledger.tree import Border, NodeId, append_leaf, border

CHUNK = 500
"""Most bound values of one ``IN (...)`` list."""


@dataclass(frozen=True)
class LogInfo:
    """A log: its name, origin, hash algorithm and current size."""

    id: int
    name: str
    origin: str
    hasher: Hasher
    size: int
    organisation: str | None
    created_ms: int


@dataclass(frozen=True)
class NewEntry:
    """An entry to append: its bytes, what it is and an optional reference (document id...)."""

    data: bytes
    kind: str = "raw"
    ref: str | None = None


@dataclass(frozen=True)
class Appended:
    """Where an entry is: its index and leaf hash; ``duplicate`` if it was there already."""

    index: int
    leaf_hash: bytes
    duplicate: bool


@dataclass(frozen=True)
class StoredCheckpoint:
    """A checkpoint of a log as stored: size, root and the signed note."""

    size: int
    root: bytes
    note: str
    created_ms: int


def _log(row: RowMapping) -> LogInfo:
    return LogInfo(
        id=int(row["id"]),
        name=str(row["name"]),
        origin=str(row["origin"]),
        hasher=get_hasher(str(row["hash_alg"])),
        size=int(row["size"]),
        organisation=None if row["organisation"] is None else str(row["organisation"]),
        created_ms=int(row["created_ms"]),
    )


def get_log(conn: Connection, name: str) -> LogInfo:
    """The log called ``name``; raises :class:`LedgerError` if there is none."""
    row = conn.execute(select(ledger_logs).where(ledger_logs.c.name == name)).mappings().first()
    if row is None:
        raise LedgerError(Code.no_such_log, f"no ledger log called {name!r}")
    return _log(row)


def list_logs(conn: Connection) -> list[LogInfo]:
    """Every log, by name."""
    rows = conn.execute(select(ledger_logs).order_by(ledger_logs.c.name)).mappings()
    return [_log(r) for r in rows]


def create_log(
    conn: Connection, name: str, origin: str, hasher: Hasher, organisation: str | None
) -> LogInfo:
    """Create an empty log; raises :class:`LedgerError` if the name or origin is taken."""
    taken = conn.execute(
        select(ledger_logs.c.name).where(
            or_(ledger_logs.c.name == name, ledger_logs.c.origin == origin)
        )
    ).first()
    if taken is not None:
        raise LedgerError(Code.log_exists, f"a log with this name or origin exists ({taken[0]})")
    conn.execute(
        insert(ledger_logs).values(
            name=name,
            origin=origin,
            hash_alg=hasher.name,
            size=0,
            organisation=organisation,
            created_ms=now_ms(),
        )
    )
    return get_log(conn, name)


def lock(conn: Connection, log_id: int) -> int:
    """Take the log's append lock (until the transaction ends); returns its size."""
    size = conn.execute(
        update(ledger_logs)
        .where(ledger_logs.c.id == log_id)
        .values(size=ledger_logs.c.size)
        .returning(ledger_logs.c.size)
    ).scalar_one()
    return int(size)


def _chunks(items: Sequence[int], n: int = CHUNK) -> Iterator[Sequence[int]]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _placeholder(conn: Connection) -> str:
    return "?" if conn.dialect.paramstyle == "qmark" else "%s"


def read_nodes(conn: Connection, log_id: int, ids: Iterable[NodeId]) -> dict[NodeId, bytes]:
    """The stored hashes of perfect subtrees (level 0 from the leaves); missing ones absent."""
    by_level: dict[int, list[int]] = {}
    for level, idx in ids:
        by_level.setdefault(level, []).append(idx)
    ph = _placeholder(conn)
    out: dict[NodeId, bytes] = {}
    for chunk in _chunks(sorted(by_level.pop(0, []))):
        rows = conn.exec_driver_sql(
            f"SELECT idx, leaf_hash FROM ledger_leaves WHERE log_id = {ph} "
            f"AND idx IN ({', '.join([ph] * len(chunk))})",
            (log_id, *chunk),
        )
        out.update({(0, int(i)): bytes(h) for i, h in rows})
    # One branch per level, so every branch is a primary-key search (an OR of levels makes
    # SQLite scan the whole log).
    branches: list[tuple[str, list[int]]] = []
    for level, idxs in sorted(by_level.items()):
        for chunk in _chunks(sorted(idxs)):
            sql = (
                f"SELECT level, idx, hash FROM ledger_nodes WHERE log_id = {ph} "
                f"AND level = {ph} AND idx IN ({', '.join([ph] * len(chunk))})"
            )
            branches.append((sql, [log_id, level, *chunk]))
    for start in range(0, len(branches), 64):
        group = branches[start : start + 64]
        rows = conn.exec_driver_sql(
            " UNION ALL ".join(sql for sql, _ in group),
            tuple(p for _, params in group for p in params),
        )
        out.update({(int(lv), int(i)): bytes(h) for lv, i, h in rows})
    return out


def read_border(conn: Connection, log: LogInfo, size: int) -> Border:
    """The right border of the tree of ``size`` leaves."""
    ids = border(size)
    hashes = read_nodes(conn, log.id, ids)
    missing = [n for n in ids if n not in hashes]
    if missing:
        raise LedgerError(Code.no_such_entry, f"log {log.name}: stored node {missing[0]} missing")
    return [(level, idx, hashes[(level, idx)]) for level, idx in ids]


def hash_key(leaf_hash: bytes) -> int:
    """The indexed key of a leaf hash: its first eight bytes as a signed integer."""
    return int.from_bytes(leaf_hash[:8], "big", signed=True)


def find_hashes(conn: Connection, log_id: int, hashes: Sequence[bytes]) -> dict[bytes, int]:
    """Indices of the leaves with these leaf hashes (those present)."""
    ph = _placeholder(conn)
    wanted = set(hashes)
    keys = sorted({hash_key(h) for h in wanted})
    # Without statistics SQLite prefers the primary key's log_id prefix (a scan of the log)
    # to the hash-key index; name the index there.
    hint = " INDEXED BY ix_ledger_leaf_hash_key" if conn.dialect.name == "sqlite" else ""
    out: dict[bytes, int] = {}
    for chunk in _chunks(keys):
        rows = conn.exec_driver_sql(
            f"SELECT leaf_hash, idx FROM ledger_leaves{hint} WHERE log_id = {ph} "
            f"AND hash_key IN ({', '.join([ph] * len(chunk))})",
            (log_id, *chunk),
        )
        for h, i in rows:
            if bytes(h) in wanted:
                out.setdefault(bytes(h), int(i))
    return out


def append(
    conn: Connection, log: LogInfo, entries: Sequence[NewEntry], dedupe: bool = True
) -> list[Appended]:
    """Append entries in this transaction; an entry already in the log is not added again.

    ``dedupe=False`` skips the look-up of earlier copies (for bulk imports of entries known
    to be new); a repeated entry then gets a second index.
    """
    size = lock(conn, log.id)
    hasher = log.hasher
    leaf_hashes = [hasher.leaf(e.data) for e in entries]
    existing = find_hashes(conn, log.id, list(set(leaf_hashes))) if dedupe else {}
    bound = read_border(conn, log, size)
    now = now_ms()
    leaves: list[tuple[object, ...]] = []
    nodes: list[tuple[int, int, int, bytes]] = []
    out: list[Appended] = []
    for entry, lh in zip(entries, leaf_hashes, strict=True):
        if lh in existing:
            out.append(Appended(existing[lh], lh, True))
            continue
        index = size
        size += 1
        if dedupe:
            existing[lh] = index
        for level, idx, h in append_leaf(bound, index, lh, hasher)[1:]:
            nodes.append((log.id, level, idx, h))
        leaves.append((log.id, index, lh, hash_key(lh), entry.kind, entry.ref, entry.data, now))
        out.append(Appended(index, lh, False))
    if leaves:
        # Driver-level executemany: the rows are plain tuples, no per-row processing needed.
        ph = _placeholder(conn)
        conn.exec_driver_sql(
            "INSERT INTO ledger_leaves "
            "(log_id, idx, leaf_hash, hash_key, kind, ref, data, created_ms) "
            f"VALUES ({', '.join([ph] * 8)})",
            leaves,
        )
        if nodes:
            conn.exec_driver_sql(
                "INSERT INTO ledger_nodes (log_id, level, idx, hash) "
                f"VALUES ({ph}, {ph}, {ph}, {ph})",
                nodes,
            )
        conn.execute(update(ledger_logs).where(ledger_logs.c.id == log.id).values(size=size))
    return out


def get_leaf(conn: Connection, log: LogInfo, index: int) -> RowMapping:
    """The stored leaf at ``index``."""
    row = (
        conn.execute(
            select(ledger_leaves).where(
                ledger_leaves.c.log_id == log.id, ledger_leaves.c.idx == index
            )
        )
        .mappings()
        .first()
    )
    if row is None:
        raise LedgerError(Code.no_such_entry, f"log {log.name} has no entry {index}")
    return row


def leaves_by_ref(conn: Connection, log: LogInfo, ref: str) -> list[RowMapping]:
    """The leaves that carry reference ``ref``, in log order."""
    return list(
        conn.execute(
            select(ledger_leaves)
            .where(ledger_leaves.c.log_id == log.id, ledger_leaves.c.ref == ref)
            .order_by(ledger_leaves.c.idx)
        ).mappings()
    )


def leaves_by_kind(
    conn: Connection, log: LogInfo, kind: str, limit: int = 1000, newest_first: bool = True
) -> list[RowMapping]:
    """Up to ``limit`` leaves of one kind (newest first by default)."""
    order = ledger_leaves.c.idx.desc() if newest_first else ledger_leaves.c.idx
    return list(
        conn.execute(
            select(ledger_leaves)
            .where(ledger_leaves.c.log_id == log.id, ledger_leaves.c.kind == kind)
            .order_by(order)
            .limit(limit)
        ).mappings()
    )


def _checkpoint(row: RowMapping) -> StoredCheckpoint:
    return StoredCheckpoint(
        int(row["size"]),
        bytes(row["root"]),
        str(row["note"]),
        int(row["created_ms"]),
    )


def latest_checkpoint(conn: Connection, log: LogInfo) -> StoredCheckpoint | None:
    """The checkpoint of the largest size, if any."""
    row = (
        conn.execute(
            select(ledger_checkpoints)
            .where(ledger_checkpoints.c.log_id == log.id)
            .order_by(ledger_checkpoints.c.size.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    return None if row is None else _checkpoint(row)


def checkpoint_at(conn: Connection, log: LogInfo, size: int) -> StoredCheckpoint | None:
    """The checkpoint of exactly ``size`` leaves, if one was made."""
    row = (
        conn.execute(
            select(ledger_checkpoints).where(
                ledger_checkpoints.c.log_id == log.id, ledger_checkpoints.c.size == size
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else _checkpoint(row)


def save_checkpoint(
    conn: Connection, log: LogInfo, size: int, root: bytes, note: str
) -> StoredCheckpoint:
    """Store a checkpoint (the caller holds the log's lock and checked none of this size)."""
    now = now_ms()
    conn.execute(
        insert(ledger_checkpoints).values(
            log_id=log.id, size=size, root=root, note=note, created_ms=now
        )
    )
    return StoredCheckpoint(size, root, note, now)


def update_checkpoint_note(conn: Connection, log: LogInfo, size: int, note: str) -> None:
    """Replace a checkpoint's signed note (to add a cosignature)."""
    conn.execute(
        update(ledger_checkpoints)
        .where(ledger_checkpoints.c.log_id == log.id, ledger_checkpoints.c.size == size)
        .values(note=note)
    )
