"""The dangerous goods list: look-up by UN number and the hazards of a declared item."""

from __future__ import annotations

import re

from seawarden.dangerous_goods.classes import Hazard, parse_class
from seawarden.dangerous_goods.errors import InvalidInputError, UnknownUNNumberError
from seawarden.dangerous_goods.reference import DGEntry, reference

_UN_RE = re.compile(r"^\s*(?:UN|un|Un)?\s*(\d{4})\s*$")


def normalise_un(text: str | int) -> str:
    """Four-digit UN number text from ``UN1203``, ``1203`` or ``1203``-as-int."""
    if isinstance(text, int) and not isinstance(text, bool):
        text = f"{text:04d}"
    m = _UN_RE.match(str(text))
    if not m:
        raise UnknownUNNumberError(f"not a UN number: {text!r}", un_number=str(text))
    return m.group(1)


def lookup(un_number: str | int) -> tuple[DGEntry, ...]:
    """Every DG-list entry of a UN number; :class:`UnknownUNNumberError` when there is none."""
    un = normalise_un(un_number)
    entries = reference().dg_list.get(un)
    if not entries:
        raise UnknownUNNumberError(f"UN {un} is not in the dangerous goods list", un_number=un)
    return entries


def entry_for(un_number: str | int, packing_group: str = "", hazard_class: str = "") -> DGEntry:
    """The entry that best matches a declared packing group and class (first entry otherwise)."""
    entries = lookup(un_number)
    pg = packing_group.strip().upper()
    pg = {"1": "I", "2": "II", "3": "III"}.get(pg, pg)
    cls = hazard_class.strip()
    for e in entries:
        if (not pg or e.packing_group == pg) and (
            not cls or e.division == cls.rstrip("ABCDEFGHJKLNS")
        ):
            return e
    for e in entries:
        if not pg or e.packing_group == pg:
            return e
    return entries[0]


def hazard_of(
    un_number: str | int | None = None,
    hazard_class: str = "",
    subsidiary: tuple[str, ...] | list[str] = (),
    packing_group: str = "",
) -> tuple[Hazard, list[str]]:
    """The hazards of an item, re-derived from the DG list when the UN number is known.

    Returns the hazard and notes about mismatches between what was declared and the list
    (the list wins, IMDG practice). Without a UN number the declared class is used.
    """
    notes: list[str] = []
    if un_number not in (None, ""):
        e = entry_for(un_number, packing_group, hazard_class)
        if hazard_class:
            division, _ = parse_class(hazard_class)
            if division != e.division:
                notes.append(
                    f"UN {e.un_number}: declared class {hazard_class} differs from the list "
                    f"({e.hazard_class}); the list is used"
                )
        return (
            Hazard(e.division, e.compatibility_group, e.subsidiary, e.un_number),
            notes,
        )
    if not hazard_class:
        raise InvalidInputError("an item needs a UN number or a class")
    division, group = parse_class(hazard_class)
    subs = tuple(parse_class(s, allow_class_only=True)[0] for s in subsidiary if str(s).strip())
    return Hazard(division, group, subs), notes
