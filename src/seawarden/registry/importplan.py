"""Per-kind import planners: check validated rows against the register, then write in bulk.

A planner loads the keys it needs once (so 100,000 rows cost a few queries), checks each
row (:meth:`Planner.plan`) and writes every accepted row in the caller's transaction
(:meth:`Planner.write`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import Connection, Engine, select, update

from seawarden.db.engine import audit
from seawarden.registry.bulk import bulk_insert
from seawarden.registry.companies import company_values
from seawarden.registry.crews import certificate_values, crew_values
from seawarden.registry.events import event_values, inspection_event
from seawarden.registry.reasons import Reason, RowError
from seawarden.registry.schemas import CompanyIn, CrewIn, InspectionIn, ShipIn
from seawarden.registry.ships import (
    apply_update,
    identity_rows,
    registration_event,
    ship_input,
    ship_values,
)
from seawarden.registry.tables import (
    companies,
    crew_certificates,
    crews,
    ship_events,
    ship_identities,
    ships,
)
from seawarden.security.actor import Actor


class Planner:
    """Checks rows of one kind against the register and writes the accepted ones."""

    def __init__(self, engine: Engine, actor: Actor, organisation: str | None) -> None:
        self.actor = actor
        self.default_org = organisation or actor.organisation
        self.seen: dict[str, set[Any]] = {}
        with engine.connect() as conn:
            self.load(conn)

    def load(self, conn: Connection) -> None:
        """Read the keys the checks need."""

    def plan(self, line: int, item: Any) -> RowError | None:
        """Accept a validated row (``None``) or say why it is rejected."""
        raise NotImplementedError

    def write(self, conn: Connection, source: str) -> tuple[int, int]:
        """Write the accepted rows; returns (created, updated)."""
        raise NotImplementedError

    def organisation(self, line: int, item: Any) -> str | RowError:
        """The organisation of a row (its own or the default), checked against the scope."""
        org = getattr(item, "organisation", None) or self.default_org
        if not org:
            return RowError(line, Reason.out_of_scope, "organisation", "no organisation given")
        if not self.actor.can_see(org):
            return RowError(
                line, Reason.out_of_scope, "organisation", f"{org} is outside your scope"
            )
        return str(org)

    def duplicate(self, line: int, keys: Iterable[tuple[str, Any]]) -> RowError | None:
        """An error if an earlier row had one of these keys (the keys are remembered)."""
        keys = [(k, v) for k, v in keys if v is not None]
        for k, v in keys:
            if v in self.seen.get(k, ()):
                return RowError(
                    line, Reason.duplicate_in_file, k, f"{k} {v} appears on an earlier row"
                )
        for k, v in keys:
            self.seen.setdefault(k, set()).add(v)
        return None


class _CompanyRefs:
    """Company references (id, USCC, IMO company number) the actor may use."""

    def __init__(self, conn: Connection, actor: Actor) -> None:
        self.refs: dict[str, str] = {}
        for r in conn.execute(
            select(
                companies.c.id,
                companies.c.uscc,
                companies.c.imo_company_no,
                companies.c.organisation,
            )
        ):
            if actor.can_see(r.organisation):
                for key in (r.id, r.uscc, r.imo_company_no):
                    if key:
                        self.refs[key] = r.id

    def resolve(
        self, line: int, item: Any, names: tuple[str, ...]
    ) -> dict[str, str | None] | RowError:
        out: dict[str, str | None] = {}
        for name in names:
            ref = getattr(item, name)
            if ref is None:
                out[name] = None
                continue
            cid = self.refs.get(ref) or self.refs.get(ref.upper())
            if cid is None:
                return RowError(
                    line, Reason.unknown_company, name, f"no company {ref!r} in your scope"
                )
            out[name] = cid
        return out


class ShipPlanner(Planner):
    """Ships: new ones in bulk; rows naming a registered ship (id or IMO) update it.

    An update changes only the values the row gives: absent columns and empty cells keep
    the registered values.
    """

    def load(self, conn: Connection) -> None:
        """Load ship ids, live IMO and MMSI holders, and company references."""
        self.ids: dict[str, str] = {}
        self.by_imo: dict[str, str] = {}
        self.mmsi_holder: dict[int, str] = {}
        for r in conn.execute(
            select(ships.c.id, ships.c.organisation, ships.c.imo, ships.c.mmsi, ships.c.status)
        ):
            self.ids[r.id] = r.organisation
            if r.status != "scrapped":
                if r.imo:
                    self.by_imo[r.imo] = r.id
                if r.mmsi is not None:
                    self.mmsi_holder[int(r.mmsi)] = r.id
        self.companies = _CompanyRefs(conn, self.actor)
        self.new: list[dict[str, Any]] = []
        self.since: list[dt.date] = []
        self.updates: list[tuple[str, ShipIn]] = []

    def plan(self, line: int, item: ShipIn) -> RowError | None:
        """Check scope, duplicates, identity holders and company references of a ship row."""
        existing = item.id if item.id in self.ids else self.by_imo.get(item.imo or "")
        if existing is not None and not self.actor.can_see(self.ids[existing]):
            return RowError(
                line, Reason.exists_in_register, "imo", "the ship is registered outside your scope"
            )
        org = self.ids[existing] if existing else self.organisation(line, item)
        if isinstance(org, RowError):
            return org
        if item.mmsi is not None and self.mmsi_holder.get(item.mmsi, existing) != existing:
            return RowError(
                line, Reason.exists_in_register, "mmsi", f"MMSI {item.mmsi} belongs to another ship"
            )
        dup = self.duplicate(
            line, (("id", existing or item.id), ("imo", item.imo), ("mmsi", item.mmsi))
        )
        if dup:
            return dup
        refs = self.companies.resolve(line, item, ("owner", "operator", "ism_company"))
        if isinstance(refs, RowError):
            return refs
        if existing:
            self.updates.append((existing, item))
        else:
            self.new.append(ship_values(item, org, refs))
            self.since.append(item.registered_on or dt.date.today())
        return None

    def write(self, conn: Connection, source: str) -> tuple[int, int]:
        """Insert new ships with identities and registration events; apply updates."""
        idents: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        for row, since in zip(self.new, self.since, strict=True):
            idents.extend(identity_rows(row, since, source))
            events.append(registration_event(row, since, source))
        bulk_insert(conn, ships, self.new)
        bulk_insert(conn, ship_identities, idents)
        bulk_insert(conn, ship_events, events)
        updated = 0
        today = dt.date.today()
        for ship_id, item in self.updates:
            old = dict(conn.execute(select(ships).where(ships.c.id == ship_id)).mappings().one())
            if old["status"] == "scrapped":
                continue
            # only the values the row gives change; absent columns and empty cells keep theirs
            given = {
                k: v
                for k, v in item.model_dump().items()
                if k in item.model_fields_set and v is not None and k not in ("id", "organisation")
            }
            if apply_update(conn, self.actor, old, ship_input(old, given), today, source):
                updated += 1
        return len(self.new), updated


class CompanyPlanner(Planner):
    """Companies: new ones in bulk; rows naming a registered company (id, codes) update it.

    Like ships, an update changes only the values the row gives.
    """

    FIELDS = ("name", "uscc", "imo_company_no", "kind", "address", "ism_performance")

    def load(self, conn: Connection) -> None:
        """Load company ids and codes."""
        self.keys: dict[str, tuple[str, str]] = {}
        for r in conn.execute(
            select(
                companies.c.id,
                companies.c.uscc,
                companies.c.imo_company_no,
                companies.c.organisation,
            )
        ):
            for key in (r.id, r.uscc, r.imo_company_no):
                if key:
                    self.keys[key] = (r.id, r.organisation)
        self.new: list[dict[str, Any]] = []
        self.updates: list[tuple[str, str, CompanyIn]] = []

    def plan(self, line: int, item: CompanyIn) -> RowError | None:
        """Check scope and duplicates of a company row."""
        hits = {
            self.keys[k] for k in (item.id, item.uscc, item.imo_company_no) if k and k in self.keys
        }
        if len(hits) > 1:
            return RowError(
                line, Reason.exists_in_register, "uscc", "the codes name different companies"
            )
        existing = next(iter(hits), None)
        if existing and not self.actor.can_see(existing[1]):
            return RowError(
                line,
                Reason.exists_in_register,
                "uscc",
                "the company is registered outside your scope",
            )
        org = existing[1] if existing else self.organisation(line, item)
        if isinstance(org, RowError):
            return org
        dup = self.duplicate(
            line,
            (
                ("id", existing[0] if existing else item.id),
                ("uscc", item.uscc),
                ("imo_company_no", item.imo_company_no),
            ),
        )
        if dup:
            return dup
        if existing:
            self.updates.append((existing[0], org, item))
        else:
            self.new.append(company_values(item, org))
        return None

    def write(self, conn: Connection, source: str) -> tuple[int, int]:
        """Insert new companies, update the others (each update audited)."""
        bulk_insert(conn, companies, self.new)
        updated = 0
        for cid, org, item in self.updates:
            old = conn.execute(select(companies).where(companies.c.id == cid)).mappings().one()
            new = company_values(item, org)
            diff = {
                k: {"old": old[k], "new": new[k]}
                for k in self.FIELDS
                if k in item.model_fields_set and new[k] is not None and old[k] != new[k]
            }
            if diff:
                conn.execute(
                    update(companies)
                    .where(companies.c.id == cid)
                    .values(**{k: d["new"] for k, d in diff.items()}, updated_ms=new["updated_ms"])
                )
                audit(
                    conn,
                    self.actor,
                    "company.update",
                    "company",
                    cid,
                    {**diff, "source": source},
                    org,
                )
                updated += 1
        return len(self.new), updated


class CrewPlanner(Planner):
    """Seafarers (with the certificate a row carries); registered identity numbers are rejected."""

    def load(self, conn: Connection) -> None:
        """Load registered identity numbers."""
        self.known = {r[0] for r in conn.execute(select(crews.c.id_number))}
        self.known_ids = {r[0] for r in conn.execute(select(crews.c.id))}
        self.new: list[dict[str, Any]] = []
        self.certs: list[dict[str, Any]] = []

    def plan(self, line: int, item: CrewIn) -> RowError | None:
        """Check scope and duplicates of a seafarer row."""
        org = self.organisation(line, item)
        if isinstance(org, RowError):
            return org
        if item.id_number in self.known or (item.id and item.id in self.known_ids):
            return RowError(
                line, Reason.exists_in_register, "id_number", "the seafarer is already registered"
            )
        dup = self.duplicate(line, (("id_number", item.id_number), ("id", item.id)))
        if dup:
            return dup
        row = crew_values(item, org)
        self.new.append(row)
        cert = certificate_values(row["id"], org, item)
        if cert:
            self.certs.append(cert)
        return None

    def write(self, conn: Connection, source: str) -> tuple[int, int]:
        """Insert the seafarers and their certificates."""
        bulk_insert(conn, crews, self.new)
        bulk_insert(conn, crew_certificates, self.certs)
        return len(self.new), 0


class InspectionPlanner(Planner):
    """Inspections of registered ships (a re-imported inspection is rejected as existing)."""

    def load(self, conn: Connection) -> None:
        """Load references of ships in scope and the inspections already recorded."""
        self.refs: dict[str, dict[str, Any]] = {}
        for r in conn.execute(
            select(
                ships.c.id,
                ships.c.imo,
                ships.c.mmsi,
                ships.c.fishing_no,
                ships.c.organisation,
                ships.c.status,
            )
        ).mappings():
            if not self.actor.can_see(r["organisation"]) or r["status"] == "scrapped":
                continue
            for key in (
                r["id"],
                r["imo"],
                r["fishing_no"],
                None if r["mmsi"] is None else str(r["mmsi"]),
            ):
                if key:
                    self.refs[key] = dict(r)
        self.existing = {
            (r.ship_id, r.on_date, r.port, r.regime)
            for r in conn.execute(
                select(
                    ship_events.c.ship_id,
                    ship_events.c.on_date,
                    ship_events.c.port,
                    ship_events.c.regime,
                ).where(ship_events.c.kind == "inspection")
            )
        }
        self.rows: list[dict[str, Any]] = []

    def plan(self, line: int, item: InspectionIn) -> RowError | None:
        """Check the ship reference and duplicates of an inspection row."""
        ref = item.ship.strip()
        ship = self.refs.get(ref) or self.refs.get(ref.upper().removeprefix("IMO").strip())
        if ship is None:
            return RowError(line, Reason.unknown_ship, "ship", f"no ship {ref!r} in your scope")
        key = (ship["id"], item.on_date, item.port, item.regime.value)
        if key in self.existing:
            return RowError(
                line, Reason.exists_in_register, "ship", "this inspection is already recorded"
            )
        dup = self.duplicate(line, (("inspection", key),))
        if dup:
            return dup
        self.rows.append(event_values(ship, inspection_event(item), "import"))
        return None

    def write(self, conn: Connection, source: str) -> tuple[int, int]:
        """Insert the inspection events."""
        for r in self.rows:
            r["source"] = source
        bulk_insert(conn, ship_events, self.rows)
        return len(self.rows), 0
