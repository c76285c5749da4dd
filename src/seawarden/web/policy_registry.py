"""Who may call which endpoint: the register, risk, credit and public service routes."""

from __future__ import annotations

from seawarden.security.actor import Role

ROUTES: dict[tuple[str, str], frozenset[Role]] = {}
