"""Tables of the register: ships, identities, lifecycle events, crews, companies, fishing.

Every table carries an ``organisation`` column (the organisation code that owns the row).
Column ``info`` labels drive the open-data export: ``public`` columns may be published,
``personal`` columns are masked wherever they are published.

Importing this module also registers the tables of :mod:`seawarden.risk.tables` and
:mod:`seawarden.credit.tables` (the database layer imports only this module).
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from seawarden.credit import tables as _credit_tables  # noqa: F401  (registers credit tables)
from seawarden.db.schema import metadata
from seawarden.risk import tables as _risk_tables  # noqa: F401  (registers risk tables)

PUBLIC = {"public": True}
PERSONAL = {"personal": True}
PUBLIC_PERSONAL = {"public": True, "personal": True}


def _org() -> Column[str]:
    return Column("organisation", String(64), nullable=False, index=True)


companies = Table(
    "registry_companies",
    metadata,
    Column("id", String(36), primary_key=True),
    _org(),
    Column("name", Text, nullable=False, info=PUBLIC),
    Column("uscc", String(18), nullable=True, unique=True, info=PUBLIC),
    Column("imo_company_no", String(7), nullable=True, unique=True, info=PUBLIC),
    Column("kind", String(32), nullable=False, default="shipping", info=PUBLIC),
    Column("address", Text, nullable=True),
    Column("ism_performance", String(16), nullable=True),
    Column("status", String(16), nullable=False, default="active"),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

company_permits = Table(
    "registry_company_permits",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("company_id", String(36), ForeignKey("registry_companies.id"), nullable=False),
    _org(),
    Column("kind", String(64), nullable=False),
    Column("number", String(64), nullable=False),
    Column("scope", Text, nullable=True),
    Column("valid_from", Date, nullable=True),
    Column("valid_to", Date, nullable=True),
    Column("issuer", Text, nullable=True),
    Column("revoked_on", Date, nullable=True),
    Column("revoke_reason", Text, nullable=True),
    Index("ix_permit_company", "company_id"),
)

ships = Table(
    "registry_ships",
    metadata,
    Column("id", String(36), primary_key=True),
    _org(),
    Column("name", Text, nullable=False, info=PUBLIC),
    Column("imo", String(7), nullable=True, info=PUBLIC),
    Column("mmsi", Integer, nullable=True, info=PUBLIC),
    Column("callsign", String(16), nullable=True, info=PUBLIC),
    Column("cn_ship_id", String(16), nullable=True),
    Column("fishing_no", String(32), nullable=True, info=PUBLIC),
    Column("ship_type", String(32), nullable=False, default="other", info=PUBLIC),
    Column("length_m", Float, nullable=True),
    Column("beam_m", Float, nullable=True),
    Column("draught_m", Float, nullable=True),
    Column("gross_tonnage", Float, nullable=True, info=PUBLIC),
    Column("net_tonnage", Float, nullable=True),
    Column("deadweight_t", Float, nullable=True),
    Column("build_year", Integer, nullable=True, info=PUBLIC),
    Column("keel_laid", Date, nullable=True),
    Column("flag", String(2), nullable=True, info=PUBLIC),
    Column("class_society", String(64), nullable=True),
    Column("port_of_registry", String(64), nullable=True),
    Column("owner_id", String(36), ForeignKey("registry_companies.id"), nullable=True),
    Column("operator_id", String(36), ForeignKey("registry_companies.id"), nullable=True),
    Column("ism_company_id", String(36), ForeignKey("registry_companies.id"), nullable=True),
    Column("status", String(16), nullable=False, default="active"),
    Column("registered_on", Date, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
    Index("ix_ship_imo", "imo"),
    Index("ix_ship_mmsi", "mmsi"),
    Index("ix_ship_fishing_no", "fishing_no"),
)

ship_identities = Table(
    "registry_ship_identities",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ship_id", String(36), ForeignKey("registry_ships.id"), nullable=False),
    _org(),
    Column("kind", String(16), nullable=False),
    Column("value", String(128), nullable=False),
    Column("valid_from", Date, nullable=True),
    Column("valid_to", Date, nullable=True),
    Column("source", String(64), nullable=False),
    Index("ix_identity_value", "kind", "value"),
    Index("ix_identity_ship", "ship_id"),
)

ship_events = Table(
    "registry_ship_events",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ship_id", String(36), ForeignKey("registry_ships.id"), nullable=False),
    _org(),
    Column("kind", String(32), nullable=False, info=PUBLIC),
    Column("on_date", Date, nullable=False, info=PUBLIC),
    Column("ended_on", Date, nullable=True, info=PUBLIC),
    Column("port", String(64), nullable=True, info=PUBLIC),
    Column("regime", String(16), nullable=True, info=PUBLIC),
    Column("authority", Text, nullable=True, info=PUBLIC),
    Column("deficiencies", Integer, nullable=True, info=PUBLIC),
    Column("detained", Boolean, nullable=True, info=PUBLIC),
    Column("legal_basis", Text, nullable=True, info=PUBLIC),
    Column("penalty_amount", Float, nullable=True, info=PUBLIC),
    Column("public", Boolean, nullable=False, default=True),
    Column("detail", JSON, nullable=False),
    Column("source", String(64), nullable=False),
    Column("recorded_ms", BigInteger, nullable=False),
    Index("ix_event_ship", "ship_id", "on_date"),
    Index("ix_event_kind", "kind", "on_date"),
    Index("ix_event_port", "port"),
)

ship_certificates = Table(
    "registry_ship_certificates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ship_id", String(36), ForeignKey("registry_ships.id"), nullable=False),
    _org(),
    Column("kind", String(64), nullable=False),
    Column("number", String(64), nullable=False),
    Column("issued_on", Date, nullable=False),
    Column("expires_on", Date, nullable=True),
    Column("issuer", Text, nullable=True),
    Index("ix_ship_cert_ship", "ship_id"),
)

crews = Table(
    "registry_crews",
    metadata,
    Column("id", String(36), primary_key=True),
    _org(),
    Column("name", Text, nullable=False, info=PERSONAL),
    Column("id_type", String(16), nullable=False, default="cn_id"),
    Column("id_number", String(32), nullable=False, unique=True, info=PERSONAL),
    Column("nationality", String(2), nullable=True),
    Column("birth_date", Date, nullable=True, info=PERSONAL),
    Column("status", String(16), nullable=False, default="active"),
    Column("created_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

crew_certificates = Table(
    "registry_crew_certificates",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("crew_id", String(36), ForeignKey("registry_crews.id"), nullable=False),
    _org(),
    Column("number", String(64), nullable=False),
    Column("grade", String(64), nullable=False),
    Column("issued_on", Date, nullable=True),
    Column("expires_on", Date, nullable=True),
    Column("withheld_on", Date, nullable=True),
    Index("ix_crew_cert_crew", "crew_id"),
)

crew_training = Table(
    "registry_crew_training",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("crew_id", String(36), ForeignKey("registry_crews.id"), nullable=False),
    _org(),
    Column("course", Text, nullable=False),
    Column("provider", Text, nullable=True),
    Column("completed_on", Date, nullable=False),
    Column("certificate_no", String(64), nullable=True),
)

crew_service = Table(
    "registry_crew_service",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("crew_id", String(36), ForeignKey("registry_crews.id"), nullable=False),
    _org(),
    Column("ship_id", String(36), ForeignKey("registry_ships.id"), nullable=True),
    Column("rank", String(64), nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("signed_off", Date, nullable=True),
)

crew_exams = Table(
    "registry_crew_exams",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("crew_id", String(36), ForeignKey("registry_crews.id"), nullable=False),
    _org(),
    Column("subject", Text, nullable=False),
    Column("taken_on", Date, nullable=False),
    Column("passed", Boolean, nullable=False),
    Column("score", Float, nullable=True),
)

crew_penalties = Table(
    "registry_crew_penalties",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("crew_id", String(36), ForeignKey("registry_crews.id"), nullable=False),
    _org(),
    Column("on_date", Date, nullable=False, info=PUBLIC),
    Column("points", Integer, nullable=False, info=PUBLIC),
    Column("reason", Text, nullable=False, info=PUBLIC),
    Column("legal_basis", Text, nullable=True, info=PUBLIC),
    Column("source", String(64), nullable=False),
    Index("ix_crew_penalty", "crew_id", "on_date"),
)

fishing_licences = Table(
    "registry_fishing_licences",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ship_id", String(36), ForeignKey("registry_ships.id"), nullable=False),
    _org(),
    Column("number", String(64), nullable=False),
    Column("gear", String(32), nullable=False),
    Column("area", Text, nullable=False),
    Column("valid_from", Date, nullable=False),
    Column("valid_to", Date, nullable=False),
    Index("ix_licence_ship", "ship_id"),
)

fishing_quotas = Table(
    "registry_fishing_quotas",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("ship_id", String(36), ForeignKey("registry_ships.id"), nullable=False),
    Column("licence_id", Integer, ForeignKey("registry_fishing_licences.id"), nullable=True),
    _org(),
    Column("year", Integer, nullable=False),
    Column("species", Text, nullable=False),
    Column("quota_t", Float, nullable=False),
    Column("caught_t", Float, nullable=False, default=0.0),
    Index("ix_quota_ship", "ship_id", "year"),
)

imports = Table(
    "registry_imports",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("organisation", String(64), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("file", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("rows", Integer, nullable=False),
    Column("imported", Integer, nullable=False),
    Column("rejected", Integer, nullable=False),
    Column("errors", JSON, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("at_ms", BigInteger, nullable=False),
)

identity_links = Table(
    "registry_identity_links",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _org(),
    Column("key_kind", String(16), nullable=False),
    Column("key", String(64), nullable=False),
    Column("ship_id", String(36), ForeignKey("registry_ships.id"), nullable=False),
    Column("source", String(32), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("valid_from_ms", BigInteger, nullable=False),
    Column("valid_to_ms", BigInteger, nullable=True),
    Index("ix_link_key", "key_kind", "key"),
    Index("ix_link_ship", "ship_id"),
)

identity_decisions = Table(
    "registry_identity_decisions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    _org(),
    Column("at_ms", BigInteger, nullable=False),
    Column("key_kind", String(16), nullable=False),
    Column("key", String(64), nullable=False),
    Column("conflict", String(32), nullable=True),
    Column("action", String(16), nullable=False),
    Column("ship_id", String(36), nullable=True),
    Column("other_ship_id", String(36), nullable=True),
    Column("source", String(32), nullable=False),
    Column("priority", Integer, nullable=False),
    Column("observed", JSON, nullable=False),
    Column("state", String(16), nullable=False),
    Column("actor", String(128), nullable=False),
    Column("note", Text, nullable=True),
    Index("ix_decision_key", "key_kind", "key", "conflict"),
)
