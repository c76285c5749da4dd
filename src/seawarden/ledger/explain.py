"""Receipt verification step by step, for people: which check passed, which failed and why.

The same checks as :func:`seawarden.ledger.receipt.verify_receipt` (whose verdict is final),
one at a time: parse, the log's signature on the checkpoint, witness cosignatures, the
checkpoint itself, the inclusion proof and, optionally, the document's digests. No database.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any

from seawarden.ledger import note
from seawarden.ledger.canonical import CanonicalError, parse_canonical
from seawarden.ledger.checkpoint import CheckpointError, parse_checkpoint
from seawarden.ledger.entries import EntryError, check_document
from seawarden.ledger.proofs import ProofError, check_inclusion
from seawarden.ledger.receipt import Policy, Receipt, ReceiptError, parse_receipt, verify_receipt


@dataclass(frozen=True)
class Step:
    """One check: its name, whether it passed, and what it found."""

    step: str
    ok: bool
    detail: str


@dataclass
class Report:
    """The checks made on a receipt and the verdict."""

    ok: bool = False
    steps: list[Step] = field(default_factory=list)
    index: int | None = None
    origin: str | None = None
    size: int | None = None
    entry: Any = None
    """The entry, parsed when it is canonical JSON (else its base64)."""
    witnesses: dict[str, int] = field(default_factory=dict)

    @property
    def detail(self) -> str | None:
        """The first failure, if any."""
        bad = [s for s in self.steps if not s.ok]
        return f"{bad[0].step}: {bad[0].detail}" if bad else None


def receipt_origin(text: str) -> str | None:
    """The origin line of a receipt's checkpoint, unverified (to find the keys to check it)."""
    try:
        r = parse_receipt(text)
    except ReceiptError:
        return None
    first = r.checkpoint.split("\n", 1)[0]
    return first or None


def _entry_value(data: bytes) -> Any:
    try:
        return parse_canonical(data)
    except CanonicalError:
        return base64.b64encode(data).decode()


def explain(text: str | bytes, policy: Policy, document: bytes | None = None) -> Report:
    """Verify a receipt check by check; stops at the first failure."""
    report = Report()

    def fail(step: str, detail: str) -> Report:
        report.steps.append(Step(step, False, detail))
        return report

    try:
        r: Receipt = parse_receipt(text)
    except ReceiptError as exc:
        return fail("parse", str(exc))
    if r.entry is None:
        return fail("parse", "the receipt carries no entry")
    report.index = r.index
    report.entry = _entry_value(r.entry)
    report.steps.append(
        Step("parse", True, f"entry {r.index}, {len(r.entry)} bytes, {len(r.proof)} proof hashes")
    )
    log_keys = [k for k in policy.log_keys if not k.cosigner]
    witness_keys = [k for k in policy.witness_keys if k.cosigner]
    if not log_keys:
        return fail("log_signature", "no verifier key of the log is known")
    try:
        opened = note.open_note(r.checkpoint, [*log_keys, *witness_keys])
    except note.NoteError as exc:
        return fail("log_signature", str(exc))
    signers = [k.name for k in opened.verified if not k.cosigner]
    if not signers:
        return fail("log_signature", "no signature by the log's key")
    report.steps.append(Step("log_signature", True, "signed by " + ", ".join(signers)))
    report.witnesses = dict(opened.timestamps)
    n = len(opened.timestamps)
    if n < policy.quorum:
        return fail("witnesses", f"{n} cosignature(s), {policy.quorum} required")
    names = ", ".join(sorted(opened.timestamps)) or "none"
    report.steps.append(Step("witnesses", True, f"{n} of {policy.quorum} required ({names})"))
    try:
        cp = parse_checkpoint(opened.note.text, policy.hasher.size)
    except CheckpointError as exc:
        return fail("checkpoint", str(exc))
    report.origin, report.size = cp.origin, cp.size
    if policy.origin is not None and cp.origin != policy.origin:
        return fail("checkpoint", f"origin is {cp.origin!r}, expected {policy.origin!r}")
    report.steps.append(
        Step("checkpoint", True, f"{cp.origin}, size {cp.size}, root {cp.root.hex()}")
    )
    leaf = policy.hasher.leaf(r.entry)
    try:
        check_inclusion(leaf, r.index, cp.size, list(r.proof), cp.root, policy.hasher)
    except ProofError as exc:
        return fail("inclusion", f"{exc} (leaf hash {leaf.hex()})")
    report.steps.append(
        Step("inclusion", True, f"leaf hash {leaf.hex()} leads to the root ({policy.hasher.name})")
    )
    if document is not None:
        try:
            check_document(r.entry, document)
        except EntryError as exc:
            return fail("document", str(exc))
        report.steps.append(Step("document", True, "the document's digests match the entry"))
    try:
        verify_receipt(r, policy)
    except ReceiptError as exc:  # pragma: no cover - the steps above make the same checks
        return fail("verdict", str(exc))
    report.ok = True
    return report
