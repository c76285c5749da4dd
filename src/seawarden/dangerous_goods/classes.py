"""IMDG classes and divisions: parsing, table keys and class 1 compatibility groups."""

from __future__ import annotations

import re
from dataclasses import dataclass

from seawarden.dangerous_goods.errors import InvalidClassError

#: Every IMDG class or division a goods item may have.
DIVISIONS = (
    "1.1", "1.2", "1.3", "1.4", "1.5", "1.6",
    "2.1", "2.2", "2.3",
    "3",
    "4.1", "4.2", "4.3",
    "5.1", "5.2",
    "6.1", "6.2",
    "7", "8", "9",
)  # fmt: skip

COMPATIBILITY_GROUPS = frozenset("ABCDEFGHJKLNS")

_CLASS_RE = re.compile(r"^\s*(?:class\s*)?([1-9](?:\.[1-6])?)\s*([A-HJKLNS])?\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Hazard:
    """The hazards of one goods item: division, compatibility group, subsidiary hazards."""

    division: str
    compatibility_group: str = ""
    subsidiary: tuple[str, ...] = ()
    un_number: str = ""

    @property
    def is_class1(self) -> bool:
        """Whether the primary hazard is class 1."""
        return self.division.startswith("1")

    @property
    def label(self) -> str:
        """Class text as shown to users (``1.1D``, ``3 (6.1)``)."""
        text = self.division + self.compatibility_group
        return text + (f" ({', '.join(self.subsidiary)})" if self.subsidiary else "")


def parse_class(text: str, allow_class_only: bool = False) -> tuple[str, str]:
    """``(division, compatibility group)`` of a class text such as ``1.4S``, ``5.1`` or ``3``.

    ``allow_class_only`` accepts a bare class ``1`` (a subsidiary hazard of class 1).
    Raises :class:`InvalidClassError` for anything else.
    """
    m = _CLASS_RE.match(str(text))
    if not m:
        raise InvalidClassError(f"not an IMDG class or division: {text!r}", value=str(text))
    division, group = m.group(1), (m.group(2) or "").upper()
    if division not in DIVISIONS and not (allow_class_only and division == "1"):
        raise InvalidClassError(f"not an IMDG class or division: {text!r}", value=str(text))
    if group and not division.startswith("1"):
        raise InvalidClassError(
            f"a compatibility group belongs to class 1 only: {text!r}", value=text
        )
    return division, group


def table_key(division: str) -> str:
    """Row/column label of the 7.2.4 table for a division (a class 1 subsidiary counts as 1.3)."""
    if division in ("1.1", "1.2", "1.5"):
        return "1.1/1.2/1.5"
    if division in ("1.3", "1.6", "1"):
        return "1.3/1.6"
    return division


def class_of(division: str) -> str:
    """The class number of a division (``5.1`` → ``5``)."""
    return division.split(".")[0]


# IMDG 7.2.7.1.4: groups that may be stowed together (symmetric). ``S`` goes with all but A and L;
# ``L`` only with the same substance (same UN number), checked by the caller.
_TOGETHER = {
    ("A", "A"),
    ("B", "B"),
    ("C", "C"), ("C", "D"), ("C", "E"), ("D", "D"), ("D", "E"), ("E", "E"),
    ("C", "G"), ("D", "G"), ("E", "G"), ("G", "G"),
    ("C", "N"), ("D", "N"), ("E", "N"), ("N", "N"),
    ("F", "F"), ("H", "H"), ("J", "J"), ("K", "K"),
}  # fmt: skip


def compatible(group_a: str, group_b: str, same_substance: bool = False) -> bool:
    """Whether two class 1 compatibility groups may be stowed together (IMDG 7.2.7.1.4)."""
    a, b = sorted((group_a.upper(), group_b.upper()))
    if "L" in (a, b):
        return a == b == "L" and same_substance
    if "S" in (a, b):
        return "A" not in (a, b)
    return (a, b) in _TOGETHER
