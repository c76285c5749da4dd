"""Each rule on hand-made tracks: fires once when it should, never when it should not."""

from __future__ import annotations

import numpy as np

from seawarden.geo.zones import make_zone
from seawarden.positions.batch import PositionBatch
from seawarden.positions.schema import Source
from seawarden.supervision.engine import SupervisionConfig, Supervisor
from seawarden.supervision.events import AlertKind, Phase

from .helpers import line, track

T0 = 1_795_000_000_000
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[122.0, 30.0], [122.1, 30.0], [122.1, 30.1], [122.0, 30.1], [122.0, 30.0]]],
}
NO_GAPS = SupervisionConfig(gaps=False, loitering=False)


def _kinds(events: list, kind: AlertKind) -> list:
    return [e for e in events if e.kind is kind]


def test_enter_exit_once_despite_jitter_on_the_boundary() -> None:
    zone = make_zone("r", "R", "restricted", SQUARE, {"notify_exit": True})
    sup = Supervisor([zone], NO_GAPS)
    pts = line(30.05, 121.95, 30.05, 122.05, 30, 10.0)  # sail in from the west
    # then wobble 20 m either side of the east edge (inside the 50 m exit band)
    east = 122.1
    d = 20 / (111_320 * np.cos(np.radians(30.05)))
    pts += [(30.05, east + (d if i % 2 else -d), 10.0) for i in range(20)]
    pts += line(30.05, 122.11, 30.05, 122.2, 10, 10.0)  # and leave
    ev = sup.process(track(413000001, T0, pts))
    enters, exits = _kinds(ev, AlertKind.zone_enter), _kinds(ev, AlertKind.zone_exit)
    assert len(enters) == 1 and len(exits) == 1
    assert enters[0].zone == "r" and exits[0].start_ms > enters[0].start_ms


def test_overspeed_needs_duration_and_closes() -> None:
    zone = make_zone("c", "C", "channel", SQUARE, {"speed_limit_kn": 12, "overspeed_min_s": 60})
    sup = Supervisor([zone], NO_GAPS)
    burst = [
        (30.05, 122.02 + i * 1e-4, 15.0 if 5 <= i < 8 else 10.0) for i in range(30)
    ]  # 30 s fast
    assert not _kinds(sup.process(track(413000002, T0, burst)), AlertKind.overspeed)
    long = [
        (30.05, 122.02 + i * 1e-4, 16.0 if 5 <= i < 20 else 10.0) for i in range(30)
    ]  # 150 s fast
    ev = _kinds(sup.process(track(413000003, T0, long)), AlertKind.overspeed)
    assert [e.phase for e in ev] == [Phase.OPEN, Phase.CLOSE]
    assert ev[0].start_ms == T0 + 50_000 and ev[1].end_ms == T0 + 200_000 and ev[0].value == 16.0


def test_dwell_no_stop_and_no_anchoring() -> None:
    zones = [
        make_zone("a", "Anch", "anchorage", SQUARE, {"max_dwell_min": 30}),
        make_zone("s", "NoStop", "no_stop", SQUARE, {"min_stop_s": 300}),
        make_zone("n", "NoAnch", "no_anchoring", SQUARE, {"min_anchor_s": 600}),
    ]
    sup = Supervisor(zones, NO_GAPS)
    stopped = [(30.05, 122.05, 0.1)] * 200  # 200 × 10 s = 33 min stopped
    ev = sup.process(track(413000004, T0, stopped, status=1))
    dwell = _kinds(ev, AlertKind.dwell)
    assert len(dwell) == 1 and dwell[0].start_ms == T0
    stop = _kinds(ev, AlertKind.no_stop)
    assert len(stop) == 1 and stop[0].phase is Phase.OPEN and stop[0].start_ms == T0
    anch = _kinds(ev, AlertKind.no_anchoring)
    assert len(anch) == 1 and anch[0].zone == "n"
    moving = sup.process(
        track(413000004, T0 + 2_000_000, [(30.05, 122.05 + i * 1e-4, 6.0) for i in range(3)])
    )
    assert {e.kind for e in moving if e.phase is Phase.CLOSE} == {
        AlertKind.no_stop,
        AlertKind.no_anchoring,
    }


def test_crossing_a_no_stop_line() -> None:
    gate = make_zone(
        "g",
        "Gate",
        "no_stop",
        {"type": "LineString", "coordinates": [[122.05, 29.9], [122.05, 30.2]]},
    )
    sup = Supervisor([gate], NO_GAPS)
    ev = sup.process(track(413000005, T0, line(30.05, 122.0, 30.05, 122.1, 11, 10.0), step_s=60))
    (cross,) = _kinds(ev, AlertKind.no_stop)
    assert cross.phase is Phase.INSTANT and abs(cross.start_ms - (T0 + 300_000)) <= 1_000


def test_fishing_ban_season_harbour_and_transit() -> None:
    ban = make_zone(
        "f",
        "Ban",
        "fishing_ban",
        SQUARE,
        {"closed_from": "05-01T12:00", "closed_to": "09-16T12:00"},
    )
    port = make_zone(
        "p",
        "Port",
        "port_area",
        {"type": "Point", "coordinates": [122.05, 30.05]},
        {"radius_m": 1500},
    )
    summer = 1_783_000_000_000  # 2026-07-02
    trawl = [(30.02 + i * 1e-4, 122.02, 3.5) for i in range(100)]
    sup = Supervisor([ban, port], NO_GAPS)
    ev = _kinds(
        sup.process(track(412000001, summer, trawl, step_s=30, source=Source.BEIDOU)),
        AlertKind.fishing_ban,
    )
    assert [e.phase for e in ev] == [Phase.OPEN] and ev[0].start_ms == summer
    # the same in winter: open season
    sup = Supervisor([ban, port], NO_GAPS)
    assert not _kinds(
        sup.process(track(412000001, T0, trawl, step_s=30, source=Source.BEIDOU)),
        AlertKind.fishing_ban,
    )
    # moving about inside the port, or crossing at 9 kn, is not fishing
    sup = Supervisor([ban, port], NO_GAPS)
    in_port = [(30.05 + i * 1e-5, 122.05, 2.0) for i in range(100)]
    transit = [(30.02, 122.0 + i * 1e-3, 9.0) for i in range(100)]
    ev = sup.process(track(412000002, summer, in_port, step_s=30, source=Source.BEIDOU))
    ev += sup.process(track(412000003, summer, transit, step_s=30, source=Source.BEIDOU))
    assert not _kinds(ev, AlertKind.fishing_ban)
    # an AIS vessel of unknown type is not taken for a fishing vessel
    assert not _kinds(
        Supervisor([ban], NO_GAPS).process(track(413000009, summer, trawl, step_s=30)),
        AlertKind.fishing_ban,
    )


def test_forbidden_vessel_types_from_particulars() -> None:
    zone = make_zone(
        "z", "No tankers", "channel", SQUARE, {"forbidden_ship_types": ["tanker", "31-32"]}
    )
    info = {413000010: (80, 200.0), 413000011: (70, 150.0), 413000012: (31, 30.0)}
    sup = Supervisor([zone], NO_GAPS, lambda mmsis: {m: info[m] for m in mmsis if m in info})
    pts = line(30.05, 121.99, 30.05, 122.05, 20, 10.0)
    got = set()
    for m in info:
        got |= {
            e.mmsi for e in sup.process(track(m, T0, pts)) if e.kind is AlertKind.forbidden_type
        }
    assert got == {413000010, 413000012}


def test_loitering_outside_harbours_only() -> None:
    cfg = SupervisionConfig(gaps=False, loiter_min_h=2.0)
    port = make_zone(
        "p",
        "Port",
        "port_area",
        {"type": "Point", "coordinates": [122.5, 30.5]},
        {"radius_m": 2000},
    )
    sup = Supervisor([port], cfg)
    rng = np.random.default_rng(0)
    drift = [
        (30.0 + k * 2e-5 + rng.normal(0, 2e-5), 123.0 + rng.normal(0, 2e-5), 0.8)
        for k in range(180)
    ]  # 3 h
    ev = _kinds(sup.process(track(413000020, T0, drift, step_s=60)), AlertKind.loitering)
    assert [e.phase for e in ev] == [Phase.OPEN] and ev[0].start_ms == T0
    moored = [(30.5 + rng.normal(0, 2e-5), 122.5, 0.0) for _ in range(180)]
    assert not _kinds(sup.process(track(413000021, T0, moored, step_s=60)), AlertKind.loitering)
    steaming = line(30.0, 123.0, 30.0, 123.5, 180, 10.0)
    assert not _kinds(sup.process(track(413000022, T0, steaming, step_s=60)), AlertKind.loitering)


def _traffic(
    t0: int, hours: float, lat: float, lon0: float, lon1: float, mmsi: int
) -> PositionBatch:
    n = int(hours * 360)
    return track(mmsi, t0, line(lat, lon0, lat, lon1, n, 10.0))


def test_gap_is_dark_inside_coverage_but_not_out_of_range() -> None:
    sup = Supervisor([], SupervisionConfig(loitering=False))
    # A day of good reception around 30.0N 122.3-122.5E from other vessels.
    for k in range(12):
        sup.process(
            _traffic(T0 + k * 2 * 3_600_000, 2, 30.0 + 0.01 * (k % 3), 122.3, 122.5, 413100000 + k)
        )
    t = T0 + 24 * 3_600_000
    dark = track(413000030, t, line(30.0, 122.35, 30.0, 122.36, 10, 6.0))
    ev = sup.process(dark)
    ev += sup.process(track(413000030, t + 3_600_000, line(30.0, 122.40, 30.0, 122.41, 5, 6.0)))
    gaps = _kinds(ev, AlertKind.ais_gap)
    assert len(gaps) == 1 and gaps[0].end_ms == t + 3_600_000 and gaps[0].start_ms == t + 90_000
    # A vessel sailing out of the covered area and back is not "dark".
    away = track(413000031, t, line(30.0, 122.45, 30.0, 122.9, 30, 10.0), step_s=10)
    away.lat[10:] = np.nan  # nothing received once it is beyond the covered cells
    sup2 = Supervisor([], SupervisionConfig(loitering=False))
    sup2.reception = sup.reception
    out = sup2.process(away.take(np.arange(10)))
    out += sup2.process(
        track(413000031, t + 3 * 3_600_000, line(30.0, 123.2, 30.0, 123.21, 5, 10.0))
    )
    assert not _kinds(out, AlertKind.ais_gap)


def test_open_gap_announced_by_tick_then_closed() -> None:
    sup = Supervisor([], SupervisionConfig(loitering=False, gap_beidou_min=30))
    sup.process(track(412000040, T0, [(30.0, 122.0, 3.0)] * 5, step_s=180, source=Source.BEIDOU))
    assert not sup.tick(T0 + 20 * 60_000)
    (opened,) = sup.tick(T0 + 60 * 60_000)
    assert opened.phase is Phase.OPEN and opened.start_ms == T0 + 720_000
    assert not sup.tick(T0 + 70 * 60_000)  # announced once
    ev = sup.process(track(412000040, T0 + 90 * 60_000, [(30.0, 122.0, 3.0)], source=Source.BEIDOU))
    (closed,) = _kinds(ev, AlertKind.ais_gap)
    assert (
        closed.phase is Phase.CLOSE
        and closed.start_ms == opened.start_ms
        and closed.end_ms == T0 + 90 * 60_000
    )


def test_late_data_after_an_exit_changes_nothing() -> None:
    zone = make_zone("r", "R", "restricted", SQUARE, {"notify_exit": True})
    sup = Supervisor([zone], NO_GAPS)
    pts = line(30.05, 121.95, 30.05, 122.2, 40, 10.0)
    ev = sup.process(track(413000050, T0, pts))
    assert len(_kinds(ev, AlertKind.zone_enter)) == 1 and len(_kinds(ev, AlertKind.zone_exit)) == 1
    late = track(413000050, T0 + 100_000, [(30.05, 122.05, 10.0)] * 3)
    assert sup.process(late) == []
    assert sup.state_summary()["late_positions"] == 3


def test_a_silent_stretch_inside_a_zone_is_not_an_exit() -> None:
    zone = make_zone("r", "R", "restricted", SQUARE, {"notify_exit": True})
    sup = Supervisor([zone], NO_GAPS)
    ev = sup.process(track(413000060, T0, [(30.05, 122.05, 0.0)] * 5))
    ev += sup.process(track(413000060, T0 + 2 * 3_600_000, [(30.05, 122.051, 0.0)] * 5))
    assert len(_kinds(ev, AlertKind.zone_enter)) == 1 and not _kinds(ev, AlertKind.zone_exit)


def test_live_batches_and_one_batch_give_the_same_events() -> None:
    zones = [
        make_zone("c", "C", "channel", SQUARE, {"speed_limit_kn": 12}),
        make_zone(
            "r",
            "R",
            "restricted",
            {"type": "Point", "coordinates": [122.15, 30.05]},
            {"radius_m": 3000},
        ),
    ]
    rng = np.random.default_rng(3)
    parts = []
    for k in range(20):
        pts = line(
            30.0 + rng.uniform(0, 0.1),
            121.95,
            30.0 + rng.uniform(0, 0.1),
            122.25,
            120,
            float(rng.uniform(8, 16)),
        )
        parts.append(track(413000100 + k, T0 + int(rng.integers(0, 3_600_000)), pts))
    everything = PositionBatch.concat(parts)
    whole = Supervisor(zones, NO_GAPS).process(everything)
    live = Supervisor(zones, NO_GAPS)
    order = np.argsort(everything.time, kind="stable")
    pieces = []
    for chunk in np.array_split(order, 37):
        pieces += live.process(everything.take(chunk))

    def norm(evs: list) -> list:
        return sorted(
            (e.kind.value, e.phase.value, e.vessel_key, e.zone, e.start_ms, e.end_ms) for e in evs
        )

    assert norm(whole) == norm(pieces) and len(whole) > 10
