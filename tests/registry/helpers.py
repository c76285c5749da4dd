"""Actors and record builders shared by the registry and risk tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine

from seawarden.registry.companies import create_company
from seawarden.registry.schemas import CompanyIn, ShipIn
from seawarden.registry.ships import create_ship
from seawarden.security.actor import Actor, Role

ADMIN = Actor("admin", frozenset({Role.system_admin, Role.supervisor}), None, None)
ZJ = Actor("zj", frozenset({Role.supervisor}), "ZJ", frozenset({"ZJ", "ZJ-ZS"}))
ZS = Actor("zs", frozenset({Role.duty_officer}), "ZJ-ZS", frozenset({"ZJ-ZS"}))
FJ = Actor("fj", frozenset({Role.supervisor}), "FJ", frozenset({"FJ"}))
VIEWER = Actor("viewer", frozenset({Role.enterprise}), "ZJ", frozenset({"ZJ"}))
PUBLIC = Actor("portal", frozenset({Role.public}), None, None)

USCC_A = "91350100M000100Y43"


def imo(n6: int) -> str:
    """A valid IMO number from six digits."""
    d = f"{n6:06d}"
    return d + str(sum(int(x) * (7 - i) for i, x in enumerate(d)) % 10)


def uscc(body17: str) -> str:
    """A valid unified social credit code from its first 17 characters."""
    from seawarden.registry.codes import uscc_check_char

    return body17 + uscc_check_char(body17)


def id_number(body17: str) -> str:
    """A valid resident identity number from its first 17 digits."""
    from seawarden.registry.codes import ID_CHECK, ID_WEIGHTS

    return body17 + ID_CHECK[sum(int(d) * w for d, w in zip(body17, ID_WEIGHTS, strict=True)) % 11]


def ship(engine: Engine, actor: Actor = ZJ, **over: Any) -> str:
    """Register a ship (a 15-year-old bulk carrier of ZJ unless overridden)."""
    data: dict[str, Any] = {
        "name": "HAI XING",
        "imo": imo(907472),
        "mmsi": 413000001,
        "callsign": "BQAB",
        "ship_type": "bulk_carrier",
        "flag": "PA",
        "build_year": 2011,
        "class_society": "CCS",
        "organisation": "ZJ",
        "registered_on": dt.date(2015, 3, 1),
    }
    data.update(over)
    return create_ship(engine, actor, ShipIn.model_validate(data))


def company(engine: Engine, actor: Actor = ZJ, **over: Any) -> str:
    """Register a company (ZJ's shipping company unless overridden)."""
    data: dict[str, Any] = {"name": "Zhoushan Shipping Co.", "uscc": USCC_A, "organisation": "ZJ"}
    data.update(over)
    return create_company(engine, actor, CompanyIn.model_validate(data))
