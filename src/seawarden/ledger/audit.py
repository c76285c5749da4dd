"""Recompute a log from its stored entries and compare with everything stored.

For each log, in index order: indices run 0..size-1 with no gap; each leaf hash equals the
hash of the stored entry bytes; signed entries' signatures verify; every stored
perfect-subtree hash equals the one recomputed from the entries (and no extra one exists);
every checkpoint's root equals the recomputed root at its size, its note says the same
origin, size and root, and (when the log's keys are given) its signature verifies.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from sqlalchemy import Connection, Engine, and_, func, or_, select

from seawarden.ledger import note, store
from seawarden.ledger.checkpoint import CheckpointError, parse_checkpoint
from seawarden.ledger.entries import EntryError, check_entry
from seawarden.ledger.keys import PublicKey
from seawarden.ledger.store import LogInfo
from seawarden.ledger.tables import ledger_checkpoints, ledger_leaves, ledger_nodes
from seawarden.ledger.tree import Border, NodeId, append_leaf

CHUNK = 20_000


@dataclass(frozen=True)
class Finding:
    """One thing that does not match, with the first entry index it concerns."""

    log: str
    index: int
    message: str
    exact: bool = True
    """False when the finding covers a range of entries starting at ``index``."""

    def __str__(self) -> str:
        return f"log {self.log}: entry {self.index}: {self.message}"


@dataclass
class LogAudit:
    """What was checked in one log and what did not match."""

    log: str
    size: int
    leaves: int = 0
    nodes: int = 0
    checkpoints: int = 0
    findings: list[Finding] = field(default_factory=list)

    @property
    def first(self) -> Finding | None:
        """The finding about the lowest entry index (exact findings first)."""
        exact = [f for f in self.findings if f.exact]
        return min(exact or self.findings, key=lambda f: f.index, default=None)


def _leaves(conn: Connection, log: LogInfo) -> Iterator[tuple[int, bytes, int, str, bytes]]:
    last = -1
    while True:
        rows = conn.execute(
            select(
                ledger_leaves.c.idx,
                ledger_leaves.c.leaf_hash,
                ledger_leaves.c.hash_key,
                ledger_leaves.c.kind,
                ledger_leaves.c.data,
            )
            .where(ledger_leaves.c.log_id == log.id, ledger_leaves.c.idx > last)
            .order_by(ledger_leaves.c.idx)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        for idx, lh, key, kind, data in rows:
            yield int(idx), bytes(lh), int(key), str(kind), bytes(data)
        last = int(rows[-1][0])


class _NodeChecker:
    """Compares recomputed perfect subtrees with the stored ones, a batch at a time."""

    def __init__(self, conn: Connection, log: LogInfo, report: LogAudit) -> None:
        self.conn, self.log, self.report = conn, log, report
        self.pending: dict[NodeId, bytes] = {}

    def add(self, node: NodeId, h: bytes) -> None:
        self.pending[node] = h
        if len(self.pending) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if not self.pending:
            return
        stored = store.read_nodes(self.conn, self.log.id, self.pending)
        for (level, idx), h in sorted(self.pending.items(), key=lambda kv: kv[0][1] << kv[0][0]):
            first = idx << level
            got = stored.get((level, idx))
            if got is None:
                self._find(
                    first, f"stored hash of entries {first}-{first + (1 << level) - 1} is missing"
                )
            elif not hmac.compare_digest(got, h):
                self._find(
                    first,
                    f"stored hash of entries {first}-{first + (1 << level) - 1} "
                    f"(level {level}) does not match the entries",
                )
        self.report.nodes += len(self.pending)
        self.pending.clear()

    def _find(self, index: int, message: str) -> None:
        self.report.findings.append(Finding(self.log.name, index, message, exact=False))


def _root(bound: Border, log: LogInfo) -> bytes:
    if not bound:
        return log.hasher.empty_root()
    h = bound[-1][2]
    for _, _, left in reversed(bound[:-1]):
        h = log.hasher.node(left, h)
    return h


def audit_log(conn: Connection, log: LogInfo, keys: Sequence[PublicKey] = ()) -> LogAudit:
    """Recompute one log and compare it with what is stored."""
    report = LogAudit(log.name, log.size)

    def find(index: int, message: str) -> None:
        report.findings.append(Finding(log.name, index, message))

    checkpoints = {
        int(s): (bytes(r), str(n))
        for s, r, n in conn.execute(
            select(
                ledger_checkpoints.c.size, ledger_checkpoints.c.root, ledger_checkpoints.c.note
            ).where(ledger_checkpoints.c.log_id == log.id)
        )
    }
    nodes = _NodeChecker(conn, log, report)
    bound: Border = []
    expected = 0

    def check_checkpoint(size: int) -> None:
        root, signed = checkpoints.pop(size)
        report.checkpoints += 1
        at = max(size - 1, 0)
        if not hmac.compare_digest(root, _root(bound, log)):
            find(at, f"checkpoint of size {size}: stored root does not match the entries")
        try:
            text = note.open_note(signed, keys).note.text if keys else note.parse(signed).text
            cp = parse_checkpoint(text, log.hasher.size)
        except (note.NoteError, CheckpointError) as exc:
            find(at, f"checkpoint of size {size}: {exc}")
            return
        if (cp.origin, cp.size, cp.root) != (log.origin, size, root):
            find(at, f"checkpoint of size {size}: the signed note says something else")

    if 0 in checkpoints:
        check_checkpoint(0)
    for idx, stored_hash, key, kind, data in _leaves(conn, log):
        if idx != expected:
            find(
                expected,
                f"entries {expected}-{idx - 1} are missing" if idx > expected else "out of order",
            )
            break
        computed = log.hasher.leaf(data)
        if not hmac.compare_digest(computed, stored_hash):
            find(idx, "the stored entry does not match its leaf hash")
        elif key != store.hash_key(stored_hash):
            find(idx, "the stored hash key does not match the leaf hash")
        try:
            check_entry(kind, data)
        except EntryError as exc:
            find(idx, f"{kind} entry: {exc}")
        for level, nidx, h in append_leaf(bound, idx, computed, log.hasher)[1:]:
            nodes.add((level, nidx), h)
        expected += 1
        report.leaves += 1
        if expected in checkpoints:
            nodes.flush()
            check_checkpoint(expected)
    nodes.flush()
    if expected != log.size and not report.findings:
        find(min(expected, log.size), f"the log says {log.size} entries, {expected} are stored")
    elif expected != log.size:
        find(min(expected, log.size), f"the log says {log.size} entries, {expected} read in order")
    beyond = [
        and_(ledger_nodes.c.level == level, ledger_nodes.c.idx >= expected >> level)
        for level in range(1, 64)
    ]
    extra = conn.execute(
        select(func.count())
        .select_from(ledger_nodes)
        .where(ledger_nodes.c.log_id == log.id, or_(*beyond))
    ).scalar_one()
    if extra:
        find(expected, f"{extra} stored hash(es) cover entries that do not exist")
    for size in sorted(checkpoints):
        find(min(size, expected), f"checkpoint of size {size} is beyond the stored entries")
    return report


def audit(
    engine: Engine, names: Sequence[str] = (), keys: Sequence[PublicKey] = ()
) -> list[LogAudit]:
    """Audit the named logs (default: all); ``keys`` are the logs' verifier keys, if known."""
    with engine.connect() as conn:
        logs = [store.get_log(conn, n) for n in names] if names else store.list_logs(conn)
        return [audit_log(conn, log, [k for k in keys if k.name == log.origin]) for log in logs]
