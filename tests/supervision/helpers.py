"""Hand-made positions for rule tests."""

from __future__ import annotations

import numpy as np

from seawarden.positions.batch import PositionBatch
from seawarden.positions.schema import Source


def track(
    mmsi: int,
    t0: int,
    points: list[tuple[float, float, float]],
    step_s: float = 10.0,
    source: int = Source.AIS_A,
    status: int = 0,
    cog: float = 90.0,
) -> PositionBatch:
    """Positions (lat, lon, sog) ``step_s`` apart from ``t0``."""
    n = len(points)
    b = PositionBatch.allocate(n)
    b.vessel_key[:] = mmsi
    b.mmsi[:] = mmsi
    b.time = t0 + (np.arange(n) * step_s * 1000).astype(np.int64)
    b.rxtime = b.time.copy()
    b.lat = np.array([p[0] for p in points])
    b.lon = np.array([p[1] for p in points])
    b.sog = np.array([p[2] for p in points], dtype=np.float32)
    b.cog[:] = cog
    b.status[:] = status
    b.source[:] = source
    b.msg_type[:] = 1 if source == Source.AIS_A else 18
    b.fingerprint = b.time * 7 + mmsi
    return b


def line(
    lat0: float, lon0: float, lat1: float, lon1: float, n: int, sog: float
) -> list[tuple[float, float, float]]:
    """``n`` points evenly from one position to another at a reported speed."""
    return [
        (lat0 + (lat1 - lat0) * i / (n - 1), lon0 + (lon1 - lon0) * i / (n - 1), sog)
        for i in range(n)
    ]
