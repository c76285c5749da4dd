"""GB 18218-2018: the worked examples, hand-checked cases, multi-hazard rules, bad input."""

from __future__ import annotations

import math

import pytest

from seawarden.dangerous_goods.errors import (
    InvalidInputError,
    InvalidQuantityError,
    UnknownSubstanceError,
)
from seawarden.dangerous_goods.hazard import (
    HazardItem,
    alpha_for,
    assess,
    grade_for,
    items_from_json,
)

# The six worked examples of the reference (gb18218_worked_examples.csv), pinned here:
# (id, items, people, S, major, sum βq/Q, α, R, grade)
WORKED = [
    ("E1", [("methanol", 8000, None)], 60, 16.0, True, 16.0, 1.5, 24.0, 3),
    ("E2", [("chlorine", 20, None), ("ammonia", 100, None)], 120, 14.0, True, 36.0, 2.0, 72.0, 2),
    (
        "E3",
        [("gasoline", 100, None), ("diesel fp 55 C", 2000, "W5.4"), ("toluene", 200, None)],
        20,
        1.3,
        True,
        1.55,
        1.0,
        1.55,
        4,
    ),
    ("E4", [("gasoline", 30000, None)], 0, 150.0, True, 225.0, 0.5, 112.5, 1),
    ("E5", [("LPG", 20, None), ("ammonia", 3, None)], 10, 0.7, False, 1.2, None, None, None),
    (
        "E6",
        [("2.1 gas cylinders", 6, "W2"), ("paint PG II", 400, "W5.3"), ("pesticide", 100, "J5")],
        35,
        1.2,
        True,
        1.5,
        1.2,
        1.8,
        4,
    ),
]


@pytest.mark.parametrize("case", WORKED, ids=[c[0] for c in WORKED])
def test_worked_examples(case: tuple) -> None:  # type: ignore[type-arg]
    _, items, people, s, major, sb, alpha, r, grade = case
    result = assess([HazardItem(n, q, (c,) if c else ()) for n, q, c in items], people)
    assert math.isclose(result.S, s, rel_tol=1e-9)
    assert result.is_major_hazard is major
    assert math.isclose(result.sum_beta_q_ratio, sb, rel_tol=1e-9)
    assert result.alpha == alpha
    assert (result.R is None) == (r is None)
    if r is not None:
        assert result.R is not None and math.isclose(result.R, r, rel_tol=1e-9)
    assert result.grade == grade
    d = result.as_dict()
    assert set(d) >= {"S", "is_major_hazard", "R", "grade", "lines"}


def test_e2_working_names_tables_3_and_1() -> None:
    result = assess([HazardItem("氯", 20), HazardItem("7664-41-7", 100)], 120)
    text = "\n".join(result.working())
    assert "20/5 = 4" in text and "table 3 氯 β = 4" in text
    assert "100/10 = 10" in text and "table 3 氨 β = 2" in text
    assert "S = 4 + 10 = 14" in text and "R = 2 × 36 = 72 → grade 2" in text


def test_hand_checked_multi_hazard_takes_lowest_q_and_largest_beta() -> None:
    # A substance not in table 1, flammable liquid cat 1 (W5.1: Q 10, β 1.5) and acute tox cat 2
    # (J5: Q 500, β 1): Q = 10, β = 1.5. 5 t → q/Q = 0.5; with 8 t of J2 (Q 50): 0.16. S = 0.66.
    result = assess(
        [HazardItem("mixture X", 5, ("W5.1", "J5")), HazardItem("toxic Y", 8, ("J2",))], 40
    )
    assert math.isclose(result.S, 0.66) and not result.is_major_hazard and result.R is None
    line = result.lines[0]
    assert (line.Q_t, line.beta) == (10.0, 1.5)
    assert "lowest" in line.Q_source and "largest" in line.beta_source
    # Doubling the first: S = 1 + 0.16 = 1.16; Σβq/Q = 1.5 + 0.16 = 1.66; 40 people → α 1.2;
    # R = 1.992 → grade 4.
    result = assess(
        [HazardItem("mixture X", 10, ("W5.1", "J5")), HazardItem("toxic Y", 8, ("J2",))], 40
    )
    assert math.isclose(result.S, 1.16) and math.isclose(result.R or 0, 1.992) and result.grade == 4


def test_hand_checked_grade_boundaries() -> None:
    # Phosgene Q 0.3, β 20: 1.5 t → q/Q = 5, βq/Q = 100; 0 people α 0.5 → R = 50 → grade 2 exactly.
    result = assess([HazardItem("光气", 1.5)], 0)
    assert (result.S, result.R, result.grade) == (5.0, 50.0, 2)
    assert [grade_for(x) for x in (100, 99.99, 50, 49.9, 10, 9.99, 0)] == [1, 2, 2, 3, 3, 4, 4]
    assert [alpha_for(n) for n in (0, 1, 29, 30, 49, 50, 99, 100, 5000)] == [
        0.5,
        1,
        1,
        1.2,
        1.2,
        1.5,
        1.5,
        2,
        2,
    ]


def test_named_substance_table1_q_wins_over_category() -> None:
    # Methanol given as W5.1 still uses table 1 Q = 500, but β from the given category (1.5).
    result = assess([HazardItem("UN1230", 1000, ("W5.1",))], 1)
    (line,) = result.lines
    assert (line.Q_t, line.beta) == (500.0, 1.5)


def test_un_number_without_category_uses_the_bridge_with_a_warning() -> None:
    result = assess([HazardItem("UN1263", 400), HazardItem("UN1789", 50)], 35)
    assert result.lines[0].Q_t == 10.0  # paint PG I-III: the lowest Q (W5.1) of its entries
    assert result.not_counted == ["UN1789 (UN 1789)"]
    assert any(f.rule_id == "GB18218-CATEGORY" and f.severity == "warning" for f in result.findings)


def test_bad_input() -> None:
    with pytest.raises(InvalidQuantityError):
        assess([HazardItem("methanol", -1)], 10)
    with pytest.raises(InvalidQuantityError):
        assess([HazardItem("methanol", float("nan"))], 10)
    with pytest.raises(UnknownSubstanceError):
        assess([HazardItem("unobtainium", 5)], 10)
    with pytest.raises(InvalidInputError):
        assess([HazardItem("x", 5, ("W99",))], 10)
    with pytest.raises(InvalidInputError):
        assess([HazardItem("methanol", 5)], -3)
    with pytest.raises(InvalidInputError):
        items_from_json({"items": "no"})
    with pytest.raises(InvalidQuantityError):
        items_from_json({"items": [{"substance": "methanol", "quantity_t": "lots"}]})
    items, people = items_from_json(
        {
            "people_within_500m": 3,
            "items": [{"substance": "x", "quantity_t": "2.5", "category": "W2;J3"}],
        }
    )
    assert people == 3 and items[0].quantity_t == 2.5 and items[0].categories == ("W2", "J3")


def test_pinned_examples_match_the_reference_examples() -> None:
    import csv
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "data" / "dangerous_goods"
    path = path / "gb18218_worked_examples.csv"
    with path.open(encoding="utf-8") as fh:
        rows = {r["example_id"]: r for r in csv.DictReader(fh)}
    assert set(rows) == {c[0] for c in WORKED}
    for case in WORKED:
        r = rows[case[0]]
        assert float(r["S"]) == pytest.approx(case[3])
        assert (r["is_major_hazard"] == "true") is case[4]
        assert (r["grade"] or None) == (str(case[8]) if case[8] else None)
        if case[7] is not None:
            assert float(r["R"]) == pytest.approx(case[7])
