"""A small province with two enterprises, facilities, licences and staff for the service tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, insert

from seawarden.dangerous_goods import facilities as f
from seawarden.db import schema
from seawarden.security.actor import Actor, Role

DAY = 86_400_000
HOUR = 3_600_000
T0 = 1_767_225_600_000  # 2026-01-01T00:00:00Z

ORGS = [
    ("ZJ", "Province", None, "province"),
    ("ZJ-NB", "Ningbo", "ZJ", "city"),
    ("ZJ-NB-BL", "Beilun", "ZJ-NB", "county"),
    ("ENT-A", "Terminal company A", "ZJ-NB-BL", "enterprise"),
    ("ZJ-ZS", "Zhoushan", "ZJ", "city"),
    ("ENT-B", "Terminal company B", "ZJ-ZS", "enterprise"),
]

ADMIN = Actor("admin", frozenset({Role.system_admin, Role.supervisor}), None, None)
SUPERVISOR = Actor(
    "officer",
    frozenset({Role.supervisor}),
    "ZJ",
    frozenset({"ZJ", "ZJ-NB", "ZJ-NB-BL", "ENT-A", "ZJ-ZS", "ENT-B"}),
)
CITY_NB = Actor(
    "nb-officer", frozenset({Role.supervisor}), "ZJ-NB", frozenset({"ZJ-NB", "ZJ-NB-BL", "ENT-A"})
)
ENT_A = Actor("clerk-a", frozenset({Role.enterprise}), "ENT-A", frozenset({"ENT-A"}))
ENT_B = Actor("clerk-b", frozenset({Role.enterprise}), "ENT-B", frozenset({"ENT-B"}))

BERTH_POLY = {
    "type": "Polygon",
    "coordinates": [
        [[121.80, 29.90], [121.81, 29.90], [121.81, 29.905], [121.80, 29.905], [121.80, 29.90]]
    ],
}


@dataclass
class World:
    """Ids of the test facilities."""

    company: int
    terminal: int
    berth: int
    yard: int
    warehouse: int
    farm: int
    tank: int
    tank2: int
    licence: int
    person_ok: int
    person_expired: int
    company_b: int
    terminal_b: int
    berth_b: int


def organisations(engine: Engine) -> None:
    with engine.begin() as conn:
        for code, name, parent, level in ORGS:
            conn.execute(
                insert(schema.organisations).values(
                    code=code, name=name, parent=parent, level=level
                )
            )


def build(engine: Engine) -> World:
    organisations(engine)
    company = f.create_company(engine, ENT_A, "ENT-A", "Company A")
    terminal = f.create_terminal(engine, ENT_A, company, "Terminal A", "CNNGB", 29.9, 121.8)
    berth = f.create_berth(engine, ENT_A, terminal, "Berth A1", BERTH_POLY, dg_only=True)
    yard = f.create_storage_unit(
        engine, ENT_A, terminal, "yard", "DG yard", capacity_t=2000, people_within_500m=35
    )
    f.add_yard_block(engine, ENT_A, yard, "A", 20, 6, 3)
    warehouse = f.create_storage_unit(
        engine, ENT_A, terminal, "warehouse", "Shed 1", capacity_t=500
    )
    farm = f.create_storage_unit(
        engine,
        ENT_A,
        terminal,
        "tank_farm",
        "Bund 1",
        capacity_t=30000,
        people_within_500m=60,
    )
    tank = f.create_storage_unit(
        engine,
        ENT_A,
        terminal,
        "tank",
        "T-101",
        capacity_t=8000,
        parent_id=farm,
        tank=f.TankDesign(5000, -10, 40, -0.5, 6, 18, 20),
        substances=[f.SubstanceSpec("methanol", 8000, "1230")],
    )
    tank2 = f.create_storage_unit(
        engine,
        ENT_A,
        terminal,
        "tank",
        "T-102",
        capacity_t=100,
        parent_id=farm,
        tank=f.TankDesign(150, -10, 40, -0.5, 6, 10, 12),
        substances=[f.SubstanceSpec("toluene", 100, "1294")],
    )
    licence = f.create_licence(
        engine, SUPERVISOR, company, "ZJ-NB-001", T0 - 365 * DAY, T0 + 365 * DAY
    )
    f.add_annex(
        engine,
        SUPERVISOR,
        licence,
        ["discharging", "loading"],
        T0 - 365 * DAY,
        T0 + 365 * DAY,
        un_numbers=["1230", "1294", "1263"],
        site_kind="berth",
        site_id=berth,
    )
    f.add_annex(
        engine,
        SUPERVISOR,
        licence,
        ["storage"],
        T0 - 365 * DAY,
        T0 + 365 * DAY,
        classes=["3", "8"],
        site_kind="storage_unit",
        site_id=yard,
    )
    f.add_annex(
        engine,
        SUPERVISOR,
        licence,
        ["discharging", "storage"],
        T0 - 365 * DAY,
        T0 + 365 * DAY,
        un_numbers=["1230"],
        site_kind="storage_unit",
        site_id=tank,
    )
    person_ok = f.create_person(engine, ENT_A, company, "Li Wei", "330206198001011234", "loader")
    f.add_qualification(
        engine, ENT_A, person_ok, "DG handling", T0 - 100 * DAY, T0 + 700 * DAY, "Q-1"
    )
    person_expired = f.create_person(engine, ENT_A, company, "Wang Fang", None, "loader")
    f.add_qualification(
        engine, ENT_A, person_expired, "DG handling", T0 - 800 * DAY, T0 - DAY, "Q-2"
    )
    company_b = f.create_company(engine, ENT_B, "ENT-B", "Company B")
    terminal_b = f.create_terminal(engine, ENT_B, company_b, "Terminal B")
    berth_b = f.create_berth(engine, ENT_B, terminal_b, "Berth B1")
    return World(
        company,
        terminal,
        berth,
        yard,
        warehouse,
        farm,
        tank,
        tank2,
        licence,
        person_ok,
        person_expired,
        company_b,
        terminal_b,
        berth_b,
    )


def declaration(world: World, **over: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "terminal_id": world.terminal,
        "berth_id": world.berth,
        "mode": "discharging",
        "ship_name": "SEA STAR",
        "mmsi": 413000001,
        "start_ms": T0 + 2 * DAY,
        "end_ms": T0 + 2 * DAY + 12 * HOUR,
        "personnel": [world.person_ok],
        "lines": [{"un_number": "1230", "quantity_t": 500}],
    }
    base.update(over)
    return base
