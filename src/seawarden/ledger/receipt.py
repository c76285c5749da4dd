"""Receipts (c2sp.org/tlog-proof) and their offline verification.

A receipt is the proof that one entry is in the log::

    c2sp.org/tlog-proof@v1
    extra <base64 of the entry bytes>
    index <n>
    <base64 inclusion proof hash, one per line>

    <signed checkpoint, verbatim, with its cosignatures>

The entry travels in the ``extra`` line; it is not trusted as such, but hashed into the
leaf the inclusion proof is checked for. Verification needs only the receipt, the log's
published verifier key(s), the witnesses' keys and the log's hash algorithm.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Sequence
from dataclasses import dataclass, field

from seawarden.ledger import note
from seawarden.ledger.checkpoint import Checkpoint, CheckpointError, parse_checkpoint
from seawarden.ledger.hashing import SHA256, Hasher
from seawarden.ledger.keys import PublicKey
from seawarden.ledger.proofs import ProofError, check_inclusion

HEADER = "c2sp.org/tlog-proof@v1"
MAX_PROOF = 64


class ReceiptError(ValueError):
    """A receipt that is malformed or does not verify (the message says which check failed)."""


@dataclass(frozen=True)
class Receipt:
    """An entry's index, inclusion proof and the signed checkpoint it leads to."""

    index: int
    proof: tuple[bytes, ...]
    checkpoint: str
    """The signed checkpoint note, verbatim."""
    entry: bytes | None = None

    def text(self) -> str:
        """The ``.tlog-proof`` text."""
        lines = [HEADER]
        if self.entry is not None:
            lines.append("extra " + base64.b64encode(self.entry).decode())
        lines.append(f"index {self.index}")
        lines.extend(base64.b64encode(h).decode() for h in self.proof)
        return "\n".join(lines) + "\n\n" + self.checkpoint


def _b64(s: str, what: str) -> bytes:
    try:
        return base64.b64decode(s.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ReceiptError(f"{what} is not base64") from None


def parse_receipt(data: str | bytes) -> Receipt:
    """Parse a ``.tlog-proof`` receipt (nothing is verified)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise ReceiptError("receipt is not UTF-8 text") from None
    head, sep, checkpoint = data.partition("\n\n")
    if not sep or not checkpoint:
        raise ReceiptError("receipt has no checkpoint (no blank line)")
    lines = head.split("\n")
    if lines[0] != HEADER:
        raise ReceiptError(f"receipt does not start with {HEADER}")
    pos = 1
    entry = None
    if pos < len(lines) and lines[pos].startswith("extra "):
        entry = _b64(lines[pos][6:], "extra data")
        pos += 1
    if pos >= len(lines) or not lines[pos].startswith("index "):
        raise ReceiptError("receipt has no index line")
    idx = lines[pos][6:]
    if not idx.isascii() or not idx.isdigit() or (idx != "0" and idx[0] == "0"):
        raise ReceiptError(f"bad index {idx!r}")
    proof = tuple(_b64(line, "proof hash") for line in lines[pos + 1 :])
    if len(proof) > MAX_PROOF:
        raise ReceiptError("proof too long")
    return Receipt(int(idx), proof, checkpoint, entry)


@dataclass(frozen=True)
class Policy:
    """What a verifier trusts: the log's keys, witness keys and how many must cosign."""

    log_keys: Sequence[PublicKey]
    witness_keys: Sequence[PublicKey] = ()
    quorum: int = 0
    hasher: Hasher = SHA256
    origin: str | None = None
    """If set, the checkpoint's origin must be this."""


@dataclass(frozen=True)
class Verified:
    """What a verified receipt proves."""

    index: int
    checkpoint: Checkpoint
    leaf_hash: bytes
    entry: bytes | None
    log_signers: tuple[str, ...]
    witnesses: dict[str, int] = field(default_factory=dict)
    """Witness names and cosignature times (POSIX seconds)."""


def verify_receipt(
    data: str | bytes | Receipt, policy: Policy, entry: bytes | None = None
) -> Verified:
    """Verify a receipt offline; raises :class:`ReceiptError` naming the failed check.

    ``entry`` (the entry bytes) is needed when the receipt carries none, and must equal
    the carried entry when both are given.
    """
    r = data if isinstance(data, Receipt) else parse_receipt(data)
    if entry is not None and r.entry is not None and entry != r.entry:
        raise ReceiptError("the entry given differs from the entry in the receipt")
    body = entry if entry is not None else r.entry
    if body is None:
        raise ReceiptError("no entry: the receipt carries none and none was given")
    log_keys = [k for k in policy.log_keys if not k.cosigner]
    witness_keys = [k for k in policy.witness_keys if k.cosigner]
    if not log_keys:
        raise ReceiptError("no log verifier key given")
    try:
        opened = note.open_note(r.checkpoint, [*log_keys, *witness_keys])
    except note.NoteError as exc:
        raise ReceiptError(f"checkpoint signature: {exc}") from None
    signers = tuple(k.name for k in opened.verified if not k.cosigner)
    if not signers:
        raise ReceiptError("checkpoint signature: no signature by the log's key")
    if len(opened.timestamps) < policy.quorum:
        raise ReceiptError(
            f"witnesses: {len(opened.timestamps)} cosignature(s), {policy.quorum} required"
        )
    try:
        cp = parse_checkpoint(opened.note.text, policy.hasher.size)
    except CheckpointError as exc:
        raise ReceiptError(f"checkpoint: {exc}") from None
    if policy.origin is not None and cp.origin != policy.origin:
        raise ReceiptError(f"checkpoint origin is {cp.origin!r}, expected {policy.origin!r}")
    leaf_hash = policy.hasher.leaf(body)
    try:
        check_inclusion(leaf_hash, r.index, cp.size, list(r.proof), cp.root, policy.hasher)
    except ProofError as exc:
        raise ReceiptError(f"inclusion proof: {exc}") from None
    return Verified(r.index, cp, leaf_hash, body, signers, dict(opened.timestamps))
