"""CPA/TCPA: published vector, OpenCPN agreement, properties, the antimeridian and the poles."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seawarden.collision import cpa_tcpa, cpa_tcpa_arrays
from seawarden.collision.cpa import opencpn_tcpa_min
from seawarden.collision.pairs import pairs_within
from seawarden.geo import haversine_m


def test_published_vector_tensiondev_navigation() -> None:
    d, t = cpa_tcpa(
        math.degrees(0.02203),
        math.degrees(1.81450),
        1.98048,
        213.94921,
        math.degrees(0.02239),
        math.degrees(1.81455),
        5.37353,
        129.32617,
    )
    assert d == pytest.approx(1.228, abs=0.01)
    assert t * 60 == pytest.approx(149, abs=2)


@pytest.mark.parametrize(
    ("own", "target", "tcpa", "dcpa"),
    [
        ((0, 0, 10, 0), (0.16667, 0, 10, 180), 30.0, 0.0),  # head-on
        ((0, 0, 10, 90), (-0.16667, 0.16667, 10, 0), 60.0, 0.0),  # crossing at 90°
        ((0, 0, 12, 0), (0.016667, 0.008333, 6, 0), 10.0, 0.5),  # overtaking
        ((0, 0, 10, 0), (0, 0.05, 10, 0), 0.0, 3.0),  # parallel, same speed
        ((0, 0, 10, 0), (-0.03333, 0, 5, 180), -8.0, 0.0),  # opening: CPA in the past
    ],
)
def test_reference_cases(own: tuple, target: tuple, tcpa: float, dcpa: float) -> None:
    d, t = cpa_tcpa(*own, *target)
    # the reference cases assume 60 nm per degree; the sphere has 60.04
    assert t == pytest.approx(tcpa, rel=2e-3, abs=1e-6)
    assert d == pytest.approx(dcpa, rel=2e-3, abs=1e-3)


def test_agrees_with_opencpn_formula_on_random_pairs() -> None:
    rng = np.random.default_rng(0)
    n = 2000
    lat1 = rng.uniform(-60, 60, n)
    lon1 = rng.uniform(-179, 179, n)
    lat2 = lat1 + rng.uniform(-0.1, 0.1, n)
    lon2 = lon1 + rng.uniform(-0.1, 0.1, n)
    s1, s2 = rng.uniform(1, 25, n), rng.uniform(1, 25, n)
    c1, c2 = rng.uniform(0, 360, n), rng.uniform(0, 360, n)
    _, t = cpa_tcpa_arrays(lat1, lon1, s1, c1, lat2, lon2, s2, c2)
    ref = opencpn_tcpa_min(lat1, lon1, s1, c1, lat2, lon2, s2, c2)
    # flat-earth and tangent-plane geometry agree to within a few per cent at these ranges
    close = np.abs(t) < 120
    assert np.median(np.abs(t[close] - ref[close]) / np.maximum(np.abs(ref[close]), 1)) < 0.01


def test_antimeridian_and_poles() -> None:
    d, t = cpa_tcpa(10, 179.95, 10, 90, 10, -179.95, 10, 270)  # closing across 180°
    assert d < 1e-6 and t == pytest.approx(5.9 / 20 * 60, rel=0.01)
    d, t = cpa_tcpa(89.99, 0, 10, 0, 89.99, 180, 10, 0)  # both northbound over the pole
    assert d < 1e-6 and t == pytest.approx(0.6 / 10 * 60, rel=0.01)
    a, b = pairs_within([10, 10, 89.995, 89.995], [179.99, -179.99, 0, 180], 12)
    assert set(zip(a.tolist(), b.tolist(), strict=True)) == {(0, 1), (2, 3)}


finite = st.floats(-70, 70)
angle = st.floats(0, 359.9)
speed = st.floats(0.5, 30)


@settings(max_examples=300, deadline=None)
@given(
    finite,
    st.floats(-179, 179),
    speed,
    angle,
    st.floats(-0.1, 0.1),
    st.floats(-0.1, 0.1),
    speed,
    angle,
)
def test_properties(
    lat: float, lon: float, s1: float, c1: float, dla: float, dlo: float, s2: float, c2: float
) -> None:
    d12, t12 = cpa_tcpa(lat, lon, s1, c1, lat + dla, lon + dlo, s2, c2)
    d21, t21 = cpa_tcpa(lat + dla, lon + dlo, s2, c2, lat, lon, s1, c1)
    assert d12 == pytest.approx(d21, abs=1e-6) and t12 == pytest.approx(t21, abs=1e-6)  # symmetric
    now = haversine_m(lat, lon, lat + dla, lon + dlo) / 1852
    if t12 >= 0:
        assert d12 <= now + 1e-3  # the closest point is no further than now
    else:
        assert d12 < now + 1e-6  # in the past: they are opening, so closer then than now


def test_stationary_target_and_diverging() -> None:
    d, t = cpa_tcpa(30, 122, 10, 0, 30.1, 122, 0, 0)  # steaming at an anchored ship 6 nm ahead
    assert d < 1e-6 and t == pytest.approx(6.0 / 10 * 60, rel=0.01)
    d, t = cpa_tcpa(30, 122, 10, 180, 30.1, 122, 10, 0)  # moving apart
    assert t < 0


def test_pair_search_matches_brute_force() -> None:
    rng = np.random.default_rng(1)
    lat, lon = rng.uniform(29, 30, 1500), rng.uniform(122, 123, 1500)
    a, b = pairs_within(lat, lon, 5)
    i, j = np.triu_indices(1500, 1)
    d = haversine_m(lat[i], lon[i], lat[j], lon[j]) / 1852
    assert set(zip(a.tolist(), b.tolist(), strict=True)) == set(
        zip(i[d <= 5].tolist(), j[d <= 5].tolist(), strict=True)
    )


def test_compiled_pairs_agree_with_the_numpy_reference() -> None:
    import numpy as np

    from seawarden.collision.cpa import cpa_tcpa_indexed, relative_motion, vessel_vectors

    rng = np.random.default_rng(11)
    n = 2000
    lat = rng.uniform(-89.9, 89.9, n)
    lon = rng.uniform(-180, 180, n)
    sog, cog = rng.uniform(0, 30, n), rng.uniform(0, 360, n)
    i, j = rng.integers(0, n, 20_000), rng.integers(0, n, 20_000)
    lat[j[:500]] = np.clip(lat[i[:500]] + rng.normal(0, 0.05, 500), -90, 90)  # close pairs
    lon[j[:500]] = (lon[i[:500]] + rng.normal(0, 0.05, 500) + 180) % 360 - 180
    lat[:3], lon[:3] = [90.0, 89.999, 0.0], [0.0, 180.0, 179.999]  # a pole and the antimeridian
    i[:2], j[:2] = [0, 2], [1, 0]
    dcpa, tcpa, dist, speed = cpa_tcpa_indexed(*vessel_vectors(lat, lon, sog, cog), i, j)
    rx, ry, vx, vy = relative_motion(lat[i], lon[i], sog[i], cog[i], lat[j], lon[j], sog[j], cog[j])
    vv = vx * vx + vy * vy
    t = np.where(vv > 1e-12, -(rx * vx + ry * vy) / np.where(vv > 1e-12, vv, 1), 0)
    assert np.allclose(dist, np.hypot(rx, ry), rtol=1e-9, atol=1e-9)
    assert np.allclose(speed, np.sqrt(vv), rtol=1e-9, atol=1e-9)
    assert np.allclose(tcpa, t * 60, rtol=1e-7, atol=1e-7)
    assert np.allclose(dcpa, np.hypot(rx + vx * t, ry + vy * t), rtol=1e-7, atol=1e-7)
