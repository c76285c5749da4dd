"""Identity resolution service: observed MMSIs and BeiDou terminals linked to register ships.

Reads the ingest pipeline's ``vessels.parquet`` (AIS particulars per MMSI) and
``latest.parquet`` (latest position per vessel key; BeiDou rows carry terminal and
fishing-vessel number), runs :func:`seawarden.registry.matching.resolve` over the ships
in the actor's scope, and records every link and conflict with its source.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
from sqlalchemy import Connection, Engine, insert, select, update

from seawarden.db.engine import audit, now_ms
from seawarden.positions.schema import Source
from seawarden.registry.matching import (
    SOURCE_PRIORITY,
    AisIdentity,
    Link,
    RegisterShip,
    TerminalIdentity,
    resolve,
)
from seawarden.registry.scope import (
    RegistryError,
    check_write,
    insert_id,
    scoped,
    scoped_row,
)
from seawarden.registry.ships import require_ship
from seawarden.registry.tables import identity_decisions, identity_links, ships
from seawarden.security.actor import Actor


@dataclass
class ResolutionReport:
    """What a resolution run did."""

    observed_mmsi: int = 0
    observed_terminals: int = 0
    links: int = 0
    conflicts: int = 0
    unmatched: int = 0
    decisions: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return self.__dict__.copy()


def _imo_text(v: Any) -> str | None:
    if v is None or (isinstance(v, float) and (math.isnan(v) or v <= 0)):
        return None
    try:
        n = int(v)
    except (TypeError, ValueError):
        return None
    return f"{n:07d}" if 1_000_000 <= n <= 9_999_999 else None


def read_ais(path: Path) -> list[AisIdentity]:
    """AIS identities from a ``vessels.parquet`` (missing file: none)."""
    if not path.exists():
        return []
    cols = [c for c in ("mmsi", "shipname", "callsign", "imo") if c in pq.read_schema(path).names]
    table = pq.read_table(path, columns=cols).to_pydict()
    n = len(table.get("mmsi", []))

    def get(c: str, i: int) -> Any:
        return table[c][i] if c in table else None

    return [
        AisIdentity(
            int(table["mmsi"][i]), get("shipname", i), get("callsign", i), _imo_text(get("imo", i))
        )
        for i in range(n)
        if table["mmsi"][i] is not None
    ]


def read_terminals(path: Path) -> list[TerminalIdentity]:
    """BeiDou terminals with their reported fishing-vessel number from a ``latest.parquet``."""
    if not path.exists():
        return []
    names = pq.read_schema(path).names
    if "terminal" not in names:
        return []
    table = pq.read_table(path, columns=["source", "terminal", "fishing_no"]).to_pydict()
    seen: dict[str, str | None] = {}
    for src, term, number in zip(
        table["source"], table["terminal"], table["fishing_no"], strict=True
    ):
        if src == Source.BEIDOU and term:
            seen[term] = number or seen.get(term)
    return [TerminalIdentity(t, n) for t, n in sorted(seen.items())]


def _current_links(conn: Connection) -> dict[tuple[str, str], Link]:
    rows = conn.execute(
        select(identity_links).where(identity_links.c.valid_to_ms.is_(None))
    ).mappings()
    return {
        (r["key_kind"], r["key"]): Link(
            r["key_kind"], r["key"], r["ship_id"], r["source"], r["priority"]
        )
        for r in rows
    }


def _open_conflicts(conn: Connection) -> set[tuple[Any, ...]]:
    rows = conn.execute(
        select(identity_decisions).where(identity_decisions.c.state == "open")
    ).mappings()
    return {
        (r["key_kind"], r["key"], r["conflict"], r["ship_id"], r["other_ship_id"]) for r in rows
    }


def write_link(
    conn: Connection, actor: Actor, link: Link, organisation: str, at: int, note: str | None = None
) -> int:
    """Close the key's current link, open the new one and record the decision; returns its id."""
    conn.execute(
        update(identity_links)
        .where(
            identity_links.c.key_kind == link.key_kind,
            identity_links.c.key == link.key,
            identity_links.c.valid_to_ms.is_(None),
        )
        .values(valid_to_ms=at)
    )
    conn.execute(
        insert(identity_links).values(
            organisation=organisation,
            key_kind=link.key_kind,
            key=link.key,
            ship_id=link.ship_id,
            source=link.source,
            priority=link.priority,
            valid_from_ms=at,
        )
    )
    did = insert_id(
        conn,
        insert(identity_decisions).values(
            organisation=organisation,
            at_ms=at,
            key_kind=link.key_kind,
            key=link.key,
            conflict=None,
            action="link",
            ship_id=link.ship_id,
            source=link.source,
            priority=link.priority,
            observed={},
            state="resolved",
            actor=actor.username,
            note=note,
        ),
    )
    audit(
        conn,
        actor,
        "identity.link",
        "identity_link",
        f"{link.key_kind}:{link.key}",
        {"ship": link.ship_id, "source": link.source, "priority": link.priority, "decision": did},
        organisation,
    )
    return did


def resolve_identities(
    engine: Engine,
    actor: Actor,
    data_dir: Path,
    priorities: Mapping[str, int] | None = None,
) -> ResolutionReport:
    """Link the MMSIs and terminals seen in a data directory to ships in the actor's scope."""
    ais = read_ais(data_dir / "vessels.parquet")
    terminals = read_terminals(data_dir / "latest.parquet")
    report = ResolutionReport(observed_mmsi=len(ais), observed_terminals=len(terminals))
    at = now_ms()
    with engine.begin() as conn:
        reg = [
            RegisterShip(r.id, r.organisation, r.name, r.imo, r.mmsi, r.callsign, r.fishing_no)
            for r in conn.execute(
                scoped(select(ships).where(ships.c.status != "scrapped"), ships, actor)
            )
        ]
        orgs = {s.id: s.organisation for s in reg}
        result = resolve(reg, ais, terminals, _current_links(conn), priorities)
        report.unmatched = len(result.unmatched)
        for link in result.links:
            org = check_write(actor, orgs[link.ship_id])
            report.decisions.append(write_link(conn, actor, link, org, at))
            report.links += 1
        known = _open_conflicts(conn)
        for c in result.conflicts:
            key = (c.key_kind, c.key, c.conflict.value, c.ship_id, c.other_ship_id)
            if key in known:
                continue
            known.add(key)
            org = check_write(actor, orgs.get(c.ship_id or "", actor.organisation))
            did = insert_id(
                conn,
                insert(identity_decisions).values(
                    organisation=org,
                    at_ms=at,
                    key_kind=c.key_kind,
                    key=c.key,
                    conflict=c.conflict.value,
                    action=c.action,
                    ship_id=c.ship_id,
                    other_ship_id=c.other_ship_id,
                    source=c.source,
                    priority=c.priority,
                    observed=c.observed,
                    state="open",
                    actor=actor.username,
                ),
            )
            audit(
                conn,
                actor,
                "identity.conflict",
                "identity_decision",
                str(did),
                {"conflict": c.conflict.value, "key": c.key, "ship": c.ship_id},
                org,
            )
            report.decisions.append(did)
            report.conflicts += 1
    return report


def decide(engine: Engine, actor: Actor, decision_id: int, ship_ref: str | None, note: str) -> int:
    """Resolve an open conflict by hand: link its key to ``ship_ref`` (or just close it).

    A manual link has the highest priority, so later automatic runs do not undo it.
    Returns the id of the manual decision.
    """
    at = now_ms()
    with engine.begin() as conn:
        row = scoped_row(conn, identity_decisions, decision_id, actor, "identity decision")
        if row["state"] != "open":
            raise RegistryError("invalid", f"decision {decision_id} is not open")
        org = check_write(actor, row["organisation"])
        conn.execute(
            update(identity_decisions)
            .where(identity_decisions.c.id == decision_id)
            .values(state="resolved", note=note)
        )
        if ship_ref is not None:
            ship = require_ship(conn, actor, ship_ref)
            link = Link(
                row["key_kind"], row["key"], ship["id"], "manual", SOURCE_PRIORITY["manual"]
            )
            did = write_link(conn, actor, link, check_write(actor, ship["organisation"]), at, note)
        else:
            did = insert_id(
                conn,
                insert(identity_decisions).values(
                    organisation=org,
                    at_ms=at,
                    key_kind=row["key_kind"],
                    key=row["key"],
                    conflict=row["conflict"],
                    action="dismiss",
                    ship_id=row["ship_id"],
                    other_ship_id=row["other_ship_id"],
                    source="manual",
                    priority=SOURCE_PRIORITY["manual"],
                    observed={"resolves": decision_id},
                    state="resolved",
                    actor=actor.username,
                    note=note,
                ),
            )
        audit(
            conn,
            actor,
            "identity.decide",
            "identity_decision",
            str(decision_id),
            {"ship": ship_ref, "note": note, "decision": did},
            org,
        )
    return did


def links(
    engine: Engine, actor: Actor, key_kind: str | None = None, current_only: bool = True
) -> list[dict[str, Any]]:
    """Links of observed keys to ships (current ones unless ``current_only`` is false)."""
    stmt = scoped(
        select(identity_links, ships.c.name.label("ship_name")).join(
            ships, ships.c.id == identity_links.c.ship_id
        ),
        identity_links,
        actor,
    ).order_by(identity_links.c.key_kind, identity_links.c.key, identity_links.c.valid_from_ms)
    if key_kind:
        stmt = stmt.where(identity_links.c.key_kind == key_kind)
    if current_only:
        stmt = stmt.where(identity_links.c.valid_to_ms.is_(None))
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def decisions(engine: Engine, actor: Actor, state: str | None = "open") -> list[dict[str, Any]]:
    """Identity decisions (by default the open conflicts), oldest first."""
    stmt = scoped(select(identity_decisions), identity_decisions, actor).order_by(
        identity_decisions.c.id
    )
    if state:
        stmt = stmt.where(identity_decisions.c.state == state)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]


def ship_of(engine: Engine, actor: Actor, key_kind: str, key: str) -> str | None:
    """The ship an MMSI or terminal is linked to now (``None`` if none)."""
    stmt = scoped(
        select(identity_links.c.ship_id).where(
            identity_links.c.key_kind == key_kind,
            identity_links.c.key == key,
            identity_links.c.valid_to_ms.is_(None),
        ),
        identity_links,
        actor,
    )
    with engine.connect() as conn:
        return conn.execute(stmt).scalar()
