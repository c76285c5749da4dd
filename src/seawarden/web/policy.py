"""Who may call which endpoint: the one table the API enforces and the tests check.

Roles per route (method, path template). ``PUBLIC`` routes need no session; every other
``/api/`` route answers 401 without one and 403 to a role not listed. Organisation scope is
enforced inside each route on the objects it touches.
"""

from __future__ import annotations

from seawarden.security.actor import Role
from seawarden.web.policy_dg import ROUTES as DG_ROUTES
from seawarden.web.policy_ledger import ROUTES as LEDGER_ROUTES
from seawarden.web.policy_registry import ROUTES as REGISTRY_ROUTES
from seawarden.web.roles import (
    ANY,
    AUDITOR,
    PUBLIC,
    SUPERVISOR,
    SYSADMIN,
    USER_ADMINS,
    WATCH,
)

__all__ = ["PUBLIC", "ROUTES"]

ROUTES: dict[tuple[str, str], frozenset[Role]] = {
    ("GET", "/api/health"): PUBLIC,
    ("POST", "/api/auth/login"): PUBLIC,
    ("POST", "/api/auth/totp"): ANY,
    ("POST", "/api/auth/logout"): ANY,
    ("GET", "/api/session"): ANY,
    ("POST", "/api/auth/password"): ANY,
    ("GET", "/api/vessels/latest"): WATCH,
    ("GET", "/api/vessels/search"): WATCH,
    ("GET", "/api/vessels/{vessel}"): WATCH,
    ("GET", "/api/vessels/{vessel}/track"): WATCH,
    ("GET", "/api/snapshot"): WATCH,
    ("GET", "/api/live"): WATCH,
    ("GET", "/api/collision/snapshot"): WATCH,
    ("GET", "/api/dashboard"): WATCH,
    ("GET", "/api/alerts"): WATCH,
    ("GET", "/api/alerts/{alert_id}/history"): WATCH,
    ("POST", "/api/alerts/{alert_id}/state"): WATCH,
    ("GET", "/api/zones"): WATCH | {Role.enterprise},
    ("POST", "/api/zones"): SUPERVISOR,
    ("PUT", "/api/zones/{zone_id}"): SUPERVISOR,
    ("DELETE", "/api/zones/{zone_id}"): SUPERVISOR,
    ("GET", "/api/organisations"): ANY,
    ("POST", "/api/organisations"): SYSADMIN,
    ("GET", "/api/users"): USER_ADMINS,
    ("POST", "/api/users"): SYSADMIN,
    ("PATCH", "/api/users/{user_id}"): USER_ADMINS,
    ("GET", "/api/audit"): AUDITOR,
    ("GET", "/api/audit/export"): AUDITOR,
    ("GET", "/api/audit/verify"): AUDITOR,
}
ROUTES |= DG_ROUTES | REGISTRY_ROUTES | LEDGER_ROUTES
