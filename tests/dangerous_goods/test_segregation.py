"""Class-vs-class codes with subsidiary hazards, class 1 compatibility groups, disputed cells."""

from __future__ import annotations

import pytest

from seawarden.dangerous_goods.classes import Hazard, compatible, parse_class
from seawarden.dangerous_goods.dglist import hazard_of, lookup, normalise_un
from seawarden.dangerous_goods.errors import InvalidClassError, UnknownUNNumberError
from seawarden.dangerous_goods.segregation import items_code, pair_code, table_code


def h(un: str) -> Hazard:
    return hazard_of(un)[0]


@pytest.mark.parametrize(
    ("a", "b", "code"),
    [
        ("3", "5.1", "2"),
        ("5.1", "8", "2"),
        ("3", "8", "X"),
        ("2.1", "1.4", "2"),
        ("1.1", "1.6", "*"),
        ("6.2", "5.2", "3"),
        ("9", "1.1", "X"),
        ("1.4S", "1.4G", "*"),
        ("7", "6.1", "X"),
    ],
)
def test_table_code(a: str, b: str, code: str) -> None:
    assert table_code(a, b) == code


def test_bad_classes() -> None:
    for bad in ("2", "10", "3.1", "5.1D", "", "abc"):
        with pytest.raises(InvalidClassError):
            parse_class(bad)


def test_subsidiary_hazard_gives_the_strictest_code() -> None:
    # Methanol (3, sub 6.1) vs 5.1: 3×5.1 = 2, 6.1×5.1 = 1 → 2.
    assert pair_code(h("1230"), h("1942")).code == "2"
    # Acetyl chloride (3, sub 8) vs 4.3 (calcium carbide): 3×4.3 = 2 (VERIFY), 8×4.3 = 1 → 2, flagged.
    pc = pair_code(h("1717"), h("1402"))
    assert pc.code == "2" and pc.verify
    # Acrylonitrile (3, sub 6.1) vs 6.1 primary only: 3×6.1 = X, 6.1×6.1 = X.
    assert pair_code(h("1093"), h("2713")).code == "X"
    # White phosphorus (4.2, sub 6.1) vs acetic acid glacial (8, sub 3): 4.2×8 = 1, 4.2×3 = 2 → 2.
    pc = pair_code(h("1381"), h("2789"))
    assert pc.code == "2" and "IMDG 7.2.4 [4.2, 3] = 2" in pc.cells
    # Chlorine (2.3, sub 5.1, 8) vs methanol (3, sub 6.1): 2.3×3 = 2, 5.1×3 = 2, 8×3 = X → 2.
    assert pair_code(h("1017"), h("1230")).code == "2"


def test_subsidiary_only_conflict_within_one_class_is_marked() -> None:
    a = Hazard("8", subsidiary=("5.1",))
    b = Hazard("8", subsidiary=("3",))
    pc = pair_code(a, b)
    assert pc.code == "2" and pc.same_class  # 5.1 × 3 = 2; IMDG 7.2.6.1 may exempt


def test_disputed_cells_are_flagged_in_results() -> None:
    pc = pair_code(Hazard("2.1"), Hazard("4.3"))
    assert (pc.code, pc.verify) == ("2", True)
    pc = pair_code(Hazard("3"), Hazard("4.3"))
    assert (pc.code, pc.verify) == ("2", True)
    assert not pair_code(Hazard("3"), Hazard("5.1")).verify


@pytest.mark.parametrize(
    ("a", "b", "ok"),
    [
        ("A", "A", True),
        ("A", "B", False),
        ("B", "S", True),
        ("C", "D", True),
        ("D", "E", True),
        ("C", "G", True),
        ("G", "S", True),
        ("N", "D", True),
        ("N", "G", False),
        ("F", "F", True),
        ("F", "H", False),
        ("H", "S", True),
        ("J", "K", False),
        ("A", "S", False),
        ("L", "S", False),
        ("B", "D", False),
        ("K", "K", True),
    ],
)
def test_compatibility_groups(a: str, b: str, ok: bool) -> None:
    assert compatible(a, b) is ok
    assert compatible(b, a) is ok


def test_class1_pairs() -> None:
    # UN 0222 ammonium nitrate 1.1D with UN 0012 cartridges 1.4S: compatible.
    pc = pair_code(h("0222"), h("0012"))
    assert (pc.code, pc.class1) == ("X", "compatible")
    # 1.1D with 1.1B detonators (UN 0029 1.1B): incompatible → "separated from".
    pc = pair_code(h("0222"), h("0029"))
    assert (pc.code, pc.class1) == ("2", "incompatible")
    # L only with the same substance.
    assert (
        pair_code(Hazard("1.2", "L", un_number="0248"), Hazard("1.2", "L", un_number="0248")).code
        == "X"
    )
    assert (
        pair_code(Hazard("1.2", "L", un_number="0248"), Hazard("1.3", "L", un_number="0249")).code
        == "2"
    )
    # Unknown group: unresolved.
    assert pair_code(Hazard("1.1"), Hazard("1.4", "S")).code == "*"
    # Class 1 vs other classes follows the table.
    assert pair_code(h("0222"), h("1230")).code == "4"


def test_units_with_several_items() -> None:
    assert items_code((h("1830"), h("1263")), (h("1942"),)).code == "2"


def test_lookup_and_errors() -> None:
    assert normalise_un("UN1203") == "1203" == normalise_un(1203) == normalise_un(" un 1203 ")
    assert lookup("1203")[0].division == "3"
    for bad in ("9999", "12345", "UNX", ""):
        with pytest.raises(UnknownUNNumberError):
            lookup(bad)
    h1, notes = hazard_of("1263", "5.1")
    assert h1.division == "3" and notes and "list is used" in notes[0]
