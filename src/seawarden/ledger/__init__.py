"""Tamper-evident ledger: an RFC 9162 Merkle log with signed checkpoints and receipts.

Importing this package loads only the offline proof verifier (standard library); the
database layer lives in :mod:`seawarden.ledger.service` and is imported on demand.
"""

from seawarden.ledger.proofs import ProofError, verify_consistency, verify_inclusion

__all__ = ["ProofError", "verify_consistency", "verify_inclusion"]
