"""Scripted situations caught live (during ingest) and in batch, and nothing else."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from seawarden.db.engine import connect
from seawarden.geo.formats import read_zones
from seawarden.ingest.pipeline import IngestConfig, Ingester
from seawarden.sim.engine import SimConfig, Simulation
from seawarden.sim.output import companion, write_files
from seawarden.supervision.alerts import AlertStore
from seawarden.supervision.driver import run_batch
from seawarden.supervision.zonestore import save_zones

START = int(dt.datetime(2026, 11, 18, tzinfo=dt.UTC).timestamp() * 1000)
KIND_OF = {
    "overspeed": "overspeed",
    "stop_in_no_stop_zone": "no_stop",
    "ais_gap": "ais_gap",
    "loitering": "loitering",
    "fishing_in_closed_area": "fishing_ban",
}


def _ms(text: str | None) -> int | None:
    return (
        None
        if text is None
        else int(dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp() * 1000)
    )


@pytest.fixture(scope="module")
def supervised(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    d = tmp_path_factory.mktemp("supervised")
    sim = Simulation(SimConfig(vessels=80, hours=8, start_ms=START, seed=5))
    out = d / "sim.nmea"
    truth = write_files(sim, out)
    zones = read_zones(companion(out, ".zones.geojson"))
    data = d / "data"
    live_db = connect(f"sqlite:///{d / 'live.db'}")
    save_zones(live_db, zones, "test")
    ing = Ingester(data, IngestConfig(commit_bytes=1 << 20))
    ing.supervise(engine=live_db, notify=False)
    ing.run_files([str(out), str(companion(out, ".beidou.jsonl"))])
    batch_db = connect(f"sqlite:///{d / 'batch.db'}")
    save_zones(batch_db, zones, "test")
    result, _ = run_batch(data, batch_db)
    # (collision-risk alerts are the collision module's; see tests/collision)
    events = [json.loads(x) for x in companion(out, ".events.jsonl").read_text().splitlines()]
    return {
        "live": [a for a in AlertStore(live_db).find() if a["kind"] != "collision_risk"],
        "batch": [a for a in AlertStore(batch_db).find() if a["kind"] != "collision_risk"],
        "live_collisions": AlertStore(live_db).find(kind="collision_risk"),
        "batch_collisions": AlertStore(batch_db).find(kind="collision_risk"),
        "events": events,
        "vessel_hours": truth["vessels"] * 8,
        "result": result,
        "sim": sim,
    }


def _matches(alert: dict[str, Any], ev: dict[str, Any]) -> bool:
    if alert["kind"] != KIND_OF.get(ev["event"]) or alert["mmsi"] != ev["mmsi"]:
        return False
    if ev.get("zone") and alert["zone_id"] != ev["zone"]:
        return False
    start, end = _ms(alert["start"]), _ms(alert["end"])
    return abs(start - ev["start_ms"]) <= 5 * 60_000 and (
        end is None or end >= ev["end_ms"] - 15 * 60_000
    )


@pytest.mark.parametrize("driver", ["live", "batch"])
def test_every_scenario_is_caught_and_nothing_else(supervised: dict[str, Any], driver: str) -> None:
    alerts = supervised[driver]
    expected = [e for e in supervised["events"] if e["event"] in KIND_OF]
    assert {e["event"] for e in expected} == set(KIND_OF)
    missed = [e["event"] for e in expected if not any(_matches(a, e) for a in alerts)]
    assert missed == []  # recall 1.0
    extra = [a for a in alerts if not any(_matches(a, e) for e in expected)]
    false_per_vessel_hour = len(extra) / supervised["vessel_hours"]
    assert extra == [] and false_per_vessel_hour == 0.0


def test_live_and_batch_drivers_agree(supervised: dict[str, Any]) -> None:
    def key(a: dict[str, Any]) -> tuple:
        return (
            a["kind"],
            str(a["mmsi"]),
            str(a["zone_id"]),
            str(a.get("other_mmsi")),
            a["start"],
            str(a["end"]),
            a["occurrences"],
        )

    assert sorted(map(key, supervised["live"])) == sorted(map(key, supervised["batch"]))

    # Collision pictures are assessed minute by minute on what has arrived: the BeiDou file is
    # ingested after the AIS file, so only pairs of AIS identities can match exactly.
    def ais(alerts: list[dict[str, Any]]) -> list[tuple]:
        return sorted(
            key(a)
            for a in alerts
            if a["vessel"] < 1 << 40 and a["details"]["other_vessel"] < 1 << 40
        )

    assert ais(supervised["live_collisions"]) == ais(supervised["batch_collisions"])
    assert supervised["live_collisions"]
    assert supervised["result"].positions > 50_000


def test_close_quarters_alerted_and_classified(supervised: dict[str, Any]) -> None:
    (cq,) = [e for e in supervised["events"] if e["event"] == "close_quarters"]
    westbound, northbound = cq["mmsi"]
    for driver in ("live_collisions", "batch_collisions"):
        hits = [
            a for a in supervised[driver] if {a["mmsi"], a["other_mmsi"]} == {westbound, northbound}
        ]
        assert len(hits) == 1, driver
        a = hits[0]
        assert _ms(a["start"]) < cq["cpa_time_ms"] and (
            a["end"] is None or _ms(a["end"]) >= cq["cpa_time_ms"] - 60_000
        )
        assert a["details"]["encounter"] == "crossing"
        assert (
            a["details"]["give_way_mmsi"] == northbound
        )  # she has the other on her starboard side
        assert a["details"]["dcpa_nm"] < 0.1


def test_collision_alert_false_rate_is_measured_and_low(supervised: dict[str, Any]) -> None:
    """A collision alert is true when the two vessels really came within 0.5 nm of each
    other in the 20 minutes after it (ground truth from the simulator's motion)."""
    import numpy as np

    from seawarden.positions.beidou import terminal_key

    sim = supervised["sim"]
    by_key = {v.mmsi: v.index for v in sim.fleet}
    by_key.update({terminal_key(v.terminal): v.index for v in sim.fleet if v.terminal})
    true = false = 0
    for a in supervised["live_collisions"]:
        ia = by_key[a["mmsi"] if a["mmsi"] is not None else a["vessel"]]
        other = a["details"].get("other_mmsi") or a["details"]["other_vessel"]
        ib = by_key[other]
        ts = np.arange(_ms(a["start"]), _ms(a["start"]) + 20 * 60_000, 10_000)
        sa, sb = sim.plans[ia].states(ts), sim.plans[ib].states(ts)
        if np.hypot(sa.x - sb.x, sa.y - sb.y).min() / 1852 < 0.5:
            true += 1
        else:
            false += 1
    assert true > 0
    assert false / (true + false) < 0.15
    assert false / supervised["vessel_hours"] < 0.01  # false collision alerts per vessel-hour
