"""The traffic simulator: determinism, decodability, and ground truth that matches the traffic."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely

from seawarden.ais import Decoder, DecoderConfig
from seawarden.ais.arrow import decode_batch
from seawarden.geo import KNOT_MPS
from seawarden.positions.beidou import read_jsonl
from seawarden.sim.engine import SimConfig, Simulation
from seawarden.sim.output import companion, write_files
from seawarden.sim.scenarios import SCENARIOS

START = 1_795_000_000_000  # 2026-11-18 (outside the summer moratorium)
SUMMER = 1_782_000_000_000  # 2026-06-21 (inside it)


@pytest.fixture(scope="module")
def sim() -> Simulation:
    return Simulation(SimConfig(vessels=80, hours=8, start_ms=START, seed=11))


def test_same_seed_same_traffic_and_windows_join(sim: Simulation) -> None:
    again = Simulation(SimConfig(vessels=80, hours=8, start_ms=START, seed=11))
    a = sim.window(START, START + 600_000)
    b = again.window(START, START + 600_000)
    assert a.lines == b.lines and len(a.lines) > 1000
    other = Simulation(SimConfig(vessels=80, hours=8, start_ms=START, seed=12)).window(
        START, START + 600_000
    )
    assert other.lines != a.lines
    # Two half windows transmit exactly what one whole window does.
    rng = np.random.default_rng(0)
    whole = sim.positions(START, START + 1_200_000, rng)
    first = sim.positions(START, START + 600_000, rng)
    second = sim.positions(START + 600_000, START + 1_200_000, rng)
    assert np.array_equal(np.sort(whole.time), np.sort(np.concatenate([first.time, second.time])))


def test_every_line_decodes_and_counts_add_up(sim: Simulation) -> None:
    w = sim.window(START, START + 900_000)
    decoder = Decoder(DecoderConfig(strict=True))
    tables = decode_batch(b"".join(w.lines), decoder=decoder)
    stats = decoder.stats()
    assert stats.rejected() == 0 and stats.pending == 0
    assert stats.lines == w.counts["lines"] == len(w.lines)
    pos = tables["position"]
    types = tables["static"]["type"].to_pylist()
    static_lines = 2 * types.count(5) + types.count(24)
    assert pos.num_rows + static_lines == len(w.lines)
    assert set(pos["type"].to_pylist()) == {1, 18} and set(types) == {5, 24}
    # Receptions: each position line is one heard transmission at one station.
    assert set(pos["station"].to_pylist()) <= {s.id for s in sim.area.stations}
    assert w.counts["positions_received"] <= w.counts["position_transmissions"]
    # Receive times are non-decreasing (lines are in arrival order).
    assert np.all(np.diff(w.rx_ms) >= 0)


def test_ranges_and_identities(sim: Simulation) -> None:
    rng = np.random.default_rng(1)
    p = sim.positions(START, START + 3_600_000, rng)
    lon0, lat0, lon1, lat1 = sim.area.properties["bbox"]
    assert np.all(
        (p.lat > lat0 - 0.5) & (p.lat < lat1 + 0.5) & (p.lon > lon0 - 0.5) & (p.lon < lon1 + 0.5)
    )
    assert np.all((p.sog >= 0) & (p.sog < 30))
    mmsis = [v.mmsi for v in sim.fleet]
    assert len(set(mmsis)) == len(mmsis)
    kinds = {v.kind for v in sim.fleet}
    assert {"cargo", "container", "tanker", "passenger", "fishing", "tug"} <= kinds
    for v in sim.fleet:
        if v.imo:
            digits = [int(c) for c in str(v.imo)]
            assert (
                sum(d * w for d, w in zip(digits[:6], range(7, 1, -1), strict=True)) % 10
                == digits[6]
            )


def _states(sim: Simulation, mmsi: int, t0: int, t1: int, step: int = 10_000):  # type: ignore[no-untyped-def]
    v = next(v for v in sim.fleet if v.mmsi == mmsi)
    plan = sim.plans[v.index]
    times = np.arange(t0, t1, step, dtype=np.int64)
    return plan.states(times), plan


def test_ground_truth_matches_the_traffic(sim: Simulation) -> None:
    events = {e["event"]: e for e in sim.events}
    assert set(events) == set(SCENARIOS)
    plane = sim.area.plane

    cq = events["close_quarters"]
    a, b = cq["mmsi"]
    t = cq["cpa_time_ms"]
    sa, _ = _states(sim, a, t, t + 1, 1)
    sb, _ = _states(sim, b, t, t + 1, 1)
    assert abs(float(np.hypot(sa.x[0] - sb.x[0], sa.y[0] - sb.y[0])) - cq["cpa_m"]) < 1.0
    # ... and it is the closest they come.
    wa, _ = _states(sim, a, cq["start_ms"], cq["end_ms"])
    wb, _ = _states(sim, b, cq["start_ms"], cq["end_ms"])
    assert np.hypot(wa.x - wb.x, wa.y - wb.y).min() >= cq["cpa_m"] - 1.0

    ov = events["overspeed"]
    s, _ = _states(sim, ov["mmsi"], ov["start_ms"] + 5_000, ov["end_ms"] - 5_000)
    zone = sim.area.zone_xy(ov["zone"])
    assert shapely.contains_xy(zone, s.x, s.y).all()
    assert np.all(s.sog > ov["limit_kn"])

    st = events["stop_in_no_stop_zone"]
    s, _ = _states(sim, st["mmsi"], st["start_ms"], st["end_ms"])
    assert np.all(s.sog == 0) and shapely.contains_xy(sim.area.zone_xy(st["zone"]), s.x, s.y).all()

    gap = events["ais_gap"]
    v = next(v for v in sim.fleet if v.mmsi == gap["mmsi"])
    reports = sim.plans[v.index].reports(START, sim.end_ms, v.ais_class, int(sim.offsets[v.index]))
    sent = reports.time[~reports.silent]
    assert not np.any((sent > gap["start_ms"]) & (sent < gap["end_ms"]))
    assert np.any(sent < gap["start_ms"]) and np.any(sent > gap["end_ms"])

    lo = events["loitering"]
    s, _ = _states(sim, lo["mmsi"], lo["start_ms"], lo["end_ms"])
    cx, cy = plane.to_xy(lo["lat"], lo["lon"])
    assert np.all(np.hypot(s.x - cx, s.y - cy) <= lo["radius_m"] + 1) and np.all(s.sog < 2)

    fi = events["fishing_in_closed_area"]
    s, _ = _states(sim, fi["mmsi"], fi["start_ms"], fi["end_ms"])
    zone = sim.area.zones[fi["zone"]]
    assert zone.active(fi["start_ms"]) and fi["zone"] == "zhongjieshan-reserve"
    assert shapely.contains_xy(sim.area.zone_xy(fi["zone"]), s.x, s.y).all()
    assert np.all(s.status == 7)
    assert (s.sog * KNOT_MPS).max() < 3


def test_moratorium_keeps_fishing_fleet_in_port_but_scripted_violator_fishes() -> None:
    summer = Simulation(SimConfig(vessels=60, hours=2, start_ms=SUMMER, seed=3))
    ev = next(e for e in summer.events if e["event"] == "fishing_in_closed_area")
    assert ev["zone"] == "east-china-sea-moratorium"
    for v in summer.fleet:
        if v.kind == "fishing" and v.mmsi != ev["mmsi"]:
            s = summer.plans[v.index].states(np.array([SUMMER + 3_600_000]))
            assert s.sog[0] == 0 and s.status[0] == 5


def test_files_and_beidou(tmp_path: Path) -> None:
    sim = Simulation(SimConfig(vessels=30, hours=0.5, start_ms=START, seed=2, corrupt=0.02))
    out = tmp_path / "s.nmea.gz"
    truth = write_files(sim, out)
    assert json.loads(companion(out, ".truth.json").read_text()) == truth
    assert truth["counts"]["corrupt_lines"] > 0
    batch, stats = read_jsonl(companion(out, ".beidou.jsonl").read_bytes())
    assert stats.received == truth["counts"]["beidou_records"] > 0
    assert stats.outcomes["stored"] == stats.received
    fleet = [json.loads(x) for x in companion(out, ".fleet.jsonl").read_text().splitlines()]
    assert len(fleet) == 30
    assert {r["terminal"] for r in fleet if r["terminal"]} == set(batch.terminal.tolist())
    events = companion(out, ".events.jsonl").read_text().splitlines()
    assert len(events) == len(sim.events)
