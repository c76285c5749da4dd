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

For a whole picture, :func:`vessel_vectors` turns each vessel's position and velocity into
3-D vectors once (the only trigonometry), and :func:`cpa_tcpa_indexed` (compiled) works
every pair from them by index. :func:`relative_motion` is the same arithmetic in numpy,
kept as the reference the compiled kernel is tested against.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from seawarden.ais.framer import njit

EARTH_RADIUS_NM = 6_371_008.8 / 1852.0

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


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
    p1, v1 = vessel_vectors(lat1, lon1, sog1, cog1)
    p2, v2 = vessel_vectors(lat2, lon2, sog2, cog2)
    n = max(p1.shape[0], p2.shape[0])  # one vessel against many, or pair by pair
    p1, v1, p2, v2 = (np.broadcast_to(x, (n, 3)) for x in (p1, v1, p2, v2))
    idx = np.arange(n, dtype=np.int64)
    dcpa, tcpa, _, _ = cpa_tcpa_indexed(np.vstack([p1, p2]), np.vstack([v1, v2]), idx, idx + n)
    if np.ndim(lat1) == 0 and np.ndim(lat2) == 0:
        return dcpa.reshape(()), tcpa.reshape(())
    return dcpa, tcpa


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


def vessel_vectors(
    lat: npt.ArrayLike, lon: npt.ArrayLike, sog: npt.ArrayLike, cog: npt.ArrayLike
) -> tuple[F64, F64]:
    """Unit position vectors (n, 3) and velocity vectors in knots (n, 3) of vessels."""
    la, lo, s, c = np.broadcast_arrays(
        *(np.atleast_1d(np.asarray(x, dtype=np.float64)).ravel() for x in (lat, lon, sog, cog))
    )
    la, lo, c = np.radians(la), np.radians(lo), np.radians(c)
    sp, cp, sl, cl = np.sin(la), np.cos(la), np.sin(lo), np.cos(lo)
    pos = np.stack([cp * cl, cp * sl, sp], axis=1)
    ve, vn = s * np.sin(c), s * np.cos(c)  # east and north components
    vel = np.stack([-sl * ve - sp * cl * vn, cl * ve - sp * sl * vn, cp * vn], axis=1)
    return pos, vel


@njit
def _cpa_kernel(
    pos: F64, vel: F64, i: I64, j: I64, dcpa: F64, tcpa: F64, dist: F64, speed: F64
) -> None:  # pragma: no cover - compiled
    for k in range(i.size):
        a, b = i[k], j[k]
        ax, ay, az = pos[a, 0], pos[a, 1], pos[a, 2]
        bx, by, bz = pos[b, 0], pos[b, 1], pos[b, 2]
        mx, my, mz = ax + bx, ay + by, az + bz
        inv = 1.0 / np.sqrt(mx * mx + my * my + mz * mz)
        mx, my, mz = mx * inv, my * inv, mz * inv
        en2 = mx * mx + my * my  # east = z × m, normalised
        if en2 < 1e-24:  # a pole midpoint: the x axis as east
            ex, ey = 1.0, 0.0
        else:
            inv = 1.0 / np.sqrt(en2)
            ex, ey = -my * inv, mx * inv
        nx, ny, nz = -mz * ey, mz * ex, mx * ey - my * ex
        dx, dy, dz = bx - ax, by - ay, bz - az
        rx = EARTH_RADIUS_NM * (dx * ex + dy * ey)
        ry = EARTH_RADIUS_NM * (dx * nx + dy * ny + dz * nz)
        wx, wy, wz = vel[b, 0] - vel[a, 0], vel[b, 1] - vel[a, 1], vel[b, 2] - vel[a, 2]
        vx = wx * ex + wy * ey
        vy = wx * nx + wy * ny + wz * nz
        vv = vx * vx + vy * vy
        t = -(rx * vx + ry * vy) / vv if vv > 1e-12 else 0.0
        cx, cy = rx + vx * t, ry + vy * t
        dcpa[k] = np.sqrt(cx * cx + cy * cy)
        tcpa[k] = t * 60.0
        dist[k] = np.sqrt(rx * rx + ry * ry)
        speed[k] = np.sqrt(vv)


def cpa_tcpa_indexed(pos: F64, vel: F64, i: I64, j: I64) -> tuple[F64, F64, F64, F64]:
    """DCPA (nm), TCPA (min), distance (nm) and relative speed (kn) of pairs (i[k], j[k]).

    ``pos`` and ``vel`` come from :func:`vessel_vectors`; the pair arithmetic is that of
    :func:`relative_motion` (tangent plane at the pair's midpoint), compiled.
    """
    ii = np.ascontiguousarray(i, dtype=np.int64)
    jj = np.ascontiguousarray(j, dtype=np.int64)
    dcpa = np.empty(ii.size)
    tcpa = np.empty(ii.size)
    dist = np.empty(ii.size)
    speed = np.empty(ii.size)
    _cpa_kernel(
        np.ascontiguousarray(pos), np.ascontiguousarray(vel), ii, jj, dcpa, tcpa, dist, speed
    )
    return dcpa, tcpa, dist, speed
