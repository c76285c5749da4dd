"""Organisation scope of supervision objects that may have no organisation of their own."""

from __future__ import annotations

from sqlalchemy import Engine, select

from seawarden.db import schema
from seawarden.security.actor import Actor


def roots(engine: Engine) -> frozenset[str]:
    """Organisations without a parent (the top of the tree)."""
    with engine.connect() as conn:
        rows = conn.execute(
            select(schema.organisations.c.code).where(schema.organisations.c.parent.is_(None))
        ).all()
    return frozenset(r[0] for r in rows)


def alert_visible(who: Actor, unit: str | None, top: frozenset[str] = frozenset()) -> bool:
    """An alert belongs to its unit; one with no unit belongs to the top of the tree."""
    if who.visible is None:
        return True
    if unit is None:
        return bool(top & who.visible)
    return unit in who.visible


def zone_visible(who: Actor, owner: str | None) -> bool:
    """A zone belongs to its owner; one with no owner is visible to every supervisor."""
    return who.visible is None or owner is None or owner in who.visible
