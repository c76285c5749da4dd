"""Closest point of approach between two vessels on straight courses (pure numpy).

Each pair is worked in the plane tangent to the Earth at the midpoint of the two vessels:
positions are projected on it from unit vectors, and each vessel's velocity (speed over
ground along its course over ground, in its own east/north frame) is carried over as a 3-D
vector and projected too. This is exact enough at any distance a collision check needs,
does not care about the antimeridian, and keeps working near the poles where flat-earth
east/north arithmetic (as in OpenCPN) breaks down.

TCPA = -(r·v)/(v·v) with r and v the position and velocity of vessel 2 relative to
vessel 1; DCPA = |r + v·TCPA|. With no relative motion TCPA is 0 and DCPA the current
distance. A negative TCPA means the closest point is in the past.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_NM = 6_371_008.8 / 1852.0

F64 = npt.NDArray[np.float64]


def _unit(lat: F64, lon: F64) -> tuple[F64, F64, F64]:
    p, lam = np.radians(lat), np.radians(lon)
    return np.cos(p) * np.cos(lam), np.cos(p) * np.sin(lam), np.sin(p)


def _frame(lat: F64, lon: F64) -> tuple[tuple[F64, F64, F64], tuple[F64, F64, F64]]:
    """East and north unit vectors at positions."""
    p, lam = np.radians(lat), np.radians(lon)
    east = (-np.sin(lam), np.cos(lam), np.zeros_like(p))
    north = (-np.sin(p) * np.cos(lam), -np.sin(p) * np.sin(lam), np.cos(p))
    return east, north


def relative_motion(
    lat1: npt.ArrayLike,
    lon1: npt.ArrayLike,
    sog1: npt.ArrayLike,
    cog1: npt.ArrayLike,
    lat2: npt.ArrayLike,
    lon2: npt.ArrayLike,
    sog2: npt.ArrayLike,
    cog2: npt.ArrayLike,
) -> tuple[F64, F64, F64, F64]:
    """Position (nm) and velocity (kn) of vessel 2 relative to vessel 1: rx, ry, vx, vy.

    East and north are those of the midpoint's tangent plane.
    """
    la1, lo1 = np.asarray(lat1, dtype=np.float64), np.asarray(lon1, dtype=np.float64)
    la2, lo2 = np.asarray(lat2, dtype=np.float64), np.asarray(lon2, dtype=np.float64)
    a = _unit(la1, lo1)
    b = _unit(la2, lo2)
    m = [a[i] + b[i] for i in range(3)]
    norm = np.sqrt(m[0] ** 2 + m[1] ** 2 + m[2] ** 2)
    m = [c / norm for c in m]
    # east = z × m (normalised), north = m × east; a pole midpoint gets the x axis as east
    ex, ey, ez = -m[1], m[0], np.zeros_like(m[0])
    en = np.sqrt(ex**2 + ey**2)
    polar = en < 1e-12
    ex = np.where(polar, 1.0, ex / np.where(polar, 1.0, en))
    ey = np.where(polar, 0.0, ey / np.where(polar, 1.0, en))
    nx = m[1] * ez - m[2] * ey
    ny = m[2] * ex - m[0] * ez
    nz = m[0] * ey - m[1] * ex
    rx = EARTH_RADIUS_NM * ((b[0] - a[0]) * ex + (b[1] - a[1]) * ey + (b[2] - a[2]) * ez)
    ry = EARTH_RADIUS_NM * ((b[0] - a[0]) * nx + (b[1] - a[1]) * ny + (b[2] - a[2]) * nz)

    def velocity(lat: F64, lon: F64, sog: npt.ArrayLike, cog: npt.ArrayLike) -> tuple[F64, F64]:
        e, n = _frame(lat, lon)
        s = np.asarray(sog, dtype=np.float64)
        c = np.radians(np.asarray(cog, dtype=np.float64))
        v = [s * (np.sin(c) * e[i] + np.cos(c) * n[i]) for i in range(3)]
        return v[0] * ex + v[1] * ey + v[2] * ez, v[0] * nx + v[1] * ny + v[2] * nz

    v1x, v1y = velocity(la1, lo1, sog1, cog1)
    v2x, v2y = velocity(la2, lo2, sog2, cog2)
    return rx, ry, v2x - v1x, v2y - v1y


def cpa_tcpa_arrays(
    lat1: npt.ArrayLike,
    lon1: npt.ArrayLike,
    sog1: npt.ArrayLike,
    cog1: npt.ArrayLike,
    lat2: npt.ArrayLike,
    lon2: npt.ArrayLike,
    sog2: npt.ArrayLike,
    cog2: npt.ArrayLike,
) -> tuple[F64, F64]:
    """DCPA (nm) and TCPA (minutes) for arrays of pairs (degrees, knots, degrees true)."""
    rx, ry, vx, vy = relative_motion(lat1, lon1, sog1, cog1, lat2, lon2, sog2, cog2)
    vv = vx * vx + vy * vy
    moving = vv > 1e-12
    t = np.where(moving, -(rx * vx + ry * vy) / np.where(moving, vv, 1.0), 0.0)
    dx = rx + vx * t
    dy = ry + vy * t
    return np.hypot(dx, dy), t * 60.0


def cpa_tcpa(
    lat1: float,
    lon1: float,
    sog1: float,
    cog1: float,
    lat2: float,
    lon2: float,
    sog2: float,
    cog2: float,
) -> tuple[float, float]:
    """DCPA in nautical miles and TCPA in minutes of two vessels (degrees, knots, degrees true)."""
    d, t = cpa_tcpa_arrays(lat1, lon1, sog1, cog1, lat2, lon2, sog2, cog2)
    return float(d), float(t)


def opencpn_tcpa_min(
    lat1: F64, lon1: F64, sog1: F64, cog1: F64, lat2: F64, lon2: F64, sog2: F64, cog2: F64
) -> F64:
    """TCPA (minutes) by OpenCPN's flat-earth formula, for cross-checks.

    TCPA = (fc·E + fs·N)/(fc² + fs²) with fc, fs the own-minus-target velocity components.
    """
    v0 = np.asarray(sog1, dtype=np.float64) * 1852
    v1 = np.asarray(sog2, dtype=np.float64) * 1852
    east = (np.asarray(lon2) - np.asarray(lon1)) * 60 * 1852 * np.cos(np.radians(lat1))
    north = (np.asarray(lat2) - np.asarray(lat1)) * 60 * 1852
    a = np.radians(90 - np.asarray(cog1, dtype=np.float64))
    b = np.radians(90 - np.asarray(cog2, dtype=np.float64))
    fc = v0 * np.cos(a) - v1 * np.cos(b)
    fs = v0 * np.sin(a) - v1 * np.sin(b)
    d = fc * fc + fs * fs
    return np.asarray(
        np.where(np.abs(d) < 1e-6, 0.0, (fc * east + fs * north) / np.where(np.abs(d) < 1e-6, 1, d))
        * 60
    )
