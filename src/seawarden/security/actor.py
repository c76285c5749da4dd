"""The acting person (or process) of every operation, and the organisations they may see.

Every service function that reads or writes takes an :class:`Actor`. Reads are limited to
``actor.visible`` (the caller's organisation subtree; ``None`` for the whole platform), and
writes are audited with the actor's name, roles, organisation, address and request id.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum


class Role(StrEnum):
    """Roles (the first three are the separated administrators, 三权分立)."""

    system_admin = "system_admin"
    security_admin = "security_admin"
    audit_admin = "audit_admin"
    supervisor = "supervisor"
    duty_officer = "duty_officer"
    enterprise = "enterprise"
    public = "public"


ADMIN_ROLES = frozenset({Role.system_admin, Role.security_admin, Role.audit_admin})


class Forbidden(PermissionError):  # noqa: N818 - reads as HTTP 403
    """The actor may not do this (role or organisation scope)."""


@dataclass(frozen=True)
class Actor:
    """Someone acting on the platform."""

    username: str
    roles: frozenset[Role] = frozenset()
    organisation: str | None = None
    visible: frozenset[str] | None = None
    """Organisation codes the actor may see (its subtree); ``None``: every organisation."""
    ip: str | None = None
    request_id: str | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def has(self, *roles: Role) -> bool:
        """Whether the actor holds any of the roles."""
        return bool(self.roles & set(roles))

    def require(self, *roles: Role) -> None:
        """Raise :class:`Forbidden` unless the actor holds one of the roles."""
        if not self.has(*roles):
            raise Forbidden(
                f"{self.username} lacks the role for this ({', '.join(r.value for r in roles)})"
            )

    def can_see(self, organisation: str | None) -> bool:
        """Whether an object of an organisation is within the actor's scope."""
        return self.visible is None or (organisation is not None and organisation in self.visible)

    def check_scope(self, organisation: str | None) -> None:
        """Raise :class:`Forbidden` for an object outside the actor's scope."""
        if not self.can_see(organisation):
            raise Forbidden(
                f"{self.username} may not act on objects of {organisation or 'no organisation'}"
            )

    def scope_filter(self, orgs: Iterable[str | None]) -> list[bool]:
        """Visibility of each of several organisations."""
        return [self.can_see(o) for o in orgs]


SYSTEM = Actor("system", frozenset({Role.system_admin}), None, None)
"""The platform itself (ingest, supervision, scheduled jobs): sees everything."""


def cli_actor(username: str | None = None) -> Actor:
    """The operator of the command line (a local administrator with the whole scope)."""
    from seawarden.db.engine import default_actor

    return Actor(
        username or default_actor(), frozenset({Role.system_admin, Role.supervisor}), None, None
    )
