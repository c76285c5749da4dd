"""Ledger entry types: what goes into a leaf, as canonical JSON.

No personal data goes into a leaf. A document or a weighing record is represented by its
SHA-256 and SM3 digests (of its canonical JSON, which should carry a random ``salt``
member so the digest of a small document cannot be guessed); the mutable copy can be
erased later while the leaf, and every receipt, still proves what existed.

- ``seawarden.signature/v1``: one party's signature of a statement (a document or a
  weighing), signed by the party's or device's key (Ed25519 or SM2);
- ``seawarden.approval/v1``: a decision on an application (dangerous goods...);
- ``seawarden.device/v1``: a weighbridge device's key registered or revoked;
- ``seawarden.audit-anchor/v1``: the head of the audit trail's hash chain.

Other entries are opaque bytes (``kind`` ``raw``).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from seawarden.ledger.canonical import CanonicalError, canonical_json, parse_canonical
from seawarden.ledger.hashing import SM3
from seawarden.ledger.keys import KeyFormatError, PrivateKey, PublicKey, parse_vkey

SIGNATURE = "seawarden.signature/v1"
DOCUMENT = "seawarden.document/v1"
WEIGHING = "seawarden.weighing/v1"
APPROVAL = "seawarden.approval/v1"
AUDIT_ANCHOR = "seawarden.audit-anchor/v1"
DEVICE = "seawarden.device/v1"


class Kind(StrEnum):
    """What an entry records (stored with the leaf for listing; not part of the leaf)."""

    raw = "raw"
    document = "document"
    weighing = "weighing"
    approval = "approval"
    audit_anchor = "audit_anchor"
    device = "device"


class DeviceAction(StrEnum):
    """What a device entry records."""

    register = "register"
    revoke = "revoke"


class Custody(StrEnum):
    """Who holds the signing key: the party itself, the platform for the party, a device."""

    own = "own"
    platform = "platform"
    device = "device"


class EntryError(ValueError):
    """An entry that is malformed, or whose signature or digest does not match."""


def new_salt() -> str:
    """A random salt (base64, 128 bits) to put in a document before it is digested."""
    return base64.b64encode(secrets.token_bytes(16)).decode()


def digests(data: bytes) -> dict[str, str]:
    """The SHA-256 and SM3 digests of ``data`` (hex)."""
    return {"sha256": hashlib.sha256(data).hexdigest(), "sm3": SM3.digest(data).hex()}


def _text(value: object, name: str, limit: int = 200) -> str:
    if not isinstance(value, str) or not value or len(value) > limit:
        raise EntryError(f"{name} must be text of 1-{limit} characters")
    return value


def _int(value: object, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise EntryError(f"{name} must be a non-negative integer")
    return value


def canonical_document(document: Mapping[str, Any] | bytes) -> bytes:
    """The bytes a document digest covers: canonical JSON of a mapping, or the bytes given."""
    if isinstance(document, bytes):
        return document
    try:
        return canonical_json(document)
    except CanonicalError as exc:
        raise EntryError(f"document: {exc}") from None


def document_statement(
    doc_id: str,
    version: int,
    document: Mapping[str, Any] | bytes,
    role: str,
    signed_at_ms: int,
) -> dict[str, Any]:
    """What a party signs for a document: its id, version, digests, the party's role, time."""
    return {
        "type": DOCUMENT,
        "doc_id": _text(doc_id, "doc_id"),
        "version": _int(version, "version"),
        "role": _text(role, "role", 64),
        "signed_at_ms": _int(signed_at_ms, "signed_at_ms"),
        **digests(canonical_document(document)),
    }


def _hex_digest(value: object, name: str) -> str:
    if (
        not isinstance(value, str)
        or len(value) != 64
        or any(c not in "0123456789abcdef" for c in value)
    ):
        raise EntryError(f"{name} must be 64 lower-case hex digits")
    return value


def statement_for_digests(
    doc_id: str, version: int, role: str, signed_at_ms: int, sha256: str, sm3: str
) -> dict[str, Any]:
    """A document statement from digests already logged (another party signs the same document)."""
    return {
        "type": DOCUMENT,
        "doc_id": _text(doc_id, "doc_id"),
        "version": _int(version, "version"),
        "role": _text(role, "role", 64),
        "signed_at_ms": _int(signed_at_ms, "signed_at_ms"),
        "sha256": _hex_digest(sha256, "sha256"),
        "sm3": _hex_digest(sm3, "sm3"),
    }


def weighing_statement(
    record_id: str,
    record: Mapping[str, Any] | bytes,
    gross_g: int,
    tare_g: int,
    measured_at_ms: int,
) -> dict[str, Any]:
    """What a weighbridge device signs: record id, weights in grams, time and record digests."""
    gross, tare = _int(gross_g, "gross_g"), _int(tare_g, "tare_g")
    if tare > gross:
        raise EntryError("tare is greater than gross weight")
    return {
        "type": WEIGHING,
        "record_id": _text(record_id, "record_id"),
        "gross_g": gross,
        "tare_g": tare,
        "net_g": gross - tare,
        "measured_at_ms": _int(measured_at_ms, "measured_at_ms"),
        **digests(canonical_document(record)),
    }


_WEIGHING_FIELDS = frozenset(
    {"type", "record_id", "gross_g", "tare_g", "net_g", "measured_at_ms", "sha256", "sm3"}
)


def check_weighing_statement(statement: Mapping[str, Any]) -> dict[str, Any]:
    """A weighing statement as :func:`weighing_statement` makes it, checked member by member.

    Raises :class:`EntryError` for a missing or unknown member, a weight or time that is not a
    non-negative integer, a net weight other than gross minus tare, or a malformed digest.
    """
    if not isinstance(statement, Mapping):
        raise EntryError("a weighing statement is a JSON object")
    if statement.get("type") != WEIGHING:
        raise EntryError(f"not a weighing statement (type {WEIGHING})")
    missing = sorted(_WEIGHING_FIELDS - set(statement))
    extra = sorted(set(statement) - _WEIGHING_FIELDS)
    if missing or extra:
        raise EntryError(
            "a weighing statement has exactly the members "
            f"{', '.join(sorted(_WEIGHING_FIELDS))}"
            + (f" (missing: {', '.join(missing)})" if missing else "")
            + (f" (unknown: {', '.join(extra)})" if extra else "")
        )
    gross = _int(statement["gross_g"], "gross_g")
    tare = _int(statement["tare_g"], "tare_g")
    net = _int(statement["net_g"], "net_g")
    if tare > gross:
        raise EntryError("tare is greater than gross weight")
    if net != gross - tare:
        raise EntryError("net_g is not gross_g - tare_g")
    return {
        "type": WEIGHING,
        "record_id": _text(statement["record_id"], "record_id"),
        "gross_g": gross,
        "tare_g": tare,
        "net_g": net,
        "measured_at_ms": _int(statement["measured_at_ms"], "measured_at_ms"),
        "sha256": _hex_digest(statement["sha256"], "sha256"),
        "sm3": _hex_digest(statement["sm3"], "sm3"),
    }


def sign_statement(key: PrivateKey, statement: Mapping[str, Any]) -> bytes:
    """A party's signature of a statement (over its canonical JSON)."""
    return key.sign(canonical_json(statement))


@dataclass(frozen=True)
class SignedEntry:
    """A parsed ``seawarden.signature/v1`` entry."""

    statement: dict[str, Any]
    signer: PublicKey
    signature: bytes
    custody: Custody


def signature_entry(
    statement: Mapping[str, Any], signer: PublicKey, signature: bytes, custody: Custody
) -> bytes:
    """The entry of one signature; raises :class:`EntryError` if the signature is bad."""
    if signer.cosigner:
        raise EntryError("a witness key cannot sign statements")
    try:
        message = canonical_json(statement)
    except CanonicalError as exc:
        raise EntryError(f"statement: {exc}") from None
    if not signer.verify(message, signature):
        raise EntryError(f"the signature by {signer.name} does not verify")
    return canonical_json(
        {
            "type": SIGNATURE,
            "statement": dict(statement),
            "signer": signer.vkey(),
            "signature": base64.b64encode(signature).decode(),
            "custody": Custody(custody).value,
        }
    )


def parse_entry(data: bytes) -> dict[str, Any]:
    """A JSON entry as a dict; raises :class:`EntryError` if it is not canonical JSON."""
    try:
        value = parse_canonical(data)
    except CanonicalError as exc:
        raise EntryError(str(exc)) from None
    if not isinstance(value, dict) or not isinstance(value.get("type"), str):
        raise EntryError("an entry is a JSON object with a type")
    return value


def parse_signature_entry(data: bytes) -> SignedEntry:
    """Parse a signature entry and check its signature."""
    e = parse_entry(data)
    if e["type"] != SIGNATURE or not isinstance(e.get("statement"), dict):
        raise EntryError("not a signature entry")
    try:
        signer = parse_vkey(str(e.get("signer", "")))
        sig = base64.b64decode(str(e.get("signature", "")), validate=True)
        custody = Custody(str(e.get("custody")))
    except (KeyFormatError, binascii.Error, ValueError) as exc:
        raise EntryError(f"signature entry: {exc}") from None
    if signer.cosigner or not signer.verify(canonical_json(e["statement"]), sig):
        raise EntryError(f"the signature by {signer.name} does not verify")
    return SignedEntry(e["statement"], signer, sig, custody)


def check_document(data: bytes, document: bytes) -> dict[str, Any]:
    """Check that an entry's statement covers ``document`` (its canonical bytes)."""
    e = parse_entry(data)
    statement = parse_signature_entry(data).statement if e["type"] == SIGNATURE else e
    want = digests(document)
    for alg, value in want.items():
        if statement.get(alg) is not None and statement.get(alg) != value:
            raise EntryError(f"document {alg} digest does not match the entry")
    if not any(statement.get(alg) for alg in want):
        raise EntryError("the entry carries no document digest")
    return statement


def approval_entry(
    subject: str,
    subject_id: str,
    decision: str,
    application: Mapping[str, Any] | bytes,
    approver: str,
    decided_at_ms: int,
    request_id: str | None = None,
) -> bytes:
    """The entry of a decision (``approved``, ``rejected``...) on an application.

    Identical arguments give identical bytes, so a retried request is logged once.
    """
    return canonical_json(
        {
            "type": APPROVAL,
            "subject": _text(subject, "subject", 64),
            "subject_id": _text(subject_id, "subject_id"),
            "decision": _text(decision, "decision", 32),
            "approver": _text(approver, "approver", 128),
            "decided_at_ms": _int(decided_at_ms, "decided_at_ms"),
            "request_id": None if request_id is None else _text(request_id, "request_id"),
            **digests(canonical_document(application)),
        }
    )


def audit_anchor_entry(chain_hash: bytes, label: str) -> bytes:
    """The entry anchoring the head of the audit trail's hash chain."""
    if not isinstance(chain_hash, bytes) or not 16 <= len(chain_hash) <= 64:
        raise EntryError("the chain hash must be 16-64 bytes")
    return canonical_json(
        {"type": AUDIT_ANCHOR, "label": _text(label, "label"), "hash": chain_hash.hex()}
    )


def device_entry(
    action: DeviceAction,
    device_id: str,
    organisation: str | None,
    key: PublicKey,
    by: str,
    at_ms: int,
    note: str | None = None,
) -> bytes:
    """The entry registering (or revoking) a weighbridge device's verifier key.

    ``note`` is the device's label when it is registered, the reason when it is revoked.
    """
    if key.cosigner:
        raise EntryError("a witness key cannot be a device key")
    return canonical_json(
        {
            "type": DEVICE,
            "action": DeviceAction(action).value,
            "device_id": _text(device_id, "device_id", 64),
            "organisation": None if organisation is None else _text(organisation, "organisation"),
            "key": key.vkey(),
            "by": _text(by, "by", 128),
            "at_ms": _int(at_ms, "at_ms"),
            "note": None if note is None else _text(note, "note"),
        }
    )


@dataclass(frozen=True)
class DeviceEntry:
    """A parsed ``seawarden.device/v1`` entry."""

    action: DeviceAction
    device_id: str
    organisation: str | None
    key: PublicKey
    by: str
    at_ms: int
    note: str | None


def parse_device_entry(data: bytes) -> DeviceEntry:
    """Parse a device entry (its key must be a valid, non-witness verifier key)."""
    e = parse_entry(data)
    if e["type"] != DEVICE:
        raise EntryError("not a device entry")
    try:
        action = DeviceAction(str(e.get("action")))
        key = parse_vkey(str(e.get("key", "")))
    except (KeyFormatError, ValueError) as exc:
        raise EntryError(f"device entry: {exc}") from None
    if key.cosigner:
        raise EntryError("a witness key cannot be a device key")
    org, note = e.get("organisation"), e.get("note")
    return DeviceEntry(
        action,
        _text(e.get("device_id"), "device_id", 64),
        None if org is None else _text(org, "organisation"),
        key,
        _text(e.get("by"), "by", 128),
        _int(e.get("at_ms"), "at_ms"),
        None if note is None else _text(note, "note"),
    )


def check_entry(kind: str, data: bytes) -> None:
    """Re-check what an entry of ``kind`` can prove on its own (signatures, structure)."""
    if kind in (Kind.document, Kind.weighing):
        parse_signature_entry(data)
    elif kind == Kind.device:
        parse_device_entry(data)
    elif kind in (Kind.approval, Kind.audit_anchor):
        want = APPROVAL if kind == Kind.approval else AUDIT_ANCHOR
        if parse_entry(data)["type"] != want:
            raise EntryError(f"not an {kind} entry")
