"""Track simplification: Douglas-Peucker with a tolerance in metres (pure, compiled)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from seawarden.ais.framer import njit

EARTH_RADIUS_M = 6_371_008.8


@njit
def _douglas_peucker(
    x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], tol: float
) -> npt.NDArray[np.bool_]:
    n = x.size
    keep = np.zeros(n, dtype=np.bool_)
    if n == 0:
        return keep
    keep[0] = True
    keep[n - 1] = True
    stack = np.empty((n, 2), dtype=np.int64)
    top = 0
    stack[top, 0] = 0
    stack[top, 1] = n - 1
    top += 1
    while top > 0:
        top -= 1
        a = stack[top, 0]
        b = stack[top, 1]
        if b - a < 2:
            continue
        dx = x[b] - x[a]
        dy = y[b] - y[a]
        seg2 = dx * dx + dy * dy
        best = -1.0
        best_i = -1
        for i in range(a + 1, b):
            px = x[i] - x[a]
            py = y[i] - y[a]
            if seg2 == 0.0:
                d2 = px * px + py * py
            else:
                t = (px * dx + py * dy) / seg2
                t = min(1.0, max(0.0, t))
                ex = px - t * dx
                ey = py - t * dy
                d2 = ex * ex + ey * ey
            if d2 > best:
                best = d2
                best_i = i
        if best > tol * tol:
            keep[best_i] = True
            stack[top, 0] = a
            stack[top, 1] = best_i
            top += 1
            stack[top, 0] = best_i
            stack[top, 1] = b
            top += 1
    return keep


def simplify_track(
    lat: npt.ArrayLike, lon: npt.ArrayLike, tolerance_m: float
) -> npt.NDArray[np.bool_]:
    """Which positions to keep so the track stays within ``tolerance_m`` metres of the original.

    Positions are projected on a local plane (equirectangular around the track's mean
    latitude, longitudes unwrapped across the antimeridian), where Douglas-Peucker runs.
    """
    la = np.asarray(lat, dtype=np.float64)
    lo = np.unwrap(np.radians(np.asarray(lon, dtype=np.float64)))
    if la.size < 3:
        return np.ones(la.size, dtype=np.bool_)
    phi0 = np.radians(np.nanmean(la))
    x = lo * np.cos(phi0) * EARTH_RADIUS_M
    y = np.radians(la) * EARTH_RADIUS_M
    return _douglas_peucker(x, y, float(tolerance_m))
