"""Dangerous goods: API routes of the terminal side and the authority side.

Terminal side: companies, terminals, berths and storage units, licences and staff, cargo in
and out with the inventory, operation declarations, hidden dangers, major hazard sources and
tank alarms. Authority side: decisions on declarations, dashboards per organisation, the map
layer of storage units and enforcement records. Tools: DG-list look-up, segregation check of
a bay or yard list, GB 18218 calculation.

The handlers validate their input, call the services of :mod:`seawarden.dangerous_goods` with
the caller and turn the domain's typed errors into answers: 404 for objects outside the
caller's scope (as if they did not exist), 409 for a state that does not allow the step,
400 for refused input. The services check roles and scope again and audit every write.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import FileResponse
from pydantic import AfterValidator, BaseModel, Field

from seawarden.dangerous_goods import alarms as alarm_service
from seawarden.dangerous_goods import cargo as cargo_service
from seawarden.dangerous_goods import dashboard as dashboard_service
from seawarden.dangerous_goods import declarations as decl_service
from seawarden.dangerous_goods import facilities as facility_service
from seawarden.dangerous_goods import hazard_sources as source_service
from seawarden.dangerous_goods import hidden_dangers as danger_service
from seawarden.dangerous_goods import operations as operation_service
from seawarden.dangerous_goods import yards as yards_service
from seawarden.dangerous_goods.bayplan import check_bay_plan
from seawarden.dangerous_goods.dglist import lookup as dg_lookup
from seawarden.dangerous_goods.errors import (
    DeclarationBlockedError,
    DGError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
)
from seawarden.dangerous_goods.hazard import HazardItem, assess
from seawarden.dangerous_goods.inputs import plan_from_text
from seawarden.dangerous_goods.permits import OperationMode
from seawarden.dangerous_goods.yard import check_yard
from seawarden.security.actor import Actor
from seawarden.web.deps import ERRORS, actor, state

router = APIRouter(prefix="/api", tags=["dangerous-goods"], responses=ERRORS)

MAX_ID = 2_147_483_647
MAX_MS = 4_102_444_800_000  # 2100-01-01
MAX_T = 1e9
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _plain(value: str) -> str:
    """Refuse control characters (other than tab and line breaks) in text."""
    if _CONTROL.search(value):
        raise ValueError("control characters are not allowed")
    return value


Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_plain)]
Short = Annotated[str, Field(max_length=32), AfterValidator(_plain)]
Note = Annotated[str, Field(max_length=4000), AfterValidator(_plain)]
Comment = Annotated[str, Field(min_length=1, max_length=4000), AfterValidator(_plain)]
Code64 = Annotated[str, Field(min_length=1, max_length=64), AfterValidator(_plain)]
UN = Annotated[str, Field(min_length=1, max_length=8, pattern=r"^\s*(?:[Uu][Nn])?\s*\d{4}\s*$")]
ClassText = Annotated[str, Field(max_length=8, pattern=r"^[0-9A-Za-z.]*$")]
Category = Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9.]+$")]
Id = Annotated[int, Field(ge=0, le=MAX_ID)]
Ms = Annotated[int, Field(ge=0, le=MAX_MS)]
Tonnes = Annotated[float, Field(gt=0, le=MAX_T)]
ORG_CODE = r"^[A-Za-z0-9._-]+$"
OrgCode = Annotated[str, Field(min_length=1, max_length=64, pattern=ORG_CODE)]
OrgQuery = Annotated[str | None, Query(min_length=1, max_length=64, pattern=ORG_CODE)]
"""An organisation named in the query string (the caller's own when left out)."""
PathId = Annotated[int, Path(ge=0, le=MAX_ID)]
QueryId = Annotated[int | None, Query(ge=0, le=MAX_ID)]
Coordinate = Annotated[float, Field(ge=-180, le=180)]
Pair = Annotated[list[Coordinate], Field(min_length=2, max_length=2)]
Ring = Annotated[list[Pair], Field(min_length=4, max_length=2000)]


@contextmanager
def _answers() -> Iterator[None]:
    """Typed domain errors as HTTP answers (404 not found, 409 state, 400 input)."""
    try:
        yield
    except NotFoundError as exc:
        raise HTTPException(404, exc.as_dict()) from None
    except (InvalidStateError, DeclarationBlockedError) as exc:
        raise HTTPException(409, exc.as_dict()) from None
    except DGError as exc:
        raise HTTPException(400, exc.as_dict()) from None


def _engine(request: Request) -> Any:
    return state(request).engine


# ------------------------------------------------------------------------------- models


class PolygonIn(BaseModel):
    """A GeoJSON Polygon (rings of [lon, lat] pairs, the first ring the outline)."""

    type: Literal["Polygon"]
    coordinates: list[Ring] = Field(min_length=1, max_length=20)


class CompanyIn(BaseModel):
    """A DG operating company (the caller's organisation unless another visible one is named)."""

    name: Name
    organisation: OrgCode | None = None
    credit_code: Short | None = None
    address: Note | None = None


class TerminalIn(BaseModel):
    """A terminal of a company."""

    company_id: Id
    name: Name
    port: Annotated[str, Field(max_length=16, pattern=r"^[A-Za-z0-9 _-]*$")] | None = None
    lat: float | None = Field(None, ge=-90, le=90)
    lon: float | None = Field(None, ge=-180, le=180)


class BerthIn(BaseModel):
    """A berth of a terminal with its outline."""

    terminal_id: Id
    name: Name
    geometry: PolygonIn | None = None
    dg_only: bool = False


class TankIn(BaseModel):
    """Design limits of a tank (°C, kPa gauge, metres, % LEL, ppm)."""

    design_volume_m3: float | None = Field(None, ge=0, le=MAX_T)
    temperature_min_c: float | None = Field(None, ge=-273.15, le=2000)
    temperature_max_c: float | None = Field(None, ge=-273.15, le=2000)
    pressure_min_kpa: float | None = Field(None, ge=-101.325, le=1e6)
    pressure_max_kpa: float | None = Field(None, ge=-101.325, le=1e6)
    level_max_m: float | None = Field(None, ge=0, le=1000)
    height_m: float | None = Field(None, ge=0, le=1000)
    gas_warn_pct_lel: float = Field(20.0, ge=0, le=100)
    gas_alarm_pct_lel: float = Field(50.0, ge=0, le=100)
    toxic_warn_ppm: float | None = Field(None, ge=0, le=1e6)
    toxic_alarm_ppm: float | None = Field(None, ge=0, le=1e6)


class SubstanceIn(BaseModel):
    """A permitted substance of a unit with its designed maximum quantity (tonnes)."""

    substance: Name
    max_quantity_t: float = Field(ge=0, le=MAX_T)
    un_number: UN | None = None
    categories: list[Category] = Field(default_factory=list, max_length=10)


class StorageUnitIn(BaseModel):
    """A yard, warehouse, tank farm (one bund) or tank (inside a tank farm)."""

    terminal_id: Id
    kind: Literal["yard", "warehouse", "tank_farm", "tank"]
    name: Name
    capacity_t: float | None = Field(None, ge=0, le=MAX_T)
    people_within_500m: int = Field(0, ge=0, le=10_000_000)
    parent_id: Id | None = None
    geometry: PolygonIn | None = None
    tank: TankIn | None = None
    substances: list[SubstanceIn] = Field(default_factory=list, max_length=50)


class LicenceIn(BaseModel):
    """A port operating licence issued to a company."""

    company_id: Id
    number: Code64
    valid_from_ms: Ms
    valid_to_ms: Ms
    issued_by: Name | None = None


class AnnexIn(BaseModel):
    """A licence annex (作业附证): goods, modes, site, validity and maximum quantity."""

    modes: list[OperationMode] = Field(min_length=1, max_length=6)
    valid_from_ms: Ms
    valid_to_ms: Ms
    un_numbers: list[UN] = Field(default_factory=list, max_length=500)
    classes: list[ClassText] = Field(default_factory=list, max_length=20)
    site_kind: Literal["berth", "storage_unit"] | None = None
    site_id: Id | None = None
    max_quantity_t: float | None = Field(None, ge=0, le=MAX_T)


class PersonIn(BaseModel):
    """A member of a company's staff."""

    company_id: Id
    name: Name
    id_number: Short | None = None
    role: Annotated[str, Field(max_length=64), AfterValidator(_plain)] | None = None


class QualificationIn(BaseModel):
    """A qualification certificate of a person."""

    kind: Code64
    valid_from_ms: Ms
    valid_to_ms: Ms
    number: Annotated[str, Field(max_length=64), AfterValidator(_plain)] | None = None


class CargoIn(BaseModel):
    """DG cargo into or out of a storage unit."""

    storage_unit_id: Id
    direction: Literal["in", "out"]
    un_number: UN
    quantity_t: Tonnes
    at_ms: Ms | None = None
    container_no: Annotated[str, Field(max_length=16, pattern=r"^[A-Za-z0-9]*$")] | None = None
    declaration_id: Id | None = None


class LineIn(BaseModel):
    """One declared goods line."""

    un_number: UN
    quantity_t: Tonnes
    hazard_class: ClassText = ""
    packing_group: Annotated[str, Field(max_length=4, pattern=r"^(|I|II|III|1|2|3)$")] = ""
    name: Name | None = None
    packaging: Name | None = None


class DeclarationIn(BaseModel):
    """An operation declaration: terminal, berth and/or unit, mode, ship, window, staff, goods."""

    terminal_id: Id
    mode: OperationMode
    start_ms: Ms
    end_ms: Ms
    lines: list[LineIn] = Field(min_length=1, max_length=200)
    berth_id: Id | None = None
    storage_unit_id: Id | None = None
    ship_name: Name | None = None
    mmsi: int | None = Field(None, ge=1, le=999_999_999)
    imo: int | None = Field(None, ge=1, le=9_999_999)
    voyage: Short | None = None
    client: Name | None = None
    personnel: list[Id] = Field(default_factory=list, max_length=100)


class DecisionIn(BaseModel):
    """The authority's comment on a decision."""

    comment: Note | None = None


class RejectionIn(BaseModel):
    """Why a declaration is rejected."""

    comment: Comment


class PhotoIn(BaseModel):
    """A photo, base64-encoded (JPEG, PNG or WebP)."""

    name: Annotated[str, Field(max_length=200), AfterValidator(_plain)] = "photo"
    content_base64: str = Field(min_length=1, max_length=1_000_000)


class HiddenDangerIn(BaseModel):
    """A hidden danger report: a criterion item makes it major, else a category 0-5."""

    terminal_id: Id
    title: Name
    description: Note = ""
    criterion_id: Annotated[str, Field(max_length=8, pattern=r"^[A-Za-z0-9.]+$")] | None = None
    category_no: int | None = Field(None, ge=0, le=5)
    storage_unit_id: Id | None = None
    photos: list[PhotoIn] = Field(default_factory=list, max_length=5)


class AssignIn(BaseModel):
    """A responsible person and a deadline (the port's default when left out)."""

    assignee: Annotated[str, Field(min_length=1, max_length=128), AfterValidator(_plain)]
    deadline_ms: Ms | None = None


class RectifyIn(BaseModel):
    """What was done, with photos."""

    rectification: Comment
    photos: list[PhotoIn] = Field(default_factory=list, max_length=5)


class VerifyIn(BaseModel):
    """The verification of a rectification (a failure needs a comment)."""

    passed: bool
    comment: Note | None = None


class CommentIn(BaseModel):
    """An optional comment."""

    comment: Note | None = None


class RequiredCommentIn(BaseModel):
    """A comment that must be given."""

    comment: Comment


class SourceIn(BaseModel):
    """The storage unit to register as a major hazard source."""

    storage_unit_id: Id


class FilingIn(BaseModel):
    """The authority's filing (备案) number."""

    filing_no: Code64


class ReasonIn(BaseModel):
    """Why a source is deregistered."""

    reason: Comment


class EnforcementIn(BaseModel):
    """An inspection or enforcement action at a terminal."""

    terminal_id: Id
    kind: Annotated[str, Field(min_length=1, max_length=32), AfterValidator(_plain)]
    description: Comment
    result: Note | None = None
    at_ms: Ms | None = None


class PlanIn(BaseModel):
    """A bay or yard list as uploaded: JSON, CSV or a BAPLIE interchange, as text."""

    format: Literal["json", "csv", "baplie"] = "json"
    content: str = Field(min_length=1, max_length=1_000_000)
    rules: dict[str, Any] | None = Field(
        None, description="Port rules overriding those in force (yard lists)."
    )


class HazardItemIn(BaseModel):
    """A substance (name, CAS or UN number) with its quantity and GB 30000 categories."""

    substance: Name
    quantity_t: Tonnes
    categories: list[Category] = Field(default_factory=list, max_length=10)


class HazardIn(BaseModel):
    """One unit for the GB 18218 calculation."""

    people_within_500m: int = Field(0, ge=0, le=10_000_000)
    items: list[HazardItemIn] = Field(min_length=1, max_length=500)


# ------------------------------------------------------------------------------- tools


@router.get("/dg/lookup/{un_number}")
def lookup(
    un_number: Annotated[str, Path(max_length=16)], who: Actor = Depends(actor)
) -> dict[str, Any]:
    """The DG-list entries of a UN number (``1203`` or ``UN1203``)."""
    with _answers():
        return {"entries": [e.as_dict() for e in dg_lookup(un_number)]}


@router.post("/dg/segregation")
def segregation(body: PlanIn, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Check the IMDG segregation (and the JT 397 yard rules) of an uploaded bay or yard list."""
    suffix = {"json": ".json", "csv": ".csv", "baplie": ".edi"}[body.format]
    with _answers():
        plan = plan_from_text(body.content, suffix, "upload")
        if plan.kind == "bay":
            result = check_bay_plan(plan.bay_units, plan.layout).as_dict()
        else:
            rules = facility_service.port_rules_in_force(_engine(request), who.organisation)
            if body.rules:
                try:
                    rules = rules.merged(body.rules)
                except (ValueError, TypeError) as exc:
                    raise InvalidInputError(f"invalid port rules: {exc}") from exc
            result = check_yard(plan.yard_units, plan.blocks, rules, plan.now_ms).as_dict()
    result["notes"] = plan.notes
    return result


@router.post("/dg/hazard")
def hazard(body: HazardIn, who: Actor = Depends(actor)) -> dict[str, Any]:
    """GB 18218-2018: S, R and grade of one unit, with the working."""
    items = [HazardItem(i.substance, i.quantity_t, tuple(i.categories)) for i in body.items]
    with _answers():
        return assess(items, body.people_within_500m).as_dict()


# ------------------------------------------------------------------------------- facilities


@router.get("/dg/companies")
def companies(request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Companies in the caller's scope."""
    return {"companies": facility_service.list_companies(_engine(request), who)}


@router.post("/dg/companies", status_code=201)
def create_company(
    body: CompanyIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Register a DG operating company."""
    org = body.organisation or who.organisation
    if org is None or not who.can_see(org):
        raise HTTPException(404, "no such organisation in your scope")
    with _answers():
        cid = facility_service.create_company(
            _engine(request), who, org, body.name, body.credit_code, body.address
        )
    return {"id": cid}


@router.get("/dg/terminals")
def terminals(
    request: Request,
    company_id: QueryId = None,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Terminals in the caller's scope."""
    return {"terminals": facility_service.list_terminals(_engine(request), who, company_id)}


@router.post("/dg/terminals", status_code=201)
def create_terminal(
    body: TerminalIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Register a terminal of a company."""
    with _answers():
        tid = facility_service.create_terminal(
            _engine(request), who, body.company_id, body.name, body.port, body.lat, body.lon
        )
    return {"id": tid}


@router.get("/dg/berths")
def berths(
    request: Request,
    terminal_id: QueryId = None,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Berths in the caller's scope."""
    return {"berths": facility_service.list_berths(_engine(request), who, terminal_id)}


@router.post("/dg/berths", status_code=201)
def create_berth(body: BerthIn, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Register a berth with its outline."""
    geometry = body.geometry.model_dump() if body.geometry else None
    with _answers():
        bid = facility_service.create_berth(
            _engine(request), who, body.terminal_id, body.name, geometry, body.dg_only
        )
    return {"id": bid}


@router.get("/dg/storage-units")
def storage_units(
    request: Request,
    terminal_id: QueryId = None,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Storage units in the caller's scope."""
    return {
        "storage_units": facility_service.list_storage_units(_engine(request), who, terminal_id)
    }


@router.post("/dg/storage-units", status_code=201)
def create_storage_unit(
    body: StorageUnitIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Register a yard, warehouse, tank farm or tank (with design limits and substances)."""
    tank = facility_service.TankDesign(**body.tank.model_dump()) if body.tank else None
    subs = [
        facility_service.SubstanceSpec(
            s.substance, s.max_quantity_t, s.un_number, tuple(s.categories)
        )
        for s in body.substances
    ]
    with _answers():
        uid = facility_service.create_storage_unit(
            _engine(request),
            who,
            body.terminal_id,
            body.kind,
            body.name,
            body.capacity_t,
            body.people_within_500m,
            body.parent_id,
            body.geometry.model_dump() if body.geometry else None,
            tank,
            subs,
        )
    return {"id": uid}


@router.get("/dg/storage-units/{unit_id}")
def storage_unit(unit_id: PathId, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """A storage unit with its tank design, substances, blocks and present inventory."""
    engine = _engine(request)
    with _answers():
        unit = facility_service.storage_unit(engine, who, unit_id)
        unit["inventory_t"] = cargo_service.inventory(engine, who, unit_id)
    return unit


@router.get("/dg/storage-units/{unit_id}/inventory")
def inventory(
    unit_id: PathId,
    request: Request,
    at: Annotated[int | None, Query(ge=0, le=MAX_MS, description="epoch ms; now if absent")] = None,
    start: Annotated[int | None, Query(alias="from", ge=0, le=MAX_MS)] = None,
    end: Annotated[int | None, Query(alias="to", ge=0, le=MAX_MS)] = None,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """What a unit holds at a time (tonnes per UN number) and its balance after every record."""
    engine = _engine(request)
    with _answers():
        return {
            "storage_unit_id": unit_id,
            "at_ms": at,
            "inventory_t": cargo_service.inventory(engine, who, unit_id, at),
            "series": cargo_service.inventory_series(engine, who, unit_id, start, end),
        }


@router.get("/dg/storage-units/{unit_id}/hazard")
def unit_hazard(unit_id: PathId, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """GB 18218 of a unit at its designed maximum quantities (not registered)."""
    with _answers():
        return source_service.assess_preview(_engine(request), who, unit_id)


@router.get("/dg/licences")
def licences(
    request: Request,
    company_id: QueryId = None,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Licences with their annexes in the caller's scope."""
    return {"licences": facility_service.list_licences(_engine(request), who, company_id)}


@router.post("/dg/licences", status_code=201)
def create_licence(
    body: LicenceIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Record a port operating licence (authority)."""
    with _answers():
        lid = facility_service.create_licence(
            _engine(request),
            who,
            body.company_id,
            body.number,
            body.valid_from_ms,
            body.valid_to_ms,
            body.issued_by,
        )
    return {"id": lid}


@router.post("/dg/licences/{licence_id}/annexes", status_code=201)
def add_annex(
    licence_id: PathId, body: AnnexIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Add an annex (作业附证) to a licence (authority)."""
    with _answers():
        aid = facility_service.add_annex(
            _engine(request),
            who,
            licence_id,
            [m.value for m in body.modes],
            body.valid_from_ms,
            body.valid_to_ms,
            list(body.un_numbers),
            list(body.classes),
            body.site_kind,
            body.site_id,
            body.max_quantity_t,
        )
    return {"id": aid}


@router.get("/dg/personnel")
def personnel(
    request: Request,
    company_id: QueryId = None,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Staff with their qualifications (ID numbers masked unless the caller may see them)."""
    return {"personnel": facility_service.list_personnel(_engine(request), who, company_id)}


@router.post("/dg/personnel", status_code=201)
def create_person(body: PersonIn, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Register a member of a company's staff."""
    with _answers():
        pid = facility_service.create_person(
            _engine(request), who, body.company_id, body.name, body.id_number, body.role
        )
    return {"id": pid}


@router.post("/dg/personnel/{person_id}/qualifications", status_code=201)
def add_qualification(
    person_id: PathId, body: QualificationIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Record a qualification certificate of a person."""
    with _answers():
        qid = facility_service.add_qualification(
            _engine(request),
            who,
            person_id,
            body.kind,
            body.valid_from_ms,
            body.valid_to_ms,
            body.number,
        )
    return {"id": qid}


# ------------------------------------------------------------------------------- cargo


@router.get("/dg/cargo")
def cargo_records(
    request: Request,
    storage_unit_id: QueryId = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Cargo records in the caller's scope, newest first."""
    with _answers():
        return {
            "records": cargo_service.list_records(_engine(request), who, storage_unit_id, limit)
        }


@router.post("/dg/cargo", status_code=201)
def record_cargo(body: CargoIn, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Record DG cargo in or out (refused over capacity, outside a tank's scope or stock)."""
    engine = _engine(request)
    with _answers():
        if body.declaration_id is not None:
            decl_service.get_declaration(engine, who, body.declaration_id)
        rid = cargo_service.record_cargo(
            engine,
            who,
            body.storage_unit_id,
            body.direction,
            body.un_number,
            body.quantity_t,
            body.at_ms,
            body.container_no,
            None,
            body.declaration_id,
        )
        return {
            "id": rid,
            "inventory_t": cargo_service.inventory(engine, who, body.storage_unit_id),
        }


# ------------------------------------------------------------------------------- declarations


@router.get("/dg/declarations")
def declarations(
    request: Request,
    status: Literal["submitted", "blocked", "approved", "rejected", "withdrawn"] | None = None,
    terminal_id: QueryId = None,
    overdue: bool = False,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Declarations in the caller's scope (``overdue``: undecided past the decision time)."""
    engine = _engine(request)
    if overdue:
        rows = decl_service.overdue_decisions(engine, who)
        if terminal_id is not None:
            rows = [d for d in rows if d["terminal_id"] == terminal_id]
    else:
        rows = decl_service.list_declarations(engine, who, status, terminal_id)
    return {"declarations": rows}


@router.post("/dg/declarations", status_code=201)
def declare(body: DeclarationIn, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Declare a DG operation; the automatic comparison runs at once (pass, warn or block)."""
    with _answers():
        d = decl_service.parse_declaration(body.model_dump(mode="json"))
        return decl_service.submit(_engine(request), who, d)


@router.get("/dg/declarations/{decl_id}")
def declaration(decl_id: PathId, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """A declaration with its lines, findings and decision."""
    with _answers():
        return decl_service.get_declaration(_engine(request), who, decl_id)


@router.post("/dg/declarations/{decl_id}/approve")
def approve(
    decl_id: PathId,
    request: Request,
    body: DecisionIn | None = None,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Approve a declaration (a blocked one: 409; one with warnings needs a comment)."""
    with _answers():
        return decl_service.approve(_engine(request), who, decl_id, body.comment if body else None)


@router.post("/dg/declarations/{decl_id}/reject")
def reject(
    decl_id: PathId, body: RejectionIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Reject a declaration with a comment."""
    with _answers():
        return decl_service.reject(_engine(request), who, decl_id, body.comment)


@router.post("/dg/declarations/{decl_id}/withdraw")
def withdraw(decl_id: PathId, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Withdraw an undecided declaration (the declarant)."""
    with _answers():
        return decl_service.withdraw(_engine(request), who, decl_id)


# ------------------------------------------------------------------------------- hidden dangers


def _photos(photos: list[PhotoIn]) -> list[tuple[str, bytes]]:
    out = []
    for p in photos:
        try:
            out.append((p.name, base64.b64decode(p.content_base64, validate=True)))
        except (binascii.Error, ValueError):
            raise HTTPException(400, f"photo {p.name}: not base64") from None
    return out


def _public(hd: dict[str, Any]) -> dict[str, Any]:
    """A hidden danger without the server's file paths of its photos."""
    if "photos" in hd:
        hd["photos"] = [{k: v for k, v in p.items() if k != "path"} for p in hd["photos"]]
    return hd


@router.get("/dg/hidden-dangers")
def hidden_dangers(
    request: Request,
    state_: Annotated[
        Literal["open", "reported", "assigned", "rectified", "verified", "closed"] | None,
        Query(alias="state"),
    ] = None,
    level: Literal["general", "major"] | None = None,
    terminal_id: QueryId = None,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Hidden dangers in the caller's scope (``state=open``: reported, assigned or rectified)."""
    return {
        "hidden_dangers": danger_service.list_dangers(
            _engine(request), who, state_, terminal_id, level
        )
    }


@router.get("/dg/hidden-dangers/statistics")
def hidden_danger_statistics(request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Counts by terminal and category: total, open, major open, overdue, closed."""
    return danger_service.statistics(_engine(request), who)


@router.post("/dg/hidden-dangers", status_code=201)
def report_hidden_danger(
    body: HiddenDangerIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Report a hidden danger (photos checked for size and type before anything is written)."""
    photos = _photos(body.photos)
    with _answers():
        return danger_service.report(
            _engine(request),
            who,
            body.terminal_id,
            body.title,
            body.description,
            body.criterion_id,
            body.category_no,
            body.storage_unit_id,
            photos,
            state(request).data_dir,
        )


@router.get("/dg/hidden-dangers/{hd_id}")
def hidden_danger(hd_id: PathId, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """A hidden danger with its history and photos."""
    with _answers():
        return _public(danger_service.history(_engine(request), who, hd_id))


@router.get(
    "/dg/hidden-dangers/{hd_id}/photos/{photo_id}",
    response_class=FileResponse,
    responses={200: {"content": {"image/jpeg": {}, "image/png": {}, "image/webp": {}}}},
)
def hidden_danger_photo(
    hd_id: PathId, photo_id: PathId, request: Request, who: Actor = Depends(actor)
) -> FileResponse:
    """A photo of a hidden danger."""
    with _answers():
        row = danger_service.photo(_engine(request), who, hd_id, photo_id)
    path = FilePath(row["path"])
    if not path.is_file():
        raise HTTPException(404, "the photo file is missing")
    return FileResponse(path, media_type=row["mime"])


@router.post("/dg/hidden-dangers/{hd_id}/assign")
def assign_hidden_danger(
    hd_id: PathId, body: AssignIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Assign a responsible person and a deadline."""
    with _answers():
        return danger_service.assign(_engine(request), who, hd_id, body.assignee, body.deadline_ms)


@router.post("/dg/hidden-dangers/{hd_id}/rectify")
def rectify_hidden_danger(
    hd_id: PathId, body: RectifyIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Record the rectification (with photos)."""
    photos = _photos(body.photos)
    with _answers():
        return danger_service.rectify(
            _engine(request), who, hd_id, body.rectification, photos, state(request).data_dir
        )


@router.post("/dg/hidden-dangers/{hd_id}/verify")
def verify_hidden_danger(
    hd_id: PathId, body: VerifyIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Verify a rectification: passed → verified, failed → back to assigned."""
    with _answers():
        return danger_service.verify(_engine(request), who, hd_id, body.passed, body.comment)


@router.post("/dg/hidden-dangers/{hd_id}/close")
def close_hidden_danger(
    hd_id: PathId,
    request: Request,
    body: CommentIn | None = None,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Close a verified hidden danger (a major one: the authority)."""
    with _answers():
        return danger_service.close(_engine(request), who, hd_id, body.comment if body else None)


# ------------------------------------------------------------------------------- hazard sources


@router.get("/dg/hazard-sources")
def hazard_sources(
    request: Request, all_: Annotated[bool, Query(alias="all")] = False, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Major hazard sources in the caller's scope (active ones unless ``all``)."""
    return {"hazard_sources": source_service.list_sources(_engine(request), who, all_)}


@router.post("/dg/hazard-sources", status_code=201)
def register_source(
    body: SourceIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Register a unit with S ≥ 1 as a major hazard source."""
    with _answers():
        return source_service.register(_engine(request), who, body.storage_unit_id)


@router.get("/dg/hazard-sources/{hs_id}")
def hazard_source(hs_id: PathId, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """A major hazard source with its recorded steps."""
    with _answers():
        return source_service.source(_engine(request), who, hs_id)


@router.post("/dg/hazard-sources/{hs_id}/file")
def file_source(
    hs_id: PathId, body: FilingIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Record the authority's filing (备案) of a registered source."""
    with _answers():
        return source_service.file_source(_engine(request), who, hs_id, body.filing_no)


@router.post("/dg/hazard-sources/{hs_id}/evaluate")
def evaluate_source(hs_id: PathId, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Re-assess a source (periodic evaluation)."""
    with _answers():
        return source_service.evaluate(_engine(request), who, hs_id)


@router.post("/dg/hazard-sources/{hs_id}/deregister")
def deregister_source(
    hs_id: PathId, body: ReasonIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Deregister a source with a reason (authority)."""
    with _answers():
        return source_service.deregister(_engine(request), who, hs_id, body.reason)


# ------------------------------------------------------------------------------- alarms


@router.get("/dg/alarms")
def alarms(
    request: Request,
    state_: Annotated[Literal["open", "cleared"] | None, Query(alias="state")] = "open",
    kind: Annotated[str | None, Query(max_length=32, pattern=r"^[a-z_]+$")] = None,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Tank sensor and unapproved-operation alarms (open ones by default)."""
    return {"alarms": alarm_service.list_alarms(_engine(request), who, state_, kind)}


@router.post("/dg/alarms/{alarm_id}/clear")
def clear_alarm(
    alarm_id: PathId, body: RequiredCommentIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Clear an alarm by hand with a comment."""
    with _answers():
        return alarm_service.clear_alarm(_engine(request), who, alarm_id, body.comment)


# ------------------------------------------------------------------------------- authority views


@router.get("/dg/dashboard")
def dashboard(
    request: Request,
    scope: OrgQuery = None,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Counts for an organisation (the caller's by default) and each of its children."""
    code = scope or who.organisation
    if code is None:
        raise HTTPException(400, "name the organisation (scope)")
    with _answers():
        return dashboard_service.dashboard(_engine(request), who, code)


@router.get("/dg/map")
def storage_unit_map(request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """GeoJSON of the storage units in scope, coloured by hazard grade, with their inventory."""
    return dashboard_service.storage_unit_layer(_engine(request), who)


@router.get("/dg/enforcement")
def enforcement(
    request: Request,
    terminal_id: QueryId = None,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Inspection and enforcement records in the caller's scope."""
    return {"records": dashboard_service.list_enforcement(_engine(request), who, terminal_id)}


@router.post("/dg/enforcement", status_code=201)
def record_enforcement(
    body: EnforcementIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Record an inspection or enforcement action at a terminal."""
    with _answers():
        eid = dashboard_service.record_enforcement(
            _engine(request),
            who,
            body.terminal_id,
            body.kind,
            body.description,
            body.result,
            body.at_ms,
        )
    return {"id": eid}


# ------------------------------------------------------------------------------- container yards

BlockName = Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[A-Za-z0-9_-]+$")]


class BlockIn(BaseModel):
    """A block of a container yard: its 20-ft ground slots (bays), rows and tiers, in metres."""

    name: BlockName
    bays: int = Field(ge=1, le=500)
    rows: int = Field(ge=1, le=100)
    tiers: int = Field(ge=1, le=12)
    x0: float = Field(0.0, ge=-100_000, le=100_000)
    y0: float = Field(0.0, ge=-100_000, le=100_000)
    bay_pitch_m: float = Field(6.5, gt=0, le=100)
    row_pitch_m: float = Field(2.8, gt=0, le=100)


class SlotIn(BaseModel):
    """A slot: block, bay (odd: 20-ft, even: 40-ft over two slots), row and tier from 1."""

    block: BlockName
    bay: int = Field(ge=1, le=999)
    row: int = Field(ge=1, le=100)
    tier: int = Field(ge=1, le=12)


class ContainerItemIn(BaseModel):
    """A DG item of a container: a UN number (the list's class wins) or a class alone."""

    un_number: UN | None = None
    class_: ClassText | None = Field(None, alias="class")
    subsidiary: list[Annotated[str, Field(min_length=1, max_length=8, pattern=r"^[0-9.]+$")]] = (
        Field(default_factory=list, max_length=4)
    )
    packing_group: Annotated[str, Field(max_length=4, pattern=r"^(|I|II|III|1|2|3)$")] = ""


class ContainerIn(SlotIn):
    """A container put at a slot with its DG items (none: general cargo)."""

    container_no: Annotated[str, Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9]+$")]
    items: list[ContainerItemIn] = Field(default_factory=list, max_length=20)
    open: bool = False
    in_ms: Ms | None = None


@router.get("/dg/storage-units/{unit_id}/yard")
def yard(unit_id: PathId, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """A container yard: its blocks, the containers at their slots and the current findings."""
    with _answers():
        return yards_service.yard_view(_engine(request), who, unit_id)


@router.post("/dg/storage-units/{unit_id}/yard/blocks", status_code=201)
def add_yard_block(
    unit_id: PathId, body: BlockIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Define a block of a yard (its slots); block names are unique within the yard."""
    with _answers():
        return yards_service.add_block(
            _engine(request),
            who,
            unit_id,
            body.name,
            body.bays,
            body.rows,
            body.tiers,
            body.x0,
            body.y0,
            body.bay_pitch_m,
            body.row_pitch_m,
        )


@router.post("/dg/storage-units/{unit_id}/yard/containers", status_code=201)
def place_container(
    unit_id: PathId, body: ContainerIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Put a container at a slot; answers with the findings added and removed, and all of them."""
    items = [i.model_dump(by_alias=True) for i in body.items]
    with _answers():
        return yards_service.place_container(
            _engine(request),
            who,
            unit_id,
            body.container_no,
            body.block,
            body.bay,
            body.row,
            body.tier,
            items,
            body.open,
            body.in_ms,
        )


@router.post("/dg/yard-containers/{container_id}/move")
def move_container(
    container_id: PathId, body: SlotIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Move a container within its yard; answers with the incremental segregation findings."""
    with _answers():
        return yards_service.move_container(
            _engine(request), who, container_id, body.block, body.bay, body.row, body.tier
        )


@router.delete("/dg/yard-containers/{container_id}")
def remove_container(
    container_id: PathId, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Take a container out of its yard; answers with the findings that went away."""
    with _answers():
        return yards_service.remove_container(_engine(request), who, container_id)


# ------------------------------------------------------------------------------- port rules


def _plain_json(value: Any, depth: int = 0) -> None:
    """Refuse control characters and deep nesting in free-form JSON."""
    if depth > 4:
        raise HTTPException(400, "port rules are nested too deeply")
    if isinstance(value, str):
        if _CONTROL.search(value) or "\x00" in value:
            raise HTTPException(400, "control characters are not allowed")
    elif isinstance(value, dict):
        for k, v in value.items():
            _plain_json(k, depth + 1)
            _plain_json(v, depth + 1)
    elif isinstance(value, list):
        for v in value:
            _plain_json(v, depth + 1)


class PortRulesIn(BaseModel):
    """An organisation's own port rules (the caller's unless another visible one is named).

    ``overrides`` replaces the organisation's values; fields left out take the defaults.
    """

    organisation: OrgCode | None = None
    overrides: dict[str, Any] = Field(max_length=50)


@router.get("/dg/port-rules")
def port_rules(
    request: Request,
    organisation: OrgQuery = None,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """The port rules in force for an organisation (the caller's by default), with their source."""
    org = organisation or who.organisation
    if org is None:
        raise HTTPException(400, "name the organisation")
    with _answers():
        return facility_service.port_rules_view(_engine(request), who, org)


@router.put("/dg/port-rules")
def set_port_rules(
    body: PortRulesIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Set an organisation's port rules (authority; validated, audited)."""
    org = body.organisation or who.organisation
    if org is None:
        raise HTTPException(400, "name the organisation")
    if not who.can_see(org):
        raise HTTPException(404, "no such organisation in your scope")
    _plain_json(body.overrides)
    engine = _engine(request)
    with _answers():
        facility_service.port_rules_view(engine, who, org)  # 404 for an unknown organisation
        facility_service.set_port_rules(engine, who, org, body.overrides)
        return facility_service.port_rules_view(engine, who, org)


# ------------------------------------------------------------------------------- sensor readings


class ReadingIn(BaseModel):
    """One tank reading (°C, kPa gauge, m, % LEL or ppm; ``at_ms`` now when left out)."""

    tank_id: Id
    quantity: Annotated[str, Field(min_length=1, max_length=32, pattern=r"^[a-z_]+$")]
    value: float = Field(allow_inf_nan=False)
    at_ms: Ms | None = None


class ReadingBatchIn(BaseModel):
    """Readings from a gateway; one refused reading refuses the batch."""

    readings: list[ReadingIn] = Field(min_length=1, max_length=1000)


@router.post("/dg/sensor-readings", status_code=201)
def submit_readings(
    body: ReadingBatchIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Store a batch of tank readings (as over MQTT); alarms open and clear as they arrive."""
    with _answers():
        results = alarm_service.record_readings(
            _engine(request), who, [r.model_dump() for r in body.readings]
        )
    return {
        "stored": len(results),
        "alarm_ids": sorted({r["alarm_id"] for r in results if r["alarm_id"] is not None}),
        "cleared": sorted({r["cleared"] for r in results if r["cleared"] is not None}),
        "results": results,
    }


@router.get("/dg/storage-units/{unit_id}/readings")
def tank_readings(
    unit_id: PathId,
    request: Request,
    quantity: Literal["temperature_c", "pressure_kpa", "level_m", "gas_pct_lel", "toxic_ppm"]
    | None = None,
    start: Annotated[int | None, Query(alias="from", ge=0, le=MAX_MS)] = None,
    end: Annotated[int | None, Query(alias="to", ge=0, le=MAX_MS)] = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 500,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """A tank's design limits, latest reading per quantity and readings, newest first."""
    with _answers():
        return alarm_service.tank_readings(
            _engine(request), who, unit_id, quantity, start, end, limit
        )


# ------------------------------------------------------------------------------- observation


@router.post("/dg/observe")
def observe(
    request: Request,
    max_age_s: Annotated[
        float | None,
        Query(gt=0, le=7 * 86_400, description="Leave out vessels silent longer (seconds)."),
    ] = None,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Run the berth watch over the live picture; raise alarms and alerts for what it finds."""
    from seawarden.tracks.query import TrackQuery

    st = state(request)
    if not (st.data_dir / "state" / "commit.json").exists():
        raise HTTPException(503, "no positions stored yet")
    picture = TrackQuery.open(st.data_dir).latest()
    if max_age_s is not None and picture.num_rows:
        import pyarrow as pa
        import pyarrow.compute as pc

        times = picture.column("time").cast(pa.timestamp("ms", tz="UTC")).cast(pa.int64())
        cutoff = int(time.time() * 1000) - int(max_age_s * 1000)
        picture = picture.filter(pc.greater_equal(times, cutoff))
    with _answers():
        result = operation_service.observe_berths(_engine(request), who, picture)
    result["vessels"] = picture.num_rows
    return result
