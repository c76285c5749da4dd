"""The bundled risk parameters agree with the project's reference tables."""

from __future__ import annotations

import csv
from pathlib import Path

from seawarden.risk.config import company_matrix, load_config

REFERENCE = Path(__file__).resolve().parents[1] / "data" / "registry"


def test_srp_parameters_match_the_reference_table() -> None:
    rows = list(
        csv.DictReader((REFERENCE / "paris_mou_srp.csv").read_text(encoding="utf-8").splitlines())
    )
    paris = {(r["parameter_no"], r["hrs_criterion"]): r for r in rows if r["regime"] == "ParisMoU"}
    cfg = load_config("paris")
    assert (
        int(
            paris[("1", "chemical tanker, gas carrier, oil tanker, bulk carrier, passenger ship")][
                "hrs_points"
            ]
        )
        == cfg.points.type
    )
    assert (
        int(paris[("2", "all types > 12 years")]["hrs_points"]) == cfg.points.age
        and cfg.age_over_years == 12
    )
    assert (
        int(
            paris[("3a", "Black list: very high risk, high risk, medium to high risk")][
                "hrs_points"
            ]
        )
        == cfg.points.flag_black_high
    )
    assert (
        int(paris[("3a", "Black list: medium risk")]["hrs_points"]) == cfg.points.flag_black_medium
    )
    assert int(paris[("4b", "low or very low performance")]["hrs_points"]) == cfg.points.ro_low
    assert int(paris[("5", "low or very low")]["hrs_points"]) == cfg.points.company_low
    assert (
        int(paris[("7", ">=2 detentions within previous 36 months")]["hrs_points"])
        == cfg.points.detentions
    )
    assert cfg.detentions_min == 2 and cfg.lookback_months == 36
    assert (
        "<=5 deficiencies" in paris[("6", "not eligible (no points)")]["lrs_criterion"]
        and cfg.lrs_max_deficiencies == 5
    )
    assert (
        "total weighting points >= 5"
        in paris[("rule", "total weighting points >= 5")]["hrs_criterion"]
    )
    assert cfg.hrs_threshold == 5
    for r in rows:
        if r["parameter_no"] != "window":
            continue
        text = r["hrs_criterion"]
        cls = r["parameter"]
        lo, hi = (
            load_config("paris") if r["regime"] == "ParisMoU" else load_config("tokyo")
        ).windows[cls]  # type: ignore[index]
        assert f"{lo}-{hi} months" in text, (r["regime"], cls, text)


def test_company_matrix_matches_the_reference_table() -> None:
    rows = list(
        csv.DictReader(
            (REFERENCE / "paris_mou_company_performance.csv")
            .read_text(encoding="utf-8")
            .splitlines()
        )
    )
    ours = company_matrix()
    for r in rows:
        key = tuple(
            "no inspections" if "no inspections" in r[k] else r[k]
            for k in ("detention_index", "deficiency_index")
        )
        assert ours[key] == r["company_performance"].replace(" ", "_")  # type: ignore[index]
    assert len(ours) == len(rows)
