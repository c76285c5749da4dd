"""Seafarers from training to leaving: certificates, training, service, exams, penalty points.

Penalty points (船员违法记分) count per calendar year; when a year's points reach
:data:`WITHHOLD_POINTS` every valid certificate of the seafarer is withheld, and it is
returned only after an examination passed after the withholding.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, or_, select, update

from seawarden.db.engine import audit, now_ms
from seawarden.registry.codes import mask_id, mask_name
from seawarden.registry.schemas import (
    CertificateRenewalIn,
    CrewCertificateIn,
    CrewIn,
    ExamIn,
    PenaltyPointsIn,
    ServiceIn,
    TrainingIn,
    WithholdIn,
)
from seawarden.registry.scope import (
    NotFoundError,
    RegistryError,
    check_write,
    child_row,
    insert_id,
    scoped,
)
from seawarden.registry.ships import require_ship
from seawarden.registry.tables import (
    crew_certificates,
    crew_exams,
    crew_penalties,
    crew_service,
    crew_training,
    crews,
)
from seawarden.security.actor import Actor, Role

WITHHOLD_POINTS = 15
#: Roles that see seafarers' names and ID numbers unmasked.
PERSONAL_DATA_ROLES = (Role.supervisor, Role.duty_officer)


def present(row: dict[str, Any], actor: Actor) -> dict[str, Any]:
    """A crew row as the actor may see it (personal data masked unless the role allows)."""
    out = dict(row)
    if not actor.has(*PERSONAL_DATA_ROLES):
        out["name"] = mask_name(out.get("name"))
        out["id_number"] = mask_id(out.get("id_number"))
        out["birth_date"] = None
    return out


def find_crew(conn: Connection, actor: Actor, ref: str) -> dict[str, Any] | None:
    """The seafarer with this internal id or identity document number."""
    ref = ref.strip()
    stmt = scoped(
        select(crews).where(or_(crews.c.id == ref, crews.c.id_number == ref.upper())), crews, actor
    )
    row = conn.execute(stmt).mappings().first()
    return dict(row) if row else None


def require_crew(conn: Connection, actor: Actor, ref: str) -> dict[str, Any]:
    """Like :func:`find_crew`, raising :class:`NotFoundError` when there is none."""
    found = find_crew(conn, actor, ref)
    if found is None:
        raise NotFoundError("seafarer", ref)
    return found


def crew_values(data: CrewIn, organisation: str) -> dict[str, Any]:
    """The table row of a validated seafarer."""
    t = now_ms()
    return {
        "id": data.id or str(uuid.uuid4()),
        "organisation": organisation,
        "name": data.name,
        "id_type": data.id_type.value,
        "id_number": data.id_number,
        "nationality": data.nationality,
        "birth_date": data.birth_date,
        "status": "active",
        "created_ms": t,
        "updated_ms": t,
    }


def certificate_values(crew_id: str, organisation: str, data: CrewIn) -> dict[str, Any] | None:
    """The certificate row an imported seafarer record carries, if any."""
    if data.certificate_no is None:
        return None
    return {
        "crew_id": crew_id,
        "organisation": organisation,
        "number": data.certificate_no,
        "grade": data.certificate_grade,
        "issued_on": data.certificate_issued,
        "expires_on": data.certificate_expires,
    }


def create_crew(engine: Engine, actor: Actor, data: CrewIn) -> str:
    """Register a seafarer (and the certificate the record carries); returns the id."""
    org = check_write(actor, data.organisation)
    with engine.begin() as conn:
        if conn.execute(select(crews.c.id).where(crews.c.id_number == data.id_number)).first():
            raise RegistryError("exists", "a seafarer with this identity number is registered")
        row = crew_values(data, org)
        conn.execute(insert(crews).values(**row))
        cert = certificate_values(row["id"], org, data)
        if cert:
            conn.execute(insert(crew_certificates).values(**cert))
        audit(
            conn,
            actor,
            "crew.create",
            "crew",
            row["id"],
            {"id_number": mask_id(data.id_number)},
            org,
        )
    return str(row["id"])


def _add(
    engine: Engine, actor: Actor, ref: str, table: Table, values: dict[str, Any], action: str
) -> int:
    with engine.begin() as conn:
        crew = require_crew(conn, actor, ref)
        org = check_write(actor, crew["organisation"])
        rid = insert_id(conn, insert(table).values(crew_id=crew["id"], organisation=org, **values))
        detail = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in values.items()}
        audit(conn, actor, action, "crew", crew["id"], {"record": rid, **detail}, org)
    return rid


def add_certificate(engine: Engine, actor: Actor, ref: str, data: CrewCertificateIn) -> int:
    """Record a certificate of a seafarer; returns its id."""
    return _add(engine, actor, ref, crew_certificates, data.model_dump(), "crew.certificate")


def renew_certificate(
    engine: Engine, actor: Actor, ref: str, certificate_id: int, data: CertificateRenewalIn
) -> dict[str, Any]:
    """Renew a seafarer's certificate: a new expiry (and issue date or number).

    A withheld certificate is not renewed until it is returned; the new expiry must be later
    than the old one and not before the issue date.
    """
    with engine.begin() as conn:
        crew = require_crew(conn, actor, ref)
        org = check_write(actor, crew["organisation"])
        row = child_row(
            conn,
            crew_certificates,
            certificate_id,
            crew_certificates.c.crew_id,
            crew["id"],
            "certificate",
        )
        if row["withheld_on"] is not None:
            raise RegistryError(
                "invalid",
                f"the certificate is withheld since {row['withheld_on']}; return it first",
            )
        if row["expires_on"] is not None and data.expires_on <= row["expires_on"]:
            raise RegistryError(
                "invalid", f"the new expiry must be after the current one ({row['expires_on']})"
            )
        issued = data.issued_on or row["issued_on"]
        if issued is not None and data.expires_on < issued:
            raise RegistryError("invalid", "expires_on is before issued_on")
        values = {
            "expires_on": data.expires_on,
            "issued_on": issued,
            "number": data.number or row["number"],
        }
        conn.execute(
            update(crew_certificates)
            .where(crew_certificates.c.id == certificate_id)
            .values(**values)
        )
        audit(
            conn,
            actor,
            "crew.certificate_renewed",
            "crew",
            crew["id"],
            {
                "certificate": certificate_id,
                "old_expires_on": str(row["expires_on"]),
                "expires_on": data.expires_on.isoformat(),
                "number": values["number"],
            },
            org,
        )
    return {
        **dict(row),
        **values,
        "state": certificate_state({**dict(row), **values}, dt.date.today()),
    }


def add_training(engine: Engine, actor: Actor, ref: str, data: TrainingIn) -> int:
    """Record a completed training course; returns its id."""
    return _add(engine, actor, ref, crew_training, data.model_dump(), "crew.training")


def add_exam(engine: Engine, actor: Actor, ref: str, data: ExamIn) -> int:
    """Record an examination; returns its id."""
    return _add(engine, actor, ref, crew_exams, data.model_dump(), "crew.exam")


def add_service(engine: Engine, actor: Actor, ref: str, data: ServiceIn) -> int:
    """Record a period of service (on a registered ship when ``data.ship`` names one)."""
    values = data.model_dump(exclude={"ship"})
    if data.ship:
        with engine.connect() as conn:
            values["ship_id"] = require_ship(conn, actor, data.ship)["id"]
    return _add(engine, actor, ref, crew_service, values, "crew.service")


def _year_points(conn: Connection, crew_id: str, year: int) -> int:
    total = conn.execute(
        select(func.coalesce(func.sum(crew_penalties.c.points), 0)).where(
            crew_penalties.c.crew_id == crew_id,
            crew_penalties.c.on_date >= dt.date(year, 1, 1),
            crew_penalties.c.on_date <= dt.date(year, 12, 31),
        )
    ).scalar_one()
    return int(total)


def _withhold(
    conn: Connection,
    actor: Actor,
    crew_id: str,
    org: str,
    on: dt.date,
    only: list[int] | None,
    detail: dict[str, Any],
) -> list[int]:
    """Withhold the seafarer's certificates valid on ``on`` (only those in ``only`` if given).

    Audited as ``crew.certificates_withheld`` with ``detail``; returns the ids withheld.
    """
    stmt = select(crew_certificates.c.id).where(
        crew_certificates.c.crew_id == crew_id,
        crew_certificates.c.withheld_on.is_(None),
        or_(crew_certificates.c.expires_on.is_(None), crew_certificates.c.expires_on >= on),
    )
    if only is not None:
        stmt = stmt.where(crew_certificates.c.id.in_(only))
    withheld = sorted(int(x) for x in conn.execute(stmt).scalars())
    if withheld:
        conn.execute(
            update(crew_certificates)
            .where(crew_certificates.c.id.in_(withheld))
            .values(withheld_on=on)
        )
        audit(
            conn,
            actor,
            "crew.certificates_withheld",
            "crew",
            crew_id,
            {"certificates": withheld, "on_date": on.isoformat(), **detail},
            org,
        )
    return withheld


@dataclass(frozen=True)
class PenaltyResult:
    """Outcome of recording penalty points."""

    penalty_id: int
    year_points: int
    withheld: list[int]
    """Ids of certificates withheld by this record (empty if none)."""


def add_penalty_points(
    engine: Engine, actor: Actor, ref: str, data: PenaltyPointsIn
) -> PenaltyResult:
    """Record penalty points; at 15 points in the calendar year the certificates are withheld."""
    with engine.begin() as conn:
        crew = require_crew(conn, actor, ref)
        org = check_write(actor, crew["organisation"])
        pid = insert_id(
            conn,
            insert(crew_penalties).values(
                crew_id=crew["id"], organisation=org, **data.model_dump()
            ),
        )
        total = _year_points(conn, crew["id"], data.on_date.year)
        audit(
            conn,
            actor,
            "crew.penalty_points",
            "crew",
            crew["id"],
            {"record": pid, "points": data.points, "year_points": total, "reason": data.reason},
            org,
        )
        withheld: list[int] = []
        if total >= WITHHOLD_POINTS:
            withheld = _withhold(
                conn,
                actor,
                crew["id"],
                org,
                data.on_date,
                None,
                {"year_points": total, "threshold": WITHHOLD_POINTS},
            )
    return PenaltyResult(pid, total, withheld)


def withhold_certificates(engine: Engine, actor: Actor, ref: str, data: WithholdIn) -> list[int]:
    """Withhold a seafarer's certificates by decision of a supervisor (reason, legal basis).

    Every certificate valid on ``data.on_date`` is withheld, or only those named in
    ``data.certificates`` (each must be the seafarer's and valid that day). They come back as
    after points: :func:`return_certificates` once an examination is passed after the
    withholding. Returns the ids withheld.
    """
    with engine.begin() as conn:
        crew = require_crew(conn, actor, ref)
        org = check_write(actor, crew["organisation"])
        if data.certificates is not None:
            rows = (
                conn.execute(
                    select(crew_certificates).where(
                        crew_certificates.c.crew_id == crew["id"],
                        crew_certificates.c.id.in_(data.certificates),
                    )
                )
                .mappings()
                .all()
            )
            by_id = {int(r["id"]): r for r in rows}
            for cid in data.certificates:
                if cid not in by_id:
                    raise NotFoundError("certificate", str(cid))
                state = certificate_state(dict(by_id[cid]), data.on_date)
                if state != "valid":
                    raise RegistryError(
                        "invalid", f"certificate {cid} is {state} on {data.on_date}"
                    )
        withheld = _withhold(
            conn,
            actor,
            crew["id"],
            org,
            data.on_date,
            data.certificates,
            {"manual": True, "reason": data.reason, "legal_basis": data.legal_basis},
        )
        if not withheld:
            raise RegistryError(
                "invalid", f"the seafarer has no valid certificate on {data.on_date}"
            )
    return withheld


def return_certificates(engine: Engine, actor: Actor, ref: str) -> list[int]:
    """Return withheld certificates once an exam was passed after they were withheld."""
    with engine.begin() as conn:
        crew = require_crew(conn, actor, ref)
        org = check_write(actor, crew["organisation"])
        held = (
            conn.execute(
                select(crew_certificates).where(
                    crew_certificates.c.crew_id == crew["id"],
                    crew_certificates.c.withheld_on.is_not(None),
                )
            )
            .mappings()
            .all()
        )
        if not held:
            return []
        since = min(h["withheld_on"] for h in held)
        passed = conn.execute(
            select(crew_exams.c.id).where(
                crew_exams.c.crew_id == crew["id"],
                crew_exams.c.passed.is_(True),
                crew_exams.c.taken_on >= since,
            )
        ).first()
        if passed is None:
            raise RegistryError(
                "invalid", f"no exam passed since the certificates were withheld on {since}"
            )
        ids = sorted(int(h["id"]) for h in held)
        conn.execute(
            update(crew_certificates)
            .where(crew_certificates.c.id.in_(ids))
            .values(withheld_on=None)
        )
        audit(
            conn,
            actor,
            "crew.certificates_returned",
            "crew",
            crew["id"],
            {"certificates": ids},
            org,
        )
    return ids


def certificate_state(cert: dict[str, Any], on: dt.date) -> str:
    """``withheld``, ``expired`` or ``valid`` on a date."""
    if cert.get("withheld_on") is not None:
        return "withheld"
    if cert.get("expires_on") is not None and cert["expires_on"] < on:
        return "expired"
    return "valid"


def career(engine: Engine, actor: Actor, ref: str, on: dt.date | None = None) -> dict[str, Any]:
    """A seafarer's record: certificates with state, training, service, exams, penalty points."""
    day = on or dt.date.today()
    with engine.connect() as conn:
        crew = require_crew(conn, actor, ref)

        def rows(table: Table, order: str) -> list[dict[str, Any]]:
            stmt = (
                select(table)
                .where(table.c.crew_id == crew["id"])
                .order_by(table.c[order], table.c.id)
            )
            return [dict(r) for r in conn.execute(stmt).mappings()]

        certs = rows(crew_certificates, "issued_on")
        for c in certs:
            c["state"] = certificate_state(c, day)
        return {
            "crew": present(crew, actor),
            "certificates": certs,
            "training": rows(crew_training, "completed_on"),
            "service": rows(crew_service, "signed_on"),
            "exams": rows(crew_exams, "taken_on"),
            "penalties": rows(crew_penalties, "on_date"),
            "year_points": _year_points(conn, crew["id"], day.year),
        }


def list_crews(engine: Engine, actor: Actor) -> list[dict[str, Any]]:
    """Seafarers within scope (personal data masked as the actor's role requires)."""
    stmt = scoped(select(crews).order_by(crews.c.name, crews.c.id), crews, actor)
    with engine.connect() as conn:
        return [present(dict(r), actor) for r in conn.execute(stmt).mappings()]
