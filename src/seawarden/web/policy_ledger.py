"""Who may call which endpoint: the tamper-evident ledger (merged into ``policy.ROUTES``).

Enterprise users and supervisors submit and sign documents of their organisations; duty
officers read them; the audit administrator reads logs, checkpoints, receipts and proofs and
anchors the audit trail; any logged-in user may read the published verifier keys and have a
receipt verified. Weighbridge devices are registered by supervisors (for organisations in their
scope) and revoked by them or by the device's own enterprise; records signed by a device are
submitted by the same signers. Organisation scope is the log's: a log of another organisation
answers 404.
"""

from __future__ import annotations

from seawarden.security.actor import Role
from seawarden.web.roles import (
    ANY,
    AUDITOR,
    LEDGER_PROOF_READERS,
    LEDGER_READERS,
    LEDGER_SIGNERS,
    SUPERVISOR,
)

ROUTES: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/api/ledger/keys"): ANY,
    ("POST", "/api/ledger/verify"): ANY,
    ("GET", "/api/ledger/logs"): LEDGER_PROOF_READERS,
    ("GET", "/api/ledger/logs/{log}/checkpoint"): LEDGER_PROOF_READERS,
    ("GET", "/api/ledger/logs/{log}/receipts/{index}"): LEDGER_PROOF_READERS,
    ("GET", "/api/ledger/logs/{log}/proofs/inclusion"): LEDGER_PROOF_READERS,
    ("GET", "/api/ledger/logs/{log}/proofs/consistency"): LEDGER_PROOF_READERS,
    ("GET", "/api/ledger/logs/{log}/documents"): LEDGER_READERS,
    ("GET", "/api/ledger/logs/{log}/documents/{doc_id}"): LEDGER_READERS,
    ("POST", "/api/ledger/logs/{log}/documents/{doc_id}/signatures"): LEDGER_SIGNERS,
    ("POST", "/api/ledger/documents"): LEDGER_SIGNERS,
    ("POST", "/api/ledger/weighbridge/devices"): SUPERVISOR,
    ("GET", "/api/ledger/logs/{log}/devices"): LEDGER_READERS,
    ("POST", "/api/ledger/logs/{log}/devices/{device_id}/revocation"): LEDGER_SIGNERS,
    ("POST", "/api/ledger/weighbridge/records"): LEDGER_SIGNERS,
    ("GET", "/api/ledger/logs/{log}/weighings"): LEDGER_READERS,
    ("GET", "/api/ledger/logs/{log}/weighings/{record_id}"): LEDGER_PROOF_READERS,
    ("GET", "/api/ledger/audit-anchors"): AUDITOR,
    ("POST", "/api/ledger/audit-anchors"): AUDITOR,
}
