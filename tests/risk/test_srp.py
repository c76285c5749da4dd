"""The Paris MoU ship risk profile: the reference worked example and each parameter by hand."""

from __future__ import annotations

from typing import Any

import pytest

from seawarden.risk.config import ConfigError, build_config, load_config
from seawarden.risk.srp import ShipFacts, compute

PARIS = load_config("paris")
TOKYO = load_config("tokyo")

#: A ship with no points that meets every LRS criterion.
CLEAN: dict[str, Any] = {
    "ship_type": "container_ship",
    "age_years": 5,
    "flag_performance": "white",
    "imo_audit": True,
    "ro_performance": "high",
    "ro_eu_recognised": True,
    "company_performance": "high",
    "inspections_36m": [0, 3],
    "detentions_36m": 0,
}
WORKED = {
    "ship_type": "bulk_carrier",
    "age_years": 15,
    "flag_performance": "black_medium_high",
    "imo_audit": False,
    "ro_performance": "medium",
    "ro_eu_recognised": True,
    "company_performance": "low",
    "inspections_36m": [4],
    "detentions_36m": 1,
}


def facts(**over: Any) -> ShipFacts:
    return ShipFacts.model_validate({**CLEAN, **over})


def test_reference_worked_example() -> None:
    # type 2 + age 1 + flag 2 + RO 0 + company 2 + detentions 0 = 7 >= 5 -> HRS, 5-6 months
    p = compute(ShipFacts.model_validate(WORKED), PARIS)
    assert [ln.points for ln in p.lines] == [2, 1, 2, 0, 0, 0, 2, 0, 0]
    assert (p.points, p.risk.value, p.window_months) == (7, "HRS", (5, 6))
    assert "expanded" in p.explanation()[-1]
    # White flag with IMO audit and a high performing company: 2 + 1 = 3, RO medium -> SRS
    p = compute(
        ShipFacts.model_validate(
            {
                **WORKED,
                "flag_performance": "white",
                "imo_audit": True,
                "company_performance": "high",
            }
        ),
        PARIS,
    )
    assert (p.points, p.risk.value, p.window_months) == (3, "SRS", (10, 12))
    failed = [ln.parameter for ln in p.lines if ln.lrs is False]
    assert "4b" in failed


def test_clean_ship_is_low_risk() -> None:
    p = compute(facts(), PARIS)
    assert (p.points, p.risk.value, p.window_months) == (0, "LRS", (24, 36))
    assert len(p.lines) == 9 and all(ln.lrs for ln in p.lines)
    assert len(p.explanation()) == 11


@pytest.mark.parametrize(
    ("over", "parameter", "points", "lrs"),
    [
        ({"ship_type": "oil_tanker"}, "1", 2, True),
        ({"ship_type": "chemical tanker"}, "1", 2, True),
        ({"ship_type": "Gas Carrier"}, "1", 2, True),
        ({"ship_type": "passenger_ship"}, "1", 2, True),
        ({"ship_type": "ro-ro passenger"}, "1", 2, True),
        ({"ship_type": "general_cargo"}, "1", 0, True),
        ({"age_years": 12}, "2", 0, True),
        ({"age_years": 12.01}, "2", 1, True),
        ({"age_years": None}, "2", 1, True),
        ({"flag_performance": "black_very_high"}, "3a", 2, False),
        ({"flag_performance": "black_high"}, "3a", 2, False),
        ({"flag_performance": "black_medium_high"}, "3a", 2, False),
        ({"flag_performance": "black_medium"}, "3a", 1, False),
        ({"flag_performance": "grey"}, "3a", 0, False),
        ({"flag_performance": "not_listed"}, "3a", 0, False),
        ({"imo_audit": False}, "3b", 0, False),
        ({"ro_eu_recognised": False}, "4a", 0, False),
        ({"ro_performance": "very_low"}, "4b", 1, False),
        ({"ro_performance": "low"}, "4b", 1, False),
        ({"ro_performance": "medium"}, "4b", 0, False),
        ({"ro_performance": None}, "4b", 0, False),
        ({"company_performance": "very_low"}, "5", 2, False),
        ({"company_performance": "low"}, "5", 2, False),
        ({"company_performance": "medium"}, "5", 0, False),
        ({"inspections_36m": []}, "6", 0, False),
        ({"inspections_36m": [5, 5]}, "6", 0, True),
        ({"inspections_36m": [0, 6]}, "6", 0, False),
        ({"detentions_36m": 1}, "7", 0, False),
        ({"detentions_36m": 2}, "7", 1, False),
        ({"detentions_36m": 3}, "7", 1, False),
    ],
)
def test_each_parameter_by_hand(
    over: dict[str, Any], parameter: str, points: int, lrs: bool
) -> None:
    p = compute(facts(**over), PARIS)
    line = next(ln for ln in p.lines if ln.parameter == parameter)
    assert (line.points, line.lrs) == (points, lrs)
    assert line.text.startswith(parameter + " ")
    others = [ln for ln in p.lines if ln.parameter != parameter]
    assert all(ln.points == 0 for ln in others)
    assert p.points == points
    assert p.risk.value == ("LRS" if lrs else "SRS")


def test_threshold_boundaries() -> None:
    # 2 (type) + 2 (company) = 4 -> SRS; + detentions 1 = 5 -> HRS
    four = compute(facts(ship_type="bulk_carrier", company_performance="low"), PARIS)
    assert (four.points, four.risk.value) == (4, "SRS")
    five = compute(
        facts(ship_type="bulk_carrier", company_performance="low", detentions_36m=2), PARIS
    )
    assert (five.points, five.risk.value) == (5, "HRS")
    worst = compute(
        facts(
            ship_type="oil_tanker",
            age_years=30,
            flag_performance="black_very_high",
            ro_performance="very_low",
            company_performance="very_low",
            detentions_36m=4,
        ),
        PARIS,
    )
    assert (worst.points, worst.risk.value) == (9, "HRS")


def test_tokyo_windows_and_configurable_weights() -> None:
    f = ShipFacts.model_validate(WORKED)
    t = compute(f, TOKYO)
    assert (t.points, t.risk.value, t.window_months) == (7, "HRS", (2, 4))
    assert any("not verified" in x for x in t.explanation())
    assert compute(facts(), TOKYO).window_months == (9, 18)
    assert compute(facts(inspections_36m=[]), TOKYO).window_months == (5, 8)
    heavy = build_config({"base": "paris", "points": {"company_low": 4}, "hrs_threshold": 8})
    p = compute(f, heavy)
    assert (p.points, p.risk.value) == (9, "HRS") and heavy.name == "paris+custom"
    light = build_config({"hrs_threshold": 8})
    assert compute(f, light).risk.value == "SRS"
    with pytest.raises(ConfigError):
        build_config({"base": "nowhere"})
    with pytest.raises(ConfigError):
        build_config({"points": {"unknown": 1}})
    with pytest.raises(ConfigError):
        build_config({"hrs_threshold": 0})
