"""The container-ship segregation table (IMDG 7.4.3.3) as requirement arrays.

A requirement is a minimum number of container spaces, bulkheads and/or metres between two
containers in one direction (fore-and-aft or athwartships) for a code, a combination of
closed/open units and a position (on or under deck). It is read from
``imdg_container_ship_segregation.csv``; the vertical rules are applied in code
(:mod:`.bayplan`) with the table's text cited.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt

from seawarden.dangerous_goods.reference import reference

#: Length of one container space fore-and-aft (a 20-ft container, metres).
SPACE_M = 6.1

DIRECTIONS = ("fore_aft", "athwartships")
COMBINATIONS = ("closed_closed", "closed_open", "open_open")
POSITIONS = ("on_deck", "under_deck")


@dataclass(frozen=True)
class Requirement:
    """One cell of table 7.4.3.3."""

    spaces: float
    bulkheads: float
    metres: float
    prohibited: bool
    text: str

    def satisfied(self, gap_spaces: int, bulkheads: int) -> bool:
        """Whether a separation of ``gap_spaces`` spaces and ``bulkheads`` bulkheads is enough."""
        if self.prohibited:
            return False
        if self.metres > 0:
            return gap_spaces * SPACE_M >= self.metres and (
                self.bulkheads <= 0 or bulkheads >= self.bulkheads
            )
        if self.spaces > 0 and self.bulkheads > 0:
            return gap_spaces >= self.spaces or bulkheads >= self.bulkheads
        if self.spaces > 0:
            return gap_spaces >= self.spaces
        if self.bulkheads > 0:
            return bulkheads >= self.bulkheads
        return True


def _num(text: str) -> float:
    return float(text) if text else 0.0


@lru_cache(maxsize=1)
def requirements() -> dict[tuple[int, str, str, str], Requirement]:
    """Requirement per (code, direction, combination, position) from the reference table."""
    out: dict[tuple[int, str, str, str], Requirement] = {}
    for r in reference().container_ship_rules:
        if r["direction"] == "vertical":
            continue
        req = Requirement(
            _num(r["min_container_spaces"]),
            _num(r["min_bulkheads"]),
            _num(r["min_distance_m"]),
            r["prohibited"] == "true",
            r["rule"],
        )
        combos = COMBINATIONS if r["combination"] == "all" else (r["combination"],)
        positions = POSITIONS if r["position"] == "any" else (r["position"],)
        for c in combos:
            for p in positions:
                out[(int(r["code"]), r["direction"], c, p)] = req
    return out


def vertical_text(code: int, combination: str) -> str:
    """The table's vertical rule text for a code and combination."""
    for r in reference().container_ship_rules:
        if (
            r["direction"] == "vertical"
            and int(r["code"]) == code
            and r["combination"] in ("all", combination)
        ):
            return r["rule"]
    return ""


@dataclass(frozen=True)
class RequirementArrays:
    """The table as arrays indexed ``[code, direction, combination, position]``."""

    spaces: npt.NDArray[np.float64]
    bulkheads: npt.NDArray[np.float64]
    metres: npt.NDArray[np.float64]
    prohibited: npt.NDArray[np.bool_]


@lru_cache(maxsize=1)
def requirement_arrays() -> RequirementArrays:
    """The requirement table for vectorised checks (code 0 never requires anything)."""
    shape = (5, 2, 3, 2)
    arrs = RequirementArrays(
        np.zeros(shape), np.zeros(shape), np.zeros(shape), np.zeros(shape, dtype=np.bool_)
    )
    for (code, d, c, p), req in requirements().items():
        idx = (code, DIRECTIONS.index(d), COMBINATIONS.index(c), POSITIONS.index(p))
        arrs.spaces[idx] = req.spaces
        arrs.bulkheads[idx] = req.bulkheads
        arrs.metres[idx] = req.metres
        arrs.prohibited[idx] = req.prohibited
    return arrs


def satisfied_array(
    arrs: RequirementArrays,
    idx: tuple[npt.NDArray[np.intp], ...],
    gap: npt.NDArray[np.int64],
    bulkheads: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """Vectorised :meth:`Requirement.satisfied` for pairs indexed by ``idx``."""
    s, b, m, p = arrs.spaces[idx], arrs.bulkheads[idx], arrs.metres[idx], arrs.prohibited[idx]
    has_m, has_s, has_b = m > 0, s > 0, b > 0
    r_m = (gap * SPACE_M >= m) & (~has_b | (bulkheads >= b))
    r_sb = (gap >= s) | (bulkheads >= b)
    out = np.where(
        has_m,
        r_m,
        np.where(
            has_s & has_b, r_sb, np.where(has_s, gap >= s, np.where(has_b, bulkheads >= b, True))
        ),
    )
    return np.asarray(out & ~p, dtype=np.bool_)
