"""Validated input records of the register (service calls and import rows alike)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from seawarden.registry import codes


class ShipType(StrEnum):
    """Ship types (those of the Paris MoU high-risk list first)."""

    bulk_carrier = "bulk_carrier"
    oil_tanker = "oil_tanker"
    chemical_tanker = "chemical_tanker"
    gas_carrier = "gas_carrier"
    passenger_ship = "passenger_ship"
    ro_ro_passenger = "ro_ro_passenger"
    high_speed_passenger_craft = "high_speed_passenger_craft"
    container_ship = "container_ship"
    general_cargo = "general_cargo"
    ro_ro_cargo = "ro_ro_cargo"
    refrigerated_cargo = "refrigerated_cargo"
    vehicle_carrier = "vehicle_carrier"
    offshore = "offshore"
    tug = "tug"
    dredger = "dredger"
    fishing_vessel = "fishing_vessel"
    research = "research"
    yacht = "yacht"
    other = "other"


#: Other names accepted for ship types (Chinese, common abbreviations).
SHIP_TYPE_SYNONYMS = {
    "bulk": "bulk_carrier",
    "bulker": "bulk_carrier",
    "散货船": "bulk_carrier",
    "tanker": "oil_tanker",
    "油船": "oil_tanker",
    "化学品船": "chemical_tanker",
    "液化气船": "gas_carrier",
    "lng_carrier": "gas_carrier",
    "lpg_carrier": "gas_carrier",
    "passenger": "passenger_ship",
    "客船": "passenger_ship",
    "客滚船": "ro_ro_passenger",
    "container": "container_ship",
    "集装箱船": "container_ship",
    "杂货船": "general_cargo",
    "cargo": "general_cargo",
    "fishing": "fishing_vessel",
    "渔船": "fishing_vessel",
    "拖轮": "tug",
}


def ship_type_of(value: Any) -> Any:
    """The canonical ship type name of an input (spaces, hyphens, case and synonyms folded)."""
    if not isinstance(value, str):
        return value
    v = value.strip().lower().replace("-", "_").replace(" ", "_")
    return SHIP_TYPE_SYNONYMS.get(v, v) or None


class Performance(StrEnum):
    """A Paris MoU performance level (company or recognised organisation)."""

    high = "high"
    medium = "medium"
    low = "low"
    very_low = "very_low"


class ShipStatus(StrEnum):
    """Where a ship is in its life."""

    active = "active"
    laid_up = "laid_up"
    scrapped = "scrapped"


class CompanyStatus(StrEnum):
    """Where a company stands in the register."""

    active = "active"
    suspended = "suspended"
    deregistered = "deregistered"


class Regime(StrEnum):
    """Who inspected: port State control regimes, flag State control, others."""

    paris = "paris"
    tokyo = "tokyo"
    psc = "psc"
    fsc = "fsc"
    other = "other"


class EventKind(StrEnum):
    """Lifecycle events of a ship."""

    registration = "registration"
    name_change = "name_change"
    flag_change = "flag_change"
    owner_change = "owner_change"
    operator_change = "operator_change"
    ism_change = "ism_change"
    identity_change = "identity_change"
    certificate_issued = "certificate_issued"
    inspection = "inspection"
    accident = "accident"
    violation = "violation"
    penalty = "penalty"
    laid_up = "laid_up"
    reactivated = "reactivated"
    scrapped = "scrapped"
    port_call = "port_call"


def _blank(v: Any) -> Any:
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def _upper(v: Any) -> Any:
    v = _blank(v)
    return v.upper() if isinstance(v, str) else v


def _checked(check: Callable[[Any], str | None]) -> AfterValidator:
    """An after-validator running ``check`` on a present value (its message becomes the error)."""

    def run(v: Any) -> Any:
        if v is not None:
            err = check(v)
            if err:
                raise ValueError(err)
        return v

    return AfterValidator(run)


def _int_text(v: Any) -> Any:
    """Numbers from spreadsheets arrive as floats (9074729.0); identifiers are text."""
    v = _upper(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    if isinstance(v, int):
        return str(v)
    return v


def _imo_in(v: Any) -> Any:
    v = _int_text(v)
    return codes.normalise_imo(v) if isinstance(v, str) else v


Text64 = Annotated[Annotated[str, Field(max_length=64)] | None, BeforeValidator(_blank)]
Imo = Annotated[
    str | None,
    BeforeValidator(_imo_in),
    _checked(codes.imo_error),
]
Mmsi = Annotated[int | None, BeforeValidator(_blank), _checked(codes.mmsi_error)]
CallSign = Annotated[str | None, BeforeValidator(_upper), _checked(codes.callsign_error)]
CnShipId = Annotated[str | None, BeforeValidator(_upper), _checked(codes.cn_ship_id_error)]
FishingNo = Annotated[str | None, BeforeValidator(_blank), _checked(codes.fishing_no_error)]
Uscc = Annotated[str | None, BeforeValidator(_upper), _checked(codes.uscc_error)]
ImoCompany = Annotated[str | None, BeforeValidator(_int_text), _checked(codes.imo_company_error)]
Flag = Annotated[Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None, BeforeValidator(_upper)]


class Record(BaseModel):
    """Base of input records: blank strings are missing values, unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, use_enum_values=False)

    @model_validator(mode="before")
    @classmethod
    def _blanks(cls, data: Any) -> Any:
        """Blank cells are missing values; an optional field left blank takes its default."""
        if isinstance(data, dict):
            out = {k: _blank(v) for k, v in data.items()}
            return {
                k: v
                for k, v in out.items()
                if v is not None
                or k not in cls.model_fields
                or cls.model_fields[k].is_required()
                or cls.model_fields[k].get_default(call_default_factory=True) is None
            }
        return data


class ShipIn(Record):
    """A ship as registered (identities, particulars, companies)."""

    id: Annotated[str | None, Field(max_length=36)] = None
    organisation: Text64 = None
    name: Annotated[str, Field(min_length=1, max_length=128)]
    imo: Imo = None
    mmsi: Mmsi = None
    callsign: CallSign = None
    cn_ship_id: CnShipId = None
    fishing_no: FishingNo = None
    ship_type: Annotated[ShipType, BeforeValidator(ship_type_of)] = ShipType.other
    flag: Flag = None
    length_m: Annotated[float | None, Field(gt=0, le=500)] = None
    beam_m: Annotated[float | None, Field(gt=0, le=100)] = None
    draught_m: Annotated[float | None, Field(gt=0, le=40)] = None
    gross_tonnage: Annotated[float | None, Field(ge=0, le=1_000_000)] = None
    net_tonnage: Annotated[float | None, Field(ge=0, le=1_000_000)] = None
    deadweight_t: Annotated[float | None, Field(ge=0, le=1_000_000)] = None
    build_year: Annotated[int | None, Field(ge=1800, le=2100)] = None
    keel_laid: dt.date | None = None
    class_society: Text64 = None
    port_of_registry: Text64 = None
    owner: Text64 = None
    operator: Text64 = None
    ism_company: Text64 = None
    status: ShipStatus = ShipStatus.active
    registered_on: dt.date | None = None


class CompanyIn(Record):
    """A company (owner, operator, ISM company, fishing enterprise, port operator …)."""

    id: Annotated[str | None, Field(max_length=36)] = None
    organisation: Text64 = None
    name: Annotated[str, Field(min_length=1, max_length=256)]
    uscc: Uscc = None
    imo_company_no: ImoCompany = None
    kind: Annotated[str, Field(min_length=1, max_length=32)] = "shipping"
    address: Annotated[str | None, Field(max_length=512)] = None
    ism_performance: Performance | None = None


class IdType(StrEnum):
    """Kinds of identity document of a seafarer."""

    cn_id = "cn_id"
    passport = "passport"
    other = "other"


class CrewIn(Record):
    """A seafarer, optionally with one certificate of competency."""

    id: Annotated[str | None, Field(max_length=36)] = None
    organisation: Text64 = None
    name: Annotated[str, Field(min_length=1, max_length=128)]
    id_type: IdType = IdType.cn_id
    id_number: Annotated[str, BeforeValidator(_upper), Field(min_length=5, max_length=32)]
    nationality: Flag = None
    birth_date: dt.date | None = None
    certificate_no: Text64 = None
    certificate_grade: Text64 = None
    certificate_issued: dt.date | None = None
    certificate_expires: dt.date | None = None

    @model_validator(mode="after")
    def _id_check(self) -> CrewIn:
        if self.id_type is IdType.cn_id:
            err = codes.id_number_error(self.id_number)
            if err:
                raise ValueError(f"id_number: {err}")
        if (self.certificate_no is None) != (self.certificate_grade is None):
            raise ValueError("certificate_no and certificate_grade go together")
        return self


class InspectionIn(Record):
    """An inspection of a ship (port State or flag State control) and its outcome."""

    ship: Annotated[str, Field(min_length=1, max_length=64)]
    organisation: Text64 = None
    on_date: dt.date
    port: Text64 = None
    regime: Regime = Regime.paris
    authority: Annotated[str | None, Field(max_length=256)] = None
    deficiencies: Annotated[int, Field(ge=0, le=1000)] = 0
    detained: bool = False
    released_on: dt.date | None = None
    public: bool = True


class ShipEventIn(Record):
    """A lifecycle event of a ship (other than a change of particulars, which updates record)."""

    kind: EventKind
    on_date: dt.date
    ended_on: dt.date | None = None
    port: Text64 = None
    regime: Regime | None = None
    authority: Annotated[str | None, Field(max_length=256)] = None
    deficiencies: Annotated[int | None, Field(ge=0, le=1000)] = None
    detained: bool | None = None
    legal_basis: Annotated[str | None, Field(max_length=512)] = None
    penalty_amount: Annotated[float | None, Field(ge=0)] = None
    public: bool = True
    detail: dict[str, Any] = Field(default_factory=dict)


class PermitIn(Record):
    """A company permit (e.g. waterway transport or port operation licence)."""

    kind: Annotated[str, Field(min_length=1, max_length=64)]
    number: Annotated[str, Field(min_length=1, max_length=64)]
    scope: Annotated[str | None, Field(max_length=1024)] = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None
    issuer: Annotated[str | None, Field(max_length=256)] = None

    @model_validator(mode="after")
    def _period(self) -> PermitIn:
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class ShipCertificateIn(Record):
    """A statutory or class certificate of a ship."""

    kind: Annotated[str, Field(min_length=1, max_length=64)]
    number: Annotated[str, Field(min_length=1, max_length=64)]
    issued_on: dt.date
    expires_on: dt.date | None = None
    issuer: Annotated[str | None, Field(max_length=256)] = None


class CrewCertificateIn(Record):
    """A seafarer's certificate of competency or proficiency."""

    number: Annotated[str, Field(min_length=1, max_length=64)]
    grade: Annotated[str, Field(min_length=1, max_length=64)]
    issued_on: dt.date | None = None
    expires_on: dt.date | None = None

    @model_validator(mode="after")
    def _period(self) -> CrewCertificateIn:
        if self.issued_on and self.expires_on and self.expires_on < self.issued_on:
            raise ValueError("expires_on is before issued_on")
        return self


class CertificateRenewalIn(Record):
    """A renewal of a seafarer's certificate: the new expiry (and issue date, number)."""

    expires_on: dt.date
    issued_on: dt.date | None = None
    number: Annotated[str | None, Field(min_length=1, max_length=64)] = None


class TrainingIn(Record):
    """A completed training course."""

    course: Annotated[str, Field(min_length=1, max_length=256)]
    provider: Annotated[str | None, Field(max_length=256)] = None
    completed_on: dt.date
    certificate_no: Text64 = None


class ServiceIn(Record):
    """A period of service on a ship."""

    ship: Annotated[str | None, Field(max_length=64)] = None
    rank: Annotated[str, Field(min_length=1, max_length=64)]
    signed_on: dt.date
    signed_off: dt.date | None = None

    @model_validator(mode="after")
    def _period(self) -> ServiceIn:
        if self.signed_off and self.signed_off < self.signed_on:
            raise ValueError("signed_off is before signed_on")
        return self


class ExamIn(Record):
    """An examination taken."""

    subject: Annotated[str, Field(min_length=1, max_length=256)]
    taken_on: dt.date
    passed: bool
    score: Annotated[float | None, Field(ge=0, le=1000)] = None


class PenaltyPointsIn(Record):
    """Penalty points given to a seafarer for a violation (船员违法记分)."""

    on_date: dt.date
    points: Annotated[int, Field(ge=1, le=15)]
    reason: Annotated[str, Field(min_length=1, max_length=512)]
    legal_basis: Annotated[str | None, Field(max_length=512)] = None
    source: Annotated[str, Field(min_length=1, max_length=64)] = "manual"


class LicenceIn(Record):
    """A fishing licence: gear, area and period."""

    number: Annotated[str, Field(min_length=1, max_length=64)]
    gear: Annotated[str, Field(min_length=1, max_length=32)]
    area: Annotated[str, Field(min_length=1, max_length=512)]
    valid_from: dt.date
    valid_to: dt.date

    @model_validator(mode="after")
    def _period(self) -> LicenceIn:
        if self.valid_to < self.valid_from:
            raise ValueError("valid_to is before valid_from")
        return self


class QuotaIn(Record):
    """A catch quota of a fishing vessel for one year and species (tonnes)."""

    year: Annotated[int, Field(ge=1900, le=2100)]
    species: Annotated[str, Field(min_length=1, max_length=128)]
    quota_t: Annotated[float, Field(ge=0)]
    caught_t: Annotated[float, Field(ge=0)] = 0.0
    licence: Annotated[str | None, Field(max_length=64)] = None


class LicenceChange(Record):
    """Changes to a fishing licence (only the fields given): gear, area or period."""

    gear: Annotated[str | None, Field(min_length=1, max_length=32)] = None
    area: Annotated[str | None, Field(min_length=1, max_length=512)] = None
    valid_from: dt.date | None = None
    valid_to: dt.date | None = None


class WithholdIn(Record):
    """A supervisor's withholding of a seafarer's certificates: when, why and on what basis.

    ``certificates`` names the certificates to withhold (every valid one when omitted).
    """

    on_date: dt.date
    reason: Annotated[str, Field(min_length=1, max_length=512)]
    legal_basis: Annotated[str, Field(min_length=1, max_length=512)]
    certificates: Annotated[list[int] | None, Field(min_length=1, max_length=100)] = None


class PermitRevocationIn(Record):
    """The revocation of a company permit: the day it ends and why."""

    on_date: dt.date
    reason: Annotated[str, Field(min_length=1, max_length=512)]


class QuotaChangeIn(Record):
    """A new amount of a catch quota (tonnes) and why it changes."""

    quota_t: Annotated[float, Field(ge=0, le=1e9)]
    reason: Annotated[str, Field(min_length=1, max_length=512)]
