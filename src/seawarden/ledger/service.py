"""Ledger use cases: every function takes the acting :class:`Actor` and an ``Engine``.

This is the only module that opens transactions; each write is audited in its own
transaction through :func:`seawarden.db.engine.audit`. An API router or the command line
wraps these functions; errors are :class:`LedgerError` (with a code),
:class:`~seawarden.security.actor.Forbidden` for missing roles.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, insert, select
from sqlalchemy import update as sql_update

from seawarden.db.engine import audit, now_ms
from seawarden.ledger import entries as ent
from seawarden.ledger import note, store
from seawarden.ledger.checkpoint import Checkpoint, CheckpointError, check_origin
from seawarden.ledger.errors import Code, LedgerError
from seawarden.ledger.hashing import UnknownHashError, get_hasher
from seawarden.ledger.keys import KeyFormatError, PrivateKey, PublicKey, check_name
from seawarden.ledger.receipt import Receipt
from seawarden.ledger.store import Appended, LogInfo, NewEntry, StoredCheckpoint
from seawarden.ledger.tables import ledger_witness_refusals, ledger_witness_state
from seawarden.ledger.tree import TreeError, prove_consistency, prove_inclusion, root_at
from seawarden.ledger.witness import WitnessRefusedError, WitnessState, cosign
from seawarden.security.actor import Actor, Role

WRITERS = (Role.system_admin, Role.supervisor, Role.duty_officer, Role.enterprise)
"""Roles that may append entries (documents, weighings, approvals, anchors)."""
OPERATORS = (Role.system_admin,)
"""Roles that may create logs and sign checkpoints with the log's key."""
WITNESSES = (Role.audit_admin,)
"""Roles that may cosign as a witness (the audit administrator, not the log's operator)."""
ANCHORERS = (*WRITERS, Role.audit_admin)
"""Roles that may anchor the audit trail (the writers and the audit administrator)."""
MAX_BATCH = 100_000
MAX_ENTRY = 1 << 20
ENTITY = "ledger_log"


def _audit(conn: Connection, actor: Actor, action: str, log: str, detail: dict[str, Any]) -> None:
    audit(conn, actor.username, action, ENTITY, log, detail, actor.organisation)


def _log(conn: Connection, actor: Actor, name: str) -> LogInfo:
    log = store.get_log(conn, name)
    if log.organisation is not None:
        actor.check_scope(log.organisation)
    return log


def create_log(
    engine: Engine,
    actor: Actor,
    name: str,
    origin: str,
    hash_alg: str = "sha256",
    organisation: str | None = None,
) -> LogInfo:
    """Create an empty log with its own origin (e.g. ``msa.example.cn/ledger/handover/v1``)."""
    actor.require(*OPERATORS)
    with engine.begin() as conn:
        return create_log_in(conn, actor, name, origin, hash_alg, organisation)


def create_log_in(
    conn: Connection,
    actor: Actor,
    name: str,
    origin: str,
    hash_alg: str = "sha256",
    organisation: str | None = None,
) -> LogInfo:
    """:func:`create_log` in the caller's transaction."""
    actor.require(*OPERATORS)
    try:
        check_name(name)
        check_name(origin)
        check_origin(origin)
        hasher = get_hasher(hash_alg)
    except (KeyFormatError, CheckpointError, UnknownHashError) as exc:
        raise LedgerError(Code.bad_request, str(exc)) from None
    if len(name) > 64 or len(origin) > 400:
        raise LedgerError(Code.bad_request, "name or origin too long (64 / 400 characters)")
    log = store.create_log(conn, name, origin, hasher, organisation)
    _audit(conn, actor, "ledger.create", name, {"origin": origin, "hash": hasher.name})
    return log


def leaves_of_kind(
    engine: Engine, actor: Actor, log_name: str, kind: str, limit: int = 1000
) -> list[tuple[int, str | None, bytes]]:
    """Up to ``limit`` entries of one kind, newest first: (index, reference, entry bytes)."""
    with engine.connect() as conn:
        log = _log(conn, actor, log_name)
        rows = store.leaves_by_kind(conn, log, kind, limit)
    return [(int(r["idx"]), r["ref"], bytes(r["data"])) for r in rows]


def list_logs(engine: Engine, actor: Actor) -> list[LogInfo]:
    """The logs the actor may see."""
    with engine.connect() as conn:
        return [
            g
            for g in store.list_logs(conn)
            if g.organisation is None or actor.can_see(g.organisation)
        ]


def get_log(engine: Engine, actor: Actor, name: str) -> LogInfo:
    """One log (with its current size)."""
    with engine.connect() as conn:
        return _log(conn, actor, name)


def _check_items(items: Sequence[NewEntry]) -> None:
    if not items or len(items) > MAX_BATCH:
        raise LedgerError(Code.bad_request, f"give 1-{MAX_BATCH} entries")
    for item in items:
        if not isinstance(item.data, bytes) or len(item.data) > MAX_ENTRY:
            raise LedgerError(Code.bad_request, f"an entry is at most {MAX_ENTRY} bytes")
        if item.kind not in ent.Kind.__members__ or (item.ref is not None and len(item.ref) > 200):
            raise LedgerError(Code.bad_request, f"bad kind {item.kind!r} or reference")
        try:
            ent.check_entry(item.kind, item.data)
        except ent.EntryError as exc:
            raise LedgerError(Code.bad_request, f"{item.kind} entry: {exc}") from None


def append_in(
    conn: Connection,
    actor: Actor,
    log_name: str,
    items: Sequence[NewEntry],
    action: str = "ledger.append",
    dedupe: bool = True,
    roles: Sequence[Role] = WRITERS,
    detail: Mapping[str, Any] | None = None,
) -> list[Appended]:
    """Append entries in the caller's transaction (e.g. together with the approval they record).

    Same checks and audit row as :func:`append_entries` (``detail`` is added to the audit
    row's detail); the caller commits.
    """
    actor.require(*roles)
    _check_items(items)
    log = _log(conn, actor, log_name)
    out = store.append(conn, log, items, dedupe)
    new = [a.index for a in out if not a.duplicate]
    _audit(
        conn,
        actor,
        action,
        log_name,
        {
            "first": min(new) if new else None,
            "count": len(new),
            "duplicates": len(out) - len(new),
            "kinds": sorted({i.kind for i in items}),
            **(detail or {}),
        },
    )
    return out


def append_entries(
    engine: Engine,
    actor: Actor,
    log_name: str,
    items: Sequence[NewEntry],
    action: str = "ledger.append",
    dedupe: bool = True,
    roles: Sequence[Role] = WRITERS,
) -> list[Appended]:
    """Append entries in one transaction (an entry already logged keeps its index).

    ``dedupe=False`` is for bulk imports of entries known to be new (it skips the look-up
    of earlier copies; a repeated entry would get a second index).
    """
    actor.require(*roles)
    _check_items(items)
    with engine.begin() as conn:
        return append_in(conn, actor, log_name, items, action, dedupe, roles)


def append(
    engine: Engine,
    actor: Actor,
    log_name: str,
    data: bytes,
    kind: str = "raw",
    ref: str | None = None,
) -> Appended:
    """Append one entry."""
    return append_entries(engine, actor, log_name, [NewEntry(data, kind, ref)])[0]


def make_checkpoint(
    engine: Engine, actor: Actor, log_name: str, keys: Sequence[PrivateKey]
) -> StoredCheckpoint:
    """Sign and store a checkpoint of the log's current size (or return the one of that size).

    Every key must be a log key named after the log's origin (Ed25519 and/or SM2).
    """
    actor.require(*OPERATORS)
    with engine.begin() as conn:
        return checkpoint_in(conn, actor, log_name, keys)


def checkpoint_in(
    conn: Connection, actor: Actor, log_name: str, keys: Sequence[PrivateKey]
) -> StoredCheckpoint:
    """:func:`make_checkpoint` in the caller's transaction."""
    actor.require(*OPERATORS)
    if not keys:
        raise LedgerError(Code.bad_request, "a checkpoint needs at least one signing key")
    log = _log(conn, actor, log_name)
    for k in keys:
        if k.cosigner or k.name != log.origin:
            raise LedgerError(
                Code.bad_request, f"key {k.name} is not a log key for origin {log.origin}"
            )
    size = store.lock(conn, log.id)
    existing = store.checkpoint_at(conn, log, size)
    if existing is not None:
        return existing
    root = root_at(lambda ids: store.read_nodes(conn, log.id, ids), size, log.hasher)
    signed = note.sign_note(Checkpoint(log.origin, size, root).body(), keys)
    cp = store.save_checkpoint(conn, log, size, root, signed)
    _audit(
        conn,
        actor,
        "ledger.checkpoint",
        log_name,
        {"size": size, "root": root.hex(), "keys": [f"{k.name}+{k.key_id:08x}" for k in keys]},
    )
    return cp


def latest_checkpoint(engine: Engine, actor: Actor, log_name: str) -> StoredCheckpoint:
    """The latest checkpoint of a log."""
    with engine.connect() as conn:
        log = _log(conn, actor, log_name)
        cp = store.latest_checkpoint(conn, log)
    if cp is None:
        raise LedgerError(Code.not_checkpointed, f"log {log_name} has no checkpoint yet")
    return cp


def _witness_id(key: PrivateKey | PublicKey) -> str:
    return f"{key.name}+{key.key_id:08x}"


def _load_state(conn: Connection, witness: str, origin: str) -> WitnessState | None:
    row = conn.execute(
        select(ledger_witness_state.c.size, ledger_witness_state.c.root).where(
            ledger_witness_state.c.witness == witness, ledger_witness_state.c.origin == origin
        )
    ).first()
    return None if row is None else WitnessState(origin, int(row[0]), bytes(row[1]))


def _store_state(conn: Connection, witness: str, state: WitnessState, checkpoint: str) -> None:
    values = {
        "size": state.size,
        "root": state.root,
        "checkpoint": checkpoint,
        "updated_ms": now_ms(),
    }
    done = conn.execute(
        sql_update(ledger_witness_state)
        .where(
            ledger_witness_state.c.witness == witness, ledger_witness_state.c.origin == state.origin
        )
        .values(**values)
    )
    if done.rowcount == 0:
        conn.execute(
            insert(ledger_witness_state).values(witness=witness, origin=state.origin, **values)
        )


@dataclass(frozen=True)
class ConsistencyProof:
    """A consistency proof between two tree sizes, with both roots."""

    size1: int
    size2: int
    root1: bytes
    root2: bytes
    proof: list[bytes]


def consistency_proof(
    engine: Engine, actor: Actor, log_name: str, size1: int, size2: int | None = None
) -> ConsistencyProof:
    """The proof that the tree of ``size2`` (default: current size) extends ``size1``."""
    with engine.connect() as conn:
        log = _log(conn, actor, log_name)
        return _consistency(conn, log, size1, log.size if size2 is None else size2)


def _consistency(conn: Connection, log: LogInfo, size1: int, size2: int) -> ConsistencyProof:
    if not 0 <= size1 <= size2 <= log.size:
        raise LedgerError(
            Code.bad_request, f"need 0 <= size1 <= size2 <= {log.size} (got {size1}, {size2})"
        )

    def read(ids: set[tuple[int, int]]) -> dict[tuple[int, int], bytes]:
        return store.read_nodes(conn, log.id, ids)

    try:
        return ConsistencyProof(
            size1,
            size2,
            root_at(read, size1, log.hasher),
            root_at(read, size2, log.hasher),
            prove_consistency(read, size1, size2, log.hasher),
        )
    except TreeError as exc:
        raise LedgerError(Code.no_such_entry, f"log {log.name}: {exc}") from None


def cosign_latest(
    engine: Engine,
    actor: Actor,
    log_name: str,
    witness_key: PrivateKey,
    log_keys: Sequence[PublicKey],
    state_engine: Engine | None = None,
) -> StoredCheckpoint:
    """Cosign the latest checkpoint as a witness, if it extends the last one it cosigned.

    The witness's state lives in ``state_engine`` (default: the log's own database; a
    witness run by another party should keep its own). A refusal is recorded there as
    evidence and raised as :class:`LedgerError` with code ``witness_refused``.
    """
    actor.require(*WITNESSES)
    if not witness_key.cosigner:
        raise LedgerError(Code.bad_request, f"{witness_key.name} is not a witness key")
    state_db = state_engine or engine
    wid = _witness_id(witness_key)
    with engine.connect() as conn:
        log = _log(conn, actor, log_name)
        cp = store.latest_checkpoint(conn, log)
        if cp is None:
            raise LedgerError(Code.not_checkpointed, f"log {log_name} has no checkpoint yet")
        with state_db.connect() as sconn:
            previous = _load_state(sconn, wid, log.origin)
        proof: list[bytes] = []
        if previous is not None and 0 < previous.size < cp.size:
            try:
                proof = _consistency(conn, log, previous.size, cp.size).proof
            except LedgerError:
                proof = []  # stored tree damaged: the empty proof makes the witness refuse
    try:
        done = cosign(witness_key, log_keys, cp.note, previous, proof, log.hasher)
    except WitnessRefusedError as exc:
        with state_db.begin() as sconn:
            sconn.execute(
                insert(ledger_witness_refusals).values(
                    witness=wid,
                    origin=log.origin,
                    checkpoint=cp.note,
                    reason=exc.reason,
                    split_view=exc.split_view,
                    at_ms=now_ms(),
                )
            )
            _audit(
                sconn,
                actor,
                "ledger.cosign_refused",
                log_name,
                {"witness": wid, "reason": exc.reason},
            )
        raise LedgerError(Code.witness_refused, exc.reason) from None
    cosigned = note.add_signature(cp.note, done.signature)
    with state_db.begin() as sconn:
        _store_state(sconn, wid, done.state, cosigned)
        if state_db is engine:
            store.update_checkpoint_note(sconn, log, cp.size, cosigned)
        _audit(sconn, actor, "ledger.cosign", log_name, {"witness": wid, "size": cp.size})
    if state_db is not engine:
        with engine.begin() as conn:
            store.update_checkpoint_note(conn, log, cp.size, cosigned)
            _audit(conn, actor, "ledger.cosign", log_name, {"witness": wid, "size": cp.size})
    return StoredCheckpoint(cp.size, cp.root, cosigned, cp.created_ms)


def inclusion_proof(
    engine: Engine, actor: Actor, log_name: str, index: int, size: int | None = None
) -> list[bytes]:
    """The inclusion proof of entry ``index`` in the tree of ``size`` (default: now)."""
    with engine.connect() as conn:
        log = _log(conn, actor, log_name)
        return _inclusion(conn, log, index, log.size if size is None else size)


def _inclusion(conn: Connection, log: LogInfo, index: int, size: int) -> list[bytes]:
    if not 0 <= index < size <= log.size:
        raise LedgerError(
            Code.no_such_entry, f"log {log.name}: no entry {index} in a tree of {size}"
        )
    try:
        return prove_inclusion(
            lambda ids: store.read_nodes(conn, log.id, ids), index, size, log.hasher
        )
    except TreeError as exc:
        raise LedgerError(Code.no_such_entry, f"log {log.name}: {exc}") from None


def receipt(engine: Engine, actor: Actor, log_name: str, index: int) -> Receipt:
    """The receipt of entry ``index`` against the latest checkpoint that covers it."""
    with engine.connect() as conn:
        return receipt_in(conn, actor, log_name, index)


def receipt_in(conn: Connection, actor: Actor, log_name: str, index: int) -> Receipt:
    """:func:`receipt` on the caller's connection (sees the caller's uncommitted entries)."""
    log = _log(conn, actor, log_name)
    cp = store.latest_checkpoint(conn, log)
    if cp is None or index >= cp.size:
        if not 0 <= index < log.size:
            raise LedgerError(Code.no_such_entry, f"log {log_name} has no entry {index}")
        raise LedgerError(
            Code.not_checkpointed, f"entry {index} is not covered by a checkpoint yet"
        )
    if index < 0:
        raise LedgerError(Code.no_such_entry, f"log {log_name} has no entry {index}")
    leaf = store.get_leaf(conn, log, index)
    proof = _inclusion(conn, log, index, cp.size)
    return Receipt(index, tuple(proof), cp.note, bytes(leaf["data"]))


def receipt_for(engine: Engine, actor: Actor, log_name: str, data: bytes) -> Receipt:
    """The receipt of the entry with these bytes."""
    with engine.connect() as conn:
        log = _log(conn, actor, log_name)
        found = store.find_hashes(conn, log.id, [log.hasher.leaf(data)])
    if not found:
        raise LedgerError(Code.no_such_entry, f"log {log_name} has no such entry")
    return receipt(engine, actor, log_name, next(iter(found.values())))


def sign_document(
    engine: Engine,
    actor: Actor,
    log_name: str,
    statement: Mapping[str, Any],
    signer: PublicKey,
    signature: bytes,
    custody: ent.Custody = ent.Custody.own,
) -> Appended:
    """Log one party's signature of a document statement (see :func:`entries.document_statement`).

    The signature is checked before it is logged; each signing party adds one entry, all
    with the document's id as reference.
    """
    if statement.get("type") != ent.DOCUMENT:
        raise LedgerError(Code.bad_request, "not a document statement")
    data = _signature_entry(statement, signer, signature, custody)
    ref = str(statement.get("doc_id"))
    return append_entries(
        engine, actor, log_name, [NewEntry(data, ent.Kind.document, ref)], "ledger.sign_document"
    )[0]


def record_weighing(
    engine: Engine,
    actor: Actor,
    log_name: str,
    statement: Mapping[str, Any],
    device: PublicKey,
    signature: bytes,
) -> Appended:
    """Log a weighbridge record signed by the device key where it was measured."""
    if statement.get("type") != ent.WEIGHING:
        raise LedgerError(Code.bad_request, "not a weighing statement")
    data = _signature_entry(statement, device, signature, ent.Custody.device)
    ref = str(statement.get("record_id"))
    return append_entries(
        engine, actor, log_name, [NewEntry(data, ent.Kind.weighing, ref)], "ledger.weighing"
    )[0]


def _signature_entry(
    statement: Mapping[str, Any], signer: PublicKey, signature: bytes, custody: ent.Custody
) -> bytes:
    try:
        return ent.signature_entry(statement, signer, signature, custody)
    except ent.EntryError as exc:
        raise LedgerError(Code.bad_signature, str(exc)) from None


def record_approval(
    engine: Engine,
    actor: Actor,
    log_name: str,
    subject: str,
    subject_id: str,
    decision: str,
    application: Mapping[str, Any] | bytes,
    decided_at_ms: int,
    request_id: str | None = None,
) -> Appended:
    """Log a decision on an application (the approver is the actor); retries log it once."""
    try:
        data = ent.approval_entry(
            subject, subject_id, decision, application, actor.username, decided_at_ms, request_id
        )
    except ent.EntryError as exc:
        raise LedgerError(Code.bad_request, str(exc)) from None
    ref = f"{subject}:{subject_id}"[:200]
    return append_entries(
        engine, actor, log_name, [NewEntry(data, ent.Kind.approval, ref)], "ledger.approval"
    )[0]


def anchor_audit_chain(
    engine: Engine, actor: Actor, log_name: str, chain_hash: bytes, label: str
) -> Appended:
    """Append the head of the audit trail's hash chain (anchoring the same head is a no-op)."""
    try:
        data = ent.audit_anchor_entry(chain_hash, label)
    except ent.EntryError as exc:
        raise LedgerError(Code.bad_request, str(exc)) from None
    return append_entries(
        engine,
        actor,
        log_name,
        [NewEntry(data, ent.Kind.audit_anchor, label[:200])],
        "ledger.anchor",
        roles=ANCHORERS,
    )[0]


@dataclass(frozen=True)
class DocumentSignature:
    """One logged signature of a document."""

    index: int
    entry: ent.SignedEntry


def document_signatures(
    engine: Engine, actor: Actor, log_name: str, doc_id: str
) -> list[DocumentSignature]:
    """The logged signatures of a document, in log order."""
    with engine.connect() as conn:
        log = _log(conn, actor, log_name)
        rows = store.leaves_by_ref(conn, log, doc_id)
    out = []
    for row in rows:
        if row["kind"] == ent.Kind.document:
            entry = ent.parse_signature_entry(bytes(row["data"]))
            out.append(DocumentSignature(int(row["idx"]), entry))
    return out


def leaf_hash(engine: Engine, actor: Actor, log_name: str, index: int) -> bytes:
    """The leaf hash of entry ``index``."""
    with engine.connect() as conn:
        log = _log(conn, actor, log_name)
        return bytes(store.get_leaf(conn, log, index)["leaf_hash"])
