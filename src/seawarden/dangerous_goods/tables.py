"""Dangerous-goods tables of the operational database (terminal side and authority side).

Every row carries ``organisation`` (an organisation code); services limit reads to the
actor's visible organisations and audit every write. Times are UTC epoch milliseconds,
quantities tonnes, temperatures °C, pressures kPa gauge, levels metres.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from seawarden.db.schema import metadata


def _id() -> Column[int]:
    return Column("id", Integer, primary_key=True, autoincrement=True)


def _org() -> Column[str]:
    return Column("organisation", String(64), nullable=False, index=True)


companies = Table(
    "dg_companies",
    metadata,
    _id(),
    _org(),
    Column("name", Text, nullable=False),
    Column("credit_code", String(32), nullable=True),
    Column("address", Text, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
)

terminals = Table(
    "dg_terminals",
    metadata,
    _id(),
    _org(),
    Column("company_id", Integer, ForeignKey("dg_companies.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("port", String(16), nullable=True),
    Column("lat", Float, nullable=True),
    Column("lon", Float, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
)

berths = Table(
    "dg_berths",
    metadata,
    _id(),
    _org(),
    Column("terminal_id", Integer, ForeignKey("dg_terminals.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("geometry", JSON, nullable=True),
    Column("dg_only", Boolean, nullable=False, default=False),
    Column("created_ms", BigInteger, nullable=False),
)

storage_units = Table(
    "dg_storage_units",
    metadata,
    _id(),
    _org(),
    Column("terminal_id", Integer, ForeignKey("dg_terminals.id"), nullable=False),
    Column("parent_id", Integer, ForeignKey("dg_storage_units.id"), nullable=True),
    Column("kind", String(16), nullable=False),
    Column("name", Text, nullable=False),
    Column("capacity_t", Float, nullable=True),
    Column("people_within_500m", Integer, nullable=False, default=0),
    Column("geometry", JSON, nullable=True),
    Column("created_ms", BigInteger, nullable=False),
)

yard_blocks = Table(
    "dg_yard_blocks",
    metadata,
    _id(),
    _org(),
    Column("storage_unit_id", Integer, ForeignKey("dg_storage_units.id"), nullable=False),
    Column("name", String(32), nullable=False),
    Column("bays", Integer, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("tiers", Integer, nullable=False),
    Column("x0", Float, nullable=False, default=0.0),
    Column("y0", Float, nullable=False, default=0.0),
    Column("bay_pitch_m", Float, nullable=False, default=6.5),
    Column("row_pitch_m", Float, nullable=False, default=2.8),
)

yard_containers = Table(
    "dg_yard_containers",
    metadata,
    _id(),
    _org(),
    Column("storage_unit_id", Integer, ForeignKey("dg_storage_units.id"), nullable=False),
    Column("container_no", String(16), nullable=False),
    Column("block", String(32), nullable=False),
    Column("bay", Integer, nullable=False),
    Column("row", Integer, nullable=False),
    Column("tier", Integer, nullable=False),
    Column("items", JSON, nullable=False),
    Column("open", Boolean, nullable=False, default=False),
    Column("in_ms", BigInteger, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
    UniqueConstraint("storage_unit_id", "container_no", name="uq_dg_yard_container"),
)

tanks = Table(
    "dg_tanks",
    metadata,
    Column("storage_unit_id", Integer, ForeignKey("dg_storage_units.id"), primary_key=True),
    _org(),
    Column("design_volume_m3", Float, nullable=True),
    Column("temperature_min_c", Float, nullable=True),
    Column("temperature_max_c", Float, nullable=True),
    Column("pressure_min_kpa", Float, nullable=True),
    Column("pressure_max_kpa", Float, nullable=True),
    Column("level_max_m", Float, nullable=True),
    Column("height_m", Float, nullable=True),
    Column("gas_warn_pct_lel", Float, nullable=False, default=20.0),
    Column("gas_alarm_pct_lel", Float, nullable=False, default=50.0),
    Column("toxic_warn_ppm", Float, nullable=True),
    Column("toxic_alarm_ppm", Float, nullable=True),
)

unit_substances = Table(
    "dg_unit_substances",
    metadata,
    _id(),
    _org(),
    Column("storage_unit_id", Integer, ForeignKey("dg_storage_units.id"), nullable=False),
    Column("un_number", String(4), nullable=True),
    Column("substance", Text, nullable=False),
    Column("categories", JSON, nullable=False),
    Column("max_quantity_t", Float, nullable=False),
)

licences = Table(
    "dg_licences",
    metadata,
    _id(),
    _org(),
    Column("company_id", Integer, ForeignKey("dg_companies.id"), nullable=False),
    Column("number", String(64), nullable=False),
    Column("valid_from_ms", BigInteger, nullable=False),
    Column("valid_to_ms", BigInteger, nullable=False),
    Column("status", String(16), nullable=False, default="active"),
    Column("issued_by", Text, nullable=True),
)

licence_annexes = Table(
    "dg_licence_annexes",
    metadata,
    _id(),
    _org(),
    Column("licence_id", Integer, ForeignKey("dg_licences.id"), nullable=False),
    Column("site_kind", String(16), nullable=True),
    Column("site_id", Integer, nullable=True),
    Column("un_numbers", JSON, nullable=False),
    Column("classes", JSON, nullable=False),
    Column("modes", JSON, nullable=False),
    Column("max_quantity_t", Float, nullable=True),
    Column("valid_from_ms", BigInteger, nullable=False),
    Column("valid_to_ms", BigInteger, nullable=False),
)

personnel = Table(
    "dg_personnel",
    metadata,
    _id(),
    _org(),
    Column("company_id", Integer, ForeignKey("dg_companies.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("id_number", String(32), nullable=True),
    Column("role", String(64), nullable=True),
)

qualifications = Table(
    "dg_qualifications",
    metadata,
    _id(),
    _org(),
    Column("personnel_id", Integer, ForeignKey("dg_personnel.id"), nullable=False),
    Column("kind", String(64), nullable=False),
    Column("number", String(64), nullable=True),
    Column("valid_from_ms", BigInteger, nullable=False),
    Column("valid_to_ms", BigInteger, nullable=False),
)

cargo_records = Table(
    "dg_cargo_records",
    metadata,
    _id(),
    _org(),
    Column("storage_unit_id", Integer, ForeignKey("dg_storage_units.id"), nullable=False),
    Column("direction", String(4), nullable=False),
    Column("un_number", String(4), nullable=False),
    Column("quantity_t", Float, nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("container_no", String(16), nullable=True),
    Column("slot", JSON, nullable=True),
    Column("declaration_id", Integer, ForeignKey("dg_declarations.id"), nullable=True),
    Column("recorded_by", String(128), nullable=False),
    Column("created_ms", BigInteger, nullable=False),
    Index("ix_dg_cargo_unit_time", "storage_unit_id", "at_ms"),
)

declarations = Table(
    "dg_declarations",
    metadata,
    _id(),
    _org(),
    Column("terminal_id", Integer, ForeignKey("dg_terminals.id"), nullable=False),
    Column("berth_id", Integer, ForeignKey("dg_berths.id"), nullable=True),
    Column("storage_unit_id", Integer, ForeignKey("dg_storage_units.id"), nullable=True),
    Column("ship_name", Text, nullable=True),
    Column("mmsi", BigInteger, nullable=True),
    Column("imo", BigInteger, nullable=True),
    Column("voyage", String(32), nullable=True),
    Column("client", Text, nullable=True),
    Column("mode", String(16), nullable=False),
    Column("start_ms", BigInteger, nullable=False),
    Column("end_ms", BigInteger, nullable=False),
    Column("personnel", JSON, nullable=False),
    Column("status", String(16), nullable=False),
    Column("comparison", String(8), nullable=False),
    Column("findings", JSON, nullable=False),
    Column("submitted_by", String(128), nullable=False),
    Column("submitted_ms", BigInteger, nullable=False),
    Column("decision_deadline_ms", BigInteger, nullable=False),
    Column("decided_by", String(128), nullable=True),
    Column("decided_ms", BigInteger, nullable=True),
    Column("decision_comment", Text, nullable=True),
    Column("late_decision", Boolean, nullable=False, default=False),
    Column("ledger_receipt", JSON, nullable=True),
    Index("ix_dg_decl_status", "status"),
    Index("ix_dg_decl_berth", "berth_id", "start_ms"),
)

declaration_lines = Table(
    "dg_declaration_lines",
    metadata,
    _id(),
    _org(),
    Column("declaration_id", Integer, ForeignKey("dg_declarations.id"), nullable=False),
    Column("un_number", String(4), nullable=False),
    Column("hazard_class", String(8), nullable=False),
    Column("packing_group", String(4), nullable=True),
    Column("name", Text, nullable=True),
    Column("quantity_t", Float, nullable=False),
    Column("packaging", Text, nullable=True),
)

hidden_dangers = Table(
    "dg_hidden_dangers",
    metadata,
    _id(),
    _org(),
    Column("terminal_id", Integer, ForeignKey("dg_terminals.id"), nullable=False),
    Column("storage_unit_id", Integer, ForeignKey("dg_storage_units.id"), nullable=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("category_no", Integer, nullable=False),
    Column("criterion_id", String(8), nullable=True),
    Column("level", String(8), nullable=False),
    Column("state", String(16), nullable=False),
    Column("source", String(16), nullable=False),
    Column("source_ref", String(64), nullable=True),
    Column("reported_by", String(128), nullable=False),
    Column("reported_ms", BigInteger, nullable=False),
    Column("assignee", String(128), nullable=True),
    Column("deadline_ms", BigInteger, nullable=True),
    Column("rectification", Text, nullable=True),
    Column("rectified_ms", BigInteger, nullable=True),
    Column("verified_by", String(128), nullable=True),
    Column("verified_ms", BigInteger, nullable=True),
    Column("closed_ms", BigInteger, nullable=True),
    Column("escalation_level", Integer, nullable=False, default=0),
    Index("ix_dg_hd_state", "state"),
)

hidden_danger_events = Table(
    "dg_hidden_danger_events",
    metadata,
    _id(),
    _org(),
    Column("hidden_danger_id", Integer, ForeignKey("dg_hidden_dangers.id"), nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("from_state", String(16), nullable=True),
    Column("to_state", String(16), nullable=True),
    Column("comment", Text, nullable=True),
)

photos = Table(
    "dg_photos",
    metadata,
    _id(),
    _org(),
    Column("hidden_danger_id", Integer, ForeignKey("dg_hidden_dangers.id"), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("path", Text, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("mime", String(32), nullable=False),
    Column("size", Integer, nullable=False),
    Column("uploaded_ms", BigInteger, nullable=False),
)

hazard_sources = Table(
    "dg_hazard_sources",
    metadata,
    _id(),
    _org(),
    Column("storage_unit_id", Integer, ForeignKey("dg_storage_units.id"), nullable=False),
    Column("state", String(16), nullable=False),
    Column("S", Float, nullable=False),
    Column("R", Float, nullable=True),
    Column("grade", Integer, nullable=True),
    Column("people_within_500m", Integer, nullable=False),
    Column("working", JSON, nullable=False),
    Column("registered_ms", BigInteger, nullable=False),
    Column("filed_ms", BigInteger, nullable=True),
    Column("filing_no", String(64), nullable=True),
    Column("last_evaluated_ms", BigInteger, nullable=False),
    Column("next_evaluation_ms", BigInteger, nullable=False),
    Column("deregistered_ms", BigInteger, nullable=True),
    Column("deregister_reason", Text, nullable=True),
)

hazard_source_events = Table(
    "dg_hazard_source_events",
    metadata,
    _id(),
    _org(),
    Column("hazard_source_id", Integer, ForeignKey("dg_hazard_sources.id"), nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("actor", String(128), nullable=False),
    Column("action", String(32), nullable=False),
    Column("detail", JSON, nullable=False),
)

sensor_readings = Table(
    "dg_sensor_readings",
    metadata,
    _id(),
    _org(),
    Column("storage_unit_id", Integer, ForeignKey("dg_storage_units.id"), nullable=False),
    Column("quantity", String(16), nullable=False),
    Column("value", Float, nullable=False),
    Column("at_ms", BigInteger, nullable=False),
    Column("received_ms", BigInteger, nullable=False),
    Index("ix_dg_readings_unit", "storage_unit_id", "quantity", "at_ms"),
)

alarms = Table(
    "dg_alarms",
    metadata,
    _id(),
    _org(),
    Column("kind", String(32), nullable=False),
    Column("storage_unit_id", Integer, ForeignKey("dg_storage_units.id"), nullable=True),
    Column("berth_id", Integer, ForeignKey("dg_berths.id"), nullable=True),
    Column("declaration_id", Integer, ForeignKey("dg_declarations.id"), nullable=True),
    Column("key", String(128), nullable=False),
    Column("quantity", String(16), nullable=True),
    Column("value", Float, nullable=True),
    Column("limit_value", Float, nullable=True),
    Column("severity", String(16), nullable=False),
    Column("message", Text, nullable=False),
    Column("state", String(16), nullable=False),
    Column("opened_ms", BigInteger, nullable=False),
    Column("cleared_ms", BigInteger, nullable=True),
    Column("hidden_danger_id", Integer, ForeignKey("dg_hidden_dangers.id"), nullable=True),
    Column("details", JSON, nullable=False),
    Index("ix_dg_alarms_key", "key", "state"),
)

port_rules = Table(
    "dg_port_rules",
    metadata,
    Column("organisation", String(64), primary_key=True),
    Column("rules", JSON, nullable=False),
    Column("updated_ms", BigInteger, nullable=False),
)

enforcement = Table(
    "dg_enforcement",
    metadata,
    _id(),
    _org(),
    Column("terminal_id", Integer, ForeignKey("dg_terminals.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("description", Text, nullable=False),
    Column("result", Text, nullable=True),
    Column("officer", String(128), nullable=False),
    Column("at_ms", BigInteger, nullable=False),
)
