"""Simulated vessels: identities (MMSI, IMO, name, call sign, fishing number) and particulars."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

#: Share of each vessel type in a simulated fleet.
FLEET_MIX: dict[str, float] = {
    "cargo": 0.22,
    "container": 0.15,
    "tanker": 0.15,
    "passenger": 0.06,
    "fishing": 0.34,
    "tug": 0.08,
}
#: AIS ship-type code of each vessel type.
SHIP_TYPE_CODE = {
    "cargo": 70,
    "container": 71,
    "tanker": 80,
    "passenger": 60,
    "fishing": 30,
    "tug": 52,
}
#: Length range (m) of each vessel type.
LENGTH_M = {
    "cargo": (90, 230),
    "container": (180, 400),
    "tanker": (120, 330),
    "passenger": (40, 90),
    "fishing": (25, 55),
    "tug": (28, 40),
}

_SYLLABLES = [
    "HAI",
    "XIN",
    "ZHONG",
    "YUAN",
    "HUA",
    "NING",
    "ZHOU",
    "DONG",
    "JIN",
    "SHUN",
    "CHANG",
    "AN",
    "HANG",
    "XING",
    "DA",
    "TAI",
    "FENG",
    "PING",
    "SHENG",
    "YUN",
    "HE",
    "MING",
    "FU",
    "KANG",
]
_CARRIERS = [
    "COSCO",
    "CSCL",
    "SITC",
    "ZHONGGU",
    "NINGBO",
    "MSC",
    "MAERSK",
    "EVER",
    "ONE",
    "CMA CGM",
]
_FISHING_PREFIX = ["浙岱渔", "浙普渔", "浙嵊渔", "浙象渔", "浙奉渔"]
_FISHING_PINYIN = {
    "浙岱渔": "ZHE DAI YU",
    "浙普渔": "ZHE PU YU",
    "浙嵊渔": "ZHE SHENG YU",
    "浙象渔": "ZHE XIANG YU",
    "浙奉渔": "ZHE FENG YU",
}
_DESTINATIONS = {
    "cargo": "CNNBO",
    "container": "CNNBG",
    "tanker": "CNZOS",
    "passenger": "SHENJIAMEN",
    "fishing": "",
    "tug": "BEILUN",
}


@dataclass(frozen=True)
class Vessel:
    """One simulated vessel and its identity."""

    index: int
    kind: str
    mmsi: int
    ais_class: str
    imo: int | None
    name: str
    callsign: str
    length_m: int
    beam_m: int
    draught_m: float
    destination: str
    terminal: str | None = None
    fishing_no: str | None = None

    @property
    def shiptype(self) -> int:
        """AIS ship-type code."""
        return SHIP_TYPE_CODE[self.kind]

    def as_dict(self) -> dict[str, Any]:
        """Plain data (the fleet file)."""
        d = asdict(self)
        d["shiptype"] = self.shiptype
        return d


def imo_number(first6: int) -> int:
    """A valid IMO number: six digits and their check digit (weights 7..2)."""
    digits = [int(c) for c in f"{first6:06d}"]
    check = sum(d * w for d, w in zip(digits, range(7, 1, -1), strict=True)) % 10
    return first6 * 10 + check


def make_fleet(
    n: int, rng: np.random.Generator, mix: dict[str, float] | None = None
) -> list[Vessel]:
    """``n`` vessels of the given type mix, with unique identities."""
    mix = mix or FLEET_MIX
    kinds = list(mix)
    counts = np.floor(np.array([mix[k] for k in kinds]) * n).astype(int)
    for i in np.argsort(-np.array([mix[k] for k in kinds]))[: n - counts.sum()]:
        counts[i] += 1
    vessels: list[Vessel] = []
    mmsis = rng.choice(900_000, size=n, replace=False)
    imos = rng.choice(900_000, size=n, replace=False) + 100_000
    used_names: set[str] = set()
    for kind, count in zip(kinds, counts.tolist(), strict=True):
        for _ in range(count):
            i = len(vessels)
            vessels.append(_vessel(i, kind, int(mmsis[i]), int(imos[i]), rng, used_names))
    return vessels


def _vessel(
    i: int, kind: str, serial: int, imo6: int, rng: np.random.Generator, used: set[str]
) -> Vessel:
    lo, hi = LENGTH_M[kind]
    length = int(rng.integers(lo, hi + 1))
    beam = max(6, int(length * rng.uniform(0.13, 0.17)))
    draught = round(float(length * rng.uniform(0.04, 0.06)), 1)
    callsign = "B" + "".join(chr(65 + int(c)) for c in rng.integers(0, 26, 3))
    terminal = fishing_no = None
    while True:
        if kind == "fishing":
            prefix = _FISHING_PREFIX[int(rng.integers(len(_FISHING_PREFIX)))]
            number = int(rng.integers(1000, 99999))
            fishing_no = f"{prefix}{number:05d}"
            name = f"{_FISHING_PINYIN[prefix]} {number:05d}"
        elif kind == "container":
            carrier = _CARRIERS[int(rng.integers(len(_CARRIERS)))]
            a, b = rng.integers(len(_SYLLABLES), size=2)
            name = f"{carrier} {_SYLLABLES[int(a)]}{_SYLLABLES[int(b)]}"
        else:
            a, b = rng.integers(len(_SYLLABLES), size=2)
            name = f"{_SYLLABLES[int(a)]} {_SYLLABLES[int(b)]} {int(rng.integers(1, 999))}"
        if name not in used:
            used.add(name)
            break
    if kind == "fishing":
        mmsi = 412_000_000 + serial
        terminal = f"{9_100_000 + serial:07d}"
        return Vessel(
            i,
            kind,
            mmsi,
            "B",
            None,
            name[:20],
            callsign,
            length,
            beam,
            draught,
            "",
            terminal,
            fishing_no,
        )
    mmsi = (413, 414)[serial % 2] * 1_000_000 + serial
    imo = imo_number(imo6) if kind != "tug" or rng.random() < 0.3 else None
    ais_class = "A"
    return Vessel(
        i,
        kind,
        mmsi,
        ais_class,
        imo,
        name[:20],
        callsign,
        length,
        beam,
        draught,
        _DESTINATIONS[kind],
    )
