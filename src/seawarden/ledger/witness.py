"""A witness: cosigns a log's checkpoint only if it is consistent with the last one it signed.

Pure logic; the caller keeps the witness state (last size and root per origin) and must
store the new state in the same transaction that publishes the cosignature. The rules
follow c2sp.org/tlog-witness: the log's own signature must verify; a smaller tree than the
last one cosigned, the same size with another root (a split view), or a missing or bad
consistency proof is refused, and the refused checkpoint is kept by the caller as evidence.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass

from seawarden.ledger import note
from seawarden.ledger.checkpoint import Checkpoint, CheckpointError, parse_checkpoint
from seawarden.ledger.hashing import SHA256, Hasher
from seawarden.ledger.keys import PrivateKey, PublicKey
from seawarden.ledger.proofs import ProofError, check_consistency


@dataclass(frozen=True)
class WitnessState:
    """What a witness remembers of one log: the last tree it cosigned."""

    origin: str
    size: int
    root: bytes


class WitnessRefusedError(Exception):
    """The witness will not cosign this checkpoint (the reason says why)."""

    def __init__(self, reason: str, split_view: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.split_view = split_view
        """True when the log showed two different trees of one size, or went backwards."""


@dataclass(frozen=True)
class Cosigned:
    """A cosignature and the witness state to store with it."""

    signature: note.Signature
    state: WitnessState
    checkpoint: Checkpoint


def cosign(
    key: PrivateKey,
    log_keys: Sequence[PublicKey],
    signed_checkpoint: str,
    previous: WitnessState | None,
    proof: Sequence[bytes],
    hasher: Hasher = SHA256,
    timestamp: int | None = None,
) -> Cosigned:
    """Check a signed checkpoint against the last cosigned state, and cosign it."""
    if not key.cosigner:
        raise ValueError(f"{key.name} is not a witness key")
    try:
        opened = note.open_note(signed_checkpoint, [k for k in log_keys if not k.cosigner])
        cp = parse_checkpoint(opened.note.text, hasher.size)
    except (note.NoteError, CheckpointError) as exc:
        raise WitnessRefusedError(f"not a checkpoint signed by the log: {exc}") from None
    if previous is not None:
        if previous.origin != cp.origin:
            raise WitnessRefusedError(f"state is for {previous.origin}, checkpoint for {cp.origin}")
        if cp.size < previous.size:
            raise WitnessRefusedError(
                f"tree size {cp.size} is smaller than the cosigned {previous.size}",
                split_view=True,
            )
        if cp.size == previous.size:
            if proof:
                raise WitnessRefusedError("same size needs an empty proof")
            if not hmac.compare_digest(cp.root, previous.root):
                raise WitnessRefusedError(
                    f"two different roots for tree size {cp.size}", split_view=True
                )
        elif previous.size > 0:
            try:
                check_consistency(previous.size, cp.size, previous.root, cp.root, proof, hasher)
            except ProofError as exc:
                raise WitnessRefusedError(
                    f"not consistent with the cosigned tree of size {previous.size}: {exc}",
                    split_view=True,
                ) from None
    sig = note.sign(key, opened.note.text, timestamp)
    return Cosigned(sig, WitnessState(cp.origin, cp.size, cp.root), cp)
