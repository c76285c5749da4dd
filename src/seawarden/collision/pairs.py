"""All pairs of vessels within a radius, through a grid of cubes in Earth-centred space.

Positions become points on a sphere of radius 6371 km expressed in nautical miles; the
space is cut into cubes of the search radius, so the neighbours of a vessel are in its
cube and the 26 around it. Working in 3-D rather than latitude/longitude cells means no
special case at the antimeridian or near the poles. Compiled with numba.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from seawarden.ais.framer import njit
from seawarden.collision.cpa import EARTH_RADIUS_NM

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
_OFF = 1 << 20


@njit
def _key(ix: int, iy: int, iz: int) -> int:
    return ((ix + _OFF) << 42) | ((iy + _OFF) << 21) | (iz + _OFF)


@njit
def _pairs(x: F64, y: F64, z: F64, cell: float, radius: float, out_a: I64, out_b: I64) -> int:
    n = x.size
    ix = np.floor(x / cell).astype(np.int64)
    iy = np.floor(y / cell).astype(np.int64)
    iz = np.floor(z / cell).astype(np.int64)
    keys = np.empty(n, dtype=np.int64)
    for i in range(n):
        keys[i] = _key(ix[i], iy[i], iz[i])
    order = np.argsort(keys)
    sk = keys[order]
    r2 = radius * radius
    m = 0
    cap = out_a.size
    for i in range(n):
        for dx in range(-1, 2):
            for dy in range(-1, 2):
                for dz in range(-1, 2):
                    k = _key(ix[i] + dx, iy[i] + dy, iz[i] + dz)
                    lo = np.searchsorted(sk, k)
                    while lo < n and sk[lo] == k:
                        j = order[lo]
                        lo += 1
                        if j <= i:
                            continue
                        ddx = x[i] - x[j]
                        ddy = y[i] - y[j]
                        ddz = z[i] - z[j]
                        if ddx * ddx + ddy * ddy + ddz * ddz <= r2:
                            if m < cap:
                                out_a[m] = i
                                out_b[m] = j
                            m += 1
    return m


def pairs_within(lat: npt.ArrayLike, lon: npt.ArrayLike, radius_nm: float) -> tuple[I64, I64]:
    """Index pairs (i < j) of positions less than ``radius_nm`` apart.

    Distances are straight-line chords, within 0.01 % of great-circle distance here.
    """
    la = np.radians(np.asarray(lat, dtype=np.float64))
    lo = np.radians(np.asarray(lon, dtype=np.float64))
    x = EARTH_RADIUS_NM * np.cos(la) * np.cos(lo)
    y = EARTH_RADIUS_NM * np.cos(la) * np.sin(lo)
    z = EARTH_RADIUS_NM * np.sin(la)
    cap = max(4 * x.size, 1024)
    while True:
        a = np.empty(cap, dtype=np.int64)
        b = np.empty(cap, dtype=np.int64)
        m = _pairs(x, y, z, float(radius_nm), float(radius_nm), a, b)
        if m <= cap:
            return a[:m], b[:m]
        cap = m
