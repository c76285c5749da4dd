"""Small geodesy helpers on the sphere and in a local tangent plane (pure functions).

Distances are metres, angles degrees. The local plane (equirectangular about a reference
point) is accurate to well under 0.5 % within ~100 km of the reference, which is what
port-area simulation and zone checks need; anything ocean-scale uses :func:`haversine_m`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_M = 6_371_008.8
METRES_PER_NM = 1852.0
KNOT_MPS = METRES_PER_NM / 3600.0

F64 = npt.NDArray[np.float64]


def haversine_m(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> F64:
    """Great-circle distance in metres."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp = p2 - p1
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.asarray(
        2 * EARTH_RADIUS_M * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0))), dtype=np.float64
    )


def bearing_deg(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> F64:
    """Initial great-circle bearing from point 1 to point 2, degrees true in [0, 360)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dl = np.radians(np.asarray(lon2) - np.asarray(lon1))
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return np.asarray(np.degrees(np.arctan2(y, x)) % 360.0, dtype=np.float64)


@dataclass(frozen=True, slots=True)
class LocalPlane:
    """An east/north plane in metres about a reference point."""

    lat0: float
    lon0: float

    @property
    def _kx(self) -> float:
        return math.radians(1.0) * EARTH_RADIUS_M * math.cos(math.radians(self.lat0))

    @property
    def _ky(self) -> float:
        return math.radians(1.0) * EARTH_RADIUS_M

    def to_xy(self, lat: npt.ArrayLike, lon: npt.ArrayLike) -> tuple[F64, F64]:
        """East and north metres of points."""
        x = (np.asarray(lon, dtype=np.float64) - self.lon0) * self._kx
        y = (np.asarray(lat, dtype=np.float64) - self.lat0) * self._ky
        return x, y

    def to_latlon(self, x: npt.ArrayLike, y: npt.ArrayLike) -> tuple[F64, F64]:
        """Latitude and longitude of plane points."""
        lat = np.asarray(y, dtype=np.float64) / self._ky + self.lat0
        lon = np.asarray(x, dtype=np.float64) / self._kx + self.lon0
        return lat, lon


def course_deg(dx: npt.ArrayLike, dy: npt.ArrayLike) -> F64:
    """Course (degrees true, [0, 360)) of a displacement in the local plane."""
    return np.asarray(np.degrees(np.arctan2(dx, dy)) % 360.0, dtype=np.float64)
