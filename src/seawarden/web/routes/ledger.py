"""The tamper-evident ledger: API routes.

Documents signed by several parties (each signature one entry; only the document's digests
are logged), receipts, inclusion and consistency proofs, checkpoints with their witness
cosignatures, server-side receipt verification and the audit trail's anchors. The handlers
call :mod:`seawarden.ledger.service` and :mod:`seawarden.ledger.platform` with the caller,
which check roles and scope again and audit every write; a log of an organisation outside
the caller's scope answers 404, as if it did not exist.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from seawarden.ledger import entries as ent
from seawarden.ledger import note, service
from seawarden.ledger.errors import Code, LedgerError
from seawarden.ledger.explain import explain, receipt_origin
from seawarden.ledger.hashing import SHA256, get_hasher
from seawarden.ledger.keys import KeyFormatError, PublicKey, parse_vkey
from seawarden.ledger.platform import KeyFileError, PlatformLedger, Signed, install
from seawarden.ledger.receipt import Policy
from seawarden.security.actor import Actor, Forbidden
from seawarden.web.deps import ERRORS, actor, state

router = APIRouter(prefix="/api", tags=["ledger"], responses=ERRORS)

MAX_INDEX = 2**62
MAX_MS = 4_102_444_800_000  # 2100-01-01
MAX_DOCUMENT_B64 = 700_000
_B64 = r"^[A-Za-z0-9+/]*={0,2}$"

LogName = Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
DocIdPath = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]
DocId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]
PartyRole = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")]
VKey = Annotated[str, Field(min_length=1, max_length=400, pattern=r"^[^\s+]+\+[0-9a-f]{8}\+\S+$")]
Signature = Annotated[str, Field(min_length=4, max_length=400, pattern=_B64)]
DocumentB64 = Annotated[str, Field(min_length=1, max_length=MAX_DOCUMENT_B64, pattern=_B64)]
Ms = Annotated[int, Field(ge=0, le=MAX_MS)]

STATUS = {
    Code.no_such_log: 404,
    Code.no_such_entry: 404,
    Code.not_checkpointed: 409,
    Code.log_exists: 409,
    Code.conflict: 409,
    Code.witness_refused: 409,
    Code.bad_request: 400,
    Code.bad_signature: 400,
    Code.revoked: 403,
}


@contextmanager
def _errors() -> Iterator[None]:
    """Domain errors as answers: scope → 404, state → 409, input → 400, revoked key → 403."""
    try:
        yield
    except LedgerError as exc:
        raise HTTPException(STATUS.get(exc.code, 400), exc.message) from None
    except Forbidden:
        raise HTTPException(404, "no such log") from None
    except KeyFileError as exc:
        raise HTTPException(503, f"the ledger's signing key cannot be used: {exc}") from None


def _platform(request: Request) -> PlatformLedger:
    st = state(request)
    found = st.extras.get("ledger")
    if not isinstance(found, PlatformLedger):
        found = install(st.engine, st.data_dir)
        st.extras["ledger"] = found
    return found


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _decode(value: str, what: str) -> bytes:
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise HTTPException(400, f"{what} is not base64") from None


# ---------------------------------------------------------------------- models
class DocumentIn(BaseModel):
    """A new document: its content (JSON object or bytes), the submitting party's role.

    Only the document's SHA-256 and SM3 digests are logged. Without ``signer`` and
    ``signature`` the platform signs with the organisation's key (custody ``platform``);
    with them, ``signed_at_ms`` must be the time in the signed statement.
    """

    model_config = ConfigDict(extra="forbid")

    role: PartyRole
    document: dict[str, Any] | None = Field(
        None, description="A JSON object (integers only); a random salt is added if absent."
    )
    document_b64: DocumentB64 | None = Field(None, description="Or the document's bytes.")
    doc_id: DocId | None = None
    version: int = Field(1, ge=1, le=1_000_000)
    signer: VKey | None = None
    signature: Signature | None = None
    signed_at_ms: Ms | None = None


class SignIn(BaseModel):
    """A party's signature of a logged document (same id, version and digests)."""

    model_config = ConfigDict(extra="forbid")

    role: PartyRole
    version: int | None = Field(None, ge=1, le=1_000_000)
    signer: VKey | None = None
    signature: Signature | None = None
    signed_at_ms: Ms | None = None
    document_b64: DocumentB64 | None = Field(
        None, description="The document's canonical bytes, checked against the logged digests."
    )


class SignedOut(BaseModel):
    """A logged signature, with its receipt once a checkpoint covers it."""

    log: str
    doc_id: str
    index: int
    leaf_hash: str
    duplicate: bool
    statement: dict[str, Any]
    signer: str
    custody: str
    receipt: str | None
    document_b64: str | None = Field(
        None, description="The canonical bytes digested: keep them, the platform does not."
    )


class SignatureOut(BaseModel):
    """One logged signature of a document."""

    index: int
    version: int
    role: str
    signed_at_ms: int
    signer: str
    signer_key: str
    custody: str
    sha256: str
    sm3: str


class DocumentOut(BaseModel):
    """A document's logged signatures (its digests; the content stays with the parties)."""

    log: str
    doc_id: str
    versions: list[int]
    signatures: list[SignatureOut]


class DocumentSummary(BaseModel):
    """A document in a log's list."""

    doc_id: str
    version: int
    roles: list[str]
    signatures: int
    last_index: int


class DocumentList(BaseModel):
    """The newest documents of a log."""

    log: str
    documents: list[DocumentSummary]


class LogOut(BaseModel):
    """A log: origin, hash, size, owner, latest checkpoint and verifier keys."""

    name: str
    origin: str
    hash: str
    size: int
    organisation: str | None
    checkpoint_size: int | None
    verifier_keys: list[str]


class LogsOut(BaseModel):
    """The logs the caller may see."""

    logs: list[LogOut]


class PublishedKey(BaseModel):
    """A log's published verifier key."""

    log: str
    origin: str
    hash: str
    vkey: str


class KeysOut(BaseModel):
    """Verifier keys of the logs the platform signs."""

    keys: list[PublishedKey]


class NoteSignature(BaseModel):
    """A signature line of a checkpoint."""

    name: str
    key_id: str
    witness: bool
    verified: bool | None = Field(None, description="The log's own signature checked here.")
    time: int | None = Field(None, description="A witness cosignature's time (POSIX seconds).")


class CheckpointOut(BaseModel):
    """The latest signed checkpoint, with the witnesses' cosignatures it carries."""

    log: str
    size: int
    root: str
    note: str
    created_ms: int
    signatures: list[NoteSignature]


class ReceiptOut(BaseModel):
    """An entry's receipt (c2sp.org/tlog-proof) and the keys that check it."""

    log: str
    origin: str
    hash: str
    index: int
    receipt: str
    verifier_keys: list[str]


class InclusionOut(BaseModel):
    """An inclusion proof (base64 hashes, from the leaf's sibling up)."""

    log: str
    index: int
    size: int
    leaf_hash: str
    proof: list[str]


class ConsistencyOut(BaseModel):
    """A consistency proof between two tree sizes, with both roots."""

    log: str
    size1: int
    size2: int
    root1: str
    root2: str
    proof: list[str]


class VerifyIn(BaseModel):
    """A receipt to verify, and what to trust (default: the platform's published keys)."""

    model_config = ConfigDict(extra="forbid")

    receipt: str = Field(min_length=1, max_length=65_536)
    keys: list[VKey] = Field(default_factory=list, max_length=16)
    witness_keys: list[VKey] = Field(default_factory=list, max_length=16)
    quorum: int = Field(0, ge=0, le=16)
    hash: Literal["sha256", "sm3"] | None = None
    origin: str | None = Field(None, min_length=1, max_length=400)
    document_b64: DocumentB64 | None = None


class StepOut(BaseModel):
    """One verification step."""

    step: str
    ok: bool
    detail: str


class VerifyOut(BaseModel):
    """The verdict, step by step."""

    ok: bool
    detail: str | None
    steps: list[StepOut]
    index: int | None
    origin: str | None
    size: int | None
    entry: Any = None
    witnesses: dict[str, int]
    keys: list[str] = Field(description="The log verifier keys used.")


class AnchorOut(BaseModel):
    """An anchor of the audit trail's hash chain."""

    seq: int
    hash: str
    index: int
    duplicate: bool
    receipt: str | None


class AnchorCheckOut(BaseModel):
    """An anchor compared with the audit row it names."""

    index: int
    seq: int
    hash: str
    ok: bool
    reason: str | None


class AnchorsOut(BaseModel):
    """The newest anchors and whether the audit trail still matches them."""

    ok: bool
    anchors: list[AnchorCheckOut]


def _signed(s: Signed) -> SignedOut:
    return SignedOut(
        log=s.log,
        doc_id=s.doc_id,
        index=s.index,
        leaf_hash=s.leaf_hash.hex(),
        duplicate=s.duplicate,
        statement=s.statement,
        signer=s.signer,
        custody=s.custody,
        receipt=s.receipt,
        document_b64=None if s.document is None else _b64(s.document),
    )


# ---------------------------------------------------------------------- documents
@router.post("/ledger/documents", status_code=201)
def submit_document(body: DocumentIn, request: Request, who: Actor = Depends(actor)) -> SignedOut:
    """Submit a document: its digests, signed by the submitting party, go into the log."""
    if (body.document is None) == (body.document_b64 is None):
        raise HTTPException(400, "give either document or document_b64")
    content: dict[str, Any] | bytes = (
        body.document
        if body.document is not None
        else _decode(body.document_b64 or "", "document_b64")
    )
    with _errors():
        done = _platform(request).submit_document(
            who,
            content,
            body.role,
            body.doc_id,
            body.version,
            body.signer,
            body.signature,
            body.signed_at_ms,
        )
    return _signed(done)


@router.post("/ledger/logs/{log}/documents/{doc_id}/signatures", status_code=201)
def sign_document(
    log: LogName, doc_id: DocIdPath, body: SignIn, request: Request, who: Actor = Depends(actor)
) -> SignedOut:
    """Sign a logged document as another party (terminal, ship, authority...)."""
    document = None if body.document_b64 is None else _decode(body.document_b64, "document_b64")
    with _errors():
        done = _platform(request).sign_document(
            who,
            log,
            doc_id,
            body.role,
            body.version,
            body.signer,
            body.signature,
            body.signed_at_ms,
            document,
        )
    return _signed(done)


@router.get("/ledger/logs/{log}/documents")
def list_documents(log: LogName, request: Request, who: Actor = Depends(actor)) -> DocumentList:
    """The newest documents of a log (up to 1,000 signatures), newest first."""
    with _errors():
        leaves = service.leaves_of_kind(state(request).engine, who, log, ent.Kind.document)
    docs: dict[str, DocumentSummary] = {}
    for index, ref, data in leaves:
        try:
            statement = ent.parse_entry(data).get("statement") or {}
        except ent.EntryError:
            continue
        doc_id = str(ref or statement.get("doc_id"))
        version = int(statement.get("version") or 0)
        role = str(statement.get("role") or "")
        d = docs.get(doc_id)
        if d is None:
            docs[doc_id] = DocumentSummary(
                doc_id=doc_id, version=version, roles=[role], signatures=1, last_index=index
            )
            continue
        d.signatures += 1
        d.version = max(d.version, version)
        if role not in d.roles:
            d.roles.append(role)
    return DocumentList(log=log, documents=list(docs.values()))


@router.get("/ledger/logs/{log}/documents/{doc_id}")
def get_document(
    log: LogName, doc_id: DocIdPath, request: Request, who: Actor = Depends(actor)
) -> DocumentOut:
    """A document's signatures: who signed which version, when, with which key."""
    with _errors():
        sigs = service.document_signatures(state(request).engine, who, log, doc_id)
    if not sigs:
        raise HTTPException(404, "no such document")
    out = [
        SignatureOut(
            index=s.index,
            version=int(s.entry.statement.get("version", 0)),
            role=str(s.entry.statement.get("role")),
            signed_at_ms=int(s.entry.statement.get("signed_at_ms", 0)),
            signer=s.entry.signer.name,
            signer_key=s.entry.signer.vkey(),
            custody=s.entry.custody.value,
            sha256=str(s.entry.statement.get("sha256")),
            sm3=str(s.entry.statement.get("sm3")),
        )
        for s in sigs
    ]
    return DocumentOut(
        log=log, doc_id=doc_id, versions=sorted({s.version for s in out}), signatures=out
    )


# ---------------------------------------------------------------------- logs, proofs
@router.get("/ledger/keys")
def published_keys(request: Request, who: Actor = Depends(actor)) -> KeysOut:
    """The verifier keys of the logs the platform signs (public, for checking receipts)."""
    with _errors():
        found = _platform(request).published_keys()
    return KeysOut(
        keys=[
            PublishedKey(log=g.name, origin=g.origin, hash=g.hasher.name, vkey=k.vkey())
            for g, k in found
        ]
    )


@router.get("/ledger/logs")
def list_logs(request: Request, who: Actor = Depends(actor)) -> LogsOut:
    """The logs the caller may see, with size, latest checkpoint and verifier keys."""
    engine = state(request).engine
    platform = _platform(request)
    out = []
    with _errors():
        for g in service.list_logs(engine, who):
            try:
                size: int | None = service.latest_checkpoint(engine, who, g.name).size
            except LedgerError:
                size = None
            out.append(
                LogOut(
                    name=g.name,
                    origin=g.origin,
                    hash=g.hasher.name,
                    size=g.size,
                    organisation=g.organisation,
                    checkpoint_size=size,
                    verifier_keys=[k.vkey() for k in platform.verifier_keys(g.origin)],
                )
            )
    return LogsOut(logs=out)


def _note_signatures(text: str, keys: list[PublicKey], origin: str) -> list[NoteSignature]:
    parsed = note.parse(text)
    known = {(k.name, k.key_id): k for k in keys}
    out = []
    for sig in parsed.signatures:
        witness = sig.name != origin
        key = known.get((sig.name, sig.key_id))
        verified = None if key is None else note.verify(key, parsed.text, sig) is not None
        when = (
            int.from_bytes(sig.signature[:8], "big") if witness and len(sig.signature) > 8 else None
        )
        out.append(
            NoteSignature(
                name=sig.name,
                key_id=f"{sig.key_id:08x}",
                witness=witness,
                verified=verified,
                time=when,
            )
        )
    return out


@router.get("/ledger/logs/{log}/checkpoint")
def latest_checkpoint(log: LogName, request: Request, who: Actor = Depends(actor)) -> CheckpointOut:
    """The latest signed checkpoint of a log, with any witness cosignatures."""
    engine = state(request).engine
    with _errors():
        info = service.get_log(engine, who, log)
        cp = service.latest_checkpoint(engine, who, log)
        keys = _platform(request).verifier_keys(info.origin)
    return CheckpointOut(
        log=log,
        size=cp.size,
        root=_b64(cp.root),
        note=cp.note,
        created_ms=cp.created_ms,
        signatures=_note_signatures(cp.note, keys, info.origin),
    )


@router.get("/ledger/logs/{log}/receipts/{index}")
def receipt(
    log: LogName,
    index: Annotated[int, Path(ge=0, le=MAX_INDEX)],
    request: Request,
    who: Actor = Depends(actor),
) -> ReceiptOut:
    """The receipt of an entry against the latest checkpoint that covers it (409 until then)."""
    engine = state(request).engine
    with _errors():
        info = service.get_log(engine, who, log)
        r = service.receipt(engine, who, log, index)
        keys = _platform(request).verifier_keys(info.origin)
    return ReceiptOut(
        log=log,
        origin=info.origin,
        hash=info.hasher.name,
        index=index,
        receipt=r.text(),
        verifier_keys=[k.vkey() for k in keys],
    )


@router.get("/ledger/logs/{log}/proofs/inclusion")
def inclusion_proof(
    log: LogName,
    request: Request,
    index: Annotated[int, Query(ge=0, le=MAX_INDEX)],
    size: Annotated[int | None, Query(ge=1, le=MAX_INDEX)] = None,
    who: Actor = Depends(actor),
) -> InclusionOut:
    """The inclusion proof of entry ``index`` in the tree of ``size`` (default: now)."""
    engine = state(request).engine
    with _errors():
        info = service.get_log(engine, who, log)
        n = info.size if size is None else size
        proof = service.inclusion_proof(engine, who, log, index, n)
        leaf = service.leaf_hash(engine, who, log, index)
    return InclusionOut(
        log=log, index=index, size=n, leaf_hash=_b64(leaf), proof=[_b64(h) for h in proof]
    )


@router.get("/ledger/logs/{log}/proofs/consistency")
def consistency_proof(
    log: LogName,
    request: Request,
    size1: Annotated[int, Query(alias="from", ge=0, le=MAX_INDEX)],
    size2: Annotated[int | None, Query(alias="to", ge=0, le=MAX_INDEX)] = None,
    who: Actor = Depends(actor),
) -> ConsistencyOut:
    """The proof that the tree of ``to`` (default: now) extends the tree of ``from``."""
    with _errors():
        p = service.consistency_proof(state(request).engine, who, log, size1, size2)
    return ConsistencyOut(
        log=log,
        size1=p.size1,
        size2=p.size2,
        root1=_b64(p.root1),
        root2=_b64(p.root2),
        proof=[_b64(h) for h in p.proof],
    )


# ---------------------------------------------------------------------- verification
@router.post("/ledger/verify")
def verify(body: VerifyIn, request: Request, who: Actor = Depends(actor)) -> VerifyOut:
    """Verify a receipt on the server, step by step.

    Without ``keys`` the platform's published key of the receipt's origin is used (and the
    log's hash); a receipt that fails any check answers ``ok: false`` naming the check.
    """
    try:
        keys = [parse_vkey(k) for k in body.keys]
        witnesses = [parse_vkey(k) for k in body.witness_keys]
    except KeyFormatError as exc:
        raise HTTPException(400, f"verifier key: {exc}") from None
    document = None if body.document_b64 is None else _decode(body.document_b64, "document_b64")
    hasher = None if body.hash is None else get_hasher(body.hash)
    if not keys:
        origin = receipt_origin(body.receipt)
        with _errors():
            for g, k in _platform(request).published_keys():
                if g.origin == origin:
                    keys.append(k)
                    hasher = hasher or g.hasher
    policy = Policy(keys, witnesses, body.quorum, hasher or SHA256, body.origin)
    report = explain(body.receipt, policy, document)
    return VerifyOut(
        ok=report.ok,
        detail=report.detail,
        steps=[StepOut(step=s.step, ok=s.ok, detail=s.detail) for s in report.steps],
        index=report.index,
        origin=report.origin,
        size=report.size,
        entry=report.entry,
        witnesses=report.witnesses,
        keys=[k.vkey() for k in keys],
    )


# ---------------------------------------------------------------------- audit anchors
@router.post("/ledger/audit-anchors", status_code=201)
def anchor_audit_trail(request: Request, who: Actor = Depends(actor)) -> AnchorOut:
    """Anchor the head of the audit trail's hash chain in the ledger now."""
    with _errors():
        done = _platform(request).anchor(who)
    if done is None:
        raise HTTPException(409, "the audit trail is empty")
    return AnchorOut(
        seq=done.seq,
        hash=done.hash,
        index=done.index,
        duplicate=done.duplicate,
        receipt=done.receipt,
    )


@router.get("/ledger/audit-anchors")
def audit_anchors(request: Request, who: Actor = Depends(actor)) -> AnchorsOut:
    """The newest anchors, each compared with the audit row it names."""
    with _errors():
        checks = _platform(request).check_anchors(who)
    return AnchorsOut(
        ok=all(c.ok for c in checks),
        anchors=[
            AnchorCheckOut(index=c.index, seq=c.seq, hash=c.hash, ok=c.ok, reason=c.reason)
            for c in checks
        ],
    )
