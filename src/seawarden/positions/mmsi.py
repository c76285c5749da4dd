"""MMSI structure (ITU-R M.585) and the Maritime Identification Digits table."""

from __future__ import annotations

import csv
from functools import lru_cache
from importlib import resources
from typing import NamedTuple

import numpy as np
import numpy.typing as npt


class Mid(NamedTuple):
    """One allocated MID."""

    mid: int
    iso2: str
    country: str


@lru_cache(maxsize=1)
def mid_table() -> dict[int, Mid]:
    """Every allocated MID, from the bundled ITU table."""
    text = resources.files("seawarden.positions.data").joinpath("mid.csv").read_text("utf-8")
    rows = csv.DictReader(text.splitlines())
    return {int(r["mid"]): Mid(int(r["mid"]), r["iso2"], r["country"]) for r in rows}


def _allocated() -> npt.NDArray[np.bool_]:
    table = np.zeros(1000, dtype=np.bool_)
    table[list(mid_table())] = True
    return table


def mid_of(mmsi: int) -> int | None:
    """The MID of an MMSI, or ``None`` for devices without one (SART, MOB, EPIRB).

    Where the MID sits depends on the category: ship, SAR aircraft, craft associated, AtoN,
    coast station, handheld.
    """
    if not 0 < mmsi < 1_000_000_000:
        return None
    s = f"{mmsi:09d}"
    if s[0] in "234567":
        return int(s[:3])
    if s.startswith("111"):
        return int(s[3:6])
    if s.startswith(("98", "99", "00")):
        return int(s[2:5])
    if s[0] in "08":
        return int(s[1:4])
    return None


def flag_state(mmsi: int) -> Mid | None:
    """The country whose MID the MMSI carries."""
    mid = mid_of(mmsi)
    return mid_table().get(mid) if mid is not None else None


def valid_mmsi(mmsi: npt.NDArray[np.int32] | npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Whether each MMSI of a position report is well formed with an allocated MID.

    Valid: ship stations ``MIDxxxxxx`` (first digit 2-7), SAR aircraft ``111MIDxxx``, craft
    associated with a parent ship ``98MIDxxxx``, and the ``97`` series of AIS-SART, MOB and
    EPIRB-AIS devices (which carry no MID). Anything else (fewer than nine digits, an
    unallocated MID, test numbers such as 123456789) is invalid.
    """
    m = np.asarray(mmsi, dtype=np.int64)
    allocated = _ALLOCATED
    first = m // 100_000_000
    ship = (first >= 2) & (first <= 7) & allocated[np.clip(m // 1_000_000, 0, 999)]
    sar = (m // 1_000_000 == 111) & allocated[np.clip(m // 1000 % 1000, 0, 999)]
    aux = (m // 10_000_000 == 98) & allocated[np.clip(m // 10_000 % 1000, 0, 999)]
    device = (m // 10_000_000 == 97) & (m < 980_000_000)
    return np.asarray(ship | sar | aux | device, dtype=np.bool_)


_ALLOCATED = _allocated()
