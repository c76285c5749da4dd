"""Terminal-side base records: companies, terminals, berths, storage units, licences, staff.

Every function takes the acting :class:`~seawarden.security.actor.Actor` and an
:class:`~sqlalchemy.Engine`, validates its input before writing, limits reads to the actor's
organisations and audits each write in the same transaction. Child records inherit the
organisation of their parent.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, select

from seawarden.dangerous_goods import tables as t
from seawarden.dangerous_goods.classes import parse_class
from seawarden.dangerous_goods.dglist import lookup, normalise_un
from seawarden.dangerous_goods.errors import (
    InvalidInputError,
    InvalidQuantityError,
    NotFoundError,
)
from seawarden.dangerous_goods.hazard import _split_categories
from seawarden.dangerous_goods.permits import OperationMode
from seawarden.dangerous_goods.portrules import PortRules
from seawarden.dangerous_goods.store import (
    AUTHORITY_ROLES,
    TERMINAL_ROLES,
    change,
    create,
    get,
    rows,
)
from seawarden.db import schema
from seawarden.db.engine import now_ms as wall_ms
from seawarden.security.actor import Actor, Role

KINDS = ("yard", "warehouse", "tank_farm", "tank")
SITE_KINDS = ("berth", "storage_unit")


def _quantity(name: str, value: float | None, allow_none: bool = True) -> float | None:
    if value is None and allow_none:
        return None
    if (
        value is None
        or isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value < 0
    ):
        raise InvalidQuantityError(
            f"{name} must be a non-negative number, got {value!r}", field=name
        )
    return float(value)


def _polygon(geometry: dict[str, Any] | None) -> dict[str, Any] | None:
    if geometry is None:
        return None
    from shapely.geometry import shape

    try:
        g = shape(geometry)
    except Exception as exc:
        raise InvalidInputError(f"not a GeoJSON geometry: {exc}") from exc
    if g.geom_type not in ("Polygon", "MultiPolygon") or not g.is_valid or g.is_empty:
        raise InvalidInputError("a berth or unit outline must be a valid (Multi)Polygon")
    return geometry


def _class_or_division(text: str) -> str:
    """A whole class (``2``) or a division (``2.1``) of an annex."""
    c = str(text).strip()
    if c in {str(n) for n in range(1, 10)}:
        return c
    return parse_class(c)[0]


def create_company(
    engine: Engine,
    actor: Actor,
    organisation: str,
    name: str,
    credit_code: str | None = None,
    address: str | None = None,
) -> int:
    """Register a DG operating company under an organisation code."""
    actor.require(*TERMINAL_ROLES)
    if not name.strip():
        raise InvalidInputError("a company needs a name")
    with engine.begin() as conn:
        return create(
            conn,
            actor,
            t.companies,
            {
                "organisation": organisation,
                "name": name.strip(),
                "credit_code": credit_code,
                "address": address,
                "created_ms": wall_ms(),
            },
        )


def create_terminal(
    engine: Engine,
    actor: Actor,
    company_id: int,
    name: str,
    port: str | None = None,
    lat: float | None = None,
    lon: float | None = None,
) -> int:
    """Register a terminal of a company (degrees WGS-84 for its position)."""
    actor.require(*TERMINAL_ROLES)
    if (lat is not None and not -90 <= lat <= 90) or (lon is not None and not -180 <= lon <= 180):
        raise InvalidInputError("terminal position out of range")
    with engine.begin() as conn:
        company = get(conn, actor, t.companies, company_id, "company")
        return create(
            conn,
            actor,
            t.terminals,
            {
                "organisation": company["organisation"],
                "company_id": company_id,
                "name": name,
                "port": port,
                "lat": lat,
                "lon": lon,
                "created_ms": wall_ms(),
            },
        )


def create_berth(
    engine: Engine,
    actor: Actor,
    terminal_id: int,
    name: str,
    geometry: dict[str, Any] | None = None,
    dg_only: bool = False,
) -> int:
    """Register a berth with its GeoJSON outline; ``dg_only`` berths serve DG operations only."""
    actor.require(*TERMINAL_ROLES)
    geometry = _polygon(geometry)
    with engine.begin() as conn:
        term = get(conn, actor, t.terminals, terminal_id, "terminal")
        return create(
            conn,
            actor,
            t.berths,
            {
                "organisation": term["organisation"],
                "terminal_id": terminal_id,
                "name": name,
                "geometry": geometry,
                "dg_only": dg_only,
                "created_ms": wall_ms(),
            },
        )


@dataclass(frozen=True)
class TankDesign:
    """Design limits of a tank (°C, kPa gauge, metres, % LEL, ppm)."""

    design_volume_m3: float | None = None
    temperature_min_c: float | None = None
    temperature_max_c: float | None = None
    pressure_min_kpa: float | None = None
    pressure_max_kpa: float | None = None
    level_max_m: float | None = None
    height_m: float | None = None
    gas_warn_pct_lel: float = 20.0
    gas_alarm_pct_lel: float = 50.0
    toxic_warn_ppm: float | None = None
    toxic_alarm_ppm: float | None = None


@dataclass(frozen=True)
class SubstanceSpec:
    """A permitted substance of a unit with its designed maximum quantity (tonnes)."""

    substance: str
    max_quantity_t: float
    un_number: str | None = None
    categories: tuple[str, ...] = field(default_factory=tuple)


def _substance_values(s: SubstanceSpec) -> dict[str, Any]:
    un = normalise_un(s.un_number) if s.un_number else None
    if un:
        lookup(un)
    return {
        "un_number": un,
        "substance": s.substance,
        "categories": list(_split_categories(s.categories)),
        "max_quantity_t": _quantity("max_quantity_t", s.max_quantity_t, allow_none=False),
    }


def create_storage_unit(
    engine: Engine,
    actor: Actor,
    terminal_id: int,
    kind: str,
    name: str,
    capacity_t: float | None = None,
    people_within_500m: int = 0,
    parent_id: int | None = None,
    geometry: dict[str, Any] | None = None,
    tank: TankDesign | None = None,
    substances: list[SubstanceSpec] | None = None,
) -> int:
    """Register a yard, warehouse, tank farm (one bund) or tank (inside a tank farm)."""
    actor.require(*TERMINAL_ROLES)
    if kind not in KINDS:
        raise InvalidInputError(f"storage unit kind must be one of {', '.join(KINDS)}", kind=kind)
    cap = _quantity("capacity_t", capacity_t)
    if (
        isinstance(people_within_500m, bool)
        or not isinstance(people_within_500m, int)
        or people_within_500m < 0
    ):
        raise InvalidInputError("people_within_500m must be a non-negative integer")
    if (kind == "tank") != (parent_id is not None):
        raise InvalidInputError(
            "a tank belongs to a tank farm (parent_id); other units have no parent"
        )
    if kind == "tank" and tank is None:
        tank = TankDesign()
    if tank is not None:
        if kind != "tank":
            raise InvalidInputError("only a tank has tank design limits")
        for fname in ("design_volume_m3", "level_max_m", "height_m"):
            _quantity(fname, getattr(tank, fname))
    subs = [_substance_values(s) for s in substances or []]
    geometry = _polygon(geometry)
    with engine.begin() as conn:
        term = get(conn, actor, t.terminals, terminal_id, "terminal")
        if parent_id is not None:
            parent = get(conn, actor, t.storage_units, parent_id, "storage unit")
            if parent["kind"] != "tank_farm" or parent["terminal_id"] != terminal_id:
                raise InvalidInputError("a tank's parent must be a tank farm of the same terminal")
        org = term["organisation"]
        uid = create(
            conn,
            actor,
            t.storage_units,
            {
                "organisation": org,
                "terminal_id": terminal_id,
                "parent_id": parent_id,
                "kind": kind,
                "name": name,
                "capacity_t": cap,
                "people_within_500m": people_within_500m,
                "geometry": geometry,
                "created_ms": wall_ms(),
            },
        )
        if tank is not None:
            create(
                conn, actor, t.tanks, {"storage_unit_id": uid, "organisation": org, **tank.__dict__}
            )
        for s in subs:
            create(
                conn, actor, t.unit_substances, {"organisation": org, "storage_unit_id": uid, **s}
            )
        return uid


def add_yard_block(
    engine: Engine,
    actor: Actor,
    storage_unit_id: int,
    name: str,
    bays: int,
    rows_: int,
    tiers: int,
    x0: float = 0.0,
    y0: float = 0.0,
    bay_pitch_m: float = 6.5,
    row_pitch_m: float = 2.8,
) -> int:
    """Add a block (bays × rows × tiers, origin and pitches in metres) to a container yard."""
    actor.require(*TERMINAL_ROLES)
    if min(bays, rows_, tiers) < 1 or bay_pitch_m <= 0 or row_pitch_m <= 0:
        raise InvalidInputError("a block needs positive bays, rows, tiers and pitches")
    with engine.begin() as conn:
        unit = get(conn, actor, t.storage_units, storage_unit_id, "storage unit")
        if unit["kind"] != "yard":
            raise InvalidInputError("blocks belong to a container yard")
        return create(
            conn,
            actor,
            t.yard_blocks,
            {
                "organisation": unit["organisation"],
                "storage_unit_id": storage_unit_id,
                "name": name,
                "bays": bays,
                "rows": rows_,
                "tiers": tiers,
                "x0": x0,
                "y0": y0,
                "bay_pitch_m": bay_pitch_m,
                "row_pitch_m": row_pitch_m,
            },
        )


def create_licence(
    engine: Engine,
    actor: Actor,
    company_id: int,
    number: str,
    valid_from_ms: int,
    valid_to_ms: int,
    issued_by: str | None = None,
) -> int:
    """Record a port operating licence (港口经营许可证) issued to a company."""
    actor.require(*AUTHORITY_ROLES, Role.system_admin)
    if valid_to_ms < valid_from_ms:
        raise InvalidInputError("a licence ends after it starts")
    with engine.begin() as conn:
        company = get(conn, actor, t.companies, company_id, "company")
        return create(
            conn,
            actor,
            t.licences,
            {
                "organisation": company["organisation"],
                "company_id": company_id,
                "number": number,
                "valid_from_ms": valid_from_ms,
                "valid_to_ms": valid_to_ms,
                "status": "active",
                "issued_by": issued_by,
            },
        )


def add_annex(
    engine: Engine,
    actor: Actor,
    licence_id: int,
    modes: list[str],
    valid_from_ms: int,
    valid_to_ms: int,
    un_numbers: list[str] | None = None,
    classes: list[str] | None = None,
    site_kind: str | None = None,
    site_id: int | None = None,
    max_quantity_t: float | None = None,
) -> int:
    """Add an annex (作业附证): goods (UN numbers or classes), modes, site, validity, maximum."""
    actor.require(*AUTHORITY_ROLES, Role.system_admin)
    uns = [normalise_un(u) for u in un_numbers or []]
    for u in uns:
        lookup(u)
    cls = [_class_or_division(c) for c in classes or []]
    if not uns and not cls:
        raise InvalidInputError("an annex names UN numbers or classes")
    bad = [m for m in modes if m not in OperationMode.__members__]
    if bad or not modes:
        raise InvalidInputError(
            f"operation modes must be among {', '.join(OperationMode)}", modes=modes
        )
    if (site_kind is None) != (site_id is None) or (
        site_kind is not None and site_kind not in SITE_KINDS
    ):
        raise InvalidInputError("a site is a berth or storage_unit with its id")
    if valid_to_ms < valid_from_ms:
        raise InvalidInputError("an annex ends after it starts")
    mq = _quantity("max_quantity_t", max_quantity_t)
    with engine.begin() as conn:
        lic = get(conn, actor, t.licences, licence_id, "licence")
        if site_kind is not None:
            table = t.berths if site_kind == "berth" else t.storage_units
            site = get(conn, actor, table, site_id, site_kind)
            if site["organisation"] != lic["organisation"]:
                raise InvalidInputError("the annex site belongs to another organisation")
        return create(
            conn,
            actor,
            t.licence_annexes,
            {
                "organisation": lic["organisation"],
                "licence_id": licence_id,
                "site_kind": site_kind,
                "site_id": site_id,
                "un_numbers": uns,
                "classes": cls,
                "modes": list(modes),
                "max_quantity_t": mq,
                "valid_from_ms": valid_from_ms,
                "valid_to_ms": valid_to_ms,
            },
        )


def set_licence_status(engine: Engine, actor: Actor, licence_id: int, status: str) -> None:
    """Suspend, revoke or reactivate a licence."""
    actor.require(*AUTHORITY_ROLES)
    if status not in ("active", "suspended", "revoked"):
        raise InvalidInputError("licence status is active, suspended or revoked")
    with engine.begin() as conn:
        lic = get(conn, actor, t.licences, licence_id, "licence")
        change(conn, actor, t.licences, lic, {"status": status}, "licence_status")


def create_person(
    engine: Engine,
    actor: Actor,
    company_id: int,
    name: str,
    id_number: str | None = None,
    role: str | None = None,
) -> int:
    """Register a member of a company's staff."""
    actor.require(*TERMINAL_ROLES)
    with engine.begin() as conn:
        company = get(conn, actor, t.companies, company_id, "company")
        return create(
            conn,
            actor,
            t.personnel,
            {
                "organisation": company["organisation"],
                "company_id": company_id,
                "name": name,
                "id_number": id_number,
                "role": role,
            },
        )


def add_qualification(
    engine: Engine,
    actor: Actor,
    personnel_id: int,
    kind: str,
    valid_from_ms: int,
    valid_to_ms: int,
    number: str | None = None,
) -> int:
    """Record a qualification certificate of a person."""
    actor.require(*TERMINAL_ROLES)
    if valid_to_ms < valid_from_ms:
        raise InvalidInputError("a qualification ends after it starts")
    with engine.begin() as conn:
        person = get(conn, actor, t.personnel, personnel_id, "person")
        return create(
            conn,
            actor,
            t.qualifications,
            {
                "organisation": person["organisation"],
                "personnel_id": personnel_id,
                "kind": kind,
                "number": number,
                "valid_from_ms": valid_from_ms,
                "valid_to_ms": valid_to_ms,
            },
        )


def list_personnel(
    engine: Engine, actor: Actor, company_id: int | None = None
) -> list[dict[str, Any]]:
    """Staff with their qualifications; ID numbers masked unless the actor may see them."""
    with engine.connect() as conn:
        where = [t.personnel.c.company_id == company_id] if company_id is not None else []
        people = rows(conn, actor, t.personnel, *where)
        quals = rows(conn, actor, t.qualifications)
    reveal = actor.has(Role.supervisor, Role.system_admin)
    for p in people:
        if p["id_number"] and not reveal:
            p["id_number"] = (
                p["id_number"][:3] + "*" * max(len(p["id_number"]) - 7, 0) + p["id_number"][-4:]
            )
        p["qualifications"] = [q for q in quals if q["personnel_id"] == p["id"]]
    return people


def storage_unit(engine: Engine, actor: Actor, unit_id: int) -> dict[str, Any]:
    """A storage unit with its tank design, permitted substances and yard blocks."""
    with engine.connect() as conn:
        unit = get(conn, actor, t.storage_units, unit_id, "storage unit")
        unit["tank"] = next(
            iter(rows(conn, actor, t.tanks, t.tanks.c.storage_unit_id == unit_id)), None
        )
        unit["substances"] = rows(
            conn, actor, t.unit_substances, t.unit_substances.c.storage_unit_id == unit_id
        )
        unit["blocks"] = rows(
            conn, actor, t.yard_blocks, t.yard_blocks.c.storage_unit_id == unit_id
        )
        unit["children"] = [
            r["id"]
            for r in rows(conn, actor, t.storage_units, t.storage_units.c.parent_id == unit_id)
        ]
    return unit


def list_storage_units(
    engine: Engine, actor: Actor, terminal_id: int | None = None
) -> list[dict[str, Any]]:
    """Visible storage units (of one terminal when given)."""
    with engine.connect() as conn:
        where = [t.storage_units.c.terminal_id == terminal_id] if terminal_id is not None else []
        return rows(conn, actor, t.storage_units, *where)


def list_berths(
    engine: Engine, actor: Actor, terminal_id: int | None = None
) -> list[dict[str, Any]]:
    """Visible berths (of one terminal when given)."""
    with engine.connect() as conn:
        where = [t.berths.c.terminal_id == terminal_id] if terminal_id is not None else []
        return rows(conn, actor, t.berths, *where)


def list_companies(engine: Engine, actor: Actor) -> list[dict[str, Any]]:
    """Visible companies."""
    with engine.connect() as conn:
        return rows(conn, actor, t.companies)


def list_terminals(
    engine: Engine, actor: Actor, company_id: int | None = None
) -> list[dict[str, Any]]:
    """Visible terminals (of one company when given)."""
    with engine.connect() as conn:
        where = [t.terminals.c.company_id == company_id] if company_id is not None else []
        return rows(conn, actor, t.terminals, *where)


def list_licences(
    engine: Engine, actor: Actor, company_id: int | None = None
) -> list[dict[str, Any]]:
    """Visible licences with their annexes (of one company when given)."""
    with engine.connect() as conn:
        where = [t.licences.c.company_id == company_id] if company_id is not None else []
        licences = rows(conn, actor, t.licences, *where)
        annexes = rows(conn, actor, t.licence_annexes)
    for lic in licences:
        lic["annexes"] = [a for a in annexes if a["licence_id"] == lic["id"]]
    return licences


def port_rules_in_force(engine: Engine, organisation: str | None) -> PortRules:
    """The port rules in force for an organisation (see :func:`port_rules_for`)."""
    with engine.connect() as conn:
        return port_rules_for(conn, organisation)


def port_rules_for(conn: Connection, organisation: str | None) -> PortRules:
    """The rules in force for an organisation: its own, its nearest ancestor's, or the defaults."""
    seen: set[str] = set()
    org = organisation
    while org and org not in seen:
        seen.add(org)
        row = conn.execute(
            select(t.port_rules.c.rules).where(t.port_rules.c.organisation == org)
        ).first()
        if row is not None:
            return PortRules.default().merged(row[0])
        parent = conn.execute(
            select(schema.organisations.c.parent).where(schema.organisations.c.code == org)
        ).first()
        org = parent[0] if parent else None
    return PortRules.default()


def set_port_rules(
    engine: Engine, actor: Actor, organisation: str, overrides: dict[str, Any]
) -> PortRules:
    """Set an organisation's port rules (validated; unspecified fields keep their defaults)."""
    actor.require(*AUTHORITY_ROLES, Role.system_admin)
    actor.check_scope(organisation)
    try:
        rules = PortRules.default().merged(overrides)
    except ValueError as exc:
        raise InvalidInputError(f"invalid port rules: {exc}") from exc
    with engine.begin() as conn:
        existing = (
            conn.execute(select(t.port_rules).where(t.port_rules.c.organisation == organisation))
            .mappings()
            .first()
        )
        stored = rules.model_dump(mode="json", include=set(overrides))
        values = {"rules": stored, "updated_ms": wall_ms()}
        if existing is None:
            create(
                conn, actor, t.port_rules, {"organisation": organisation, **values}, "port_rules"
            )
        else:
            change(conn, actor, t.port_rules, dict(existing), values, "port_rules")
    return rules


def port_rules_view(engine: Engine, actor: Actor, organisation: str) -> dict[str, Any]:
    """The rules in force for a visible organisation, where they come from and what each means.

    ``overrides`` are the organisation's own values (``None``: it has none), ``inherited_from``
    the organisation whose values apply (``None``: the shipped defaults).
    """
    if not actor.can_see(organisation):
        raise NotFoundError(f"no organisation {organisation}", entity="organisations")
    with engine.connect() as conn:
        known = conn.execute(
            select(schema.organisations.c.code).where(schema.organisations.c.code == organisation)
        ).first()
        if known is None:
            raise NotFoundError(f"no organisation {organisation}", entity="organisations")
        own = (
            conn.execute(select(t.port_rules).where(t.port_rules.c.organisation == organisation))
            .mappings()
            .first()
        )
        source: str | None = None
        seen: set[str] = set()
        org: str | None = organisation
        while org and org not in seen:
            seen.add(org)
            if conn.execute(
                select(t.port_rules.c.organisation).where(t.port_rules.c.organisation == org)
            ).first():
                source = org
                break
            parent = conn.execute(
                select(schema.organisations.c.parent).where(schema.organisations.c.code == org)
            ).first()
            org = parent[0] if parent else None
        rules = port_rules_for(conn, organisation)
    defaults = PortRules.default().model_dump(mode="json")
    return {
        "organisation": organisation,
        "rules": rules.model_dump(mode="json"),
        "overrides": dict(own["rules"]) if own is not None else None,
        "updated_ms": own["updated_ms"] if own is not None else None,
        "inherited_from": source,
        "fields": {
            name: {"description": f.description, "default": defaults[name]}
            for name, f in PortRules.model_fields.items()
        },
    }
