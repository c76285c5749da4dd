"""Weighbridge devices and the weighing records they sign, on the platform's ledger.

Each organisation's weighbridge records go to its own log (``weighbridge-<org>``). A device
is trusted once its verifier key (Ed25519 or SM2) is registered in that log by a supervisor
whose scope covers the organisation: the registration is itself an entry (kind ``device``,
``seawarden.device/v1``), so which key was trusted from when, and by whom, is as
tamper-evident as the records. A revocation is another entry; the supervisor, or the
organisation's enterprise account (a stolen or broken device), may revoke. No table beyond
the ledger's own holds devices: their state is folded from these entries.

A record is the weighing statement (``entries.weighing_statement``) signed by the device's
private key over its canonical JSON bytes. It is accepted only from a registered,
unrevoked device whose key verifies the signature, and logged as a ``weighing`` entry with
the record id as reference, in the same transaction that checked the device (under the
log's append lock, so a revocation and a record never cross). Refusals (unknown or revoked
device, bad signature, record id taken) are audited as ``ledger.weighing_refused``.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import Connection, select

from seawarden.db import schema
from seawarden.db.engine import audit, now_ms
from seawarden.ledger import entries as ent
from seawarden.ledger import service, store
from seawarden.ledger.errors import Code, LedgerError
from seawarden.ledger.keys import KeyFormatError, PublicKey, parse_vkey
from seawarden.ledger.platform import PlatformLedger, file_name
from seawarden.ledger.store import Appended, LogInfo, NewEntry
from seawarden.security.actor import Actor, Role

PREFIX = "weighbridge"
"""Name of the weighbridge logs: ``weighbridge-<org>`` (``weighbridge`` without one)."""
DEVICE_REF = "device:"
"""Reference of a device's entries: ``device:<device id>``."""
REGISTRARS = (Role.supervisor,)
"""Who registers devices: the supervising authority, after inspecting the weighbridge."""
REVOKERS = (Role.supervisor, Role.enterprise)
"""Who revokes: the authority, or the device's own organisation."""
SUBMITTERS = (Role.supervisor, Role.enterprise)
"""Whose accounts submit records signed by the devices (the terminal's gateway)."""
MAX_CLOCK_SKEW_MS = 10 * 60 * 1000
"""How far in the future a record's ``measured_at_ms`` may be (device clocks drift)."""
DEVICE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
RECORD_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
MAX_SCAN = 10_000
"""Most records read when listing a device's records (the newest of the log)."""


class _Own:
    """Marker: the actor's own organisation."""


OWN: Any = _Own()


@dataclass(frozen=True)
class Device:
    """A registered weighbridge device and, once revoked, when, by whom and why."""

    log: str
    organisation: str | None
    device_id: str
    key: PublicKey
    label: str | None
    registered_ms: int
    registered_by: str
    registered_index: int
    revoked_ms: int | None = None
    revoked_by: str | None = None
    revoked_index: int | None = None
    reason: str | None = None

    @property
    def active(self) -> bool:
        """Whether records signed by this device are accepted."""
        return self.revoked_index is None


@dataclass(frozen=True)
class DeviceChange:
    """A registration or revocation: the device as it is now, and the entry's receipt."""

    device: Device
    index: int
    receipt: str | None


@dataclass(frozen=True)
class Record:
    """A logged weighing record: where it is, what the device signed, and its receipt."""

    log: str
    organisation: str | None
    index: int
    leaf_hash: bytes
    record_id: str
    device_id: str | None
    statement: dict[str, Any]
    signer: str
    signature: str
    receipt: str | None
    duplicate: bool = False
    checkpoint_size: int | None = None
    proof: list[bytes] = field(default_factory=list)


def log_name(organisation: str | None) -> str:
    """The name of an organisation's weighbridge log."""
    if organisation is None:
        return PREFIX
    name = f"{PREFIX}-{organisation}"
    if len(name) > 64 or file_name(name) != name:
        name = f"{PREFIX}-{hashlib.sha256(organisation.encode()).hexdigest()[:16]}"
    return name


def is_weighbridge_log(name: str) -> bool:
    """Whether ``name`` is a weighbridge log's name."""
    return name == PREFIX or name.startswith(f"{PREFIX}-")


def _organisation(platform: PlatformLedger, actor: Actor, organisation: Any) -> str | None:
    """The organisation acted for (the actor's own by default), in scope and existing."""
    org: str | None = actor.organisation if organisation is OWN else organisation
    actor.check_scope(org)
    if org is not None:
        with platform.engine.connect() as conn:
            found = conn.execute(
                select(schema.organisations.c.code).where(schema.organisations.c.code == org)
            ).first()
        if found is None:
            raise LedgerError(Code.bad_request, f"no organisation {org}")
    return org


def _scoped(conn: Connection, actor: Actor, name: str) -> LogInfo:
    if not is_weighbridge_log(name):
        raise LedgerError(Code.no_such_log, f"{name} is not a weighbridge log")
    log = store.get_log(conn, name)
    actor.check_scope(log.organisation)
    return log


def _check_device_id(device_id: str) -> str:
    if not isinstance(device_id, str) or not DEVICE_ID.match(device_id):
        raise LedgerError(Code.bad_request, "a device id is 1-64 characters of A-Za-z0-9._-")
    return device_id


def _fold(log: LogInfo, rows: list[Any]) -> dict[str, Device]:
    """Devices from their entries, in log order."""
    out: dict[str, Device] = {}
    for row in rows:
        try:
            e = ent.parse_device_entry(bytes(row["data"]))
        except ent.EntryError:
            continue  # the audit reports it; a malformed entry trusts no key
        index = int(row["idx"])
        found = out.get(e.device_id)
        if e.action is ent.DeviceAction.register and found is None:
            out[e.device_id] = Device(
                log.name, log.organisation, e.device_id, e.key, e.note, e.at_ms, e.by, index
            )
        elif e.action is ent.DeviceAction.revoke and found is not None and found.active:
            out[e.device_id] = replace(
                found, revoked_ms=e.at_ms, revoked_by=e.by, revoked_index=index, reason=e.note
            )
    return out


def _devices_in(conn: Connection, log: LogInfo) -> dict[str, Device]:
    rows = store.leaves_by_kind(conn, log, ent.Kind.device, 1_000_000, newest_first=False)
    return _fold(log, rows)


def _device_in(conn: Connection, log: LogInfo, device_id: str) -> Device | None:
    rows = [
        r
        for r in store.leaves_by_ref(conn, log, DEVICE_REF + device_id)
        if r["kind"] == ent.Kind.device
    ]
    return _fold(log, rows).get(device_id)


def _receipt(platform: PlatformLedger, actor: Actor, name: str, index: int) -> str | None:
    try:
        return service.receipt(platform.engine, actor, name, index).text()
    except LedgerError as exc:
        if exc.code is Code.not_checkpointed:
            return None
        raise


# ---------------------------------------------------------------------- devices
def register_device(
    platform: PlatformLedger,
    actor: Actor,
    device_id: str,
    vkey: str,
    organisation: Any = OWN,
    label: str | None = None,
) -> DeviceChange:
    """Register a device's verifier key for an organisation (created log included).

    A device id is registered once per organisation, and a key for one device only; a
    revoked device's id is not reused (register the replacement under a new id).
    """
    actor.require(*REGISTRARS)
    org = _organisation(platform, actor, organisation)
    _check_device_id(device_id)
    try:
        key = parse_vkey(vkey)
    except KeyFormatError as exc:
        raise LedgerError(Code.bad_request, f"device key: {exc}") from None
    if key.cosigner:
        raise LedgerError(Code.bad_request, "a witness key cannot be a device key")
    try:
        data = ent.device_entry(
            ent.DeviceAction.register, device_id, org, key, actor.username, now_ms(), label
        )
    except ent.EntryError as exc:
        raise LedgerError(Code.bad_request, str(exc)) from None
    name = log_name(org)
    platform.ensure_log(name, org)
    with platform.engine.begin() as conn:
        log = _scoped(conn, actor, name)
        store.lock(conn, log.id)
        known = _devices_in(conn, log)
        if device_id in known:
            state = "registered" if known[device_id].active else "revoked"
            raise LedgerError(Code.conflict, f"device {device_id} is {state} already")
        same = [d.device_id for d in known.values() if d.key.public == key.public]
        if same:
            raise LedgerError(Code.conflict, f"this key is registered for device {same[0]}")
        (done,) = service.append_in(
            conn,
            actor,
            name,
            [NewEntry(data, ent.Kind.device, DEVICE_REF + device_id)],
            "ledger.device_register",
            roles=REGISTRARS,
            detail={"device": device_id, "key": f"{key.name}+{key.key_id:08x}"},
        )
        device = _fold(log, [{"idx": done.index, "data": data}])[device_id]
    platform.checkpoint(name)
    return DeviceChange(device, done.index, _receipt(platform, actor, name, done.index))


def revoke_device(
    platform: PlatformLedger, actor: Actor, name: str, device_id: str, reason: str | None = None
) -> DeviceChange:
    """Revoke a device: its records are refused from now on (earlier ones stay logged)."""
    actor.require(*REVOKERS)
    _check_device_id(device_id)
    with platform.engine.begin() as conn:
        log = _scoped(conn, actor, name)
        store.lock(conn, log.id)
        device = _device_in(conn, log, device_id)
        if device is None:
            raise LedgerError(Code.no_such_entry, f"log {name} has no device {device_id}")
        if not device.active:
            raise LedgerError(Code.conflict, f"device {device_id} is revoked already")
        try:
            data = ent.device_entry(
                ent.DeviceAction.revoke,
                device_id,
                log.organisation,
                device.key,
                actor.username,
                now_ms(),
                reason,
            )
        except ent.EntryError as exc:
            raise LedgerError(Code.bad_request, str(exc)) from None
        (done,) = service.append_in(
            conn,
            actor,
            name,
            [NewEntry(data, ent.Kind.device, DEVICE_REF + device_id)],
            "ledger.device_revoke",
            roles=REVOKERS,
            detail={"device": device_id, "reason": reason},
        )
        revoked = replace(
            device,
            revoked_ms=ent.parse_device_entry(data).at_ms,
            revoked_by=actor.username,
            revoked_index=done.index,
            reason=reason,
        )
    platform.checkpoint(name)
    return DeviceChange(revoked, done.index, _receipt(platform, actor, name, done.index))


def get_log(platform: PlatformLedger, actor: Actor, name: str) -> LogInfo:
    """A weighbridge log in the actor's scope."""
    with platform.engine.connect() as conn:
        return _scoped(conn, actor, name)


def devices(platform: PlatformLedger, actor: Actor, name: str) -> list[Device]:
    """The devices of a weighbridge log, in order of registration."""
    with platform.engine.connect() as conn:
        log = _scoped(conn, actor, name)
        return list(_devices_in(conn, log).values())


# ---------------------------------------------------------------------- records
def _refused(
    platform: PlatformLedger, actor: Actor, name: str, device_id: str, record_id: Any, why: str
) -> None:
    with platform.engine.begin() as conn:
        audit(
            conn,
            actor,
            "ledger.weighing_refused",
            service.ENTITY,
            name,
            {"device": device_id, "record_id": str(record_id)[:100], "reason": why},
            outcome="denied",
        )


def submit_record(
    platform: PlatformLedger,
    actor: Actor,
    device_id: str,
    statement: Mapping[str, Any],
    signature: bytes,
    organisation: Any = OWN,
    record: bytes | None = None,
) -> Record:
    """Log a weighing record signed by a registered device; returns it with its receipt.

    The same statement signed by the same device again returns the logged record
    (``duplicate``); another statement with a logged record id is a conflict. ``record``
    (the record's canonical bytes), if given, must match the statement's digests.
    """
    actor.require(*SUBMITTERS)
    org = _organisation(platform, actor, organisation)
    name = log_name(org)
    record_id = statement.get("record_id") if isinstance(statement, Mapping) else None
    try:
        with platform.engine.connect() as conn:
            _scoped(conn, actor, name)
    except LedgerError as exc:
        if exc.code is not Code.no_such_log:
            raise
        _refused(platform, actor, name, device_id, record_id, "unknown device")
        raise LedgerError(
            Code.bad_request,
            f"device {device_id} is not registered for {org or 'the platform'}",
        ) from None
    try:
        return _submit(platform, actor, name, device_id, statement, signature, record)
    except LedgerError as exc:
        _refused(platform, actor, name, device_id, record_id, exc.message)
        raise


def _submit(
    platform: PlatformLedger,
    actor: Actor,
    name: str,
    device_id: str,
    statement: Mapping[str, Any],
    signature: bytes,
    record: bytes | None,
) -> Record:
    _check_device_id(device_id)
    try:
        st = ent.check_weighing_statement(statement)
    except ent.EntryError as exc:
        raise LedgerError(Code.bad_request, f"statement: {exc}") from None
    if st != dict(statement):
        raise LedgerError(Code.bad_request, "statement: not in the form a device signs")
    record_id = st["record_id"]
    if not RECORD_ID.match(record_id):
        raise LedgerError(Code.bad_request, "a record id is 1-100 characters of A-Za-z0-9._:-")
    if st["measured_at_ms"] > now_ms() + MAX_CLOCK_SKEW_MS:
        raise LedgerError(Code.bad_request, "measured_at_ms is in the future")
    if record is not None and any(st[alg] != v for alg, v in ent.digests(record).items()):
        raise LedgerError(Code.bad_request, "the record does not match the statement's digests")
    with platform.engine.begin() as conn:
        log = _scoped(conn, actor, name)
        store.lock(conn, log.id)
        device = _device_in(conn, log, device_id)
        if device is None:
            raise LedgerError(Code.bad_request, f"device {device_id} is not registered in {name}")
        if not device.active:
            raise LedgerError(
                Code.revoked,
                f"device {device_id} was revoked (entry {device.revoked_index}): "
                "its records are refused",
            )
        try:
            data = ent.signature_entry(st, device.key, signature, ent.Custody.device)
        except ent.EntryError as exc:
            raise LedgerError(
                Code.bad_signature, f"the signature does not verify with device {device_id}'s key"
            ) from exc
        for row in store.leaves_by_ref(conn, log, record_id):
            if row["kind"] != ent.Kind.weighing:
                continue
            logged = ent.parse_signature_entry(bytes(row["data"]))
            if logged.statement == st and logged.signer == device.key:
                done = Appended(int(row["idx"]), bytes(row["leaf_hash"]), True)
                break
            raise LedgerError(
                Code.conflict, f"record {record_id} is logged already (entry {row['idx']})"
            )
        else:
            (done,) = service.append_in(
                conn,
                actor,
                name,
                [NewEntry(data, ent.Kind.weighing, record_id)],
                "ledger.weighing",
                roles=SUBMITTERS,
                detail={"device": device_id, "record_id": record_id},
            )
        signed = ent.parse_signature_entry(
            data if not done.duplicate else bytes(store.get_leaf(conn, log, done.index)["data"])
        )
    if not done.duplicate:
        platform.checkpoint(name)
    return Record(
        name,
        log.organisation,
        done.index,
        done.leaf_hash,
        record_id,
        device_id,
        st,
        signed.signer.vkey(),
        _b64(signed.signature),
        _receipt(platform, actor, name, done.index),
        done.duplicate,
    )


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def _record(
    conn: Connection,
    actor: Actor,
    log: LogInfo,
    by_key: Mapping[bytes, str],
    row: Any,
    with_proof: bool = False,
) -> Record | None:
    try:
        e = ent.parse_signature_entry(bytes(row["data"]))
    except ent.EntryError:
        return None  # the audit reports it
    index = int(row["idx"])
    try:
        r = service.receipt_in(conn, actor, log.name, index)
        receipt, proof = r.text(), list(r.proof)
        size: int | None = int(r.checkpoint.split("\n", 2)[1])
    except LedgerError:
        receipt, size, proof = None, None, []
    return Record(
        log.name,
        log.organisation,
        index,
        bytes(row["leaf_hash"]),
        str(e.statement.get("record_id")),
        by_key.get(e.signer.public),
        e.statement,
        e.signer.vkey(),
        _b64(e.signature),
        receipt,
        checkpoint_size=size,
        proof=proof if with_proof else [],
    )


def records(
    platform: PlatformLedger,
    actor: Actor,
    name: str,
    device_id: str | None = None,
    limit: int = 100,
) -> list[Record]:
    """The newest records of a log (of one device, among the newest ``MAX_SCAN``), with receipts."""
    if device_id is not None:
        _check_device_id(device_id)
    with platform.engine.connect() as conn:
        log = _scoped(conn, actor, name)
        known = _devices_in(conn, log)
        by_key = {d.key.public: d.device_id for d in known.values()}
        if device_id is not None and device_id not in known:
            raise LedgerError(Code.no_such_entry, f"log {name} has no device {device_id}")
        rows = store.leaves_by_kind(
            conn, log, ent.Kind.weighing, limit if device_id is None else MAX_SCAN
        )
        out: list[Record] = []
        for row in rows:
            rec = _record(conn, actor, log, by_key, row)
            if rec is None or (device_id is not None and rec.device_id != device_id):
                continue
            out.append(rec)
            if len(out) >= limit:
                break
        return out


def get_record(platform: PlatformLedger, actor: Actor, name: str, record_id: str) -> Record:
    """One record with its receipt and inclusion proof (against the latest checkpoint)."""
    with platform.engine.connect() as conn:
        log = _scoped(conn, actor, name)
        rows = [
            r for r in store.leaves_by_ref(conn, log, record_id) if r["kind"] == ent.Kind.weighing
        ]
        if not rows:
            raise LedgerError(Code.no_such_entry, f"log {name} has no record {record_id}")
        by_key = {d.key.public: d.device_id for d in _devices_in(conn, log).values()}
        rec = _record(conn, actor, log, by_key, rows[0], with_proof=True)
    if rec is None:
        raise LedgerError(Code.no_such_entry, f"record {record_id} cannot be read")
    return rec
