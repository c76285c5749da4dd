"""Encounter classes, filters, alert hysteresis, merchant–fishing thresholds, history."""

from __future__ import annotations

import numpy as np
import pytest

from seawarden.collision.colregs import (
    CROSSING,
    HEAD_ON,
    OVERTAKING,
    classify,
    fujii_inside,
    risk_index,
)
from seawarden.collision.history import near_misses, rendezvous
from seawarden.collision.watch import CollisionConfig, CollisionWatch, assess, state_from_arrays
from seawarden.geo.zones import make_zone
from seawarden.positions.batch import PositionBatch
from seawarden.supervision.events import Phase
from seawarden.supervision.vessels import VesselClass

T = 1_795_000_000_000
NM = 1 / 60  # degrees of latitude per nautical mile


def test_encounter_classes_and_give_way() -> None:
    rx = np.array([0.0, 2.0, 0.0, 0.0])
    ry = np.array([3.0, 0.0, -0.5, 0.5])
    # B ahead on a reciprocal course; B on A's starboard beam heading west;
    # B astern and faster; B ahead and A faster
    heading_a = np.array([0.0, 0.0, 0.0, 0.0])
    heading_b = np.array([180.0, 270.0, 0.0, 0.0])
    sog_a = np.array([10.0, 10.0, 8.0, 14.0])
    sog_b = np.array([10.0, 10.0, 14.0, 8.0])
    enc, gw = classify(rx, ry, heading_a, heading_b, sog_a, sog_b)
    assert enc.tolist() == [HEAD_ON, CROSSING, OVERTAKING, OVERTAKING]
    assert gw.tolist() == [0, 1, 2, 1]  # head-on: both; crossing: A (B on its starboard); overtaker


def test_domain_and_risk_index() -> None:
    assert (
        fujii_inside(np.array([0.0]), np.array([0.0]), np.array([0.0]), np.array(185.2))[0] == 1.0
    )
    ahead_edge = fujii_inside(np.array([0.0]), np.array([0.4]), np.array([0.0]), np.array(185.2))[0]
    beam_edge = fujii_inside(np.array([0.16]), np.array([0.0]), np.array([0.0]), np.array(185.2))[0]
    assert ahead_edge == pytest.approx(0.0, abs=1e-9) and beam_edge == pytest.approx(0.0, abs=1e-9)
    cri = risk_index(
        np.array([0.0, 0.3, 1.0]),
        np.array([1.0, 10.0, 40.0]),
        np.array([0.3, 0.3, 0.3]),
        np.array([0.5, 0.0, -1.0]),
    )
    assert cri[0] > cri[1] > cri[2] == 0.0 and cri.min() >= 0 and cri.max() <= 1


def _pair(
    b_lat: float,
    b_lon: float,
    b_cog: float,
    *,
    a_class: int = VesselClass.CARGO,
    b_class: int = VesselClass.CARGO,
    status: tuple[int, int] = (0, 0),
    sog: tuple[float, float] = (10.0, 10.0),
    harbour: tuple[int, int] = (-1, -1),
    shiptype: tuple[int, int] = (70, 70),
    age_s: tuple[float, float] = (0, 0),
    mmsi: tuple[int, int] = (413000001, 413000002),
):
    return state_from_arrays(
        key=np.array(mmsi),
        mmsi=np.array(mmsi),
        time=np.array([T - age_s[0] * 1000, T - age_s[1] * 1000]),
        lat=np.array([30.0, b_lat]),
        lon=np.array([122.0, b_lon]),
        sog=np.array(sog),
        cog=np.array([0.0, b_cog]),
        status=np.array(status),
        vclass=np.array([a_class, b_class]),
        shiptype=np.array(shiptype),
        length=np.array([150.0, 150.0]),
        harbour=np.array(harbour),
    )


def test_filters() -> None:
    head_on = dict(b_lat=30.0 + 3 * NM, b_lon=122.0, b_cog=180.0)
    assert len(assess(_pair(**head_on), T)[1]) == 1
    assert len(assess(_pair(**head_on, status=(0, 5)), T)[1]) == 0  # moored
    assert len(assess(_pair(**head_on, sog=(10.0, 0.2)), T)[1]) == 0  # stopped
    assert len(assess(_pair(**head_on, harbour=(2, 2)), T)[1]) == 0  # same harbour
    assert len(assess(_pair(**head_on, harbour=(2, 3)), T)[1]) == 1
    assert len(assess(_pair(**head_on, age_s=(0, 400)), T)[1]) == 0  # too old to use
    _, stale = assess(_pair(**head_on, age_s=(0, 90)), T)
    assert stale.stale.tolist() == [True]
    tow = dict(
        b_lat=30.0 + 0.1 * NM, b_lon=122.0, b_cog=0.0
    )  # tug 0.1 nm ahead, same course and speed
    assert (
        len(
            assess(
                _pair(**tow, b_class=VesselClass.TUG, shiptype=(70, 52)),
                T,
                CollisionConfig(dcpa_nm=1),
            )[1]
        )
        == 0
    )
    fishing = dict(b_lat=30.0 + 1 * NM, b_lon=122.0, b_cog=180.0, sog=(3.5, 3.5))
    assert (
        len(
            assess(_pair(**fishing, a_class=VesselClass.FISHING, b_class=VesselClass.FISHING), T)[1]
        )
        == 0
    )
    assert len(assess(_pair(**fishing, b_class=VesselClass.FISHING), T)[1]) == 1
    assert (
        len(assess(_pair(**head_on, mmsi=(413000001, 413000001)), T)[1]) == 0
    )  # AIS and BeiDou of one vessel


def test_one_alert_per_encounter_with_merchant_fishing_thresholds() -> None:
    watch = CollisionWatch(CollisionConfig(confirm=2))
    events = []
    # B approaches head-on from 6 nm, closing at 20 kn, 0.25 nm to starboard: DCPA 0.25 nm
    for minute in range(25):
        t = T + minute * 60_000
        gap = 6 - 20 * minute / 60
        state = _pair(
            30.0 + gap * NM,
            122.0 + 0.25 * NM / np.cos(np.radians(30)),
            180.0,
            b_class=VesselClass.FISHING,
        )
        state.time[:] = t
        state.lat[0] = 30.0
        events += watch.evaluate(state, t, {413000001: "HAI XING 8"})
    opens = [e for e in events if e.phase is Phase.OPEN]
    closes = [e for e in events if e.phase is Phase.CLOSE]
    assert len(opens) == 1 and len(closes) == 1
    # merchant–fishing: alert once TCPA ≤ 12 min (then confirmed a minute later)
    assert opens[0].start_ms == T + 7 * 60_000
    assert (
        opens[0].details["pair"] == "merchant_fishing" and opens[0].details["name"] == "HAI XING 8"
    )
    assert (
        opens[0].zone == "pair:413000001-413000002" and opens[0].details["other_mmsi"] == 413000002
    )
    assert closes[0].end_ms > opens[0].start_ms
    # the same geometry between two merchant ships stays under the general thresholds
    watch2 = CollisionWatch(CollisionConfig(confirm=2, alert_dcpa_nm=0.2))
    quiet = []
    for minute in range(25):
        t = T + minute * 60_000
        state = _pair(
            30.0 + (6 - 20 * minute / 60) * NM, 122.0 + 0.25 * NM / np.cos(np.radians(30)), 180.0
        )
        state.time[:] = t
        quiet += watch2.evaluate(state, t)
    assert quiet == []


def _track(
    key: int, lats: np.ndarray, lons: np.ndarray, sog: float, t0: int = T, step_s: int = 60
) -> PositionBatch:
    b = PositionBatch.allocate(lats.size)
    b.vessel_key[:] = key
    b.mmsi[:] = key
    b.time = t0 + np.arange(lats.size) * step_s * 1000
    b.lat, b.lon = lats, lons
    b.sog[:] = sog
    b.source[:] = 1
    return b


def test_rendezvous_at_sea_but_not_in_port() -> None:
    n = 200  # 3 h 20 min at 1-minute fixes
    drift = np.linspace(0, 0.003, n)
    a = _track(413000001, 30.0 + drift, 123.0 + drift, 0.8)
    b = _track(413000002, 30.0 + drift + 0.001, 123.0 + drift, 0.9)
    passing = _track(413000003, np.linspace(29.9, 30.1, n), np.full(n, 123.0), 12.0)
    found = rendezvous(PositionBatch.concat([a, b, passing]), [])
    assert len(found) == 1 and {found[0]["mmsi_a"], found[0]["mmsi_b"]} == {413000001, 413000002}
    assert found[0]["hours"] >= 3 and found[0]["median_distance_m"] < 150
    port = make_zone(
        "p",
        "Port",
        "port_area",
        {"type": "Point", "coordinates": [123.0, 30.0]},
        {"radius_m": 2000},
    )
    assert rendezvous(PositionBatch.concat([a, b]), [port]) == []
    short = rendezvous(PositionBatch.concat([a.take(np.arange(100)), b.take(np.arange(100))]), [])
    assert short == []  # under two hours


def test_near_misses_are_counted_once_per_encounter() -> None:
    n = 60
    a = _track(413000001, np.linspace(30.0, 30.0 + 10 * NM, n), np.full(n, 122.0), 10.0)
    b = _track(
        413000002,
        np.linspace(30.0 + 10 * NM, 30.0, n),
        np.full(n, 122.0 + 0.2 * NM / np.cos(np.radians(30))),
        10.0,
    )
    stats = near_misses(PositionBatch.concat([a, b]))
    assert len(stats["near_misses"]) == 1 and stats["near_misses"][0]["min_distance_nm"] < 0.25
    assert sum(stats["cells"].values()) == 1
