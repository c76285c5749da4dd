"""Vessel classes that rules apply to, from AIS ship types and the source of a position."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntFlag

import numpy as np
import numpy.typing as npt


class VesselClass(IntFlag):
    """Classes a vessel can belong to (a tanker carrying dangerous goods is TANKER | DG)."""

    CARGO = 1
    TANKER = 2
    PASSENGER = 4
    FISHING = 8
    TUG = 16
    HIGH_SPEED = 32
    PLEASURE = 64
    DG = 128
    OTHER = 256
    UNKNOWN = 512


#: Names used in zone parameters (``applies_to``, ``forbidden_ship_types``).
CLASS_NAMES: dict[str, VesselClass] = {
    "cargo": VesselClass.CARGO,
    "container": VesselClass.CARGO,
    "tanker": VesselClass.TANKER,
    "passenger": VesselClass.PASSENGER,
    "ferry": VesselClass.PASSENGER,
    "fishing": VesselClass.FISHING,
    "tug": VesselClass.TUG,
    "high_speed": VesselClass.HIGH_SPEED,
    "pleasure": VesselClass.PLEASURE,
    "dg": VesselClass.DG,
    "dangerous_goods": VesselClass.DG,
    "other": VesselClass.OTHER,
    "unknown": VesselClass.UNKNOWN,
}


def classify(
    shiptype: npt.NDArray[np.int64], beidou: npt.NDArray[np.bool_]
) -> npt.NDArray[np.int64]:
    """Class bits from AIS ship types (-1 unknown) and whether the identity is a BeiDou terminal.

    Types 70-79 cargo, 80-89 tanker, 60-69 passenger, 40-49 high-speed craft, 30 fishing,
    31/32/52 towing and tugs, 36/37 sailing and pleasure; a second digit 1-4 in 40-99
    marks dangerous goods (categories X, Y, Z, OS).
    """
    t = np.asarray(shiptype, dtype=np.int64)
    out = np.full(t.size, int(VesselClass.OTHER), dtype=np.int64)
    first = t // 10
    out[first == 7] = VesselClass.CARGO
    out[first == 8] = VesselClass.TANKER
    out[first == 6] = VesselClass.PASSENGER
    out[first == 4] = VesselClass.HIGH_SPEED
    out[t == 30] = VesselClass.FISHING
    out[(t == 31) | (t == 32) | (t == 52)] = VesselClass.TUG
    out[(t == 36) | (t == 37)] = VesselClass.PLEASURE
    dg = (t >= 40) & (t <= 99) & (t % 10 >= 1) & (t % 10 <= 4)
    out[dg] |= VesselClass.DG
    out[t < 0] = VesselClass.UNKNOWN
    out[np.asarray(beidou, dtype=np.bool_)] = VesselClass.FISHING
    return out


def class_mask(names: Sequence[str | int] | None) -> tuple[int, int, int]:
    """(class bits, type bits 0-63, type bits 64-99) of names, AIS type codes and ranges.

    Ranges are written ``"80-89"``. Raises ValueError on an unknown name.
    """
    mask = lo = hi = 0
    for item in names or []:
        if isinstance(item, int) or (isinstance(item, str) and item.strip().isdigit()):
            codes = [int(item)]
        elif isinstance(item, str) and "-" in item and item.replace("-", "").strip().isdigit():
            a, b = item.split("-")
            codes = list(range(int(a), int(b) + 1))
        else:
            key = str(item).strip().lower()
            if key not in CLASS_NAMES:
                raise ValueError(
                    f"unknown vessel class {item!r} (known: {', '.join(sorted(CLASS_NAMES))})"
                )
            mask |= CLASS_NAMES[key]
            continue
        for c in codes:
            if not 0 <= c <= 99:
                raise ValueError(f"AIS ship type {c} out of 0-99")
            if c < 64:
                lo |= 1 << c
            else:
                hi |= 1 << (c - 64)
    return mask, lo, hi
