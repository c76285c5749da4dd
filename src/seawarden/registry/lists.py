"""Every list of the register by name, for export (ships export in the import format)."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any

from sqlalchemy import Engine, Table, select

from seawarden.registry import crews as crew_service
from seawarden.registry import fishing, identity, importer
from seawarden.registry.companies import list_companies
from seawarden.registry.events import list_events
from seawarden.registry.schemas import CompanyIn, CrewIn, ShipIn
from seawarden.registry.scope import scoped
from seawarden.registry.ships import list_ships
from seawarden.registry.tables import company_permits, ship_certificates, ship_identities
from seawarden.security.actor import Actor


class ListName(StrEnum):
    """Lists that can be exported."""

    ships = "ships"
    companies = "companies"
    crews = "crews"
    inspections = "inspections"
    events = "events"
    identities = "identities"
    certificates = "certificates"
    permits = "permits"
    licences = "licences"
    quotas = "quotas"
    links = "links"
    conflicts = "conflicts"
    imports = "imports"


def _ships(engine: Engine, actor: Actor) -> list[dict[str, Any]]:
    rows = list_ships(engine, actor)
    for r in rows:
        r["owner"], r["operator"], r["ism_company"] = (
            r.pop("owner_id"),
            r.pop("operator_id"),
            r.pop("ism_company_id"),
        )
    return rows


def _table(table: Table) -> Callable[[Engine, Actor], list[dict[str, Any]]]:
    def rows(engine: Engine, actor: Actor) -> list[dict[str, Any]]:
        with engine.connect() as conn:
            return [
                dict(r)
                for r in conn.execute(
                    scoped(select(table).order_by(table.c.id), table, actor)
                ).mappings()
            ]

    return rows


def _inspections(engine: Engine, actor: Actor) -> list[dict[str, Any]]:
    rows = list_events(engine, actor, kinds=["inspection"])
    for r in rows:
        r["ship"], r["released_on"] = r["ship_id"], r["ended_on"]
    return rows


LISTS: dict[ListName, Callable[[Engine, Actor], list[dict[str, Any]]]] = {
    ListName.ships: _ships,
    ListName.companies: list_companies,
    ListName.crews: crew_service.list_crews,
    ListName.inspections: _inspections,
    ListName.events: lambda e, a: list_events(e, a),
    ListName.identities: _table(ship_identities),
    ListName.certificates: _table(ship_certificates),
    ListName.permits: _table(company_permits),
    ListName.licences: lambda e, a: fishing.licences(e, a),
    ListName.quotas: lambda e, a: fishing.quotas(e, a),
    ListName.links: lambda e, a: identity.links(e, a, current_only=False),
    ListName.conflicts: lambda e, a: identity.decisions(e, a, state=None),
    ListName.imports: importer.import_history,
}

#: Leading columns of lists that can be imported again (the import format first).
LEADING: dict[ListName, list[str]] = {
    ListName.ships: list(ShipIn.model_fields),
    ListName.companies: list(CompanyIn.model_fields),
    ListName.crews: [c for c in CrewIn.model_fields if not c.startswith("certificate")],
    ListName.inspections: [
        "ship",
        "organisation",
        "on_date",
        "port",
        "regime",
        "authority",
        "deficiencies",
        "detained",
        "released_on",
        "public",
    ],
}
