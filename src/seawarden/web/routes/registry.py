"""The register of ships, crews and companies; risk profiles; credit; public service: API routes.

Thin handlers over :mod:`seawarden.registry`, :mod:`seawarden.risk` and :mod:`seawarden.credit`,
which enforce the caller's organisation scope and audit every write themselves. Domain errors
become 400 (invalid input), 404 (nothing of that name within the caller's scope) and 409 (a
state that does not allow the change).

The public service (``/api/public/...``) is open to every logged-in account, the public role
included: it publishes only the columns labelled public, with personal data masked, whatever
the caller's organisation, and limits how often one address may ask.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import tempfile
import threading
import time
import tomllib
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, Literal

import orjson
from fastapi import APIRouter, Depends, File, Form, HTTPException, Query, Request, UploadFile
from fastapi import Path as PathParam
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from seawarden.credit import ledger, scoring
from seawarden.credit.ledger import CreditEventIn, SubjectKind
from seawarden.credit.rules import RuleSet
from seawarden.registry import companies, crews, events, fishing, identity, importer, public, ships
from seawarden.registry.importer import ImportFailedError, ImportKind
from seawarden.registry.lists import LEADING, LISTS, ListName
from seawarden.registry.public import Dataset
from seawarden.registry.schemas import (
    CertificateRenewalIn,
    CompanyIn,
    CrewCertificateIn,
    CrewIn,
    ExamIn,
    LicenceChange,
    LicenceIn,
    PenaltyPointsIn,
    PermitIn,
    PermitRevocationIn,
    QuotaChangeIn,
    QuotaIn,
    ServiceIn,
    ShipCertificateIn,
    ShipEventIn,
    ShipIn,
    TrainingIn,
    WithholdIn,
)
from seawarden.registry.scope import RegistryError
from seawarden.registry.tabular import (
    TableFileError,
    TableFormat,
    format_of,
    read_csv,
    read_json,
    read_xlsx,
    write_table,
)
from seawarden.risk import performance, riskpoints
from seawarden.risk.config import load_config
from seawarden.risk.matrix import Level
from seawarden.risk.profile import due_list, ship_profile
from seawarden.security.actor import Actor, Role
from seawarden.web.deps import ERRORS, actor, client_ip, page_size, state

router = APIRouter(prefix="/api", tags=["registry"], responses=ERRORS)

#: Identifiers in paths (database keys).
Key = Annotated[int, PathParam(ge=0, le=2_147_483_647)]
#: References in paths: an internal id, IMO number, MMSI, code or document number.
Ref = Annotated[str, PathParam(min_length=1, max_length=64)]
#: Earliest and latest dates accepted anywhere.
FIRST_DAY, LAST_DAY = dt.date(1900, 1, 1), dt.date(2100, 12, 31)
#: The public service: requests per address per minute (queries and open-data downloads).
PUBLIC_PER_MINUTE = 120
OPEN_DATA_PER_MINUTE = 20
#: Largest public page.
PUBLIC_MAX_PAGE = 500

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FILE_SCHEMA = {"schema": {"type": "string"}}
_DOWNLOAD: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The list as a file",
        "content": {
            "text/csv": _FILE_SCHEMA,
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
            XLSX: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}
_OPEN_DATA: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The dataset as a file",
        "content": {
            "text/csv": _FILE_SCHEMA,
            "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
        },
    }
}


# ------------------------------------------------------------------ input checks


def _bad_char(text: str) -> bool:
    return any(ord(c) < 32 and c not in "\t\n\r" for c in text)


def _check_value(value: Any, where: str) -> None:
    if isinstance(value, str) and _bad_char(value):
        raise ValueError(f"{where}: control characters are not allowed")
    if isinstance(value, dt.date) and not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(f"{where}: dates must lie between {FIRST_DAY} and {LAST_DAY}")
    if isinstance(value, dict):
        for k, v in value.items():
            _check_value(k, where)
            _check_value(v, f"{where}.{k}")
    elif isinstance(value, list | tuple):
        for v in value:
            _check_value(v, where)


class Body(BaseModel):
    """Base of request bodies: no control characters in text, dates within 1900-2100."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    @model_validator(mode="after")
    def _clean(self) -> Body:
        for name in type(self).model_fields:
            _check_value(getattr(self, name), name)
        return self


def _text(value: str | None, name: str) -> str | None:
    """A query value without control characters (400 otherwise)."""
    if value is not None and _bad_char(value):
        raise HTTPException(400, f"{name}: control characters are not allowed")
    return value


def _day(value: dt.date | None, name: str) -> dt.date | None:
    """A query date within 1900-2100 (400 otherwise)."""
    if value is not None and not FIRST_DAY <= value <= LAST_DAY:
        raise HTTPException(400, f"{name}: dates must lie between {FIRST_DAY} and {LAST_DAY}")
    return value


def _messages(exc: ValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": [str(x) for x in e.get("loc", ())], "msg": str(e.get("msg", ""))}
        for e in exc.errors()
    ]


@contextmanager
def domain(invalid: int = 400) -> Iterator[None]:
    """Map domain errors to HTTP answers (``invalid``: the status of a refused change)."""
    try:
        yield
    except ValidationError as exc:
        raise HTTPException(400, _messages(exc)) from None
    except RegistryError as exc:
        status = {"not_found": 404, "exists": 409, "ambiguous": 409, "invalid": invalid}
        raise HTTPException(status.get(exc.code, 400), str(exc)) from None
    except TableFileError as exc:
        raise HTTPException(400, str(exc)) from None
    except ImportFailedError as exc:
        raise HTTPException(409, str(exc)) from None
    except ValueError as exc:
        raise HTTPException(400, str(exc)) from None


def _engine(request: Request) -> Any:
    return state(request).engine


def _page(rows: Sequence[dict[str, Any]], page: int, size: int, key: str) -> dict[str, Any]:
    return {"total": len(rows), "page": page, key: list(rows[(page - 1) * size : page * size])}


# ------------------------------------------------------------------ files


def _safe_cell(value: Any) -> Any:
    """Text that a spreadsheet could run as a formula is quoted."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _csv_text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        return orjson.dumps(value).decode()
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _columns(rows: Sequence[dict[str, Any]], preferred: list[str] | None = None) -> list[str]:
    seen = dict.fromkeys(preferred or [])
    for r in rows:
        seen.update(dict.fromkeys(r))
    return list(seen)


def _file(
    rows: Sequence[dict[str, Any]], columns: list[str], fmt: TableFormat, name: str
) -> Response:
    """Rows as a CSV, JSON or Excel download."""
    headers = {"content-disposition": f'attachment; filename="{name}.{fmt.value}"'}
    if fmt is TableFormat.json:
        items = [{c: r.get(c) for c in columns} for r in rows]
        body = orjson.dumps(items, default=str, option=orjson.OPT_NON_STR_KEYS)
        return Response(body, media_type="application/json", headers=headers)
    safe = [{c: _safe_cell(r.get(c)) for c in columns} for r in rows]
    if fmt is TableFormat.csv:
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(columns)
        for r in safe:
            w.writerow([_csv_text(r[c]) for c in columns])
        body = out.getvalue().encode("utf-8-sig")
        return Response(body, media_type="text/csv", headers=headers)
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / "list.xlsx"
        write_table(path, safe, columns, TableFormat.xlsx)
        return Response(path.read_bytes(), media_type=XLSX, headers=headers)


# ------------------------------------------------------------------ register: ships


class _ShipFields(Body):
    """Identities and particulars of a ship, each optional."""

    imo: str | None = Field(None, max_length=16)
    mmsi: int | None = Field(None, ge=0, le=999_999_999)
    callsign: str | None = Field(None, max_length=16)
    cn_ship_id: str | None = Field(None, max_length=16)
    fishing_no: str | None = Field(None, max_length=32)
    ship_type: str | None = Field(None, max_length=64)
    flag: str | None = Field(None, max_length=8)
    length_m: float | None = None
    beam_m: float | None = None
    draught_m: float | None = None
    gross_tonnage: float | None = None
    net_tonnage: float | None = None
    deadweight_t: float | None = None
    build_year: int | None = Field(None, ge=0, le=9999)
    keel_laid: dt.date | None = None
    class_society: str | None = Field(None, max_length=64)
    port_of_registry: str | None = Field(None, max_length=64)
    owner: str | None = Field(None, max_length=64)
    operator: str | None = Field(None, max_length=64)
    ism_company: str | None = Field(None, max_length=64)
    status: str | None = Field(None, max_length=16)


class ShipBody(_ShipFields):
    """A ship: identities, particulars, companies (by id, USCC or IMO company number)."""

    organisation: str | None = Field(None, max_length=64)
    name: str = Field(min_length=1, max_length=128)
    registered_on: dt.date | None = None


class ShipChange(_ShipFields):
    """Changes to a ship (only the fields given); ``on``: the day of the change."""

    name: str | None = Field(None, min_length=1, max_length=128)
    on: dt.date | None = None


class ShipEventBody(Body):
    """A lifecycle event: inspection (detention: ``detained``), accident, penalty, port call."""

    kind: str = Field(min_length=1, max_length=32)
    on_date: dt.date
    ended_on: dt.date | None = None
    port: str | None = Field(None, max_length=64)
    regime: str | None = Field(None, max_length=16)
    authority: str | None = Field(None, max_length=256)
    deficiencies: int | None = Field(None, ge=0, le=1000)
    detained: bool | None = None
    legal_basis: str | None = Field(None, max_length=512)
    penalty_amount: float | None = Field(None, ge=0, le=1e12)
    public: bool = True
    detail: dict[str, Any] = Field(default_factory=dict)


class CertificateBody(Body):
    """A ship certificate."""

    kind: str = Field(min_length=1, max_length=64)
    number: str = Field(min_length=1, max_length=64)
    issued_on: dt.date
    expires_on: dt.date | None = None
    issuer: str | None = Field(None, max_length=256)


def _ship_row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: row.get(k)
        for k in (
            "id",
            "organisation",
            "name",
            "imo",
            "mmsi",
            "callsign",
            "fishing_no",
            "ship_type",
            "flag",
            "status",
            "port_of_registry",
        )
    }


@router.get("/registry/ships")
def ship_list(
    request: Request,
    q: str | None = Query(
        None, max_length=64, description="Part of a current or former name or identity"
    ),
    status: Literal["active", "laid_up", "scrapped"] | None = Query(None),
    page: int = Query(1, ge=1, le=100_000),
    page_size_: int | None = Query(None, alias="page_size"),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Ships in the caller's scope, by name; ``q`` searches every identity a ship has had."""
    n = page_size(page_size_, 100)
    text = _text(q, "q")
    engine = _engine(request)
    if text and text.strip():
        rows = ships.search_ships(engine, who, text, limit=10_000)
        if status:
            rows = [r for r in rows if r["status"] == status]
    else:
        rows = ships.list_ships(engine, who, status=status)
    return _page([_ship_row(r) for r in rows], page, n, "ships")


@router.post("/registry/ships", status_code=201)
def ship_create(body: ShipBody, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Register a ship (its identities open on ``registered_on``, default today)."""
    with domain():
        data = ShipIn.model_validate(body.model_dump(exclude_none=True))
        sid = ships.create_ship(_engine(request), who, data)
        return ships.get_ship(_engine(request), who, sid)


@router.get("/registry/ships/{ref}")
def ship_life(ref: Ref, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """A ship's whole life: record, identities with validity, events, certificates, inspections."""
    engine = _engine(request)
    with domain():
        ship = ships.get_ship(engine, who, _text(ref, "ref") or "")
        evs = events.ship_events_of(engine, who, ship["id"])
        return {
            "ship": ship,
            "identities": ships.identities(engine, who, ship["id"]),
            "history": events.history(engine, who, ship["id"]),
            "events": evs,
            "inspections": [e for e in evs if e["kind"] == "inspection"],
            "certificates": events.certificates_of(engine, who, ship["id"]),
        }


@router.patch("/registry/ships/{ref}")
def ship_update(
    ref: Ref, body: ShipChange, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Change a ship; changes of name, flag, companies or identity become lifecycle events."""
    changes = body.model_dump(exclude_unset=True, exclude={"on"})
    with domain(invalid=409):
        diff = ships.update_ship(_engine(request), who, _text(ref, "ref") or "", changes, body.on)
    return {"changed": diff}


@router.post("/registry/ships/{ref}/events", status_code=201)
def ship_event(
    ref: Ref, body: ShipEventBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Record a lifecycle event of a ship (laid up, scrapped and reactivated change its status)."""
    with domain():
        data = ShipEventIn.model_validate(body.model_dump(exclude_none=True))
    with domain(invalid=409):
        return {"id": events.record_event(_engine(request), who, _text(ref, "ref") or "", data)}


@router.post("/registry/ships/{ref}/certificates", status_code=201)
def ship_certificate(
    ref: Ref, body: CertificateBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Record a certificate of a ship (and its ``certificate_issued`` event)."""
    with domain():
        data = ShipCertificateIn.model_validate(body.model_dump(exclude_none=True))
    with domain(invalid=409):
        return {"id": events.add_certificate(_engine(request), who, _text(ref, "ref") or "", data)}


@router.get("/registry/certificates/expiring")
def certificates_expiring(
    request: Request,
    days: int = Query(30, ge=0, le=3650),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Ship certificates expiring within ``days`` (or already expired)."""
    return {"certificates": events.expiring_certificates(_engine(request), who, days)}


@router.get("/registry/identity-at")
def identity_at(
    request: Request,
    kind: Literal["name", "imo", "mmsi", "callsign", "cn_ship_id", "fishing_no"] = Query(...),
    value: str = Query(..., min_length=1, max_length=64),
    on: dt.date = Query(...),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Which ships held an identity (e.g. an MMSI) on a day."""
    day = _day(on, "on") or on
    ids = ships.identity_at(_engine(request), who, kind, _text(value, "value") or "", day)
    return {"kind": kind, "value": value, "on": day, "ships": ids}


# ------------------------------------------------------------------ register: crews, companies


class CrewBody(Body):
    """A seafarer with the certificate the record carries, if any."""

    organisation: str | None = Field(None, max_length=64)
    name: str = Field(min_length=1, max_length=128)
    id_type: str | None = Field(None, max_length=16)
    id_number: str = Field(min_length=1, max_length=32)
    nationality: str | None = Field(None, max_length=8)
    birth_date: dt.date | None = None
    certificate_no: str | None = Field(None, max_length=64)
    certificate_grade: str | None = Field(None, max_length=64)
    certificate_issued: dt.date | None = None
    certificate_expires: dt.date | None = None


class PointsBody(Body):
    """Penalty points of a seafarer (15 in a calendar year withhold the certificates)."""

    on_date: dt.date
    points: int = Field(ge=1, le=15)
    reason: str = Field(min_length=1, max_length=512)
    legal_basis: str | None = Field(None, max_length=512)


class CompanyBody(Body):
    """A company: unified social credit code and/or IMO company number."""

    organisation: str | None = Field(None, max_length=64)
    name: str = Field(min_length=1, max_length=256)
    uscc: str | None = Field(None, max_length=32)
    imo_company_no: str | None = Field(None, max_length=16)
    kind: str | None = Field(None, max_length=32)
    address: str | None = Field(None, max_length=512)
    ism_performance: Literal["high", "medium", "low", "very_low"] | None = None


@router.get("/registry/crews")
def crew_list(
    request: Request,
    page: int = Query(1, ge=1, le=100_000),
    page_size_: int | None = Query(None, alias="page_size"),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Seafarers in scope (personal data masked unless the role may see it)."""
    n = page_size(page_size_, 100)
    return _page(crews.list_crews(_engine(request), who), page, n, "crews")


@router.post("/registry/crews", status_code=201)
def crew_create(body: CrewBody, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Register a seafarer."""
    with domain():
        data = CrewIn.model_validate(body.model_dump(exclude_none=True))
        cid = crews.create_crew(_engine(request), who, data)
        return crews.career(_engine(request), who, cid)["crew"]  # type: ignore[no-any-return]


@router.get("/registry/crews/{ref}")
def crew_career(ref: Ref, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """A seafarer's career: certificates with state, training, service, exams, penalty points."""
    with domain():
        return crews.career(_engine(request), who, _text(ref, "ref") or "")


@router.post("/registry/crews/{ref}/points", status_code=201)
def crew_points(
    ref: Ref, body: PointsBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Give a seafarer penalty points; at 15 in a year every valid certificate is withheld."""
    with domain():
        data = PenaltyPointsIn.model_validate(body.model_dump(exclude_none=True))
    with domain(invalid=409):
        res = crews.add_penalty_points(_engine(request), who, _text(ref, "ref") or "", data)
    return {"year_points": res.year_points, "withheld": list(res.withheld)}


class CrewCertificateBody(Body):
    """A certificate of competency or proficiency issued to a seafarer."""

    number: str = Field(min_length=1, max_length=64)
    grade: str = Field(min_length=1, max_length=64)
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None


class RenewalBody(Body):
    """A renewal: the new expiry, and the new issue date or number if they change."""

    expires_on: dt.date
    issued_on: dt.date | None = None
    number: str | None = Field(None, min_length=1, max_length=64)


class TrainingBody(Body):
    """A completed training course."""

    course: str = Field(min_length=1, max_length=256)
    provider: str | None = Field(None, max_length=256)
    completed_on: dt.date
    certificate_no: str | None = Field(None, max_length=64)


class ExamBody(Body):
    """An examination taken (a pass after a withholding allows the certificates back)."""

    subject: str = Field(min_length=1, max_length=256)
    taken_on: dt.date
    passed: bool
    score: float | None = Field(None, ge=0, le=1000)


class ServiceBody(Body):
    """A period of service: rank, sign-on and sign-off, on a registered ship if named."""

    ship: str | None = Field(None, min_length=1, max_length=64)
    rank: str = Field(min_length=1, max_length=64)
    signed_on: dt.date
    signed_off: dt.date | None = None


@router.post("/registry/crews/{ref}/certificates", status_code=201)
def crew_certificate(
    ref: Ref, body: CrewCertificateBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Issue (record) a certificate of a seafarer."""
    with domain():
        data = CrewCertificateIn.model_validate(body.model_dump(exclude_none=True))
        return {"id": crews.add_certificate(_engine(request), who, _text(ref, "ref") or "", data)}


@router.post("/registry/crews/{ref}/certificates/{certificate_id}/renew")
def crew_certificate_renew(
    ref: Ref,
    certificate_id: Key,
    body: RenewalBody,
    request: Request,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Renew a certificate: a later expiry (a withheld certificate must be returned first)."""
    with domain():
        data = CertificateRenewalIn.model_validate(body.model_dump(exclude_none=True))
    with domain(invalid=409):
        return crews.renew_certificate(
            _engine(request), who, _text(ref, "ref") or "", certificate_id, data
        )


@router.post("/registry/crews/{ref}/certificates/return")
def crew_certificates_return(
    ref: Ref, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Return the withheld certificates once an exam was passed after the withholding."""
    with domain(invalid=409):
        ids = crews.return_certificates(_engine(request), who, _text(ref, "ref") or "")
    if not ids:
        raise HTTPException(409, "the seafarer has no withheld certificates")
    return {"returned": ids}


class WithholdBody(Body):
    """A withholding of certificates: the day, the reason and the legal basis.

    ``certificates`` names the certificates to withhold (every valid one when omitted).
    """

    on_date: dt.date
    reason: str = Field(min_length=1, max_length=512)
    legal_basis: str = Field(min_length=1, max_length=512)
    certificates: list[Annotated[int, Field(ge=0, le=2_147_483_647)]] | None = Field(
        None, min_length=1, max_length=100
    )


@router.post("/registry/crews/{ref}/certificates/withhold")
def crew_certificates_withhold(
    ref: Ref, body: WithholdBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Withhold a seafarer's valid certificates (or those named), with reason and legal basis.

    They are returned like after penalty points: once an examination is passed after the day.
    """
    with domain():
        data = WithholdIn.model_validate(body.model_dump(exclude_none=True))
    with domain(invalid=409):
        ids = crews.withhold_certificates(_engine(request), who, _text(ref, "ref") or "", data)
    return {"withheld": ids}


@router.post("/registry/crews/{ref}/training", status_code=201)
def crew_training(
    ref: Ref, body: TrainingBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Record a completed training course of a seafarer."""
    with domain():
        data = TrainingIn.model_validate(body.model_dump(exclude_none=True))
        return {"id": crews.add_training(_engine(request), who, _text(ref, "ref") or "", data)}


@router.post("/registry/crews/{ref}/exams", status_code=201)
def crew_exam(
    ref: Ref, body: ExamBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Record an examination of a seafarer."""
    with domain():
        data = ExamIn.model_validate(body.model_dump(exclude_none=True))
        return {"id": crews.add_exam(_engine(request), who, _text(ref, "ref") or "", data)}


@router.post("/registry/crews/{ref}/service", status_code=201)
def crew_service(
    ref: Ref, body: ServiceBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Record a period of service of a seafarer (on a registered ship if ``ship`` names one)."""
    with domain():
        data = ServiceIn.model_validate(body.model_dump(exclude_none=True))
        return {"id": crews.add_service(_engine(request), who, _text(ref, "ref") or "", data)}


@router.get("/registry/companies")
def company_list(
    request: Request,
    page: int = Query(1, ge=1, le=100_000),
    page_size_: int | None = Query(None, alias="page_size"),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Companies in scope, each with its latest credit grade."""
    n = page_size(page_size_, 100)
    engine = _engine(request)
    grades = {s["subject_id"]: s for s in scoring.latest_scores(engine, who, SubjectKind.company)}
    rows = [
        {
            **c,
            "grade": grades.get(c["id"], {}).get("grade"),
            "listing": grades.get(c["id"], {}).get("listing"),
            "score": grades.get(c["id"], {}).get("score"),
        }
        for c in companies.list_companies(engine, who)
    ]
    return _page(rows, page, n, "companies")


@router.post("/registry/companies", status_code=201)
def company_create(
    body: CompanyBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Register a company."""
    with domain():
        data = CompanyIn.model_validate(body.model_dump(exclude_none=True))
        cid = companies.create_company(_engine(request), who, data)
        return companies.get_company(_engine(request), who, cid)


@router.get("/registry/companies/{ref}")
def company_show(ref: Ref, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """A company with its fleet, permits and latest credit grade."""
    engine = _engine(request)
    with domain():
        c = companies.get_company(engine, who, _text(ref, "ref") or "")
        return {
            "company": c,
            "fleet": [
                {**_ship_row(s), "roles": s["roles"]} for s in companies.fleet(engine, who, c["id"])
            ],
            "permits": companies.permits(engine, who, c["id"]),
            "credit": scoring.latest_score(engine, who, SubjectKind.company, c["id"]),
        }


class CompanyChange(Body):
    """Changes to a company (only the fields given); the unified social credit code is fixed."""

    name: str | None = Field(None, min_length=1, max_length=256)
    uscc: str | None = Field(None, max_length=32)
    imo_company_no: str | None = Field(None, max_length=16)
    kind: str | None = Field(None, min_length=1, max_length=32)
    address: str | None = Field(None, max_length=512)
    ism_performance: Literal["high", "medium", "low", "very_low"] | None = None
    status: Literal["active", "suspended", "deregistered"] | None = None


@router.patch("/registry/companies/{ref}")
def company_update(
    ref: Ref, body: CompanyChange, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Change a company's name, IMO company number, kind, address, ISM performance or status.

    A field sent as ``null`` (address, IMO company number, ISM performance) is cleared; the
    unified social credit code cannot change (400).
    """
    changes = body.model_dump(exclude_unset=True)
    for required in ("name", "kind", "status"):
        if required in changes and changes[required] is None:
            raise HTTPException(400, f"{required} cannot be empty")
    with domain():
        diff = companies.update_company(_engine(request), who, _text(ref, "ref") or "", changes)
    return {"changed": diff}


class PermitBody(Body):
    """A company permit: kind, number, scope, validity and issuer."""

    kind: str = Field(min_length=1, max_length=64)
    number: str = Field(min_length=1, max_length=64)
    scope: str | None = Field(None, max_length=1024)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    issuer: str | None = Field(None, max_length=256)


@router.post("/registry/companies/{ref}/permits", status_code=201)
def company_permit(
    ref: Ref, body: PermitBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Record a permit of a company (e.g. waterway transport or port operation licence)."""
    with domain():
        data = PermitIn.model_validate(body.model_dump(exclude_none=True))
        return {"id": companies.add_permit(_engine(request), who, _text(ref, "ref") or "", data)}


class PermitRevokeBody(Body):
    """The revocation of a permit: from which day and why."""

    on_date: dt.date
    reason: str = Field(min_length=1, max_length=512)


@router.post("/registry/companies/{ref}/permits/{permit_id}/revoke")
def company_permit_revoke(
    ref: Ref, permit_id: Key, body: PermitRevokeBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Revoke a company permit; it stays in the history, no longer valid from that day."""
    with domain():
        data = PermitRevocationIn.model_validate(body.model_dump())
    with domain(invalid=409):
        return companies.revoke_permit(
            _engine(request), who, _text(ref, "ref") or "", permit_id, data
        )


class LicenceBody(Body):
    """A fishing licence: number, gear, area and period."""

    number: str = Field(min_length=1, max_length=64)
    gear: str = Field(min_length=1, max_length=32)
    area: str = Field(min_length=1, max_length=512)
    valid_from: dt.date
    valid_to: dt.date


class LicenceChangeBody(Body):
    """Changes to a fishing licence (only the fields given)."""

    gear: str | None = Field(None, min_length=1, max_length=32)
    area: str | None = Field(None, min_length=1, max_length=512)
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class QuotaBody(Body):
    """A catch quota for one year and species (tonnes), linked to a licence by its number."""

    year: int = Field(ge=1900, le=2100)
    species: str = Field(min_length=1, max_length=128)
    quota_t: float = Field(ge=0, le=1e9)
    caught_t: float = Field(0.0, ge=0, le=1e9)
    licence: str | None = Field(None, min_length=1, max_length=64)


class QuotaChangeBody(Body):
    """A quota's new amount (tonnes) and the reason for the change."""

    quota_t: float = Field(ge=0, le=1e9)
    reason: str = Field(min_length=1, max_length=512)


class CatchBody(Body):
    """A landed catch (tonnes) counted against a quota."""

    tonnes: float = Field(ge=0, le=1e9)


@router.get("/registry/licences")
def licence_list(
    request: Request,
    year: int | None = Query(None, ge=1900, le=2100, description="Quota year (default this year)"),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Fishing licences and a year's quotas in scope."""
    engine = _engine(request)
    return {
        "licences": fishing.licences(engine, who),
        "quotas": fishing.quotas(engine, who, year or dt.date.today().year),
    }


@router.post("/registry/ships/{ref}/licences", status_code=201)
def licence_add(
    ref: Ref, body: LicenceBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Record a fishing licence of a fishing vessel (gear, area, period)."""
    with domain():
        data = LicenceIn.model_validate(body.model_dump(exclude_none=True))
    with domain(invalid=409):
        return {"id": fishing.add_licence(_engine(request), who, _text(ref, "ref") or "", data)}


@router.patch("/registry/licences/{licence_id}")
def licence_change(
    licence_id: Key, body: LicenceChangeBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Change a fishing licence's gear, area or period."""
    with domain():
        data = LicenceChange.model_validate(body.model_dump(exclude_none=True))
        return {"changed": fishing.update_licence(_engine(request), who, licence_id, data)}


@router.post("/registry/ships/{ref}/quotas", status_code=201)
def quota_add(
    ref: Ref, body: QuotaBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Record a catch quota of a fishing vessel."""
    with domain():
        data = QuotaIn.model_validate(body.model_dump(exclude_none=True))
    with domain(invalid=409):
        return {"id": fishing.add_quota(_engine(request), who, _text(ref, "ref") or "", data)}


@router.post("/registry/quotas/{quota_id}/catches")
def quota_catch(
    quota_id: Key, body: CatchBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Add a landed catch to a quota; the answer gives what remains."""
    with domain():
        return fishing.record_catch(_engine(request), who, quota_id, body.tonnes)


@router.patch("/registry/quotas/{quota_id}")
def quota_change(
    quota_id: Key, body: QuotaChangeBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Change a quota's amount, with a reason (never below what has been caught: 409)."""
    with domain():
        data = QuotaChangeIn.model_validate(body.model_dump())
    with domain(invalid=409):
        return fishing.change_quota(_engine(request), who, quota_id, data)


# ------------------------------------------------------------------ identity conflicts


class DecideBody(Body):
    """A decision on a conflict: link the key to ``ship`` (omit to dismiss), and why."""

    ship: str | None = Field(None, min_length=1, max_length=64)
    note: str = Field(min_length=1, max_length=2048)


@router.get("/registry/conflicts")
def conflict_list(
    request: Request,
    state_: Literal["open", "resolved", "all"] = Query("open", alias="state"),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Identity conflicts (open ones unless ``state`` says otherwise), oldest first."""
    rows = identity.decisions(_engine(request), who, None if state_ == "all" else state_)
    return {"conflicts": rows}


@router.post("/registry/conflicts/{decision_id}/decide")
def conflict_decide(
    decision_id: Key, body: DecideBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Decide an open conflict by hand (a manual link outranks every automatic source)."""
    with domain(invalid=409):
        did = identity.decide(_engine(request), who, decision_id, body.ship, body.note)
    return {"decision": did}


@router.post("/registry/identity/resolve")
def identity_resolve(request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Link the MMSIs and terminals the ingest saw to ships in scope; record new conflicts."""
    with domain():
        rep = identity.resolve_identities(_engine(request), who, state(request).data_dir)
    return rep.as_dict()


# ------------------------------------------------------------------ import and export


def _read_upload(name: str, data: bytes) -> tuple[list[str], list[tuple[int, Any]]]:
    fmt = format_of(Path(name or "upload"))
    if fmt is not TableFormat.xlsx and b"\x00" in data:
        raise TableFileError("the file contains NUL characters")
    try:
        if fmt is TableFormat.csv:
            header, rows = read_csv(data)
        elif fmt is TableFormat.xlsx:
            header, rows = read_xlsx(data)
        else:
            header, rows = read_json(data, fmt is TableFormat.jsonl)
        records = list(rows)
    except TableFileError:
        raise
    except Exception as exc:  # the readers' libraries raise many kinds for damaged files
        raise TableFileError(f"cannot read {name}: {exc}") from None
    for _line, rec in records:
        if rec is not None:
            _check_value(rec, "row")
    return header, records


@router.post("/registry/import/{kind}")
def import_upload(
    kind: ImportKind,
    request: Request,
    file: Annotated[UploadFile, File(description=".csv, .xlsx, .json or .jsonl, at most 1 MB")],
    organisation: Annotated[str | None, Form(max_length=64)] = None,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Import ships, crews, companies or inspections from a file.

    The report lists every bad row with its line and reason; all good rows are written in one
    transaction.
    """
    name = file.filename or "upload.csv"
    data = file.file.read()
    _text(name, "file name")
    _text(organisation, "organisation")
    if organisation:
        who.check_scope(organisation)  # another organisation's records: 403, nothing recorded
    with domain():
        header, records = _read_upload(name, data)
        report = importer.import_records(
            _engine(request),
            who,
            kind,
            header,
            iter(records),
            organisation or None,
            Path(name).name[:200],
            hashlib.sha256(data).hexdigest(),
        )
    return report.as_dict()


@router.get("/registry/imports")
def import_list(request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Past imports in scope, newest first (without their row errors)."""
    return {"imports": importer.import_history(_engine(request), who)[:500]}


class ExportFormat(StrEnum):
    """Download formats of register lists."""

    csv = "csv"
    json = "json"
    xlsx = "xlsx"


@router.get("/registry/export/{list_name}", response_class=Response, responses=_DOWNLOAD)
def export_list(
    list_name: ListName,
    request: Request,
    format_: ExportFormat = Query(ExportFormat.csv, alias="format"),
    who: Actor = Depends(actor),
) -> Response:
    """A list of the register as CSV, JSON or Excel.

    Ships, companies, crews and inspections come in their import format; seafarers' personal
    data is masked as the role requires.
    """
    rows = LISTS[list_name](_engine(request), who)
    cols = _columns(rows, LEADING.get(list_name))
    return _file(rows, cols, TableFormat(format_.value), list_name.value)


# ------------------------------------------------------------------ risk


@router.get("/risk/ships/{ref}/profile")
def risk_profile(
    ref: Ref,
    request: Request,
    regime: Literal["paris", "tokyo"] = Query("paris"),
    on: dt.date | None = Query(None),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """A ship's risk profile, explained parameter by parameter with the sources of its facts."""
    with domain():
        p = ship_profile(
            _engine(request), who, _text(ref, "ref") or "", load_config(regime), _day(on, "on")
        )
    return p.as_dict()


@router.get("/risk/due")
def risk_due(
    request: Request,
    port: str = Query(..., min_length=1, max_length=64),
    regime: Literal["paris", "tokyo"] = Query("paris"),
    on: dt.date | None = Query(None),
    all_: bool = Query(False, alias="all", description="Also the ships not yet due"),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Ships at a port due for inspection: Priority I first, then HRS, SRS, LRS, by points."""
    with domain():
        rows = due_list(
            _engine(request),
            who,
            _text(port, "port") or "",
            load_config(regime),
            _day(on, "on"),
            all_,
        )
    return {"port": port, "ships": rows}


class PerformanceList(StrEnum):
    """The performance lists the risk profile reads."""

    flags = "flags"
    ros = "ros"


@router.get("/risk/lists/{kind}")
def risk_lists(
    kind: PerformanceList,
    request: Request,
    regime: Literal["paris", "tokyo"] | None = Query(None),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """The flag (White/Grey/Black, IMO audit) or RO performance list entries in use."""
    rows = performance.lists(_engine(request), who, kind.value)
    if regime:
        rows = [r for r in rows if r["regime"] == regime]
    return {"kind": kind.value, "entries": rows}


@router.post("/risk/lists/{kind}")
def risk_lists_load(
    kind: PerformanceList,
    request: Request,
    file: Annotated[UploadFile, File(description=".csv, .xlsx, .json or .jsonl, at most 1 MB")],
    regime: Annotated[Literal["paris", "tokyo"], Form()] = "paris",
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Load a year's flag or RO performance list (platform-wide reference data).

    Entries replace those of the same regime, key and year; bad rows are reported by line,
    good rows loaded in one transaction.
    """
    name = Path(file.filename or "list.csv").name[:200]
    _text(name, "file name")
    data = file.file.read()
    with domain():
        _, records = _read_upload(name, data)
        loaded, bad = performance.load_rows(
            _engine(request), who, records, kind.value, regime, None, name
        )
    return {"kind": kind.value, "regime": regime, "loaded": loaded, "rejected": bad}


class RiskPointBody(Body):
    """A risk point: where, what hazard, likelihood and consequence (1-5), measures, owner."""

    organisation: str | None = Field(None, max_length=64)
    name: str = Field(min_length=1, max_length=256)
    location: str = Field(min_length=1, max_length=512)
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)
    hazard: str = Field(min_length=1, max_length=1024)
    likelihood: int = Field(ge=1, le=5)
    consequence: int = Field(ge=1, le=5)
    measures: list[Annotated[str, Field(min_length=1, max_length=1024)]] = Field(
        default_factory=list, max_length=50
    )
    owner: str = Field(min_length=1, max_length=256)
    review_months: int = Field(12, ge=1, le=60)
    identified_on: dt.date | None = None


class ReviewBody(Body):
    """A review of a risk point (``close`` closes it)."""

    reviewed_on: dt.date
    reviewer: str = Field(min_length=1, max_length=256)
    likelihood: int = Field(ge=1, le=5)
    consequence: int = Field(ge=1, le=5)
    measures: list[Annotated[str, Field(min_length=1, max_length=1024)]] | None = Field(
        None, max_length=50
    )
    note: str | None = Field(None, max_length=2048)
    close: bool = False


@router.get("/risk/points")
def risk_points(
    request: Request,
    status: Literal["open", "closed", "all"] = Query("open"),
    min_level: Level | None = Query(None),
    due: bool = Query(False, description="Only points whose review is due"),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """The risk register: risk points in scope, highest level first, with their colour."""
    engine = _engine(request)
    if due:
        rows = riskpoints.reviews_due(engine, who)
    else:
        rows = riskpoints.points(engine, who, min_level, None if status == "all" else status)
    return {"points": rows}


@router.post("/risk/points", status_code=201)
def risk_point_add(
    body: RiskPointBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Register a risk point; its level follows from likelihood × consequence."""
    with domain():
        data = riskpoints.RiskPointIn.model_validate(body.model_dump(exclude_none=True))
        return {"id": riskpoints.add_point(_engine(request), who, data)}


@router.get("/risk/points/{point_id}/reviews")
def risk_point_reviews(
    point_id: Key, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """The reviews of a risk point, oldest first."""
    engine = _engine(request)
    if not any(p["id"] == point_id for p in riskpoints.points(engine, who, status=None)):
        raise HTTPException(404, f"no risk point {point_id} within your scope")
    rows = riskpoints.reviews(engine, who, point_id)
    return {"reviews": rows}


@router.post("/risk/points/{point_id}/reviews", status_code=201)
def risk_point_review(
    point_id: Key, body: ReviewBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Review a risk point: reassessed likelihood, consequence and measures; next review."""
    with domain():
        data = riskpoints.ReviewIn.model_validate(body.model_dump(exclude_none=True))
        return riskpoints.review(_engine(request), who, point_id, data)


# ------------------------------------------------------------------ credit


class CreditEventBody(Body):
    """A credit-relevant record (points and legal basis default to the active rule set's)."""

    subject_kind: SubjectKind
    subject: str = Field(min_length=1, max_length=64)
    kind: str = Field(min_length=1, max_length=48)
    on_date: dt.date
    points: float | None = Field(None, ge=-1000, le=1000)
    legal_basis: str | None = Field(None, max_length=1024)
    source: str = Field("manual", min_length=1, max_length=96)
    note: str | None = Field(None, max_length=2048)


class ScoreBody(Body):
    """Score a subject as of a day (default today) with a rule-set version (default active)."""

    subject_kind: SubjectKind | None = None
    as_of: dt.date | None = None
    ruleset_version: str | None = Field(None, max_length=64)


class AppealBody(Body):
    """An appeal against a credit record."""

    reason: str = Field(min_length=1, max_length=2048)


class AppealDecision(Body):
    """The decision on an appeal: upheld revokes the record, rejected restores it."""

    uphold: bool
    decision: str = Field(min_length=1, max_length=2048)


class RepairBody(Body):
    """Credit repair after rectification: the basis (rectification, training, commitment)."""

    basis: str = Field(min_length=1, max_length=2048)


@router.get("/credit/scores")
def credit_scores(
    request: Request,
    subject_kind: SubjectKind | None = Query(None),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """The latest grade of every scored subject in scope."""
    rows = scoring.latest_scores(_engine(request), who, subject_kind)
    return {"scores": [{k: v for k, v in r.items() if k not in ("inputs", "lines")} for r in rows]}


@router.get("/credit/subjects/{ref}")
def credit_subject(
    ref: Ref,
    request: Request,
    subject_kind: SubjectKind | None = Query(None),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """A subject's latest grade with its explanation, supervision intensity, ledger and appeals."""
    engine = _engine(request)
    key = _text(ref, "ref") or ""
    with domain():
        evs = ledger.events_of(engine, who, subject_kind, key)
        latest = scoring.latest_score(engine, who, subject_kind, key)
    ids = {e["id"] for e in evs}
    return {
        "latest": latest,
        "events": evs,
        "appeals": [a for a in ledger.appeals_list(engine, who, None) if a["event_id"] in ids],
    }


@router.post("/credit/subjects/{ref}/score", status_code=201)
def credit_score(
    ref: Ref, body: ScoreBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Compute and store a subject's score, grade, list and supervision intensity."""
    with domain():
        return scoring.compute_score(
            _engine(request),
            who,
            body.subject_kind,
            _text(ref, "ref") or "",
            body.as_of,
            body.ruleset_version,
        )


@router.get("/credit/scores/{score_id}/recompute")
def credit_recompute(
    score_id: Key, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Run a stored score's rule-set version on its stored inputs: the same result or not."""
    with domain():
        r = scoring.recompute(_engine(request), who, score_id)
    return {
        "same": r.same,
        "stored": {k: r.stored[k] for k in ("id", "score", "grade", "listing", "ruleset_version")},
        "again": r.again.as_dict(),
    }


@router.post("/credit/events", status_code=201)
def credit_record(
    body: CreditEventBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Record a credit-relevant event against a ship, seafarer or company."""
    with domain():
        data = CreditEventIn.model_validate(body.model_dump(exclude_none=True))
        return {"id": ledger.record_event(_engine(request), who, data)}


@router.post("/credit/events/{event_id}/appeal", status_code=201)
def credit_appeal(
    event_id: Key, body: AppealBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Appeal against a record (an enterprise against a record of its own)."""
    with domain(invalid=409):
        return {"id": ledger.file_appeal(_engine(request), who, event_id, body.reason)}


@router.post("/credit/events/{event_id}/repair", status_code=201)
def credit_repair(
    event_id: Key, body: RepairBody, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Credit repair: the deduction counts with the rule set's repaired weight."""
    with domain(invalid=409):
        return {"id": ledger.repair(_engine(request), who, event_id, body.basis)}


@router.get("/credit/appeals")
def credit_appeals(
    request: Request,
    state_: Literal["open", "upheld", "rejected", "all"] = Query("open", alias="state"),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Appeals in scope (open ones unless ``state`` says otherwise)."""
    rows = ledger.appeals_list(_engine(request), who, None if state_ == "all" else state_)
    return {"appeals": rows}


@router.post("/credit/appeals/{appeal_id}/decide")
def credit_decide(
    appeal_id: Key, body: AppealDecision, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Uphold (revoke the record) or reject (restore it) an appeal."""
    with domain(invalid=409):
        new = ledger.decide_appeal(_engine(request), who, appeal_id, body.uphold, body.decision)
    return {"id": appeal_id, "state": new}


@router.get("/credit/rulesets")
def credit_rulesets(request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Stored rule-set versions (the active one marked)."""
    return {"rulesets": ledger.list_rulesets(_engine(request))}


#: Rule-set versions in paths.
Version = Annotated[str, PathParam(min_length=1, max_length=64)]


def _ruleset_file(name: str, data: bytes) -> RuleSet:
    """A rule set from an uploaded TOML or JSON file (400 when it cannot be read or is invalid)."""
    suffix = Path(name).suffix.lower()
    if suffix not in (".toml", ".json"):
        raise HTTPException(400, "a rule set is a .toml or .json file")
    try:
        text = data.decode("utf-8-sig")
        body = tomllib.loads(text) if suffix == ".toml" else orjson.loads(text)
    except (UnicodeDecodeError, tomllib.TOMLDecodeError, orjson.JSONDecodeError) as exc:
        raise HTTPException(
            400, f"{name} is not valid {suffix.lstrip('.').upper()}: {exc}"
        ) from None
    if not isinstance(body, dict):
        raise HTTPException(400, f"{name} must hold one rule set (an object)")
    with domain():
        _check_value(body, "rule set")
        return RuleSet.model_validate(body)


@router.post("/credit/rulesets", status_code=201)
def credit_ruleset_install(
    request: Request,
    file: Annotated[UploadFile, File(description="The rule set as .toml or .json, at most 1 MB")],
    activate: Annotated[bool, Form()] = False,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Install a new rule-set version (stored versions never change); optionally activate it."""
    name = Path(file.filename or "ruleset.toml").name[:200]
    _text(name, "file name")
    rules = _ruleset_file(name, file.file.read())
    with domain():
        new = ledger.install_ruleset(_engine(request), who, rules, activate)
    return {"version": rules.version, "new": new, "active": activate}


@router.get("/credit/rulesets/{version}")
def credit_ruleset_show(
    version: Version, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """A stored rule-set version with its rules."""
    with domain():
        return ledger.show_ruleset(_engine(request), _text(version, "version") or "")


@router.post("/credit/rulesets/{version}/activate")
def credit_ruleset_activate(
    version: Version, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Make a stored rule-set version the active one (new scores use it)."""
    with domain(invalid=409):
        ledger.activate_ruleset(_engine(request), who, _text(version, "version") or "")
    return {"version": version, "active": True}


# ------------------------------------------------------------------ public service

#: Who the public service reads as: the whole platform, public fields only.
PUBLIC_READER = Actor("public-service", frozenset({Role.public}), None, None)


class _Window:
    """At most ``limit`` requests per address in a sliding minute."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.hits: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def allow(self, key: str) -> bool:
        now = time.monotonic()
        with self.lock:
            if len(self.hits) > 10_000:
                self.hits = {k: q for k, q in self.hits.items() if q and q[-1] > now - 60}
            q = self.hits.setdefault(key, deque())
            while q and q[0] <= now - 60:
                q.popleft()
            if len(q) >= self.limit:
                return False
            q.append(now)
            return True


_LIMITS_LOCK = threading.Lock()


def _limit(request: Request, name: str, per_minute: int) -> None:
    with _LIMITS_LOCK:
        limits: dict[str, _Window] | None = getattr(request.app.state, "public_limits", None)
        if limits is None:
            limits = {}
            request.app.state.public_limits = limits
        window = limits.setdefault(name, _Window(per_minute))
    if not window.allow(client_ip(request) or "-"):
        raise HTTPException(429, "too many requests from this address; try again in a minute")


def public_query(request: Request) -> None:
    """Rate limit of the public queries (per address)."""
    _limit(request, "query", PUBLIC_PER_MINUTE)


def open_data_download(request: Request) -> None:
    """Rate limit of the open-data downloads (per address)."""
    _limit(request, "download", OPEN_DATA_PER_MINUTE)


def _public_page(rows: list[dict[str, Any]], page: int, size: int) -> dict[str, Any]:
    return {
        "total": len(rows),
        "page": page,
        "rows": rows[(page - 1) * size : page * size],
    }


PublicPage = Annotated[int, Query(ge=1, le=10_000)]
PublicSize = Annotated[int, Query(alias="page_size", ge=1, le=PUBLIC_MAX_PAGE)]


@router.get("/public/inspections", dependencies=[Depends(actor), Depends(public_query)])
def public_inspections(
    request: Request,
    ship: str | None = Query(None, min_length=1, max_length=64, description="IMO or name"),
    since: dt.date | None = Query(None),
    page: PublicPage = 1,
    page_size_: PublicSize = 100,
) -> dict[str, Any]:
    """Published inspection results (any logged-in account; public fields only)."""
    rows = public.inspection_results(
        _engine(request), PUBLIC_READER, _day(since, "since"), _text(ship, "ship")
    )
    return {"fields": public.dataset_fields(Dataset.inspections)} | _public_page(
        rows, page, page_size_
    )


@router.get("/public/detentions", dependencies=[Depends(actor), Depends(public_query)])
def public_detentions(
    request: Request,
    ship: str | None = Query(None, min_length=1, max_length=64, description="IMO or name"),
    since: dt.date | None = Query(None),
    page: PublicPage = 1,
    page_size_: PublicSize = 100,
) -> dict[str, Any]:
    """Published detentions (any logged-in account; public fields only)."""
    rows = public.detentions(
        _engine(request), PUBLIC_READER, _day(since, "since"), _text(ship, "ship")
    )
    return {"fields": public.dataset_fields(Dataset.detentions)} | _public_page(
        rows, page, page_size_
    )


@router.get("/public/penalties", dependencies=[Depends(actor), Depends(public_query)])
def public_penalties(
    request: Request,
    since: dt.date | None = Query(None),
    page: PublicPage = 1,
    page_size_: PublicSize = 100,
) -> dict[str, Any]:
    """Published penalties of ships and seafarers (seafarers' names masked)."""
    rows = public.penalties(_engine(request), PUBLIC_READER, _day(since, "since"))
    return {"fields": public.dataset_fields(Dataset.penalties)} | _public_page(
        rows, page, page_size_
    )


@router.get("/public/company-grades", dependencies=[Depends(actor), Depends(public_query)])
def public_company_grades(
    request: Request,
    grade: Literal["AA", "A", "B", "C", "D"] | None = Query(None),
    page: PublicPage = 1,
    page_size_: PublicSize = 100,
) -> dict[str, Any]:
    """The latest credit grade of every scored company."""
    rows = public.company_grades(_engine(request), PUBLIC_READER, grade)
    return {"fields": public.dataset_fields(Dataset.company_credit)} | _public_page(
        rows, page, page_size_
    )


@router.get(
    "/public/opendata/{dataset}",
    response_class=Response,
    responses=_OPEN_DATA,
    dependencies=[Depends(actor), Depends(open_data_download)],
)
def public_open_data(
    dataset: Dataset,
    request: Request,
    format_: Literal["csv", "json"] = Query("csv", alias="format"),
) -> Response:
    """A public dataset as CSV or JSON: only fields labelled public, personal data masked."""
    rows = public.QUERIES[dataset](_engine(request), PUBLIC_READER)
    return _file(rows, public.dataset_fields(dataset), TableFormat(format_), dataset.value)
