"""Yard rules and the incremental re-check (same findings as a full check after every move)."""

from __future__ import annotations

import random

import pytest

from seawarden.dangerous_goods.dglist import hazard_of
from seawarden.dangerous_goods.errors import InvalidPositionError
from seawarden.dangerous_goods.portrules import PortRules
from seawarden.dangerous_goods.yard import (
    YardBlock,
    YardState,
    YardUnit,
    check_yard,
    check_yard_naive,
)

BLOCKS = [YardBlock("A"), YardBlock("B", x0=0, y0=40)]
HOUR = 3_600_000


def y(
    cid: str, bay: int, row: int, tier: int, *uns: str, block: str = "A", in_ms: int | None = None
) -> YardUnit:
    return YardUnit(cid, block, bay, row, tier, tuple(hazard_of(x)[0] for x in uns), in_ms=in_ms)


def rules_of(result: list) -> set[tuple[str, tuple[str, ...]]]:  # type: ignore[type-arg]
    return {(f.rule_id, f.subjects) for f in result}


def test_distance_by_code() -> None:
    # Sodium chlorate (5.1) beside paint (3). Neighbouring slots in a row: 6.5 m pitch, 6.058 m boxes → 0.44 m clear: code 2 needs 3 m.
    r = check_yard([y("C1", 1, 1, 1, "1263"), y("C2", 3, 1, 1, "1495")], BLOCKS)
    assert rules_of(r.findings) == {("YARD-SEG", ("C1", "C2"))}
    (f,) = r.findings
    assert f.details["required_m"] == 3.0 and "yard_distance_m[2] = 3" in f.cell
    # One empty slot between: 6.94 m clear ≥ 3 m.
    assert not check_yard([y("C1", 1, 1, 1, "1263"), y("C2", 5, 1, 1, "1495")], BLOCKS).findings
    # Rows side by side: 2.8 m pitch → 0.36 m.
    assert check_yard([y("C1", 1, 1, 1, "1263"), y("C2", 1, 2, 1, "1495")], BLOCKS).findings
    # Code 1 (2.2 vs 3) closed: no distance needed by default.
    assert not check_yard([y("C1", 1, 1, 1, "1066"), y("C2", 3, 1, 1, "1263")], BLOCKS).findings


def test_distances_are_configurable_per_port() -> None:
    strict = PortRules.default().merged({"yard_distance_m": {"1": 3, "2": 12, "3": 24, "4": 48}})
    units = [y("C1", 1, 1, 1, "1263"), y("C2", 5, 1, 1, "1495")]
    assert check_yard(units, BLOCKS, strict).findings
    with pytest.raises(ValueError):
        PortRules.default().merged({"yard_distance_m": {"1": 0}})


def test_vertical_stack_and_height() -> None:
    r = check_yard(
        [y("C1", 1, 1, 1, "1263"), y("C2", 1, 1, 2, "1495"), y("C3", 1, 1, 3, "1789")], BLOCKS
    )
    got = rules_of(r.findings)
    assert ("YARD-VERTICAL", ("C1", "C2")) in got
    assert ("YARD-VERTICAL", ("C2", "C3")) in got
    assert ("YARD-STACK", ("C1", "C2", "C3")) in got  # flammable in the stack: at most 2 tiers
    # Other DG (class 8 only) may go 3 high; 4 is too high.
    ok = check_yard([y(f"K{i}", 1, 1, i, "1789") for i in (1, 2, 3)], BLOCKS)
    assert not ok.findings
    high = check_yard([y(f"K{i}", 1, 1, i, "1789") for i in (1, 2, 3, 4)], BLOCKS)
    assert [f.rule_id for f in high.findings] == ["YARD-STACK"]


def test_direct_delivery_lithium_and_dwell() -> None:
    units = [
        y("E1", 1, 1, 1, "0222"),
        y("AN", 9, 3, 1, "1942"),
        y("L1", 21, 5, 1, "3480"),
        y("F1", 31, 6, 1, "1263", in_ms=0),
        y("R1", 21, 1, 1, "2912", block="B", in_ms=0),  # class 7
    ]
    r = check_yard(units, BLOCKS, now_ms=10 * HOUR)
    got = rules_of(r.findings)
    assert ("YARD-DIRECT", ("E1",)) in got and ("YARD-DIRECT", ("AN",)) in got
    assert ("YARD-LITHIUM", ("L1",)) in got
    assert ("YARD-DWELL", ("R1",)) in got  # class 7: 0 h by default (direct delivery)
    assert not any(k == ("YARD-DWELL", ("F1",)) for k in got)  # class 3: no limit by default
    limited = PortRules.default().merged({"storage_time_limits_hours": {"3": 5}})
    r2 = check_yard(units, BLOCKS, limited, now_ms=10 * HOUR)
    dwell = [f for f in r2.findings if f.rule_id == "YARD-DWELL" and f.subjects == ("F1",)]
    assert dwell and dwell[0].severity == "warning"


def test_bad_positions_change_nothing() -> None:
    state = YardState(BLOCKS)
    state.add(y("C1", 1, 1, 1, "1263"))
    state.add(y("C2", 3, 1, 1, "1495"))
    before = [f.as_dict() for f in state.findings()]
    with pytest.raises(InvalidPositionError):
        state.add(y("C3", 1, 1, 1, "1789"))  # slot taken
    with pytest.raises(InvalidPositionError):
        state.move("C1", "A", 3, 1, 1)  # taken by C2
    with pytest.raises(InvalidPositionError):
        state.move("C1", "Z", 3, 1, 1)  # no such block
    with pytest.raises(InvalidPositionError):
        state.move("C1", "A", 0, 1, 1)
    with pytest.raises(InvalidPositionError):
        state.move("nope", "A", 9, 1, 1)
    assert [f.as_dict() for f in state.findings()] == before
    assert state.units["C1"].bay == 1


UNS = ["1263", "1495", "1789", "1230", "0012", "1402", "1066", "3480", "2789", "1005", "1017", ""]


def test_incremental_equals_full_after_every_move() -> None:
    rng = random.Random(7)
    taken: set[tuple[str, int, int, int]] = set()
    units = []

    def free() -> tuple[str, int, int, int]:
        while True:
            pos = (
                rng.choice("AB"),
                rng.randrange(1, 30, 2),
                rng.randrange(1, 6),
                rng.randrange(1, 4),
            )
            if pos not in taken:
                taken.add(pos)
                return pos

    for k in range(100):
        b, bay, row, tier = free()
        un = rng.choice(UNS)
        units.append(y(f"U{k:03d}", bay, row, tier, *([un] if un else []), block=b))
    state = YardState(BLOCKS)
    for unit in units:
        state.add(unit)
    assert rules_of(state.findings()) == rules_of(check_yard_naive(units, BLOCKS).findings)
    current = {u.id: u for u in units}
    for _ in range(40):
        cid = rng.choice(list(current))
        old = current[cid]
        b, bay, row, tier = free()
        before = rules_of(state.findings())
        change = state.move(cid, b, bay, row, tier)
        taken.discard((old.block, old.bay, old.row, old.tier))
        current[cid] = state.units[cid]
        full = check_yard(list(current.values()), BLOCKS)
        after = rules_of(state.findings())
        assert after == rules_of(full.findings)
        assert rules_of(change.added) == after - before or rules_of(change.added) >= after - before
        assert after - before <= rules_of(change.added)
        assert before - after <= rules_of(change.removed)
