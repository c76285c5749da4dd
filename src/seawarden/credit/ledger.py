"""The credit ledger: events with legal basis, appeals, credit repair and rule sets (audited)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field
from sqlalchemy import Connection, Engine, insert, select, update

from seawarden.credit.rules import EventStatus, RuleSet, default_ruleset
from seawarden.credit.tables import appeals, events, repairs, rulesets
from seawarden.db.engine import audit, now_ms
from seawarden.registry.companies import find_company
from seawarden.registry.crews import find_crew
from seawarden.registry.schemas import Record
from seawarden.registry.scope import (
    WRITE_ROLES,
    NotFoundError,
    RegistryError,
    check_reference_write,
    check_write,
    insert_id,
    scoped,
    scoped_row,
)
from seawarden.registry.ships import find_ship
from seawarden.security.actor import Actor, Role

#: Roles that may appeal against a record: the authorities, and an enterprise against a record
#: of its own (a record of its organisation: the company, its ships and seafarers).
APPEAL_ROLES = (*WRITE_ROLES, Role.enterprise)


class SubjectKind(StrEnum):
    """Who a credit record is about."""

    ship = "ship"
    crew = "crew"
    company = "company"


class CreditEventIn(Record):
    """A credit-relevant record (points and legal basis default to the active rule set's)."""

    subject_kind: SubjectKind
    subject: Annotated[str, Field(min_length=1, max_length=64)]
    kind: Annotated[str, Field(min_length=1, max_length=48, pattern=r"^[a-z0-9_]+$")]
    on_date: dt.date
    points: Annotated[float | None, Field(ge=-1000, le=1000)] = None
    legal_basis: Annotated[str | None, Field(max_length=1024)] = None
    source: Annotated[str, Field(min_length=1, max_length=96)] = "manual"
    note: Annotated[str | None, Field(max_length=2048)] = None


def subject_of(
    conn: Connection, actor: Actor, kind: SubjectKind | None, ref: str
) -> tuple[SubjectKind, dict[str, Any]]:
    """The subject a reference names: a ship, seafarer or company (any kind when ``None``)."""
    finders = {
        SubjectKind.company: find_company,
        SubjectKind.ship: find_ship,
        SubjectKind.crew: find_crew,
    }
    for k in [kind] if kind else list(finders):
        row = finders[k](conn, actor, ref)
        if row is not None:
            return k, row
    raise NotFoundError(kind.value if kind else "ship, seafarer or company", ref)


def subject_name(kind: SubjectKind, row: dict[str, Any]) -> str:
    """How a subject is named in listings (seafarers by masked name)."""
    from seawarden.registry.codes import mask_name

    return str(mask_name(row["name"]) if kind is SubjectKind.crew else row["name"])


def ensure_rulesets(conn: Connection) -> None:
    """Store the bundled rule set (active) if no rule set is stored yet."""
    if conn.execute(select(rulesets.c.version).limit(1)).first() is None:
        rs = default_ruleset()
        conn.execute(
            insert(rulesets).values(
                version=rs.version,
                organisation=None,
                body=rs.model_dump(mode="json"),
                active=True,
                created_ms=now_ms(),
                actor="system",
            )
        )
        audit(
            conn,
            "system",
            "credit.ruleset_install",
            "credit_ruleset",
            rs.version,
            {"bundled": True},
            None,
        )


def ruleset(conn: Connection, version: str | None = None) -> RuleSet:
    """A stored rule set by version, or the active one."""
    ensure_rulesets(conn)
    stmt = select(rulesets.c.body)
    stmt = (
        stmt.where(rulesets.c.version == version)
        if version
        else stmt.where(rulesets.c.active.is_(True))
    )
    body = conn.execute(stmt).scalar()
    if body is None:
        raise NotFoundError("rule set", version or "(active)")
    return RuleSet.model_validate(body)


def install_ruleset(engine: Engine, actor: Actor, rules: RuleSet, activate: bool = False) -> bool:
    """Store a new rule set version (versions never change); returns whether it was new."""
    check_reference_write(actor, None)
    body = rules.model_dump(mode="json")
    with engine.begin() as conn:
        ensure_rulesets(conn)
        old = conn.execute(
            select(rulesets.c.body).where(rulesets.c.version == rules.version)
        ).scalar()
        if old is not None and old != body:
            raise RegistryError(
                "exists", f"rule set {rules.version} exists with other rules; give a new version"
            )
        if old is None:
            conn.execute(
                insert(rulesets).values(
                    version=rules.version,
                    organisation=None,
                    body=body,
                    active=False,
                    created_ms=now_ms(),
                    actor=actor.username,
                )
            )
            audit(
                conn,
                actor,
                "credit.ruleset_install",
                "credit_ruleset",
                rules.version,
                {"title": rules.title},
                None,
            )
        if activate:
            conn.execute(update(rulesets).values(active=rulesets.c.version == rules.version))
            audit(
                conn,
                actor,
                "credit.ruleset_activate",
                "credit_ruleset",
                rules.version,
                {},
                None,
            )
    return old is None


def activate_ruleset(engine: Engine, actor: Actor, version: str) -> None:
    """Make a stored rule-set version the active one (scores computed from now on use it).

    Rule sets are platform-wide: only an actor whose scope is the whole platform changes them.
    """
    with engine.begin() as conn:
        ensure_rulesets(conn)
        found = conn.execute(select(rulesets.c.active).where(rulesets.c.version == version)).first()
        if found is None:
            raise NotFoundError("rule set", version)
        check_reference_write(actor, None)
        if found[0]:
            raise RegistryError("invalid", f"rule set {version} is already the active one")
        conn.execute(update(rulesets).values(active=rulesets.c.version == version))
        audit(conn, actor, "credit.ruleset_activate", "credit_ruleset", version, {}, None)


def show_ruleset(engine: Engine, version: str) -> dict[str, Any]:
    """A stored rule-set version: its rules, whether it is active, who installed it and when."""
    with engine.begin() as conn:
        ensure_rulesets(conn)
        row = conn.execute(select(rulesets).where(rulesets.c.version == version)).mappings().first()
    if row is None:
        raise NotFoundError("rule set", version)
    return {
        "version": row["version"],
        "active": row["active"],
        "actor": row["actor"],
        "created_ms": row["created_ms"],
        "rules": row["body"],
    }


def list_rulesets(engine: Engine) -> list[dict[str, Any]]:
    """Stored rule sets (version, title, active, installed by and when)."""
    with engine.begin() as conn:
        ensure_rulesets(conn)
        rows = conn.execute(select(rulesets).order_by(rulesets.c.created_ms)).mappings().all()
    return [
        {
            "version": r["version"],
            "title": r["body"].get("title"),
            "active": r["active"],
            "actor": r["actor"],
            "created_ms": r["created_ms"],
        }
        for r in rows
    ]


def insert_event(
    conn: Connection,
    actor: Actor,
    data: CreditEventIn,
    kind: SubjectKind,
    subject: dict[str, Any],
    rules: RuleSet,
) -> int:
    """Write one ledger event in the caller's transaction; returns its id."""
    org = check_write(actor, subject["organisation"])
    rule = rules.events.get(data.kind)
    if rule is None and (data.points is None or not data.legal_basis):
        raise RegistryError(
            "invalid",
            f"event kind {data.kind!r} is not in rule set {rules.version}: give points and "
            "legal basis",
        )
    points = data.points if data.points is not None else rule.points  # type: ignore[union-attr]
    basis = data.legal_basis or rule.legal_basis  # type: ignore[union-attr]
    values = {
        "organisation": org,
        "subject_kind": kind.value,
        "subject_id": subject["id"],
        "kind": data.kind,
        "on_date": data.on_date,
        "points": points,
        "legal_basis": basis,
        "source": data.source,
        "status": EventStatus.active.value,
        "note": data.note,
        "recorded_ms": now_ms(),
        "actor": actor.username,
    }
    eid = insert_id(conn, insert(events).values(**values))
    audit(
        conn,
        actor,
        "credit.event",
        "credit_event",
        str(eid),
        {
            **{k: v for k, v in values.items() if k != "on_date"},
            "on_date": data.on_date.isoformat(),
            "ruleset": rules.version,
        },
        org,
    )
    return eid


def record_event(engine: Engine, actor: Actor, data: CreditEventIn) -> int:
    """Record a credit-relevant event; returns its id."""
    with engine.begin() as conn:
        kind, subject = subject_of(conn, actor, data.subject_kind, data.subject)
        if conn.execute(
            select(events.c.id).where(
                events.c.subject_kind == kind.value,
                events.c.subject_id == subject["id"],
                events.c.source == data.source,
            )
        ).first():
            raise RegistryError(
                "exists",
                f"an event from source {data.source!r} is already recorded for this subject",
            )
        return insert_event(conn, actor, data, kind, subject, ruleset(conn))


def events_of(
    engine: Engine, actor: Actor, kind: SubjectKind | None, ref: str
) -> list[dict[str, Any]]:
    """A subject's ledger, oldest first."""
    with engine.connect() as conn:
        k, subject = subject_of(conn, actor, kind, ref)
        stmt = scoped(
            select(events).where(
                events.c.subject_kind == k.value, events.c.subject_id == subject["id"]
            ),
            events,
            actor,
        )
        return [
            dict(r) for r in conn.execute(stmt.order_by(events.c.on_date, events.c.id)).mappings()
        ]


def _event(conn: Connection, actor: Actor, event_id: int) -> dict[str, Any]:
    return dict(scoped_row(conn, events, event_id, actor, "credit event"))


def file_appeal(
    engine: Engine, actor: Actor, event_id: int, reason: str, filed_on: dt.date | None = None
) -> int:
    """Appeal against an event (it stays counted unless the rule set says otherwise).

    The authorities may appeal on a subject's behalf; an enterprise against a record of its own.
    """
    if not reason.strip():
        raise RegistryError("invalid", "an appeal needs a reason")
    with engine.begin() as conn:
        ev = _event(conn, actor, event_id)
        actor.require(*APPEAL_ROLES)
        org = str(ev["organisation"])
        actor.check_scope(org)
        if ev["status"] != EventStatus.active.value:
            raise RegistryError(
                "invalid", f"event {event_id} is {ev['status']}, not open to appeal"
            )
        aid = insert_id(
            conn,
            insert(appeals).values(
                organisation=org,
                event_id=event_id,
                filed_on=filed_on or dt.date.today(),
                reason=reason,
                state="open",
                filed_by=actor.username,
            ),
        )
        conn.execute(
            update(events)
            .where(events.c.id == event_id)
            .values(status=EventStatus.under_appeal.value)
        )
        audit(
            conn,
            actor,
            "credit.appeal",
            "credit_event",
            str(event_id),
            {"appeal": aid, "reason": reason},
            org,
        )
    return aid


def decide_appeal(
    engine: Engine,
    actor: Actor,
    appeal_id: int,
    uphold: bool,
    decision: str,
    on: dt.date | None = None,
) -> str:
    """Decide an appeal: upheld revokes the event, rejected restores it; returns the new state."""
    with engine.begin() as conn:
        row = scoped_row(conn, appeals, appeal_id, actor, "appeal")
        org = check_write(actor, row["organisation"])
        if row["state"] != "open":
            raise RegistryError("invalid", f"appeal {appeal_id} is already {row['state']}")
        state = "upheld" if uphold else "rejected"
        conn.execute(
            update(appeals)
            .where(appeals.c.id == appeal_id)
            .values(
                state=state,
                decided_on=on or dt.date.today(),
                decided_by=actor.username,
                decision=decision,
            )
        )
        status = EventStatus.revoked if uphold else EventStatus.active
        conn.execute(
            update(events).where(events.c.id == row["event_id"]).values(status=status.value)
        )
        audit(
            conn,
            actor,
            f"credit.appeal_{state}",
            "credit_event",
            str(row["event_id"]),
            {"appeal": appeal_id, "decision": decision},
            org,
        )
    return state


def repair(
    engine: Engine, actor: Actor, event_id: int, basis: str, on: dt.date | None = None
) -> int:
    """Credit repair: after rectification the event counts with the rule set's repaired weight."""
    if not basis.strip():
        raise RegistryError(
            "invalid", "credit repair needs its basis (rectification, training, commitment)"
        )
    with engine.begin() as conn:
        ev = _event(conn, actor, event_id)
        org = check_write(actor, ev["organisation"])
        if ev["status"] != EventStatus.active.value or ev["points"] >= 0:
            raise RegistryError("invalid", f"event {event_id} is not an active deduction")
        rid = insert_id(
            conn,
            insert(repairs).values(
                organisation=org,
                event_id=event_id,
                repaired_on=on or dt.date.today(),
                basis=basis,
                actor=actor.username,
            ),
        )
        conn.execute(
            update(events).where(events.c.id == event_id).values(status=EventStatus.repaired.value)
        )
        audit(
            conn,
            actor,
            "credit.repair",
            "credit_event",
            str(event_id),
            {"repair": rid, "basis": basis},
            org,
        )
    return rid


def appeals_list(engine: Engine, actor: Actor, state: str | None = "open") -> list[dict[str, Any]]:
    """Appeals in scope (open ones by default)."""
    stmt = scoped(select(appeals), appeals, actor).order_by(appeals.c.id)
    if state:
        stmt = stmt.where(appeals.c.state == state)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(stmt).mappings()]
