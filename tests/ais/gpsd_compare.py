"""Field-by-field comparison of Seawarden's decode with gpsd's expected JSON (.chk files).

The deliberate differences, each documented in docs/ais/gpsd-differences.md, are
encoded here as explicit rules; anything else is a mismatch.
"""

from __future__ import annotations

import difflib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from seawarden.ais.applications import APPLICATIONS
from seawarden.ais.messages import LAYOUTS

DATA = Path(__file__).resolve().parents[1] / "data" / "ais"

# gpsd keys that describe the gpsd session, not the message.
GPSD_ONLY = {"class", "device", "scaled"}

# Legends gpsd prints as a string in place of the code (scaled output).
LEGEND_AS_VALUE = {"pressuretend", "leveltrend", "preciptype", "ice"}

# Special gpsd strings for numeric fields, and what our value must then be.
SPECIAL_STRINGS = {
    ("speed", "fast"): 102.2,
    ("alt", "high"): 4094,
}


def load_gold(path: Path) -> list[dict[str, Any]]:
    """AIS records of a gpsd .chk file, floats kept as Decimal (to know their precision)."""
    out = []
    for line in path.read_text().splitlines():
        if not line.startswith("{"):
            continue
        rec = json.loads(line, parse_float=Decimal)
        if rec.get("class") == "AIS":
            out.append(rec)
    return out


def merge_type24(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Emulate gpsd's type 24 handling: part A waits in an 8-entry ring, part B merges.

    gpsd's test output only shows merged A+B records; lone parts are dropped here.
    """
    ring: list[dict[str, Any] | None] = [None] * 8
    index = 0
    out = []
    for m in messages:
        if m["type"] != 24:
            out.append(m)
            continue
        if m.get("partno") == 0:
            ring[index] = m
            index = (index + 1) % len(ring)
            continue
        for i, a in enumerate(ring):
            if a is not None and a["mmsi"] == m["mmsi"]:
                merged = dict(m)
                merged["shipname"] = a.get("shipname", "")
                out.append(merged)
                ring[i] = None
                break
    return out


def _na_scaled(message_type: int, key: str, layout_key: str | None) -> set[Any]:
    values: set[Any] = set()
    layouts = [lay for lay in LAYOUTS.values() if layout_key in (None, lay.key)]
    layouts += list(APPLICATIONS.values())
    for lay in layouts:
        fields = list(lay.fields) + [f for a in lay.arrays for f in a.fields]
        for f in fields:
            if f.name == key and f.na is not None:
                values.add((f.na - f.offset) / f.div if f.is_scaled else f.na)
    return values


def _decimals(value: Decimal) -> int:
    exponent = value.as_tuple().exponent
    return -exponent if isinstance(exponent, int) and exponent < 0 else 0


def _close(ours: Any, gold: Any) -> bool:
    if isinstance(gold, bool) or isinstance(ours, bool):
        return bool(ours) == bool(gold) and isinstance(ours, bool | int)
    if isinstance(gold, Decimal):
        if not isinstance(ours, int | float):
            return False
        d = _decimals(gold)
        return abs(Decimal(repr(float(ours))) - gold) <= Decimal(5) * Decimal(10) ** -(d + 1)
    if isinstance(gold, int):
        return isinstance(ours, int | float) and float(ours) == float(gold)
    return ours == gold


def _same_data(ours: str, gold: str) -> bool:
    """Same bits, ignoring the padding of the last byte (gpsd copies what follows)."""
    n1, _, h1 = ours.partition(":")
    n2, _, h2 = gold.partition(":")
    if n1 != n2 or len(h1) != len(h2):
        return False
    if not h1:
        return True
    pad = len(h1) * 4 - int(n1)
    return int(h1, 16) >> pad == int(h2, 16) >> pad


def compare_record(ours: dict[str, Any], gold: dict[str, Any], scaled: bool) -> list[str]:
    """Differences between one of our messages and gpsd's record (empty: equal)."""
    problems: list[str] = []
    mtype = gold["type"]
    for key, gval in gold.items():
        if key in GPSD_ONLY:
            continue
        if key == "part":
            if ours.get("partno") != {"A": 0, "B": 1}[gval]:
                problems.append(f"part: {ours.get('partno')} vs {gval}")
            continue
        if key not in ours:
            # A field gpsd prints as 0 although the message does not carry it.
            if gval == 0 or gval == Decimal(0):
                continue
            problems.append(f"{key}: missing (gpsd {gval!r})")
            continue
        oval = ours[key]
        if key == "radio" and mtype == 26 and gval == 0:
            # gpsd does not decode the radio status closing a type 26 message.
            continue
        if key == "data" and isinstance(gval, str) and isinstance(oval, str):
            if not _same_data(oval, gval):
                problems.append(f"data: {oval!r} vs {gval!r}")
            continue
        if key == "shiptype_text" and gval == "Illegal ship type value." and oval is None:
            # Inland ship type codes outside the ERI table have no text.
            continue
        if isinstance(gval, list):
            if not isinstance(oval, list) or len(oval) != len(gval):
                problems.append(f"{key}: {oval!r} vs {gval!r}")
                continue
            for i, (o, g) in enumerate(zip(oval, gval, strict=True)):
                problems += [
                    f"{key}[{i}].{p}" for p in compare_record(o, g | {"type": mtype}, scaled)
                ]
            continue
        if key == "vendorid" and isinstance(gval, str):
            # gpsd prints the pre-M.1371-4 7-character field, spanning model and serial.
            if not gval.startswith(oval):
                problems.append(f"vendorid: {oval!r} vs {gval!r}")
            continue
        if scaled and key in LEGEND_AS_VALUE and isinstance(gval, str):
            if ours.get(key + "_text") != gval:
                problems.append(f"{key}: text {ours.get(key + '_text')!r} vs {gval!r}")
            continue
        if scaled and key == "turn" and isinstance(gval, str):
            if gval in ("n/a", "fastleft", "fastright"):
                if oval is not None or ours.get("turn_text") != gval:
                    problems.append(f"turn: {oval!r}/{ours.get('turn_text')!r} vs {gval!r}")
            elif oval is None or f"{oval:.2f}" != gval:
                problems.append(f"turn: {oval!r} vs {gval!r}")
            continue
        if isinstance(gval, str) and (key, gval) in SPECIAL_STRINGS:
            if oval != SPECIAL_STRINGS[(key, gval)]:
                problems.append(f"{key}: {oval!r} vs {gval!r}")
            continue
        if scaled and isinstance(gval, str) and gval in ("n/a", "nan"):
            if oval is not None:
                problems.append(f"{key}: {oval!r} vs {gval!r}")
            continue
        if isinstance(gval, str) and isinstance(oval, float):
            # gpsd prints channel-management corners as quoted "%f" strings.
            gval = Decimal(gval)
        if oval is None and scaled:
            if isinstance(gval, Decimal | int) and any(
                _close(na, gval) for na in _na_scaled(mtype, key, None)
            ):
                continue
            problems.append(f"{key}: null vs {gval!r}")
            continue
        if not _close(oval, gval):
            problems.append(f"{key}: {oval!r} vs {gval!r}")
    return problems


def align(
    ours: list[dict[str, Any]], gold: list[dict[str, Any]]
) -> tuple[list[tuple[dict[str, Any], dict[str, Any]]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Pair our messages with gpsd's records by (type, mmsi) order.

    Returns (pairs, ours only, gpsd only).
    """
    a = [(m["type"], m["mmsi"]) for m in ours]
    b = [(g["type"], g["mmsi"]) for g in gold]
    sm = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    pairs = []
    only_ours: list[dict[str, Any]] = []
    only_gold: list[dict[str, Any]] = []
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag == "equal":
            pairs += list(zip(ours[i1:i2], gold[j1:j2], strict=True))
        else:
            only_ours += ours[i1:i2]
            only_gold += gold[j1:j2]
    return pairs, only_ours, only_gold
