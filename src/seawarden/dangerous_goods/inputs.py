"""Reading bay and yard lists for the checks: JSON, CSV or a BAPLIE (EDIFACT) message.

JSON: ``{"kind": "bay", "containers": [...], "holds": [[1, 7], ...], "deck_tier": 80}`` or
``{"kind": "yard", "blocks": [...], "containers": [...], "now": ms}``. A container has ``id``,
``position`` (bay) or ``block``/``bay``/``row``/``tier`` (yard), and its goods either as
``un_number``/``class``/``subsidiary``/``packing_group`` or as ``items`` (a list of those);
``open`` and ``limited_quantity`` flags; ``in_ms`` for the yard. CSV has the same columns
(one item per row; rows with the same ``id`` are one container; ``subsidiary`` separated by
``;``). A BAPLIE gives each ``LOC+147`` cell with its ``EQD`` and ``DGS`` segments.
"""

from __future__ import annotations

import csv
import io
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from seawarden.dangerous_goods.bayplan import ShipLayout, StowedUnit
from seawarden.dangerous_goods.classes import Hazard
from seawarden.dangerous_goods.dglist import hazard_of
from seawarden.dangerous_goods.errors import DGError, InvalidInputError
from seawarden.dangerous_goods.yard import YardBlock, YardUnit

OPEN_TYPE_GROUPS = frozenset("UP")  # ISO 6346 size-type group: open-top, platform/flat


@dataclass
class Plan:
    """A parsed bay or yard list."""

    kind: str
    bay_units: list[StowedUnit] = field(default_factory=list)
    layout: ShipLayout = field(default_factory=ShipLayout)
    yard_units: list[YardUnit] = field(default_factory=list)
    blocks: list[YardBlock] = field(default_factory=list)
    now_ms: int | None = None
    notes: list[str] = field(default_factory=list)


def _item_hazard(item: dict[str, Any], notes: list[str]) -> Hazard | None:
    un = str(item.get("un_number") or item.get("un") or "").strip()
    cls = str(item.get("class") or item.get("hazard_class") or "").strip()
    if not un and not cls:
        return None
    subs = item.get("subsidiary") or ()
    if isinstance(subs, str):
        subs = [s for s in subs.replace(",", ";").split(";") if s.strip()]
    h, n = hazard_of(un or None, cls, list(subs), str(item.get("packing_group") or ""))
    notes += n
    return h


def _hazards(c: dict[str, Any], notes: list[str]) -> tuple[Hazard, ...]:
    items = c.get("items") or [c]
    if not isinstance(items, list):
        raise InvalidInputError(f"{c.get('id')}: items must be a list")
    out = []
    for it in items:
        if not isinstance(it, dict):
            raise InvalidInputError(f"{c.get('id')}: an item is an object")
        h = _item_hazard(it, notes)
        if h is not None:
            out.append(h)
    return tuple(out)


def _bool(v: Any) -> bool:
    return str(v).strip().lower() in ("1", "true", "yes", "y")


def _int(c: dict[str, Any], key: str) -> int:
    try:
        return int(c[key])
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidInputError(f"{c.get('id', '?')}: {key} must be an integer") from exc


def from_records(kind: str, containers: list[dict[str, Any]], meta: dict[str, Any]) -> Plan:
    """A plan from container records (as in the JSON form)."""
    plan = Plan(kind)
    for c in containers:
        if not isinstance(c, dict) or not c.get("id"):
            raise InvalidInputError("every container has an id")
    if kind == "bay":
        holds = tuple((int(a), int(b)) for a, b in meta.get("holds") or ())
        plan.layout = ShipLayout(holds=holds, deck_tier=int(meta.get("deck_tier", 80)))
        for c in containers:
            if "position" not in c:
                raise InvalidInputError(f"{c['id']}: a bay list needs position (BBBRRTT)")
            plan.bay_units.append(
                StowedUnit(
                    str(c["id"]),
                    str(c["position"]),
                    _hazards(c, plan.notes),
                    _bool(c.get("open", False)),
                    _bool(c.get("limited_quantity", False)),
                )
            )
    elif kind == "yard":
        for b in meta.get("blocks") or ():
            plan.blocks.append(
                YardBlock(
                    str(b["name"]),
                    float(b.get("x0", 0)),
                    float(b.get("y0", 0)),
                    float(b.get("bay_pitch_m", 6.5)),
                    float(b.get("row_pitch_m", 2.8)),
                )
            )
        plan.now_ms = int(meta["now"]) if meta.get("now") is not None else None
        for c in containers:
            plan.yard_units.append(
                YardUnit(
                    str(c["id"]),
                    str(c.get("block", "")),
                    _int(c, "bay"),
                    _int(c, "row"),
                    _int(c, "tier"),
                    _hazards(c, plan.notes),
                    _bool(c.get("open", False)),
                    int(c["in_ms"]) if c.get("in_ms") not in (None, "") else None,
                    float(c["x"]) if c.get("x") not in (None, "") else None,
                    float(c["y"]) if c.get("y") not in (None, "") else None,
                )
            )
    else:
        raise InvalidInputError(f"kind is bay or yard, not {kind!r}")
    return plan


def _from_csv(text: str) -> Plan:
    rows = list(csv.DictReader(io.StringIO(text)))
    if not rows:
        raise InvalidInputError("empty CSV")
    kind = "bay" if "position" in rows[0] else "yard"
    merged: dict[str, dict[str, Any]] = {}
    for r in rows:
        c = merged.setdefault(r["id"], {**r, "items": []})
        c["items"].append(r)
    return from_records(kind, list(merged.values()), {})


def read_baplie(text: str) -> Plan:
    """Containers and their DG items from a BAPLIE interchange (pydifact)."""
    from pydifact.segmentcollection import Interchange

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            interchange = Interchange.from_str(text)
            segments = list(interchange.segments)
        except Exception as exc:
            raise InvalidInputError(f"not a readable EDIFACT interchange: {exc}") from exc
    containers: list[dict[str, Any]] = []
    current: dict[str, Any] | None = None
    for seg in segments:
        el = seg.elements
        if seg.tag == "LOC" and el and el[0] == "147":
            cell = el[1][0] if isinstance(el[1], list) else el[1]
            current = {"id": cell, "position": cell, "items": [], "open": False}
            containers.append(current)
        elif seg.tag == "EQD" and current is not None and len(el) > 1:
            current["id"] = el[1] if isinstance(el[1], str) else el[1][0]
            size_type = el[2] if len(el) > 2 and isinstance(el[2], str) else ""
            current["open"] = len(size_type) >= 3 and size_type[2] in OPEN_TYPE_GROUPS
        elif seg.tag == "DGS" and current is not None and len(el) > 2:
            cls = el[1] if isinstance(el[1], str) else el[1][0]
            un = el[2] if isinstance(el[2], str) else el[2][0]
            current["items"].append({"class": cls, "un_number": un})
    for c in containers:
        if not c["items"]:
            c["items"] = [{}]
    return from_records("bay", containers, {})


def read_plan(path: Path) -> Plan:
    """A bay or yard list from a file (``.json``, ``.csv``, ``.edi``/``.baplie``)."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"cannot read {path}: {exc}") from exc
    return plan_from_text(text, Path(path).suffix.lower(), str(path))


def plan_from_text(text: str, suffix: str = ".json", name: str = "plan") -> Plan:
    """A bay or yard list from its text; ``suffix`` (``.json``, ``.csv``, ``.edi``) says how."""
    suffix = suffix.lower() if suffix.startswith(".") else f".{suffix.lower()}"
    try:
        if suffix in (".edi", ".baplie", ".edifact") or text.lstrip().startswith(("UNA", "UNB")):
            return read_baplie(text)
        if suffix == ".csv":
            return _from_csv(text)
        data = json.loads(text)
        if isinstance(data, list):
            data = {"kind": "bay" if data and "position" in data[0] else "yard", "containers": data}
        if not isinstance(data, dict):
            raise InvalidInputError("a plan file is a JSON object or list")
        return from_records(str(data.get("kind", "bay")), list(data.get("containers") or []), data)
    except DGError:
        raise
    except (ValueError, KeyError, TypeError, IndexError, AttributeError, RecursionError) as exc:
        raise InvalidInputError(f"{name}: {exc}") from exc
