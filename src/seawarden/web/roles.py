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
