"""Who may call which endpoint: dangerous goods (merged into ``policy.ROUTES``)."""

from __future__ import annotations

from seawarden.security.actor import Role

ROUTES: dict[tuple[str, str], frozenset[Role]] = {}
