"""Identity resolution as a pure function: register ships and observed identities in, decisions out.

Observed identities are AIS particulars (MMSI with the name, call sign and IMO number the
ship transmits) and BeiDou terminals (terminal with the fishing-vessel number it reports).
Each link or conflict names the source it rests on and that source's priority; where
sources disagree the higher priority wins and the disagreement is kept as a conflict.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

#: Default priority of each source of an identity decision (higher wins).
SOURCE_PRIORITY: dict[str, int] = {
    "manual": 100,
    "register": 90,
    "beidou_fishing_no": 60,
    "ais_imo": 50,
}


class ConflictKind(StrEnum):
    """Kinds of identity conflict."""

    mmsi_on_two_ships = "mmsi_on_two_ships"
    """Two ships hold one MMSI: in the register, or the MMSI of one transmits the other's IMO."""
    ship_two_mmsis = "ship_two_mmsis"
    """A ship is seen under an MMSI other than its registered one (or under two MMSIs)."""
    name_mismatch = "name_mismatch"
    """The transmitted name differs from the registered name."""
    callsign_mismatch = "callsign_mismatch"
    """The transmitted call sign differs from the registered call sign."""
    imo_mismatch = "imo_mismatch"
    """The transmitted IMO number differs from the registered one."""
    fishing_no_mismatch = "fishing_no_mismatch"
    """A terminal linked to a ship reports another fishing-vessel number."""
    ship_two_terminals = "ship_two_terminals"
    """Two terminals report one fishing-vessel number."""


@dataclass(frozen=True)
class RegisterShip:
    """The identities the register holds for a ship."""

    id: str
    organisation: str
    name: str
    imo: str | None = None
    mmsi: int | None = None
    callsign: str | None = None
    fishing_no: str | None = None


@dataclass(frozen=True)
class AisIdentity:
    """What an MMSI transmits about itself (static reports)."""

    mmsi: int
    name: str | None = None
    callsign: str | None = None
    imo: str | None = None


@dataclass(frozen=True)
class TerminalIdentity:
    """A BeiDou/VMS terminal and the fishing-vessel number it reports."""

    terminal: str
    fishing_no: str | None = None


@dataclass(frozen=True)
class Link:
    """An observed key (MMSI or terminal) attributed to a ship."""

    key_kind: str
    key: str
    ship_id: str
    source: str
    priority: int


@dataclass(frozen=True)
class Conflict:
    """A disagreement between sources, and what was decided."""

    key_kind: str
    key: str
    conflict: ConflictKind
    ship_id: str | None
    other_ship_id: str | None
    source: str
    priority: int
    action: str
    observed: dict[str, Any] = field(default_factory=dict)


@dataclass
class Resolution:
    """Links to create and conflicts to record; keys nothing matched."""

    links: list[Link] = field(default_factory=list)
    conflicts: list[Conflict] = field(default_factory=list)
    unmatched: list[tuple[str, str]] = field(default_factory=list)


_NON_ALNUM = re.compile(r"[^A-Z0-9]+")


def norm_name(value: str | None) -> str | None:
    """A ship name as AIS can carry it: upper case letters and digits, single spaces, 20 chars."""
    if not value:
        return None
    return _NON_ALNUM.sub(" ", value.upper()).strip()[:20].strip() or None


def _ascii(value: str) -> bool:
    return value.isascii()


def resolve(
    ships: Iterable[RegisterShip],
    ais: Iterable[AisIdentity],
    terminals: Iterable[TerminalIdentity],
    current: Mapping[tuple[str, str], Link] | None = None,
    priorities: Mapping[str, int] | None = None,
) -> Resolution:
    """Link MMSIs and terminals to ships and find conflicts.

    ``current`` holds the links already in force (by ``(key_kind, key)``); a new link is
    proposed only where none exists or where it rests on a higher-priority source.
    """
    prio = {**SOURCE_PRIORITY, **(priorities or {})}
    current = current or {}
    out = Resolution()
    ships = list(ships)
    by_mmsi: dict[int, list[RegisterShip]] = defaultdict(list)
    by_imo: dict[str, RegisterShip] = {}
    by_fishing: dict[str, RegisterShip] = {}
    for s in ships:
        if s.mmsi is not None:
            by_mmsi[s.mmsi].append(s)
        if s.imo:
            by_imo[s.imo] = s
        if s.fishing_no:
            by_fishing[s.fishing_no] = s

    def propose(link: Link) -> None:
        held = current.get((link.key_kind, link.key))
        if held is not None and (held.ship_id == link.ship_id or held.priority > link.priority):
            return
        out.links.append(link)

    def conflict(
        kind: str,
        key: str,
        ck: ConflictKind,
        a: str | None,
        b: str | None,
        source: str,
        action: str,
        observed: dict[str, Any],
    ) -> None:
        out.conflicts.append(Conflict(kind, key, ck, a, b, source, prio[source], action, observed))

    for mmsi, holders in sorted(by_mmsi.items()):
        if len(holders) > 1:
            ids = sorted(h.id for h in holders)
            conflict(
                "mmsi",
                str(mmsi),
                ConflictKind.mmsi_on_two_ships,
                ids[0],
                ids[1],
                "register",
                "flag",
                {"ships": ids},
            )

    imo_seen: dict[str, list[int]] = defaultdict(list)
    for obs in sorted(ais, key=lambda o: o.mmsi):
        key = str(obs.mmsi)
        observed = {
            k: v for k, v in (("name", obs.name), ("callsign", obs.callsign), ("imo", obs.imo)) if v
        }
        if obs.imo:
            imo_seen[obs.imo].append(obs.mmsi)
        holders = by_mmsi.get(obs.mmsi, [])
        a = holders[0] if len(holders) == 1 else None
        b = by_imo.get(obs.imo) if obs.imo else None
        manual = current.get(("mmsi", key))
        if manual is not None and manual.priority >= prio["manual"]:
            continue
        if a is not None:
            propose(Link("mmsi", key, a.id, "register", prio["register"]))
            if b is not None and b.id != a.id:
                conflict(
                    "mmsi",
                    key,
                    ConflictKind.mmsi_on_two_ships,
                    a.id,
                    b.id,
                    "register",
                    "keep_register",
                    observed,
                )
                continue
            if obs.imo and a.imo and obs.imo != a.imo:
                conflict(
                    "mmsi",
                    key,
                    ConflictKind.imo_mismatch,
                    a.id,
                    None,
                    "register",
                    "keep_register",
                    observed,
                )
            reg_name = norm_name(a.name) if _ascii(a.name) else None
            if reg_name and obs.name and norm_name(obs.name) != reg_name:
                conflict(
                    "mmsi",
                    key,
                    ConflictKind.name_mismatch,
                    a.id,
                    None,
                    "register",
                    "keep_register",
                    observed,
                )
            if a.callsign and obs.callsign and obs.callsign.strip().upper() != a.callsign:
                conflict(
                    "mmsi",
                    key,
                    ConflictKind.callsign_mismatch,
                    a.id,
                    None,
                    "register",
                    "keep_register",
                    observed,
                )
        elif b is not None:
            if b.mmsi is None:
                propose(Link("mmsi", key, b.id, "ais_imo", prio["ais_imo"]))
            else:
                conflict(
                    "mmsi",
                    key,
                    ConflictKind.ship_two_mmsis,
                    b.id,
                    None,
                    "register",
                    "keep_register",
                    {**observed, "registered_mmsi": b.mmsi},
                )
        elif not holders:
            out.unmatched.append(("mmsi", key))

    for imo, mmsis in sorted(imo_seen.items()):
        ship = by_imo.get(imo)
        if ship is None or len(mmsis) < 2:
            continue
        others = sorted(m for m in mmsis if m != ship.mmsi)
        flagged = {c.key for c in out.conflicts if c.conflict is ConflictKind.ship_two_mmsis}
        for m in others:
            if str(m) not in flagged:
                conflict(
                    "mmsi",
                    str(m),
                    ConflictKind.ship_two_mmsis,
                    ship.id,
                    None,
                    "ais_imo",
                    "flag",
                    {"imo": imo, "mmsis": sorted(mmsis)},
                )

    by_number: dict[str, list[str]] = defaultdict(list)
    for t in sorted(terminals, key=lambda t: t.terminal):
        held = current.get(("terminal", t.terminal))
        ship = by_fishing.get(t.fishing_no) if t.fishing_no else None
        if t.fishing_no:
            by_number[t.fishing_no].append(t.terminal)
        if held is not None and held.priority >= prio["manual"]:
            owner = next((s for s in ships if s.id == held.ship_id), None)
            if owner is not None and t.fishing_no and owner.fishing_no != t.fishing_no:
                conflict(
                    "terminal",
                    t.terminal,
                    ConflictKind.fishing_no_mismatch,
                    owner.id,
                    ship.id if ship else None,
                    "manual",
                    "keep_existing",
                    {"fishing_no": t.fishing_no},
                )
            continue
        if ship is not None:
            propose(
                Link(
                    "terminal", t.terminal, ship.id, "beidou_fishing_no", prio["beidou_fishing_no"]
                )
            )
        else:
            out.unmatched.append(("terminal", t.terminal))
    for number, terms in sorted(by_number.items()):
        ship = by_fishing.get(number)
        if ship is not None and len(terms) > 1:
            for term in terms:
                conflict(
                    "terminal",
                    term,
                    ConflictKind.ship_two_terminals,
                    ship.id,
                    None,
                    "beidou_fishing_no",
                    "flag",
                    {"fishing_no": number, "terminals": terms},
                )
    return out
