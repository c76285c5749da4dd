"""Bay-plan segregation: the synthetic BAPLIE's violations, geometry rules, vectorised = naive."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from seawarden.dangerous_goods.bayplan import (
    ShipLayout,
    StowedUnit,
    check_bay_plan,
    check_bay_plan_naive,
    parse_cell,
)
from seawarden.dangerous_goods.classes import Hazard
from seawarden.dangerous_goods.dglist import hazard_of
from seawarden.dangerous_goods.errors import InvalidPositionError
from seawarden.dangerous_goods.inputs import read_plan

BAPLIE = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "dangerous_goods"
    / "synthetic_baplie_d95b_smdg22_dg.edi"
)


def u(cid: str, pos: str, *uns: str, open_: bool = False) -> StowedUnit:
    return StowedUnit(cid, pos, tuple(hazard_of(x)[0] for x in uns), open_)


def pairs(units: list[StowedUnit], layout: ShipLayout | None = None) -> set[tuple[str, ...]]:
    return {f.subjects for f in check_bay_plan(units, layout).findings if f.rule_id == "BAY-SEG"}


def test_synthetic_baplie_class3_vs_51_violation_is_found() -> None:
    plan = read_plan(BAPLIE)
    assert plan.kind == "bay"
    assert [x.id for x in plan.bay_units] == ["TSTU1234568", "TSTU7654320", "TSTU5555550"]
    result = check_bay_plan(plan.bay_units, plan.layout)
    found = {f.subjects: f for f in result.findings}
    f = found[("TSTU1234568", "TSTU7654320")]
    assert f.rule_id == "BAY-SEG" and f.severity == "block"
    assert "IMDG 7.2.4 [3, 5.1] = 2" in f.cell and "one container space" in f.cell
    assert "0130282" in f.message and "0150282" in f.message
    assert ("TSTU7654320", "TSTU5555550") in found  # 5.1 vs 8 = 2, also adjacent
    assert ("TSTU1234568", "TSTU5555550") not in found  # 3 vs 8 = X
    assert len(result.findings) == 2


def test_parse_cell() -> None:
    assert parse_cell("0130282") == parse_cell("130282")
    c = parse_cell("0130282")
    assert (c.bay, c.row, c.tier) == (13, 2, 82)
    for bad in ("01302", "01302821", "ab30282", "0000282", "0130200"):
        with pytest.raises(InvalidPositionError):
            parse_cell(bad)


def test_one_space_between_is_enough_for_separated_from_on_deck() -> None:
    assert pairs([u("A", "0130282", "1263"), u("B", "0170282", "1942")]) == set()


def test_athwartships_and_rows_across_the_centre_line() -> None:
    # Same bay, rows 02 and 01 are side by side (no centre row): code 2 needs one space.
    assert pairs([u("A", "0130282", "1263"), u("B", "0130182", "1942")]) == {("A", "B")}
    # Rows 04 and 01 with row 02 between: one space athwartships.
    assert pairs([u("A", "0130482", "1263"), u("B", "0130182", "1942")]) == set()
    # With a centre row 00 in the plan, rows 01 and 02 have it between them.
    assert pairs([u("A", "0130282", "1263"), u("B", "0130182", "1942"), u("C", "0130084")]) == set()


def test_vertical_rules() -> None:
    # Code 2 in one stack on deck: not in the same vertical line.
    assert pairs([u("A", "0130282", "1263"), u("B", "0130284", "1942")]) == {("A", "B")}
    # A deck between (one under deck, one on deck): allowed for code 2.
    assert pairs([u("A", "0130206", "1263"), u("B", "0130282", "1942")]) == set()
    # Code 4 (1.1D vs class 3): vertical prohibited even with a deck between.
    assert pairs([u("A", "0130206", "0222"), u("B", "0130282", "1263")]) == {("A", "B")}
    # Code 1 (2.2 vs 3) closed on closed: one on top of the other is permitted.
    assert pairs([u("A", "0130282", "1066"), u("B", "0130284", "1263")]) == set()
    # ... but not when both are open units.
    assert pairs(
        [u("A", "0130282", "1066", open_=True), u("B", "0130284", "1263", open_=True)]
    ) == {("A", "B")}


def test_code4_needs_24_metres_fore_and_aft_on_deck() -> None:
    far = [u("A", "0010282", "0222"), u("B", "0090282", "1263")]  # slots 1 and 5: 3 spaces between
    assert pairs(far) == {("A", "B")}
    farther = [u("A", "0010282", "0222"), u("B", "0110282", "1263")]  # 4 spaces = 24.4 m
    assert pairs(farther) == set()
    # Athwartships is prohibited for code 4 whatever the distance.
    assert pairs([u("A", "0010282", "0222"), u("B", "0011282", "1263")]) == {("A", "B")}


def test_under_deck_bulkheads_and_hold_layout() -> None:
    # Code 3 (6.2 vs class 3) under deck needs a bulkhead fore-and-aft.
    a, b = u("A", "0130206", "2814"), u("B", "0170206", "1263")
    assert pairs([a, b]) == set()  # default layout: slots 7 and 9 are in holds 1 and 2
    assert pairs([a, b], ShipLayout(holds=((9, 19),))) == {("A", "B")}  # one hold, no bulkhead
    # A 40-ft unit (even bay) covers the two 20-ft bays around it.
    assert pairs([u("A", "0140282", "1263"), u("B", "0170282", "1942")]) == {("A", "B")}


def test_two_units_in_one_cell_are_refused() -> None:
    with pytest.raises(InvalidPositionError, match="overlaps"):
        check_bay_plan([u("A", "0120206", "1263"), u("B", "0130206", "1942")])


def test_same_ctu_and_limited_quantities() -> None:
    mixed = StowedUnit("M", "0010282", (hazard_of("1263")[0], hazard_of("1942")[0]))
    result = check_bay_plan([mixed])
    assert [f.rule_id for f in result.findings] == ["SEG-SAME-CTU"]
    lq = StowedUnit("L", "0030282", (hazard_of("1942")[0],), limited_quantity=True)
    assert pairs([u("A", "0010282", "1263"), lq]) == set()


def test_verify_flag_reaches_the_finding() -> None:
    result = check_bay_plan([u("A", "0130282", "1402"), u("B", "0150282", "1263")])  # 4.3 vs 3
    (f,) = result.findings
    assert f.verify and "[VERIFY" in f.as_dict()["message"]


UNS = [
    "1263",
    "1942",
    "1789",
    "1230",
    "0222",
    "0012",
    "1017",
    "1402",
    "2814",
    "1066",
    "3480",
    "1381",
    "1005",
    "2789",
]


@pytest.mark.parametrize("seed", range(6))
def test_vectorised_equals_naive(seed: int) -> None:
    rng = random.Random(seed)
    cells = set()
    units = []
    while len(units) < 120:
        bay = rng.randrange(1, 40)
        row = rng.randrange(0, 8)
        tier = rng.choice([2, 4, 6, 82, 84, 86])
        slots = {bay // 2, bay // 2 + 1} if bay % 2 == 0 else {(bay + 1) // 2}
        if any((s, row, tier) in cells for s in slots):
            continue
        cells.update((s, row, tier) for s in slots)
        items = tuple(hazard_of(x)[0] for x in rng.sample(UNS, rng.choice([1, 1, 1, 2])))
        units.append(
            StowedUnit(
                f"U{len(units):03d}", f"{bay:03d}{row:02d}{tier:02d}", items, rng.random() < 0.2
            )
        )
    layout = ShipLayout(holds=((1, 11), (13, 27), (29, 39))) if seed % 2 else ShipLayout()
    fast = check_bay_plan(units, layout)
    slow = check_bay_plan_naive(units, layout)
    assert [f.as_dict() for f in fast.findings] == [f.as_dict() for f in slow.findings]
    assert fast.pairs_examined < slow.pairs_examined
    assert any(f.rule_id == "BAY-SEG" for f in fast.findings)


def test_unknown_compatibility_group_is_a_warning() -> None:
    a = StowedUnit("A", "0010282", (Hazard("1.1"),))
    b = StowedUnit("B", "0030282", (Hazard("1.4", "S"),))
    (f,) = check_bay_plan([a, b]).findings
    assert f.severity == "warning" and "compatibility groups unknown" in f.message
