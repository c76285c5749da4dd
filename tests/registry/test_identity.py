from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, select

from seawarden.db import schema
from seawarden.positions.schema import Source
from seawarden.registry import identity, ships
from seawarden.registry.matching import (
    AisIdentity,
    ConflictKind,
    Link,
    RegisterShip,
    TerminalIdentity,
    resolve,
)
from seawarden.registry.schemas import ShipIn
from seawarden.registry.scope import RegistryError
from seawarden.security.actor import SYSTEM

from .helpers import FJ, ZJ, imo, ship

A = RegisterShip("a", "ZJ", "HAI XING", "9074729", 413000001, "BQAB")
B = RegisterShip("b", "ZJ", "DONG FANG", imo(123456), 413000002, "BQAC")
C = RegisterShip("c", "ZJ", "NO MMSI", imo(654321), None, None)
F = RegisterShip("f", "ZJ", "浙岱渔03123", None, None, None, "浙岱渔03123")


def _kinds(res: Any) -> list[tuple[str, ConflictKind, str | None]]:
    return sorted((c.key, c.conflict, c.ship_id) for c in res.conflicts)


def test_register_mmsi_links_with_register_priority() -> None:
    res = resolve([A, B], [AisIdentity(413000001, "HAI XING", "BQAB", "9074729")], [])
    assert res.links == [Link("mmsi", "413000001", "a", "register", 90)] and res.conflicts == []


def test_one_mmsi_on_two_ships() -> None:
    # the MMSI registered to A transmits B's IMO: register wins, conflict kept
    res = resolve([A, B], [AisIdentity(413000001, "DONG FANG", "BQAC", B.imo)], [])
    assert res.links[0].ship_id == "a"
    assert (res.conflicts[0].conflict, res.conflicts[0].other_ship_id, res.conflicts[0].action) == (
        ConflictKind.mmsi_on_two_ships,
        "b",
        "keep_register",
    )
    # two ships registered with one MMSI
    twin = RegisterShip("t", "ZJ", "TWIN", None, 413000001)
    res = resolve([A, twin], [], [])
    assert _kinds(res) == [("413000001", ConflictKind.mmsi_on_two_ships, "a")]


def test_ship_reporting_two_mmsis() -> None:
    ais = [
        AisIdentity(413000001, "HAI XING", "BQAB", A.imo),
        AisIdentity(413999999, "HAI XING", "BQAB", A.imo),
    ]
    res = resolve([A], ais, [])
    assert _kinds(res) == [("413999999", ConflictKind.ship_two_mmsis, "a")]
    assert [link.key for link in res.links] == ["413000001"]


def test_name_callsign_imo_mismatch_and_unknown() -> None:
    ais = [
        AisIdentity(413000001, "HAI-XING 2", "BQXX", imo(111111)),
        AisIdentity(413555555, "GHOST", None, None),
    ]
    res = resolve([A], ais, [])
    assert [k for _, k, _ in _kinds(res)] == sorted(
        [ConflictKind.name_mismatch, ConflictKind.callsign_mismatch, ConflictKind.imo_mismatch]
    )
    assert res.unmatched == [("mmsi", "413555555")]
    # punctuation and case are not a mismatch; Chinese register names are not compared with AIS
    assert resolve([A], [AisIdentity(413000001, "hai  xing", "bqab", None)], []).conflicts == []


def test_ais_imo_links_a_ship_without_mmsi_and_priority_rules() -> None:
    res = resolve([C], [AisIdentity(413000077, "NO MMSI", None, C.imo)], [])
    assert res.links == [Link("mmsi", "413000077", "c", "ais_imo", 50)]
    # a manual link outranks later automatic evidence
    manual = {("mmsi", "413000077"): Link("mmsi", "413000077", "b", "manual", 100)}
    assert resolve([B, C], [AisIdentity(413000077, None, None, C.imo)], [], manual).links == []
    # an existing identical link is not proposed again; a lower-priority one is replaced
    same = {("mmsi", "413000077"): Link("mmsi", "413000077", "c", "ais_imo", 50)}
    assert resolve([C], [AisIdentity(413000077, None, None, C.imo)], [], same).links == []
    lower = {("mmsi", "413000001"): Link("mmsi", "413000001", "b", "ais_imo", 50)}
    assert (
        resolve([A], [AisIdentity(413000001, None, None, None)], [], lower).links[0].ship_id == "a"
    )
    # ship known by IMO but registered with another MMSI
    res = resolve([A], [AisIdentity(413000099, None, None, A.imo)], [])
    assert _kinds(res) == [("413000099", ConflictKind.ship_two_mmsis, "a")] and res.links == []


def test_beidou_terminals() -> None:
    terms = [
        TerminalIdentity("9100001", "浙岱渔03123"),
        TerminalIdentity("9100002", "浙岱渔03123"),
        TerminalIdentity("9100003", "闽狮渔00001"),
    ]
    res = resolve([F], [], terms)
    assert sorted(link.key for link in res.links) == ["9100001", "9100002"]
    assert {c.conflict for c in res.conflicts} == {ConflictKind.ship_two_terminals}
    assert res.unmatched == [("terminal", "9100003")]
    manual = {("terminal", "9100001"): Link("terminal", "9100001", "f", "manual", 100)}
    res = resolve([F], [], [TerminalIdentity("9100001", "浙岱渔09999")], manual)
    assert res.conflicts[0].conflict is ConflictKind.fishing_no_mismatch


def _write_observations(d: Path) -> None:
    d.mkdir(parents=True, exist_ok=True)
    pq.write_table(
        pa.table(
            {
                "mmsi": pa.array([413000001, 413000002, 413999999], pa.int32()),
                "shipname": ["HAI XING", "WRONG NAME", "HAI XING"],
                "callsign": ["BQAB", "BQAC", None],
                "imo": pa.array([9074729.0, None, 9074729.0], pa.float64()),
            }
        ),
        d / "vessels.parquet",
    )
    pq.write_table(
        pa.table(
            {
                "vessel_key": pa.array([1 << 40, 413000001], pa.int64()),
                "source": pa.array([int(Source.BEIDOU), int(Source.AIS_A)], pa.int8()),
                "terminal": ["9100001", None],
                "fishing_no": ["浙岱渔03123", None],
            }
        ),
        d / "latest.parquet",
    )


def test_resolution_service_records_decisions(db_engine: Engine, tmp_path: Path) -> None:
    a = ship(db_engine)
    b = ship(db_engine, name="DONG FANG", imo=imo(123456), mmsi=413000002, callsign="BQAC")
    f = ship(
        db_engine,
        name="浙岱渔03123",
        imo=None,
        mmsi=None,
        callsign=None,
        fishing_no="浙岱渔03123",
        ship_type="fishing",
    )
    ship(
        db_engine,
        name="FJ SHIP",
        imo=imo(222222),
        mmsi=413000050,
        callsign="BQZZ",
        organisation="FJ",
        actor=FJ,
    )
    _write_observations(tmp_path)
    rep = identity.resolve_identities(db_engine, ZJ, tmp_path)
    assert (rep.observed_mmsi, rep.observed_terminals, rep.links, rep.conflicts) == (3, 1, 3, 2)
    assert identity.ship_of(db_engine, ZJ, "mmsi", "413000001") == a
    assert identity.ship_of(db_engine, ZJ, "mmsi", "413000002") == b
    assert identity.ship_of(db_engine, ZJ, "terminal", "9100001") == f
    conflicts = identity.decisions(db_engine, ZJ)
    assert sorted(c["conflict"] for c in conflicts) == ["name_mismatch", "ship_two_mmsis"]
    assert all(c["source"] and c["priority"] for c in conflicts)
    again = identity.resolve_identities(db_engine, ZJ, tmp_path)
    assert (again.links, again.conflicts) == (0, 0)
    assert identity.decisions(db_engine, FJ) == [] and identity.links(db_engine, FJ) == []

    two = next(c for c in conflicts if c["conflict"] == "ship_two_mmsis")
    with pytest.raises(RegistryError):
        identity.decide(db_engine, ZJ, two["id"] + 1000, None, "x")
    did = identity.decide(db_engine, ZJ, two["id"], a, "second AIS transponder on board")
    assert identity.ship_of(db_engine, ZJ, "mmsi", "413999999") == a
    assert identity.links(db_engine, ZJ, "mmsi")[-1]["source"] == "manual"
    with pytest.raises(RegistryError):
        identity.decide(db_engine, ZJ, two["id"], None, "again")
    name = next(c for c in conflicts if c["conflict"] == "name_mismatch")
    identity.decide(db_engine, ZJ, name["id"], None, "AIS name outdated; master informed")
    assert identity.decisions(db_engine, ZJ) == []
    assert did > 0
    with db_engine.connect() as conn:
        actions = {r[0] for r in conn.execute(select(schema.audit_log.c.action))}
    assert {"identity.link", "identity.conflict", "identity.decide"} <= actions
    assert identity.resolve_identities(db_engine, ZJ, tmp_path / "missing").observed_mmsi == 0


def test_resolution_of_a_simulated_capture(
    db_engine: Engine, ingested: tuple[Path, Any], sim_files: Any
) -> None:
    data, _ = ingested
    sim = sim_files[3]
    registered = 0
    for v in sim.fleet[:20]:
        rec: dict[str, Any] = {
            "name": v.name,
            "mmsi": v.mmsi,
            "callsign": v.callsign,
            "organisation": "ZJ",
        }
        if v.imo:
            rec["imo"] = str(v.imo)
        if v.fishing_no:
            rec["fishing_no"] = v.fishing_no
            rec["ship_type"] = "fishing"
        ships.create_ship(db_engine, SYSTEM, ShipIn.model_validate(rec))
        registered += 1
    rep = identity.resolve_identities(db_engine, SYSTEM, data)
    links = identity.links(db_engine, SYSTEM)
    mmsi_links = {int(x["key"]) for x in links if x["key_kind"] == "mmsi"}
    seen = set(pq.read_table(data / "vessels.parquet", columns=["mmsi"]).column("mmsi").to_pylist())
    assert mmsi_links == {v.mmsi for v in sim.fleet[:20]} & seen
    terminals = {x["key"] for x in links if x["key_kind"] == "terminal"}
    assert terminals <= {v.terminal for v in sim.fleet[:20] if v.terminal}
    assert rep.links == len(links) and registered == 20
