"""Permit, lead-time, stock and sensor checks (pure functions)."""

from __future__ import annotations

import pytest

from seawarden.dangerous_goods.classes import Hazard
from seawarden.dangerous_goods.dglist import hazard_of
from seawarden.dangerous_goods.errors import OutOfPhysicalRangeError
from seawarden.dangerous_goods.findings import outcome
from seawarden.dangerous_goods.permits import (
    ScopeEntry,
    StaffQualification,
    check_capacity,
    check_lead_time,
    check_scope,
    check_staff,
    check_stock,
    check_tank,
)
from seawarden.dangerous_goods.portrules import PortRules
from seawarden.dangerous_goods.sensors import DesignLimits, evaluate, validate

DAY = 86_400_000
SCOPE = ScopeEntry(
    1, "L-1", "berth", 7, ("1230",), ("8",), ("discharging",), 1000.0, 0, 100 * DAY, 0, 200 * DAY
)


def test_scope() -> None:
    methanol = hazard_of("1230")[0]
    ok = check_scope([SCOPE], methanol, "discharging", "berth", 7, DAY, 2 * DAY, 500)
    assert ok == []
    assert (
        check_scope([SCOPE], hazard_of("1789")[0], "discharging", "berth", 7, DAY, 2 * DAY, 5) == []
    )
    cases = [
        (
            check_scope([], methanol, "discharging", "berth", 7, DAY, 2 * DAY, 5),
            "no port operating licence",
        ),
        (
            check_scope([SCOPE], methanol, "discharging", "berth", 8, DAY, 2 * DAY, 5),
            "not in any licence annex",
        ),
        (check_scope([SCOPE], methanol, "loading", "berth", 7, DAY, 2 * DAY, 5), "mode loading"),
        (
            check_scope([SCOPE], hazard_of("1942")[0], "discharging", "berth", 7, DAY, 2 * DAY, 5),
            "outside the annex",
        ),
        (
            check_scope([SCOPE], methanol, "discharging", "berth", 7, 99 * DAY, 101 * DAY, 5),
            "not valid",
        ),
        (
            check_scope([SCOPE], methanol, "discharging", "berth", 7, DAY, 2 * DAY, 1500),
            "exceeds the annex",
        ),
    ]
    for findings, text in cases:
        (f,) = findings
        assert f.severity == "block" and text in f.message, (text, f.message)


def test_capacity_tank_staff_lead_time() -> None:
    assert check_capacity("T", 100, 60, 40) == []
    (f,) = check_capacity("T", 100, 60, 41)
    assert f.rule_id == "PERMIT-CAPACITY"
    assert check_tank("T", ["1230"], hazard_of("1230")[0]) == []
    assert check_tank("T", ["1230"], hazard_of("1294")[0])[0].rule_id == "PERMIT-TANK"
    staff = [
        StaffQualification("ok", (10 * DAY,)),
        StaffQualification("old", (DAY,)),
        StaffQualification("none", ()),
    ]
    assert [f.subjects for f in check_staff(staff, 2 * DAY, 3 * DAY)] == [("old",), ("none",)]
    rules = PortRules.default()
    assert check_lead_time(0, 24 * 3_600_000, rules) == []
    (late,) = check_lead_time(0, 23 * 3_600_000, rules)
    assert late.severity == "block"
    (soft,) = check_lead_time(0, 23 * 3_600_000, rules.merged({"late_declaration": "warn"}))
    assert soft.severity == "warning"


def test_stock_segregation_by_unit_kind() -> None:
    rules = PortRules.default()
    paint, oxid = hazard_of("1263")[0], hazard_of("1495")[0]
    wh = check_stock("Shed", "warehouse", paint, [oxid], "storage", rules)
    assert [f.severity for f in wh] == ["warning"]
    cyl = hazard_of("1011")[0]  # butane 2.1 vs 1.1D ammonium nitrate (direct delivery)
    wh = check_stock("Shed", "warehouse", cyl, [Hazard("6.2")], "storage", rules)  # 2.1 × 6.2 = 4
    assert [f.severity for f in wh] == ["block"]
    direct = check_stock("Yard", "yard", hazard_of("1942")[0], [], "storage", rules)
    assert [f.rule_id for f in direct] == ["DECL-DIRECT"]
    assert outcome(direct) == "block" and outcome([]) == "pass" and outcome(wh[:0]) == "pass"


def test_sensor_limits_and_physical_range() -> None:
    lim = DesignLimits(
        temperature_min_c=-10, temperature_max_c=40, pressure_max_kpa=6, level_max_m=18, height_m=20
    )
    assert evaluate("T", "temperature_c", 25, lim) == []
    (f,) = evaluate("T", "temperature_c", 45, lim)
    assert f.severity == "block" and "above design maximum 40" in f.message
    assert evaluate("T", "level_m", 18.5, lim)[0].rule_id == "SENSOR-LIMIT"
    assert evaluate("T", "gas_pct_lel", 25, lim)[0].severity == "warning"
    assert evaluate("T", "gas_pct_lel", 55, lim)[0].severity == "block"
    for q, v in [
        ("temperature_c", -300),
        ("level_m", -1),
        ("level_m", 25),
        ("gas_pct_lel", 140),
        ("pressure_kpa", -200),
        ("temperature_c", float("inf")),
        ("volume", 3),
    ]:
        with pytest.raises(OutOfPhysicalRangeError):
            validate(q, v, lim)
