"""Operations without approval: a declared ship moored at a DG berth, nothing approved.

:func:`unapproved_at_berths` is pure: berth outlines, vessel positions (a
:meth:`seawarden.tracks.query.TrackQuery.snapshot` table, a
:class:`~seawarden.positions.batch.PositionBatch` or dictionaries) and declaration windows in,
supervision :class:`~seawarden.supervision.events.Event` objects out, of kind
``dg_unapproved_operation``. Until that name is a member of
:class:`~seawarden.supervision.events.AlertKind`, events carry a stand-in member with the same
value (:func:`alert_kind`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import shape

from seawarden.supervision.events import AlertKind, Event, Phase

KIND = AlertKind.dg_unapproved_operation.value


def alert_kind() -> AlertKind:
    """The alert kind of a dangerous-goods operation without approval."""
    return AlertKind.dg_unapproved_operation


@dataclass(frozen=True)
class BerthArea:
    """A berth outline (GeoJSON polygon, WGS-84 degrees)."""

    berth_id: int
    name: str
    geometry: Mapping[str, Any]
    dg_only: bool = False
    organisation: str = ""


@dataclass(frozen=True)
class DeclarationWindow:
    """A declaration as the watch needs it."""

    declaration_id: int
    berth_id: int
    status: str
    start_ms: int
    end_ms: int
    mmsi: int | None = None


@dataclass
class Positions:
    """Vessel positions as arrays (time in epoch ms, degrees, knots; mmsi -1 when unknown)."""

    vessel_key: npt.NDArray[np.int64]
    mmsi: npt.NDArray[np.int64]
    time_ms: npt.NDArray[np.int64]
    lat: npt.NDArray[np.float64]
    lon: npt.NDArray[np.float64]
    sog: npt.NDArray[np.float64]


def positions_from(data: Any) -> Positions:
    """Positions from a snapshot/Arrow table, a PositionBatch or an iterable of mappings."""
    if hasattr(data, "column_names"):  # pyarrow.Table
        import pyarrow as pa

        def col(name: str, fill: float) -> npt.NDArray[Any]:
            if name not in data.column_names:
                return np.full(data.num_rows, fill)
            c = data.column(name)
            if pa.types.is_timestamp(c.type):
                c = c.cast(pa.timestamp("ms", tz="UTC")).cast(pa.int64())
            return np.asarray(c.fill_null(fill).to_numpy(zero_copy_only=False), dtype=np.float64)

        return Positions(
            col("vessel_key", -1).astype(np.int64),
            col("mmsi", -1).astype(np.int64),
            col("time", 0).astype(np.int64),
            col("lat", np.nan),
            col("lon", np.nan),
            col("sog", np.nan),
        )
    if hasattr(data, "vessel_key") and hasattr(data, "time"):  # PositionBatch
        return Positions(
            np.asarray(data.vessel_key, dtype=np.int64),
            np.asarray(data.mmsi, dtype=np.int64),
            np.asarray(data.time, dtype=np.int64),
            np.asarray(data.lat, dtype=np.float64),
            np.asarray(data.lon, dtype=np.float64),
            np.asarray(data.sog, dtype=np.float64),
        )
    recs = list(cast(Iterable[Mapping[str, Any]], data))

    def get(name: str, fill: float) -> npt.NDArray[np.float64]:
        return np.array(
            [fill if r.get(name) is None else float(r[name]) for r in recs], dtype=np.float64
        )

    mmsi = get("mmsi", -1).astype(np.int64)
    key = np.array(
        [int(r.get("vessel_key", r.get("mmsi", -1)) or -1) for r in recs], dtype=np.int64
    )
    return Positions(
        key,
        mmsi,
        get("time", 0).astype(np.int64),
        get("lat", np.nan),
        get("lon", np.nan),
        get("sog", np.nan),
    )


def unapproved_at_berths(
    berths: Iterable[BerthArea],
    positions: Any,
    declarations: Iterable[DeclarationWindow],
    max_sog_kn: float = 1.0,
) -> list[Event]:
    """Events for vessels moored at a berth without an approved declaration covering the time.

    A vessel counts as moored inside the outline at or below ``max_sog_kn`` (unknown speed
    counts as moored). It raises an event when a declaration names it (by MMSI) for that berth
    but none approved covers the time, or when the berth is ``dg_only`` and nothing approved
    covers it.
    """
    pos = positions if isinstance(positions, Positions) else positions_from(positions)
    decls = list(declarations)
    events: list[Event] = []
    for berth in berths:
        poly = shape(berth.geometry)
        inside = shapely.contains_xy(poly, pos.lon, pos.lat)
        slow = ~(pos.sog > max_sog_kn)
        for k in np.flatnonzero(inside & slow).tolist():
            mmsi = int(pos.mmsi[k]) if pos.mmsi[k] >= 0 else None
            t = int(pos.time_ms[k])
            mine = [
                d
                for d in decls
                if d.berth_id == berth.berth_id and (mmsi is None or d.mmsi in (None, mmsi))
            ]
            named = [d for d in mine if mmsi is not None and d.mmsi == mmsi]
            covered = [d for d in mine if d.status == "approved" and d.start_ms <= t <= d.end_ms]
            if covered:
                continue
            if named:
                ref = max(named, key=lambda d: d.start_ms)
                reason = f"declaration {ref.declaration_id} is {ref.status}" + (
                    "" if ref.status != "approved" else " but does not cover this time"
                )
            elif berth.dg_only:
                ref = None
                reason = "no approved declaration at a dangerous-goods berth"
            else:
                continue
            events.append(
                Event(
                    kind=alert_kind(),
                    phase=Phase.INSTANT,
                    vessel_key=int(pos.vessel_key[k]),
                    start_ms=t,
                    end_ms=t,
                    mmsi=mmsi,
                    zone=f"dg_berth:{berth.berth_id}",
                    lat=float(pos.lat[k]),
                    lon=float(pos.lon[k]),
                    value=None if np.isnan(pos.sog[k]) else float(pos.sog[k]),
                    details={
                        "berth_id": berth.berth_id,
                        "berth": berth.name,
                        "organisation": berth.organisation,
                        "declaration_id": ref.declaration_id if ref else None,
                        "declaration_status": ref.status if ref else None,
                        "reason": reason,
                    },
                )
            )
    return events
