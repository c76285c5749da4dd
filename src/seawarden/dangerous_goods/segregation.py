"""IMDG class-vs-class segregation: the strictest code over primary and subsidiary hazards.

The 7.2.4 table is read from the reference data; class 1 against class 1 is decided by the
compatibility groups (7.2.7.1.4), incompatible groups being kept "separated from" (code 2).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from seawarden.dangerous_goods.classes import Hazard, class_of, compatible, parse_class, table_key
from seawarden.dangerous_goods.reference import reference

#: Strictness of the codes (``X``: no general requirement).
RANK = {"X": 0, "1": 1, "2": 2, "3": 3, "4": 4}

MEANING = {
    "X": "no general requirement",
    "1": "away from",
    "2": "separated from",
    "3": "separated by a complete compartment or hold from",
    "4": "separated longitudinally by an intervening complete compartment or hold from",
    "*": "class 1 vs class 1: compatibility groups decide",
}


def table_code(class_a: str, class_b: str) -> str:
    """The raw 7.2.4 table code (``1``–``4``, ``X``, ``*``) for two classes or divisions."""
    da, _ = parse_class(class_a, allow_class_only=True)
    db, _ = parse_class(class_b, allow_class_only=True)
    return reference().segregation_codes[(table_key(da), table_key(db))]


@dataclass(frozen=True)
class PairCode:
    """The segregation two goods items need, and how it was found.

    ``code`` is ``X`` or ``1``–``4``, or ``*`` when class 1 groups are unknown. ``cells`` lists
    the table cells that gave the strictest code; ``verify`` is true when one of them is
    flagged VERIFY; ``same_class`` marks a code that comes only from subsidiary hazards of two
    items of one class (IMDG 7.2.6.1 may exempt them).
    """

    code: str
    cells: tuple[str, ...]
    verify: bool = False
    class1: str = ""
    same_class: bool = False

    @property
    def rank(self) -> int:
        """Strictness (``*`` counts as 2, the distance applied until resolved)."""
        return 2 if self.code == "*" else RANK[self.code]


@lru_cache(maxsize=65536)
def pair_code(a: Hazard, b: Hazard) -> PairCode:
    """The strictest segregation code between two items (subsidiary hazards included)."""
    ref = reference()
    if a.is_class1 and b.is_class1:
        ga, gb = a.compatibility_group, b.compatibility_group
        if not ga or not gb:
            return PairCode("*", ("IMDG 7.2.7.1.4: compatibility group unknown",), class1="unknown")
        same = bool(a.un_number) and a.un_number == b.un_number
        ok = compatible(ga, gb, same)
        cell = f"IMDG 7.2.7.1.4 [{ga}, {gb}] = {'may be stowed together' if ok else 'not together'}"
        return PairCode("X" if ok else "2", (cell,), class1="compatible" if ok else "incompatible")
    best = "X"
    cells: list[str] = []
    verify = False
    primary_code = "X"
    for i, da in enumerate((a.division, *a.subsidiary)):
        for j, db in enumerate((b.division, *b.subsidiary)):
            ka, kb = table_key(da), table_key(db)
            code = ref.segregation_codes[(ka, kb)]
            if code == "*":  # a class 1 subsidiary against class 1: treat as unresolved 1.3
                code = "2"
            if i == 0 and j == 0:
                primary_code = code
            cell = f"IMDG 7.2.4 [{ka}, {kb}] = {code}"
            flagged = (ka, kb) in ref.segregation_verify
            if RANK[code] > RANK[best]:
                best, cells, verify = code, [cell], flagged
            elif RANK[code] == RANK[best] and code != "X":
                cells.append(cell)
                verify = verify or flagged
    same_class = class_of(a.division) == class_of(b.division) and RANK[primary_code] < RANK[best]
    if best == "X":
        cells = [f"IMDG 7.2.4 [{table_key(a.division)}, {table_key(b.division)}] = X"]
    return PairCode(best, tuple(cells), verify=verify, same_class=same_class)


def items_code(a: tuple[Hazard, ...], b: tuple[Hazard, ...]) -> PairCode:
    """The strictest code between two units that may each hold several items."""
    best: PairCode | None = None
    for ha in a:
        for hb in b:
            pc = pair_code(ha, hb)
            if best is None or pc.rank > best.rank or (pc.rank == best.rank and pc.verify):
                best = pc
    return best or PairCode("X", ())
