"""The 5 × 5 risk matrix: likelihood × consequence → risk level (pure)."""

from __future__ import annotations

from enum import StrEnum


class Level(StrEnum):
    """Risk levels, highest first, with their colour in the four-colour map (红橙黄蓝)."""

    major = "major"
    """重大风险, red: score 17-25."""
    significant = "significant"
    """较大风险, orange: score 10-16."""
    general = "general"
    """一般风险, yellow: score 5-9."""
    low = "low"
    """低风险, blue: score 1-4."""


COLOURS = {
    Level.major: "red",
    Level.significant: "orange",
    Level.general: "yellow",
    Level.low: "blue",
}
#: Lowest score of each level (score = likelihood × consequence, each 1-5).
THRESHOLDS = ((Level.major, 17), (Level.significant, 10), (Level.general, 5), (Level.low, 1))


def level(likelihood: int, consequence: int) -> Level:
    """The risk level of a likelihood and a consequence, each on a 1-5 scale."""
    if not (1 <= likelihood <= 5 and 1 <= consequence <= 5):
        raise ValueError("likelihood and consequence are 1-5")
    score = likelihood * consequence
    return next(lv for lv, low in THRESHOLDS if score >= low)
