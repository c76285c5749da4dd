"""The tamper-evident ledger: weighbridge devices and the weighing records they sign.

A supervisor registers a weighbridge device's verifier key (Ed25519 or SM2) for an
organisation in its scope; the supervisor or the organisation's enterprise account revokes
it. Records signed by a registered device are submitted by the organisation's (or the
supervisor's) account and come back with their receipt. The handlers call
:mod:`seawarden.ledger.weighbridge` with the caller, which checks roles and scope again and
audits every write and every refused record; another organisation's log answers 404.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from pydantic import BaseModel, ConfigDict, Field, StrictInt

from seawarden.ledger import weighbridge as wb
from seawarden.ledger.canonical import MAX_SAFE_INTEGER
from seawarden.security.actor import Actor
from seawarden.web.deps import ERRORS, actor
from seawarden.web.routes.ledger import (
    MAX_DOCUMENT_B64,
    MAX_MS,
    LogName,
    Signature,
    VKey,
    _b64,
    _decode,
    _errors,
    _platform,
)

router = APIRouter(prefix="/api", tags=["ledger"], responses=ERRORS)

_B64 = r"^[A-Za-z0-9+/]*={0,2}$"
_ID = r"^[A-Za-z0-9._-]+$"
DeviceId = Annotated[str, Field(min_length=1, max_length=64, pattern=_ID)]
DeviceIdPath = Annotated[str, Path(min_length=1, max_length=64, pattern=_ID)]
OrgCode = Annotated[str, Field(min_length=1, max_length=64, pattern=_ID)]
RecordId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]
RecordIdPath = Annotated[str, Path(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]
Note = Annotated[str, Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")]
Grams = Annotated[StrictInt, Field(ge=0, le=MAX_SAFE_INTEGER)]
Hex64 = Annotated[str, Field(min_length=64, max_length=64, pattern=r"^[0-9a-f]{64}$")]


# ---------------------------------------------------------------------- models
class DeviceIn(BaseModel):
    """A weighbridge device to trust: its id, its verifier key and a label."""

    model_config = ConfigDict(extra="forbid")

    organisation: OrgCode | None = Field(
        None, description="The device's organisation (default: the caller's own)."
    )
    device_id: DeviceId
    vkey: VKey = Field(description="The device's verifier key (Ed25519 or SM2, name+id+key).")
    label: Note | None = None


class RevokeIn(BaseModel):
    """Why a device is revoked."""

    model_config = ConfigDict(extra="forbid")

    reason: Note | None = None


class DeviceOut(BaseModel):
    """A registered device, and its revocation if revoked."""

    log: str
    organisation: str | None
    device_id: str
    vkey: str
    algorithm: str
    label: str | None
    active: bool
    registered_ms: int
    registered_by: str
    registered_index: int
    revoked_ms: int | None
    revoked_by: str | None
    revoked_index: int | None
    reason: str | None


class DeviceChangeOut(BaseModel):
    """A registration or revocation: the device, the entry's index and its receipt."""

    device: DeviceOut
    index: int
    receipt: str | None


class DevicesOut(BaseModel):
    """The devices of a weighbridge log."""

    log: str
    organisation: str | None
    devices: list[DeviceOut]


class WeighingStatement(BaseModel):
    """What the device signs (``entries.weighing_statement``), member for member."""

    model_config = ConfigDict(extra="forbid")

    type: Literal["seawarden.weighing/v1"]
    record_id: RecordId
    gross_g: Grams
    tare_g: Grams
    net_g: Grams
    measured_at_ms: Annotated[StrictInt, Field(ge=0, le=MAX_MS)]
    sha256: Hex64
    sm3: Hex64


class WeighingIn(BaseModel):
    """A weighing record signed by a registered device.

    ``signature`` is the device's signature (base64) of the statement's canonical JSON bytes.
    """

    model_config = ConfigDict(extra="forbid")

    organisation: OrgCode | None = Field(
        None, description="The device's organisation (default: the caller's own)."
    )
    device_id: DeviceId
    statement: WeighingStatement
    signature: Signature
    record_b64: str | None = Field(
        None,
        min_length=1,
        max_length=MAX_DOCUMENT_B64,
        pattern=_B64,
        description="The record's canonical bytes, checked against the statement's digests.",
    )


class RecordOut(BaseModel):
    """A logged weighing record with its receipt (once a checkpoint covers it)."""

    log: str
    organisation: str | None
    index: int
    leaf_hash: str
    record_id: str
    device_id: str | None
    statement: dict[str, Any]
    signer: str
    signature: str
    receipt: str | None
    duplicate: bool = False


class RecordsOut(BaseModel):
    """The newest records of a weighbridge log (or of one device)."""

    log: str
    organisation: str | None
    records: list[RecordOut]


class RecordProofOut(RecordOut):
    """A record with its receipt, the inclusion proof in it and the log's verifier keys."""

    origin: str
    hash: str
    checkpoint_size: int | None
    proof: list[str] = Field(description="Base64 hashes, from the leaf's sibling up.")
    verifier_keys: list[str]


def _device(d: wb.Device) -> DeviceOut:
    return DeviceOut(
        log=d.log,
        organisation=d.organisation,
        device_id=d.device_id,
        vkey=d.key.vkey(),
        algorithm=d.key.algorithm.value,
        label=d.label,
        active=d.active,
        registered_ms=d.registered_ms,
        registered_by=d.registered_by,
        registered_index=d.registered_index,
        revoked_ms=d.revoked_ms,
        revoked_by=d.revoked_by,
        revoked_index=d.revoked_index,
        reason=d.reason,
    )


def _record(r: wb.Record) -> dict[str, Any]:
    return {
        "log": r.log,
        "organisation": r.organisation,
        "index": r.index,
        "leaf_hash": r.leaf_hash.hex(),
        "record_id": r.record_id,
        "device_id": r.device_id,
        "statement": r.statement,
        "signer": r.signer,
        "signature": r.signature,
        "receipt": r.receipt,
        "duplicate": r.duplicate,
    }


def _org(value: str | None) -> Any:
    return wb.OWN if value is None else value


# ---------------------------------------------------------------------- devices
@router.post("/ledger/weighbridge/devices", status_code=201)
def register_device(
    body: DeviceIn, request: Request, who: Actor = Depends(actor)
) -> DeviceChangeOut:
    """Register a weighbridge device's verifier key (logged, so the trust is on record)."""
    with _errors():
        done = wb.register_device(
            _platform(request), who, body.device_id, body.vkey, _org(body.organisation), body.label
        )
    return DeviceChangeOut(device=_device(done.device), index=done.index, receipt=done.receipt)


@router.get("/ledger/logs/{log}/devices")
def list_devices(log: LogName, request: Request, who: Actor = Depends(actor)) -> DevicesOut:
    """The devices of a weighbridge log, active and revoked, in order of registration."""
    with _errors():
        found = wb.devices(_platform(request), who, log)
        info = wb.get_log(_platform(request), who, log)
    return DevicesOut(log=log, organisation=info.organisation, devices=[_device(d) for d in found])


@router.post("/ledger/logs/{log}/devices/{device_id}/revocation", status_code=201)
def revoke_device(
    log: LogName,
    device_id: DeviceIdPath,
    body: RevokeIn,
    request: Request,
    who: Actor = Depends(actor),
) -> DeviceChangeOut:
    """Revoke a device: records it signs are refused from now on."""
    with _errors():
        done = wb.revoke_device(_platform(request), who, log, device_id, body.reason)
    return DeviceChangeOut(device=_device(done.device), index=done.index, receipt=done.receipt)


# ---------------------------------------------------------------------- records
@router.post("/ledger/weighbridge/records", status_code=201)
def submit_record(body: WeighingIn, request: Request, who: Actor = Depends(actor)) -> RecordOut:
    """Log a weighing record signed by a registered device; returns its receipt.

    400: unknown device, malformed statement or bad signature; 403: the device is revoked;
    409: the record id is logged with another statement.
    """
    try:
        signature = base64.b64decode(body.signature.encode("ascii"), validate=True)
    except ValueError:
        raise HTTPException(400, "signature is not base64") from None
    record = None if body.record_b64 is None else _decode(body.record_b64, "record_b64")
    with _errors():
        done = wb.submit_record(
            _platform(request),
            who,
            body.device_id,
            body.statement.model_dump(),
            signature,
            _org(body.organisation),
            record,
        )
    return RecordOut(**_record(done))


@router.get("/ledger/logs/{log}/weighings")
def list_records(
    log: LogName,
    request: Request,
    device_id: Annotated[str | None, Query(min_length=1, max_length=64, pattern=_ID)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    who: Actor = Depends(actor),
) -> RecordsOut:
    """The newest records of a weighbridge log (of one device), newest first, with receipts."""
    with _errors():
        info = wb.get_log(_platform(request), who, log)
        found = wb.records(_platform(request), who, log, device_id, limit)
    return RecordsOut(
        log=log, organisation=info.organisation, records=[RecordOut(**_record(r)) for r in found]
    )


@router.get("/ledger/logs/{log}/weighings/{record_id}")
def get_record(
    log: LogName, record_id: RecordIdPath, request: Request, who: Actor = Depends(actor)
) -> RecordProofOut:
    """A record with its receipt and inclusion proof, and the keys that check them."""
    platform = _platform(request)
    with _errors():
        info = wb.get_log(platform, who, log)
        r = wb.get_record(platform, who, log, record_id)
        keys = platform.verifier_keys(info.origin)
    return RecordProofOut(
        **_record(r),
        origin=info.origin,
        hash=info.hasher.name,
        checkpoint_size=r.checkpoint_size,
        proof=[_b64(h) for h in r.proof],
        verifier_keys=[k.vkey() for k in keys],
    )
