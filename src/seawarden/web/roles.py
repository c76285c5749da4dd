"""Named sets of roles that the route tables grant access to."""

from __future__ import annotations

from seawarden.security.actor import Role

PUBLIC = frozenset[Role]()
"""No session needed."""
ANY = frozenset(Role)
WATCH = frozenset({Role.supervisor, Role.duty_officer})
SUPERVISOR = frozenset({Role.supervisor})
SYSADMIN = frozenset({Role.system_admin})
SECADMIN = frozenset({Role.security_admin})
USER_ADMINS = frozenset({Role.system_admin, Role.security_admin})
AUDITOR = frozenset({Role.audit_admin})
ENTERPRISE = frozenset({Role.enterprise})
AUTHORITY_AND_ENTERPRISE = WATCH | ENTERPRISE
TERMINAL = ENTERPRISE | SUPERVISOR
"""Terminal-side writes: the enterprise for its own organisation, supervisors in their subtree."""
READ_REGISTER = WATCH | ENTERPRISE
"""Register, risk profiles and credit: authorities read their subtree, an enterprise its own."""
APPELLANTS = SUPERVISOR | ENTERPRISE
"""Who may appeal against a credit record: the supervisor, or the enterprise it concerns."""
LEDGER_READERS = WATCH | ENTERPRISE
"""Read ledger documents and their signatures."""
LEDGER_SIGNERS = SUPERVISOR | ENTERPRISE
"""Submit and sign documents of their organisations."""
LEDGER_PROOF_READERS = LEDGER_READERS | AUDITOR
"""Read logs, checkpoints, receipts and proofs (the audit administrator checks them)."""
