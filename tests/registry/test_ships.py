from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from seawarden.db import schema
from seawarden.registry import events, ships
from seawarden.registry.schemas import EventKind, InspectionIn, ShipCertificateIn, ShipEventIn
from seawarden.registry.scope import NotFoundError, RegistryError
from seawarden.security.actor import Forbidden

from .helpers import FJ, VIEWER, ZJ, ZS, company, imo, ship, uscc


def test_ship_identities_changes_and_history(db_engine: Engine) -> None:
    owner = company(db_engine)
    sid = ship(db_engine, owner=owner)
    assert ships.get_ship(db_engine, ZJ, "9074729")["id"] == sid
    assert ships.get_ship(db_engine, ZJ, "413000001")["id"] == sid
    idents = ships.identities(db_engine, ZJ, sid)
    assert {i["kind"] for i in idents} == {"name", "imo", "mmsi", "callsign"}
    assert all(i["valid_from"] == dt.date(2015, 3, 1) and i["valid_to"] is None for i in idents)

    new_owner = company(db_engine, name="Ningbo Shipping", uscc=uscc("91330200717845273"))
    diff = ships.update_ship(
        db_engine,
        ZJ,
        sid,
        {"name": "HAI XING 2", "flag": "CN", "owner": new_owner, "mmsi": 413000002},
        dt.date(2020, 6, 1),
    )
    assert set(diff) == {"name", "flag", "owner_id", "mmsi"}
    assert ships.identity_at(db_engine, ZJ, "mmsi", "413000001", dt.date(2019, 1, 1)) == [sid]
    assert ships.identity_at(db_engine, ZJ, "mmsi", "413000001", dt.date(2021, 1, 1)) == []
    assert ships.identity_at(db_engine, ZJ, "mmsi", "413000002", dt.date(2021, 1, 1)) == [sid]
    names = [i for i in ships.identities(db_engine, ZJ, sid) if i["kind"] == "name"]
    assert [(n["value"], n["valid_to"]) for n in names] == [
        ("HAI XING", dt.date(2020, 6, 1)),
        ("HAI XING 2", None),
    ]
    kinds = [e["kind"] for e in events.ship_events_of(db_engine, ZJ, sid)]
    assert kinds == [
        "registration",
        "name_change",
        "flag_change",
        "owner_change",
        "identity_change",
    ] or sorted(kinds) == sorted(
        ["registration", "name_change", "flag_change", "owner_change", "identity_change"]
    )
    assert ships.update_ship(db_engine, ZJ, sid, {"name": "HAI XING 2"}) == {}

    events.record_inspection(
        db_engine,
        ZJ,
        InspectionIn(
            ship=imo(907472),
            on_date=dt.date(2024, 5, 2),
            port="Zhoushan",
            deficiencies=7,
            detained=True,
        ),
    )
    events.record_event(
        db_engine,
        ZJ,
        sid,
        ShipEventIn(
            kind=EventKind.accident, on_date=dt.date(2024, 8, 1), detail={"what": "grounding"}
        ),
    )
    cert = events.add_certificate(
        db_engine,
        ZJ,
        sid,
        ShipCertificateIn(
            kind="SMC", number="S-1", issued_on=dt.date(2021, 1, 1), expires_on=dt.date(2026, 1, 1)
        ),
    )
    expiring = events.expiring_certificates(db_engine, ZJ, 30, dt.date(2025, 12, 15))
    assert [(c["id"], c["state"]) for c in expiring] == [(cert, "expiring")]
    assert (
        events.expiring_certificates(db_engine, ZJ, 30, dt.date(2026, 2, 1))[0]["state"]
        == "expired"
    )
    events.record_event(
        db_engine, ZJ, sid, ShipEventIn(kind=EventKind.laid_up, on_date=dt.date(2025, 1, 1))
    )
    assert ships.get_ship(db_engine, ZJ, sid)["status"] == "laid_up"
    events.record_event(
        db_engine, ZJ, sid, ShipEventIn(kind=EventKind.scrapped, on_date=dt.date(2025, 9, 1))
    )
    assert ships.get_ship(db_engine, ZJ, sid)["status"] == "scrapped"
    assert all(i["valid_to"] is not None for i in ships.identities(db_engine, ZJ, sid))
    with pytest.raises(RegistryError):
        ships.update_ship(db_engine, ZJ, sid, {"name": "GHOST"})
    with pytest.raises(RegistryError):
        events.record_event(
            db_engine, ZJ, sid, ShipEventIn(kind=EventKind.accident, on_date=dt.date(2025, 10, 1))
        )
    life = events.history(db_engine, ZJ, sid)
    whats = [h["what"] for h in life]
    assert (
        whats[0] in ("registration", "name_from") and "scrapped" in whats and "inspection" in whats
    )
    assert [h["on_date"] for h in life] == sorted(h["on_date"] for h in life)
    # a scrapped ship's MMSI may be given to a new ship
    ship(db_engine, name="NEW LIFE", imo=imo(907473), mmsi=413000002, callsign="BQAC")

    with db_engine.connect() as conn:
        actions = [r.action for r in conn.execute(select(schema.audit_log.c.action))]
    for a in (
        "ship.create",
        "ship.update",
        "ship_event.inspection",
        "ship_event.scrapped",
        "company.create",
    ):
        assert a in actions


def test_duplicate_identities_rejected(db_engine: Engine) -> None:
    ship(db_engine)
    with pytest.raises(RegistryError, match="IMO"):
        ship(db_engine, mmsi=413000009)
    with pytest.raises(RegistryError, match="MMSI"):
        ship(db_engine, imo=imo(100001))
    with pytest.raises(NotFoundError):
        ship(db_engine, imo=imo(100002), mmsi=413000003, owner="no such company")


def test_scope_other_organisation_sees_nothing_and_cannot_write(db_engine: Engine) -> None:
    sid = ship(db_engine)
    zs_ship = ship(
        db_engine, ZJ, name="ZS ONE", imo=imo(200001), mmsi=413000010, organisation="ZJ-ZS"
    )
    assert ships.list_ships(db_engine, FJ) == []
    with pytest.raises(NotFoundError):
        ships.get_ship(db_engine, FJ, sid)
    with pytest.raises(NotFoundError):
        ships.update_ship(db_engine, FJ, sid, {"name": "STOLEN"})
    with pytest.raises(Forbidden):
        ship(db_engine, FJ, name="X", imo=imo(300001), mmsi=413000011, organisation="ZJ")
    assert [s["id"] for s in ships.list_ships(db_engine, ZS)] == [zs_ship]
    assert {s["id"] for s in ships.list_ships(db_engine, ZJ)} == {sid, zs_ship}
    with pytest.raises(Forbidden):  # sees ZJ but its role may not write
        ships.update_ship(db_engine, VIEWER, sid, {"name": "NOPE"})
    assert ships.get_ship(db_engine, ZJ, sid)["name"] == "HAI XING"


def test_search_by_former_identities_and_certificates_of_a_ship(db_engine: Engine) -> None:
    sid = ship(db_engine)
    ships.update_ship(db_engine, ZJ, sid, {"name": "DONG FANG 100%"}, dt.date(2020, 6, 1))
    assert [s["id"] for s in ships.search_ships(db_engine, ZJ, "hai xing")] == [sid]
    assert [s["id"] for s in ships.search_ships(db_engine, ZJ, "100%")] == [sid]
    assert ships.search_ships(db_engine, ZJ, "10_%") == []  # wildcards are taken literally
    assert [s["id"] for s in ships.search_ships(db_engine, ZJ, "413000001")] == [sid]
    assert [s["id"] for s in ships.search_ships(db_engine, ZJ, sid)] == [sid]
    assert ships.search_ships(db_engine, FJ, "HAI") == []
    events.add_certificate(
        db_engine,
        ZJ,
        sid,
        ShipCertificateIn(
            kind="SMC", number="S-1", issued_on=dt.date(2019, 1, 1), expires_on=dt.date(2024, 1, 1)
        ),
    )
    events.add_certificate(
        db_engine,
        ZJ,
        sid,
        ShipCertificateIn(kind="DOC", number="D-1", issued_on=dt.date(2024, 1, 1)),
    )
    certs = events.certificates_of(db_engine, ZJ, sid, dt.date(2025, 1, 1))
    assert [(c["number"], c["state"]) for c in certs] == [("D-1", "valid"), ("S-1", "expired")]
    with pytest.raises(NotFoundError):
        events.certificates_of(db_engine, FJ, sid)
