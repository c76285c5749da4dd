"""Errors of the ledger service, each with a code an API can map to a status."""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    """Why a ledger operation failed."""

    no_such_log = "no_such_log"
    log_exists = "log_exists"
    no_such_entry = "no_such_entry"
    not_checkpointed = "not_checkpointed"
    bad_request = "bad_request"
    bad_signature = "bad_signature"
    witness_refused = "witness_refused"
    conflict = "conflict"
    revoked = "revoked"


class LedgerError(Exception):
    """A ledger operation that cannot be done (``code`` says which kind of failure)."""

    def __init__(self, code: Code, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
