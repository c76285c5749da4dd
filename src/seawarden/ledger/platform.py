"""The platform's own use of the ledger: its signing keys, its logs and what it logs.

- **Keys**: the platform signs checkpoints of the logs it runs, and documents for parties
  that leave their key in its custody, with keys kept one per file in the key directory
  (setting ``SEAWARDEN_LEDGER__KEY_DIR``, default ``<data dir>/ledger-keys``, mode 0700),
  each file mode 0600, named after the key as ``seawarden ledger keygen --out`` names it. A
  key file readable by group or others is refused. Missing keys are generated on first use.
- **Dangerous-goods decisions**: :func:`install` sets the approval hook of
  :mod:`seawarden.dangerous_goods.declarations`; each decision is appended to the
  ``dg-approvals`` log in the decision's own transaction, a checkpoint is signed, and the
  receipt is returned to be stored with the declaration (``ledger_receipt``).
- **Audit anchors**: :meth:`PlatformLedger.anchor` appends the head of the audit trail's
  hash chain to the ``audit-anchors`` log; :meth:`PlatformLedger.start` does so every
  ``anchor_every_s`` seconds (in ``seawarden serve``) when the trail has grown.
- **Documents**: each organisation's documents go to its own log (``documents-<org>``),
  so the log's organisation scope decides who sees and signs them.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import json
import logging
import os
import re
import stat
import threading
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, func, or_, select
from sqlalchemy.exc import IntegrityError

from seawarden.db import schema
from seawarden.db.engine import now_ms
from seawarden.ledger import entries as ent
from seawarden.ledger import service, store
from seawarden.ledger.errors import Code, LedgerError
from seawarden.ledger.keys import (
    Algorithm,
    KeyFormatError,
    PrivateKey,
    PublicKey,
    generate,
    parse_skey,
    parse_vkey,
)
from seawarden.ledger.store import LogInfo, NewEntry, StoredCheckpoint
from seawarden.security.actor import SYSTEM, Actor

log = logging.getLogger(__name__)

KEY_DIR = "ledger-keys"
"""Default key directory, inside the data directory."""
APPROVALS_LOG = "dg-approvals"
ANCHOR_LOG = "audit-anchors"
DOCUMENTS_PREFIX = "documents"
APPROVAL_SUBJECT = "dg_declaration"
ANCHOR_LABEL = "audit_log#"
#: Audit actions on the anchor log (a trail that grew only by these is not anchored again).
_ANCHOR_ACTIONS = ("ledger.anchor", "ledger.checkpoint", "ledger.create")


class KeyFileError(Exception):
    """A key file that cannot be used (unreadable, malformed, or readable by others)."""


def file_name(name: str) -> str:
    """The file name (without suffix) of a key called ``name``."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", name)


def key_path(key_dir: Path, name: str) -> Path:
    """Where the signer key called ``name`` is kept."""
    return key_dir / f"{file_name(name)}.key"


def load_key(path: Path) -> PrivateKey:
    """Read a signer key file; refuses one that group or others may read."""
    try:
        mode = path.stat().st_mode
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise KeyFileError(f"{path} is readable by others: chmod 600 it")
        return parse_skey(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise KeyFileError(f"cannot read key {path}: {exc}") from None
    except KeyFormatError as exc:
        raise KeyFileError(f"key {path}: {exc}") from None


def write_key(key_dir: Path, key: PrivateKey) -> Path:
    """Write a new key file (mode 0600) and its verifier key; refuses to replace one."""
    key_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = key_path(key_dir, key.name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(key.skey() + "\n")
    path.with_suffix(".vkey").write_text(key.public_key().vkey() + "\n", encoding="utf-8")
    return path


def load_or_create_key(key_dir: Path, name: str, algorithm: Algorithm) -> PrivateKey:
    """The key called ``name`` from the key directory, generated on first use."""
    path = key_path(key_dir, name)
    if not path.exists():
        with contextlib.suppress(FileExistsError):  # another process wrote it first
            write_key(key_dir, generate(name, algorithm))
    key = load_key(path)
    if key.name != name or key.cosigner:
        raise KeyFileError(f"{path} holds {key.name!r}, not the log key {name!r}")
    return key


@dataclass(frozen=True)
class Signed:
    """A logged signature of a document, with its receipt when a checkpoint covers it."""

    log: str
    doc_id: str
    index: int
    leaf_hash: bytes
    duplicate: bool
    statement: dict[str, Any]
    signer: str
    custody: str
    receipt: str | None
    document: bytes | None = None
    """The canonical bytes that were digested (returned to the submitter to keep)."""


@dataclass(frozen=True)
class Anchored:
    """An anchor of the audit trail: the row it covers and where it is in the log."""

    seq: int
    hash: str
    index: int
    duplicate: bool
    receipt: str | None


@dataclass(frozen=True)
class AnchorCheck:
    """One anchor compared with the audit trail as stored now."""

    index: int
    seq: int
    hash: str
    ok: bool
    reason: str | None = None


@dataclass
class PlatformLedger:
    """The ledger as the platform uses it, for one database and key directory."""

    engine: Engine
    key_dir: Path
    origin: str = "seawarden.local/ledger"
    algorithm: Algorithm = Algorithm.ed25519
    hash_alg: str = "sha256"
    sign_approvals: bool = True
    anchor_every_s: float = 3600.0
    _stop: threading.Event = field(default_factory=threading.Event, repr=False)
    _thread: threading.Thread | None = field(default=None, repr=False)

    # ------------------------------------------------------------------ logs and keys
    def origin_of(self, name: str) -> str:
        """The origin of the platform's log called ``name``."""
        return f"{self.origin}/{name}/v1"

    def log_key(self, origin: str) -> PrivateKey | None:
        """The platform's signing key of a log origin, if it holds one."""
        path = key_path(self.key_dir, origin)
        if not path.exists():
            return None
        key = load_key(path)
        return key if key.name == origin and not key.cosigner else None

    def verifier_keys(self, origin: str) -> list[PublicKey]:
        """The published verifier keys of a log the platform signs (empty if it holds none)."""
        key = self.log_key(origin)
        return [] if key is None else [key.public_key()]

    def published_keys(self) -> list[tuple[LogInfo, PublicKey]]:
        """Every log with the platform's verifier key for it (public information)."""
        with self.engine.connect() as conn:
            logs = store.list_logs(conn)
        return [(g, k) for g in logs for k in self.verifier_keys(g.origin)]

    def ensure_log_in(self, conn: Connection, name: str, organisation: str | None) -> LogInfo:
        """The platform's log ``name``, created in this transaction if missing (with its key)."""
        try:
            found = store.get_log(conn, name)
        except LedgerError:
            found = service.create_log_in(
                conn, SYSTEM, name, self.origin_of(name), self.hash_alg, organisation
            )
        load_or_create_key(self.key_dir, found.origin, self.algorithm)
        return found

    def ensure_log(self, name: str, organisation: str | None = None) -> LogInfo:
        """The platform's log ``name``, created if missing (with its key)."""
        with self.engine.connect() as conn:
            try:
                found = store.get_log(conn, name)
            except LedgerError:
                found = None
        if found is None:
            try:
                with self.engine.begin() as conn:
                    found = self.ensure_log_in(conn, name, organisation)
            except (IntegrityError, LedgerError) as exc:
                if isinstance(exc, LedgerError) and exc.code is not Code.log_exists:
                    raise
                with self.engine.connect() as conn:  # created meanwhile by another process
                    found = store.get_log(conn, name)
        load_or_create_key(self.key_dir, found.origin, self.algorithm)
        return found

    def checkpoint(self, log_name: str) -> StoredCheckpoint | None:
        """Sign a checkpoint of the log's current size if the platform holds its key."""
        with self.engine.connect() as conn:
            origin = store.get_log(conn, log_name).origin
        key = self.log_key(origin)
        if key is None:
            return None
        return service.make_checkpoint(self.engine, SYSTEM, log_name, [key])

    def _receipt(self, actor: Actor, log_name: str, index: int) -> str | None:
        try:
            return service.receipt(self.engine, actor, log_name, index).text()
        except LedgerError as exc:
            if exc.code is Code.not_checkpointed:
                return None
            raise

    # ------------------------------------------------------------------ documents
    def documents_log_name(self, organisation: str | None) -> str:
        """The name of an organisation's documents log."""
        if organisation is None:
            return DOCUMENTS_PREFIX
        name = f"{DOCUMENTS_PREFIX}-{organisation}"
        if len(name) > 64 or file_name(name) != name:
            name = f"{DOCUMENTS_PREFIX}-{hashlib.sha256(organisation.encode()).hexdigest()[:16]}"
        return name

    def party_key(self, organisation: str | None) -> PrivateKey:
        """The key the platform signs with for an organisation (custody ``platform``)."""
        party = file_name(organisation) if organisation else "platform"
        return load_or_create_key(self.key_dir, f"{self.origin}/party/{party}", self.algorithm)

    def _signature(
        self,
        actor: Actor,
        statement: dict[str, Any],
        signer: str | None,
        signature: str | None,
    ) -> tuple[PublicKey, bytes, ent.Custody]:
        if (signer is None) != (signature is None):
            raise LedgerError(Code.bad_request, "give both signer and signature, or neither")
        if signer is None or signature is None:
            key = self.party_key(actor.organisation)
            return key.public_key(), ent.sign_statement(key, statement), ent.Custody.platform
        try:
            public = parse_vkey(signer)
            sig = base64.b64decode(signature.encode("ascii"), validate=True)
        except (KeyFormatError, binascii.Error, UnicodeEncodeError, ValueError) as exc:
            raise LedgerError(Code.bad_request, f"signer or signature: {exc}") from None
        return public, sig, ent.Custody.own

    def _log_signature(
        self,
        actor: Actor,
        log_name: str,
        statement: dict[str, Any],
        signer: str | None,
        signature: str | None,
        document: bytes | None,
    ) -> Signed:
        public, sig, custody = self._signature(actor, statement, signer, signature)
        done = service.sign_document(self.engine, actor, log_name, statement, public, sig, custody)
        if not done.duplicate:
            self.checkpoint(log_name)
        return Signed(
            log_name,
            str(statement["doc_id"]),
            done.index,
            done.leaf_hash,
            done.duplicate,
            statement,
            public.vkey(),
            custody.value,
            self._receipt(actor, log_name, done.index),
            document,
        )

    def submit_document(
        self,
        actor: Actor,
        document: Mapping[str, Any] | bytes,
        role: str,
        doc_id: str | None = None,
        version: int = 1,
        signer: str | None = None,
        signature: str | None = None,
        signed_at_ms: int | None = None,
    ) -> Signed:
        """Log a new document by its digests, signed by the submitting party.

        A JSON document without a ``salt`` member gets a random one first, so its digest
        cannot be guessed; the canonical bytes digested are returned for the parties to
        keep (the platform keeps only the digests). Without ``signer``/``signature`` the
        platform signs with the organisation's key (custody ``platform``).
        """
        if isinstance(document, Mapping) and "salt" not in document:
            document = {**document, "salt": ent.new_salt()}
        if signer is not None and signed_at_ms is None:
            raise LedgerError(Code.bad_request, "an own signature needs the signed_at_ms signed")
        try:
            body = ent.canonical_document(document)
            statement = ent.document_statement(
                doc_id or f"DOC-{uuid.uuid4().hex[:16].upper()}",
                version,
                body,
                role,
                now_ms() if signed_at_ms is None else signed_at_ms,
            )
        except ent.EntryError as exc:
            raise LedgerError(Code.bad_request, str(exc)) from None
        name = self.documents_log_name(actor.organisation)
        self.ensure_log(name, actor.organisation)
        if service.document_signatures(self.engine, actor, name, statement["doc_id"]):
            raise LedgerError(
                Code.conflict, f"document {statement['doc_id']} exists: sign it instead"
            )
        return self._log_signature(actor, name, statement, signer, signature, body)

    def sign_document(
        self,
        actor: Actor,
        log_name: str,
        doc_id: str,
        role: str,
        version: int | None = None,
        signer: str | None = None,
        signature: str | None = None,
        signed_at_ms: int | None = None,
        document: bytes | None = None,
    ) -> Signed:
        """Log another party's signature of a logged document (same id, version, digests).

        ``document`` (its canonical bytes), if given, must match the logged digests; a role
        signs a version once.
        """
        sigs = service.document_signatures(self.engine, actor, log_name, doc_id)
        if not sigs:
            raise LedgerError(Code.no_such_entry, f"log {log_name} has no document {doc_id}")
        versions = sorted({int(s.entry.statement.get("version", 0)) for s in sigs})
        v = versions[-1] if version is None else version
        same = [s for s in sigs if s.entry.statement.get("version") == v]
        if not same:
            raise LedgerError(Code.no_such_entry, f"document {doc_id} has no version {v}")
        if any(s.entry.statement.get("role") == role for s in same):
            raise LedgerError(Code.conflict, f"role {role!r} has signed version {v} already")
        first = same[0].entry.statement
        if document is not None and any(
            first.get(alg) != value for alg, value in ent.digests(document).items()
        ):
            raise LedgerError(Code.bad_request, "the document does not match the logged digests")
        if signer is not None and signed_at_ms is None:
            raise LedgerError(Code.bad_request, "an own signature needs the signed_at_ms signed")
        try:
            statement = ent.statement_for_digests(
                doc_id,
                v,
                role,
                now_ms() if signed_at_ms is None else signed_at_ms,
                str(first.get("sha256")),
                str(first.get("sm3")),
            )
        except ent.EntryError as exc:
            raise LedgerError(Code.bad_request, str(exc)) from None
        return self._log_signature(actor, log_name, statement, signer, signature, None)

    # ------------------------------------------------------------------ approvals
    def approval_hook(self, conn: Connection, record: dict[str, Any]) -> dict[str, Any] | None:
        """Log a dangerous-goods decision in the decision's transaction; returns its receipt."""
        if not self.sign_approvals:
            return None
        declaration = record.get("declaration") or {}
        application = json.dumps(
            record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
        ).encode()
        try:
            data = ent.approval_entry(
                APPROVAL_SUBJECT,
                str(declaration.get("id")),
                str(record.get("decision") or "approved"),
                application,
                str(record.get("decided_by") or "unknown"),
                int(record.get("decided_ms") or now_ms()),
                record.get("request_id"),
            )
        except ent.EntryError as exc:
            raise LedgerError(Code.bad_request, f"approval entry: {exc}") from None
        found = self.ensure_log_in(conn, APPROVALS_LOG, None)
        key = load_or_create_key(self.key_dir, found.origin, self.algorithm)
        ref = f"{APPROVAL_SUBJECT}:{declaration.get('id')}"
        (done,) = service.append_in(
            conn, SYSTEM, APPROVALS_LOG, [NewEntry(data, ent.Kind.approval, ref)], "ledger.approval"
        )
        cp = service.checkpoint_in(conn, SYSTEM, APPROVALS_LOG, [key])
        receipt = service.receipt_in(conn, SYSTEM, APPROVALS_LOG, done.index)
        return {
            "log": APPROVALS_LOG,
            "origin": found.origin,
            "index": done.index,
            "leaf_hash": done.leaf_hash.hex(),
            "checkpoint_size": cp.size,
            "verifier_key": key.public_key().vkey(),
            "receipt": receipt.text(),
        }

    # ------------------------------------------------------------------ audit anchors
    def _last_anchor_seq(self) -> int | None:
        with self.engine.connect() as conn:
            try:
                found = store.get_log(conn, ANCHOR_LOG)
            except LedgerError:
                return None
            rows = store.leaves_by_kind(conn, found, ent.Kind.audit_anchor, 1)
        if not rows or not str(rows[0]["ref"] or "").startswith(ANCHOR_LABEL):
            return None
        return int(str(rows[0]["ref"])[len(ANCHOR_LABEL) :])

    def anchor(self, actor: Actor = SYSTEM, force: bool = True) -> Anchored | None:
        """Append the head of the audit trail's hash chain to the anchor log.

        Without ``force``, nothing is done (``None``) when the trail grew only by the rows
        of anchoring itself since the last anchor, or is empty.
        """
        with self.engine.connect() as conn:
            head = conn.execute(
                select(schema.audit_head.c.seq, schema.audit_head.c.last_hash)
            ).first()
        if head is None:
            return None
        seq, chain_hash = int(head[0]), str(head[1])
        if not force:
            last = self._last_anchor_seq()
            if last is not None:
                a = schema.audit_log.c
                with self.engine.connect() as conn:
                    other = conn.execute(
                        select(func.count())
                        .select_from(schema.audit_log)
                        .where(
                            a.id > last,
                            a.id <= seq,
                            or_(
                                a.entity_id.is_(None),
                                a.entity_id != ANCHOR_LOG,
                                a.action.not_in(_ANCHOR_ACTIONS),
                            ),
                        )
                    ).scalar_one()
                if int(other) == 0:
                    return None
        self.ensure_log(ANCHOR_LOG)
        done = service.anchor_audit_chain(
            self.engine, actor, ANCHOR_LOG, bytes.fromhex(chain_hash), f"{ANCHOR_LABEL}{seq}"
        )
        self.checkpoint(ANCHOR_LOG)
        receipt = self._receipt(actor, ANCHOR_LOG, done.index)
        return Anchored(seq, chain_hash, done.index, done.duplicate, receipt)

    def check_anchors(self, actor: Actor, limit: int = 1000) -> list[AnchorCheck]:
        """Compare the newest anchors with the audit rows they name (altered rows fail)."""
        try:
            leaves = service.leaves_of_kind(
                self.engine, actor, ANCHOR_LOG, ent.Kind.audit_anchor, limit
            )
        except LedgerError as exc:
            if exc.code is Code.no_such_log:
                return []
            raise
        out: list[AnchorCheck] = []
        a = schema.audit_log.c
        with self.engine.connect() as conn:
            for index, _ref, data in leaves:
                e = ent.parse_entry(data)
                label, anchored = str(e.get("label", "")), str(e.get("hash", ""))
                if not label.startswith(ANCHOR_LABEL) or not label[len(ANCHOR_LABEL) :].isdigit():
                    out.append(AnchorCheck(index, -1, anchored, False, f"unknown label {label}"))
                    continue
                seq = int(label[len(ANCHOR_LABEL) :])
                row = conn.execute(select(a.hash).where(a.id == seq)).first()
                if row is None:
                    out.append(AnchorCheck(index, seq, anchored, False, "the row is missing"))
                elif str(row[0]) != anchored:
                    out.append(AnchorCheck(index, seq, anchored, False, "the row's hash differs"))
                else:
                    out.append(AnchorCheck(index, seq, anchored, True))
        return out

    # ------------------------------------------------------------------ scheduled upkeep
    def upkeep(self) -> Anchored | None:
        """Anchor the audit trail if it grew, and checkpoint every log the platform signs."""
        done = self.anchor(force=False)
        with self.engine.connect() as conn:
            logs = store.list_logs(conn)
        for g in logs:
            try:
                latest = service.latest_checkpoint(self.engine, SYSTEM, g.name).size
            except LedgerError:
                latest = -1
            if g.size != latest and self.log_key(g.origin) is not None:
                self.checkpoint(g.name)
        return done

    def start(self) -> None:
        """Run :meth:`upkeep` every ``anchor_every_s`` seconds in a thread (0: never)."""
        if self.anchor_every_s <= 0 or self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="ledger-upkeep", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop the upkeep thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.anchor_every_s):
            try:
                self.upkeep()
            except Exception:  # keep running; the next round retries
                log.exception("ledger upkeep failed")


def from_settings(engine: Engine, data_dir: Path | str) -> PlatformLedger:
    """The platform ledger configured by ``SEAWARDEN_LEDGER__*`` for a data directory."""
    from seawarden.settings import get_settings

    s = get_settings().ledger
    return PlatformLedger(
        engine,
        Path(s.key_dir) if s.key_dir is not None else Path(data_dir) / KEY_DIR,
        s.origin,
        Algorithm(s.algorithm),
        s.hash,
        s.sign_approvals,
        s.anchor_every_s,
    )


_PLATFORMS: dict[str, PlatformLedger] = {}
_LOCK = threading.Lock()


def _url(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def platform_for(engine: Engine) -> PlatformLedger | None:
    """The platform ledger installed for this database, if any."""
    with _LOCK:
        return _PLATFORMS.get(_url(engine))


def _approval_hook(conn: Connection, record: dict[str, Any]) -> dict[str, Any] | None:
    found = platform_for(conn.engine)
    return None if found is None else found.approval_hook(conn, record)


def install(
    engine: Engine,
    data_dir: Path | str,
    factory: Callable[[Engine, Path | str], PlatformLedger] = from_settings,
) -> PlatformLedger:
    """Set up the platform ledger for a database and sign dangerous-goods decisions into it.

    Called when the web application starts and by the ``seawarden dg approve/reject``
    commands. Decisions on a database without an installed platform ledger are not logged.
    """
    from seawarden.dangerous_goods import declarations

    platform = factory(engine, data_dir)
    with _LOCK:
        _PLATFORMS[_url(engine)] = platform
    declarations.set_approval_hook(_approval_hook)
    return platform
