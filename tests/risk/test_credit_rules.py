"""Credit rules event by event (pure), and rule-set validation."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from seawarden.credit.rules import CreditInput, Grade, Listing, RuleSet, default_ruleset, score

RULES = default_ruleset()
AS_OF = dt.date(2026, 6, 30)


def ev(i: int, kind: str, on: dt.date, points: float, status: str = "active") -> CreditInput:
    return CreditInput(id=i, kind=kind, on_date=on, points=points, status=status)


def test_no_events_is_aa_without_red_list() -> None:
    s = score([], RULES, AS_OF)
    assert (s.score, s.grade, s.listing, s.intensity.level) == (100.0, Grade.AA, None, "light")
    assert s.lines[0].startswith("rule set default-2026.1")


@pytest.mark.parametrize(
    ("events", "expected_score", "grade", "listing"),
    [
        # one detention this year: 100 - 10 = 90 -> A
        ([ev(1, "detention", dt.date(2026, 3, 1), -10)], 90.0, Grade.A, None),
        # 12-24 months old counts half: 100 - 5 = 95 -> AA; a recent deduction bars the red list
        ([ev(1, "detention", dt.date(2025, 3, 1), -10)], 95.0, Grade.AA, None),
        # 24-36 months old counts a quarter: 100 - 2.5
        ([ev(1, "detention", dt.date(2024, 3, 1), -10)], 97.5, Grade.AA, None),
        # older than 36 months: not counted; a recent commendation -> red list
        (
            [
                ev(1, "detention", dt.date(2023, 1, 1), -10),
                ev(2, "commendation", dt.date(2026, 1, 1), 5),
            ],
            100.0,
            Grade.AA,
            Listing.red,
        ),
        # two general accidents: 100 - 20 = 80 -> B
        (
            [
                ev(1, "accident_general", dt.date(2026, 1, 1), -10),
                ev(2, "accident_general", dt.date(2026, 2, 1), -10),
            ],
            80.0,
            Grade.B,
            None,
        ),
        # -15 -15 -10: 60 -> C
        (
            [
                ev(1, "serious_penalty", dt.date(2026, 1, 1), -15),
                ev(2, "serious_penalty", dt.date(2026, 2, 1), -15),
                ev(3, "detention", dt.date(2026, 3, 1), -10),
            ],
            60.0,
            Grade.C,
            None,
        ),
        # 55 -> D, not yet black
        (
            [
                ev(1, "accident_major", dt.date(2026, 1, 1), -20),
                ev(2, "accident_major", dt.date(2026, 2, 1), -20),
                ev(3, "administrative_penalty", dt.date(2026, 3, 1), -5),
            ],
            55.0,
            Grade.D,
            None,
        ),
        # below 40 -> black
        (
            [ev(1, "accident_major", dt.date(2026, 1, 1), -20)] * 1
            + [
                ev(2, "accident_major", dt.date(2026, 2, 1), -20),
                ev(3, "accident_major", dt.date(2026, 3, 1), -20),
                ev(4, "administrative_penalty", dt.date(2026, 4, 1), -5),
            ],
            35.0,
            Grade.D,
            Listing.black,
        ),
        # a black-list event: black and D whatever the score
        ([ev(1, "false_declaration", dt.date(2026, 1, 1), -30)], 70.0, Grade.D, Listing.black),
        # revoked on appeal: not counted
        ([ev(1, "false_declaration", dt.date(2026, 1, 1), -30, "revoked")], 100.0, Grade.AA, None),
        # under appeal: still counted
        ([ev(1, "detention", dt.date(2026, 1, 1), -10, "under_appeal")], 90.0, Grade.A, None),
        # repaired: weight 0, and a repaired black-list event no longer black-lists
        ([ev(1, "false_declaration", dt.date(2026, 1, 1), -30, "repaired")], 100.0, Grade.AA, None),
        # future events are ignored
        ([ev(1, "detention", dt.date(2026, 7, 1), -10)], 100.0, Grade.AA, None),
        # bonuses cannot lift above the maximum
        (
            [
                ev(1, "commendation", dt.date(2026, 1, 1), 5),
                ev(2, "commendation", dt.date(2026, 2, 1), 5),
            ],
            100.0,
            Grade.AA,
            Listing.red,
        ),
        # crew points: -1 per point given (6 points)
        ([ev(1, "crew_penalty_points", dt.date(2026, 1, 1), -6)], 94.0, Grade.A, None),
    ],
)
def test_event_by_event(
    events: list[CreditInput], expected_score: float, grade: Grade, listing: Listing | None
) -> None:
    s = score(events, RULES, AS_OF)
    assert (s.score, s.grade, s.listing) == (expected_score, grade, listing), s.lines
    assert s.intensity == RULES.intensity[grade]
    assert len([ln for ln in s.lines if ln.startswith("event ")]) == len(events)


def test_recomputation_is_deterministic() -> None:
    events = [
        ev(3, "detention", dt.date(2025, 8, 1), -10),
        ev(1, "commendation", dt.date(2026, 2, 1), 5),
        ev(2, "accident_minor", dt.date(2024, 9, 1), -5),
    ]
    a = score(events, RULES, AS_OF)
    b = score(list(reversed(events)), RULES, AS_OF)
    assert (a.score, a.grade, a.listing, a.lines) == (b.score, b.grade, b.listing, b.lines)
    # detention 10 months old (x1), commendation (x1), minor accident 21 months old (x0.5)
    assert a.score == 100 - 10 + 5 - 2.5


def _body(**over: Any) -> dict[str, Any]:
    body = RULES.model_dump(mode="json")
    body.update(over)
    return body


def test_rule_set_validation() -> None:
    RuleSet.model_validate(_body(version="x-2"))
    with pytest.raises(ValidationError):
        RuleSet.model_validate(
            _body(grades=[{"grade": "A", "min_score": 80}, {"grade": "AA", "min_score": 90}])
        )
    with pytest.raises(ValidationError):
        RuleSet.model_validate(
            _body(grades=[{"grade": "AA", "min_score": 90}, {"grade": "A", "min_score": 50}])
        )
    with pytest.raises(ValidationError):
        RuleSet.model_validate(
            _body(age_bands=[{"up_to_months": 24, "weight": 1}, {"up_to_months": 12, "weight": 1}])
        )
    with pytest.raises(ValidationError):
        RuleSet.model_validate(_body(intensity={}))
    custom = RuleSet.model_validate(_body(version="strict-1", repaired_weight=0.5))
    s = score([ev(1, "detention", dt.date(2026, 1, 1), -10, "repaired")], custom, AS_OF)
    assert s.score == 95.0 and s.version == "strict-1"
