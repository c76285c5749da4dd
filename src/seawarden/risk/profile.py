"""Risk profiles of registered ships: facts from the register, windows, due-for-inspection lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, and_, case, func, or_, select

from seawarden.registry.schemas import Performance
from seawarden.registry.scope import scoped
from seawarden.registry.ships import require_ship
from seawarden.registry.tables import companies, ship_events, ships
from seawarden.risk import company as company_perf
from seawarden.risk.config import SrpConfig, load_config
from seawarden.risk.performance import flag_of, ro_of
from seawarden.risk.srp import FlagPerformance, Profile, ShipFacts, compute
from seawarden.risk.window import InspectionWindow, Priority, add_months, window
from seawarden.security.actor import Actor

#: Events after the last inspection that make a ship Priority I (overriding factors).
OVERRIDING_EVENTS = ("accident", "violation")
#: Inspection regimes that do not count for port State control risk profiles.
NOT_PSC = ("fsc",)


@dataclass(frozen=True)
class ShipProfile:
    """A registered ship's profile, the facts it rests on, and its next window."""

    ship: dict[str, Any]
    facts: ShipFacts
    sources: dict[str, str]
    profile: Profile
    window: InspectionWindow
    on: dt.date

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready data: ship, facts with sources, profile lines, window and priority."""
        return {
            "ship": {
                k: self.ship[k]
                for k in ("id", "name", "imo", "mmsi", "flag", "ship_type", "organisation")
            },
            "regime": self.profile.regime,
            **self.profile.as_json(),
            "parameters": [ln.as_dict() for ln in self.profile.lines],
            "facts": self.facts.model_dump(mode="json"),
            "sources": self.sources,
            "last_inspection": self.window.last_inspection,
            "priority_ii_from": self.window.opens,
            "priority_i_after": self.window.closes,
            "overriding": list(self.window.overriding),
            "priority": self.window.priority(self.on).value,
            "on": self.on,
        }


def _age(ship: dict[str, Any], on: dt.date) -> float | None:
    start = ship.get("keel_laid") or (
        dt.date(ship["build_year"], 1, 1) if ship.get("build_year") else None
    )
    if start is None:
        return None
    return max(0.0, round((on - start).days / 365.25, 2))


def _inspections(
    conn: Connection, ship_ids: list[str], since: dt.date, until: dt.date
) -> list[dict[str, Any]]:
    stmt = select(ship_events).where(
        ship_events.c.ship_id.in_(ship_ids),
        ship_events.c.kind == "inspection",
        or_(ship_events.c.regime.is_(None), ship_events.c.regime.not_in(NOT_PSC)),
        ship_events.c.on_date > since,
        ship_events.c.on_date <= until,
    )
    return [dict(r) for r in conn.execute(stmt).mappings()]


def _company(
    conn: Connection, ship: dict[str, Any], since: dt.date, on: dt.date
) -> tuple[Performance, str]:
    cid = ship.get("ism_company_id")
    if cid is None:
        return Performance.medium, "no ISM company in the register: taken as medium"
    comp = conn.execute(select(companies).where(companies.c.id == cid)).mappings().first()
    if comp is None:
        return Performance.medium, "ISM company not found: taken as medium"
    if comp["ism_performance"]:
        return Performance(comp["ism_performance"]), f"published performance of {comp['name']}"
    fleet = [r[0] for r in conn.execute(select(ships.c.id).where(ships.c.ism_company_id == cid))]
    own = _inspections(conn, fleet, since, on)
    totals = conn.execute(
        select(
            func.count(),
            func.coalesce(func.sum(ship_events.c.deficiencies), 0),
            func.coalesce(func.sum(case((ship_events.c.detained.is_(True), 1), else_=0)), 0),
        ).where(
            ship_events.c.kind == "inspection",
            ship_events.c.on_date > since,
            ship_events.c.on_date <= on,
            or_(ship_events.c.regime.is_(None), ship_events.c.regime.not_in(NOT_PSC)),
        )
    ).one()
    level, why = company_perf.performance(
        company_perf.Record(
            len(own), sum(1 for r in own if r["detained"]), sum(r["deficiencies"] or 0 for r in own)
        ),
        company_perf.Record(int(totals[0]), int(totals[2]), int(totals[1])),
    )
    return Performance(level), f"{comp['name']} from the register: {why}"


def facts_of(
    conn: Connection, actor: Actor, ship: dict[str, Any], config: SrpConfig, on: dt.date
) -> tuple[ShipFacts, dict[str, str], dt.date | None, tuple[str, ...]]:
    """A ship's facts, where each came from, its last inspection and overriding factors."""
    since = add_months(on, -config.lookback_months)
    regime = config.name.split("+")[0]
    flag = flag_of(conn, actor, ship.get("flag"), regime, on.year)
    ro = ro_of(conn, actor, ship.get("class_society"), regime, on.year)
    comp, comp_src = _company(conn, ship, since, on)
    insp = sorted(
        _inspections(conn, [ship["id"]], since, on), key=lambda r: (r["on_date"], r["id"])
    )
    age = _age(ship, on)
    facts = ShipFacts(
        ship_type=ship["ship_type"],
        age_years=age,
        flag_performance=FlagPerformance(flag["performance"])
        if flag
        else FlagPerformance.not_listed,
        imo_audit=bool(flag and flag["imo_audit"]),
        ro_performance=Performance(ro["performance"]) if ro else None,
        ro_eu_recognised=bool(ro and ro["eu_recognised"]),
        company_performance=comp,
        inspections_36m=[int(r["deficiencies"] or 0) for r in insp],
        detentions_36m=sum(1 for r in insp if r["detained"]),
    )
    sources = {
        "age": f"keel laid {ship['keel_laid']}"
        if ship.get("keel_laid")
        else (f"build year {ship['build_year']}" if ship.get("build_year") else "unknown"),
        "flag": f"{ship.get('flag')} in the {regime} {flag['year']} list ({flag['source']})"
        if flag
        else f"{ship.get('flag') or 'no flag'} not on the {regime} lists",
        "ro": f"{ship.get('class_society')} in the {regime} {ro['year']} list ({ro['source']})"
        if ro
        else f"{ship.get('class_society') or 'no RO'} not on the {regime} RO list",
        "company": comp_src,
        "inspections": f"{len(insp)} inspection(s) since {since} in the register",
    }
    last_row = conn.execute(
        select(func.max(ship_events.c.on_date)).where(
            ship_events.c.ship_id == ship["id"],
            ship_events.c.kind == "inspection",
            or_(ship_events.c.regime.is_(None), ship_events.c.regime.not_in(NOT_PSC)),
            ship_events.c.on_date <= on,
        )
    ).scalar()
    last = dt.date.fromisoformat(last_row) if isinstance(last_row, str) else last_row
    overriding: tuple[str, ...] = ()
    if last is not None:
        found = conn.execute(
            select(ship_events.c.kind, ship_events.c.on_date).where(
                and_(
                    ship_events.c.ship_id == ship["id"],
                    ship_events.c.kind.in_(OVERRIDING_EVENTS),
                    ship_events.c.on_date > last,
                    ship_events.c.on_date <= on,
                )
            )
        ).all()
        overriding = tuple(f"{k} on {d}" for k, d in found)
    return facts, sources, last, overriding


def ship_profile(
    engine: Engine,
    actor: Actor,
    ref: str,
    config: SrpConfig | None = None,
    on: dt.date | None = None,
) -> ShipProfile:
    """The risk profile of a registered ship (by id, IMO or MMSI) on a day (default today)."""
    config = config or load_config()
    day = on or dt.date.today()
    with engine.connect() as conn:
        ship = require_ship(conn, actor, ref)
        return _profile(conn, actor, ship, config, day)


def _profile(
    conn: Connection, actor: Actor, ship: dict[str, Any], config: SrpConfig, day: dt.date
) -> ShipProfile:
    facts, sources, last, overriding = facts_of(conn, actor, ship, config, day)
    prof = compute(facts, config)
    return ShipProfile(
        ship, facts, sources, prof, window(last, prof.window_months, overriding), day
    )


def due_list(
    engine: Engine,
    actor: Actor,
    port: str,
    config: SrpConfig | None = None,
    on: dt.date | None = None,
    include_not_due: bool = False,
) -> list[dict[str, Any]]:
    """Ships at a port (open port call on the day, or registered there) due for inspection.

    Sorted Priority I first, then by risk class (HRS first) and points.
    """
    config = config or load_config()
    day = on or dt.date.today()
    with engine.connect() as conn:
        calls = conn.execute(
            scoped(
                select(ship_events.c.ship_id, ship_events.c.on_date).where(
                    ship_events.c.kind == "port_call",
                    ship_events.c.port == port,
                    ship_events.c.on_date <= day,
                    or_(ship_events.c.ended_on.is_(None), ship_events.c.ended_on >= day),
                ),
                ship_events,
                actor,
            )
        ).all()
        basis = {sid: f"in port since {d}" for sid, d in calls}
        for (sid,) in conn.execute(
            scoped(select(ships.c.id).where(ships.c.port_of_registry == port), ships, actor)
        ):
            basis.setdefault(sid, "port of registry")
        if not basis:
            return []
        rows = (
            conn.execute(
                scoped(
                    select(ships).where(ships.c.id.in_(sorted(basis)), ships.c.status == "active"),
                    ships,
                    actor,
                )
            )
            .mappings()
            .all()
        )
        out = []
        for ship in rows:
            p = _profile(conn, actor, dict(ship), config, day)
            prio = p.window.priority(day)
            if prio is Priority.not_due and not include_not_due:
                continue
            out.append(
                {
                    "ship_id": ship["id"],
                    "name": ship["name"],
                    "imo": ship["imo"],
                    "flag": ship["flag"],
                    "profile": p.profile.risk.value,
                    "points": p.profile.points,
                    "priority": prio.value,
                    "last_inspection": p.window.last_inspection,
                    "priority_ii_from": p.window.opens,
                    "priority_i_after": p.window.closes,
                    "overriding": "; ".join(p.window.overriding),
                    "basis": basis[ship["id"]],
                    "expanded": p.profile.risk.value == "HRS",
                }
            )
    order = {"priority_I": 0, "priority_II": 1, "not_due": 2}
    risk = {"HRS": 0, "SRS": 1, "LRS": 2}
    return sorted(
        out, key=lambda r: (order[r["priority"]], risk[r["profile"]], -r["points"], r["name"])
    )
