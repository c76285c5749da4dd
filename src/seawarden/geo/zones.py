"""Supervision zones: geometry (polygon, line, circle), kind, owner, schedule and rule parameters.

A zone is what a supervisor draws: a polygon (with holes, possibly crossing the
antimeridian), a line (gate line, no-stop line) or a circle, with a kind that gives its
default rules and parameters that tune them. Parameters are validated (:class:`ZoneParams`);
unknown properties are kept as metadata.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import shapely
from pydantic import BaseModel, ConfigDict, Field, field_validator
from shapely.geometry import LineString, MultiLineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from seawarden.geo.sphere import LocalPlane


class ZoneKind(StrEnum):
    """What a zone is (its default rules follow from it)."""

    port_area = "port_area"
    berth = "berth"
    anchorage = "anchorage"
    channel = "channel"
    lock_approach = "lock_approach"
    no_anchoring = "no_anchoring"
    no_stop = "no_stop"
    restricted = "restricted"
    fishing_ban = "fishing_ban"
    custom = "custom"


#: Kinds where a vessel is "in port": not loitering, not dark at sea, not fishing.
HARBOUR_KINDS = frozenset({ZoneKind.port_area, ZoneKind.berth, ZoneKind.anchorage})

_DATE = re.compile(r"^(?:(\d{4})-)?(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2}))?$")


class ClosedPeriod(BaseModel):
    """A period a zone is closed: yearly (``MM-DD``) or once (``YYYY-MM-DD``).

    Either may end in ``THH:MM``.
    """

    model_config = ConfigDict(extra="forbid")

    start: str = Field(alias="from")
    end: str = Field(alias="to")
    applies_to: list[str] | None = None
    """Vessel classes (or gear) the closure applies to; ``None``: the zone's classes."""

    @field_validator("start", "end")
    @classmethod
    def _check(cls, v: str) -> str:
        if not _DATE.match(v.strip()):
            raise ValueError(f"not a date: {v!r} (MM-DD or YYYY-MM-DD, optional THH:MM)")
        return v.strip()


def _moment(text: str, year: int, tz: ZoneInfo) -> dt.datetime:
    m = _DATE.match(text)
    assert m is not None
    y, mo, d, hh, mm = m.groups()
    return dt.datetime(
        int(y) if y else year, int(mo), int(d), int(hh or 0), int(mm or 0), tzinfo=tz
    )


def closed_intervals(
    periods: list[ClosedPeriod], tz: str, start_ms: int, end_ms: int
) -> list[tuple[int, int]]:
    """Absolute closed intervals (epoch ms) of yearly or one-off periods overlapping a range."""
    zone = ZoneInfo(tz)
    out: list[tuple[int, int]] = []
    y0 = dt.datetime.fromtimestamp(start_ms / 1000, dt.UTC).year - 1
    y1 = dt.datetime.fromtimestamp(end_ms / 1000, dt.UTC).year + 1
    for p in periods:
        yearly = not re.match(r"^\d{4}-", p.start)
        years = range(y0, y1 + 1) if yearly else [0]
        for y in years:
            a = _moment(p.start, y, zone)
            b = _moment(p.end, y, zone)
            if b <= a:
                b = b.replace(year=b.year + 1)
            lo, hi = int(a.timestamp() * 1000), int(b.timestamp() * 1000)
            if hi > start_ms and lo < end_ms:
                out.append((lo, hi))
    return sorted(out)


class ZoneParams(BaseModel):
    """Rule parameters of a zone (GeoJSON/KML feature properties)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True)

    speed_limit_kn: float | None = Field(None, gt=0, description="Overspeed above this speed.")
    overspeed_min_s: float = Field(60.0, ge=0, description="... for at least this long.")
    max_dwell_min: float | None = Field(
        None, gt=0, description="Dwell alert after this long inside."
    )
    no_stop: bool | None = Field(
        None, description="Stopping is forbidden (default for no_stop zones)."
    )
    stop_sog_kn: float = Field(0.5, ge=0, description="Below this speed a vessel is stopped.")
    min_stop_s: float = Field(
        300.0, ge=0, description="Stopped this long in a no-stop zone: alert."
    )
    no_anchoring: bool | None = Field(
        None, description="Anchoring is forbidden (default for no_anchoring zones)."
    )
    min_anchor_s: float = Field(
        600.0, ge=0, description="At anchor (or stopped) this long: anchoring."
    )
    closed_from: str | None = Field(
        None, description="Start of the closed season (MM-DD or YYYY-MM-DD)."
    )
    closed_to: str | None = Field(None, description="End of the closed season.")
    schedule: list[ClosedPeriod] = Field(
        default_factory=list, description="Further closed periods."
    )
    timezone: str = Field("Asia/Shanghai", description="Time zone of schedule dates.")
    min_fishing_s: float = Field(
        600.0, ge=0, description="Fishing in a closed area this long: alert."
    )
    fishing_max_kn: float = Field(
        6.0, gt=0, description="Faster than this a fishing vessel is in transit, not fishing."
    )
    applies_to: list[str] | None = Field(
        None, description="Vessel classes the zone's rules apply to."
    )
    forbidden_ship_types: list[str | int] = Field(
        default_factory=list, description="Classes or AIS type codes/ranges not allowed."
    )
    notify_enter: bool | None = Field(
        None, description="Alert on every entry (default for restricted zones)."
    )
    notify_exit: bool = Field(False, description="Alert on every exit.")
    enter_margin_m: float = Field(0.0, ge=0, description="A vessel is inside once this far inside.")
    exit_margin_m: float = Field(50.0, ge=0, description="... and outside once this far outside.")
    min_length_m: float | None = Field(
        None, ge=0, description="Rules apply to vessels at least this long."
    )
    severity: str | None = Field(None, description="Alert severity (low, medium, high, critical).")
    radius_m: float | None = Field(None, gt=0, description="Circle radius (Point geometry).")

    @field_validator("closed_from", "closed_to")
    @classmethod
    def _date(cls, v: str | None) -> str | None:
        if v is not None and not _DATE.match(v.strip()):
            raise ValueError(f"not a date: {v!r} (MM-DD or YYYY-MM-DD, optional THH:MM)")
        return v

    def periods(self) -> list[ClosedPeriod]:
        """Every closed period (``closed_from``/``closed_to`` and ``schedule``)."""
        out = list(self.schedule)
        if self.closed_from and self.closed_to:
            out.insert(
                0, ClosedPeriod.model_validate({"from": self.closed_from, "to": self.closed_to})
            )
        return out


@dataclass
class Zone:
    """One supervision zone."""

    id: str
    name: str
    kind: ZoneKind
    geometry: BaseGeometry
    """Lon/lat geometry as evaluated (antimeridian-crossing polygons are duplicated at ±360°)."""
    params: ZoneParams = field(default_factory=ZoneParams)
    owner: str | None = None
    source_geometry: dict[str, Any] | None = None
    """The geometry as imported (GeoJSON mapping), for export."""

    @property
    def is_line(self) -> bool:
        """A gate or no-stop line (crossing rules) rather than an area."""
        return isinstance(self.geometry, LineString | MultiLineString)

    def margins(self) -> tuple[BaseGeometry, BaseGeometry]:
        """(inner, outer): inside once within ``inner``, outside once beyond ``outer``."""
        p = self.params
        inner = buffer_m(self.geometry, -p.enter_margin_m) if p.enter_margin_m else self.geometry
        outer = buffer_m(self.geometry, p.exit_margin_m) if p.exit_margin_m else self.geometry
        return inner, outer


def _plane_for(geom: BaseGeometry) -> LocalPlane:
    c = geom.centroid
    return LocalPlane(float(c.y), float(c.x))


def buffer_m(geom: BaseGeometry, metres: float) -> BaseGeometry:
    """Buffer a lon/lat geometry by metres (in a local plane around it)."""
    plane = _plane_for(geom)

    def fwd(coords: np.ndarray) -> np.ndarray:
        x, y = plane.to_xy(coords[:, 1], coords[:, 0])
        return np.column_stack([x, y])

    def back(coords: np.ndarray) -> np.ndarray:
        lat, lon = plane.to_latlon(coords[:, 0], coords[:, 1])
        return np.column_stack([lon, lat])

    projected = shapely.transform(geom, fwd)
    return shapely.transform(shapely.buffer(projected, metres, quad_segs=8), back)


def circle(lon: float, lat: float, radius_m: float) -> Polygon:
    """A circle as a 64-sided polygon."""
    plane = LocalPlane(lat, lon)
    a = np.linspace(0, 2 * math.pi, 65)
    la, lo = plane.to_latlon(radius_m * np.cos(a), radius_m * np.sin(a))
    return Polygon(np.column_stack([lo, la]))


def unwrap_antimeridian(geom: BaseGeometry) -> BaseGeometry:
    """A geometry drawn across the antimeridian, made continuous (with a copy at -360°).

    Longitudes jumping by more than 180° are unwrapped, and a copy shifted by 360° is
    added, so points given in [-180, 180] test correctly.
    """
    if geom.is_empty:
        return geom
    minx, _, maxx, _ = geom.bounds
    if maxx - minx <= 180:
        return geom
    shifted = shapely.transform(
        geom, lambda c: np.column_stack([np.where(c[:, 0] < 0, c[:, 0] + 360, c[:, 0]), c[:, 1]])
    )
    copy = shapely.transform(shifted, lambda c: np.column_stack([c[:, 0] - 360, c[:, 1]]))
    if isinstance(shifted, Polygon | MultiPolygon):
        return shapely.union(shifted, copy)
    return shapely.union(shifted, copy)


def make_zone(
    id: str,
    name: str,
    kind: str,
    geometry: dict[str, Any],
    properties: dict[str, Any] | None = None,
    owner: str | None = None,
) -> Zone:
    """Validate and build a zone from a GeoJSON geometry and its properties."""
    props = dict(properties or {})
    params = ZoneParams.model_validate(props)
    try:
        zkind = ZoneKind(kind)
    except ValueError:
        raise ValueError(
            f"zone {name!r}: unknown kind {kind!r} (known: {', '.join(k.value for k in ZoneKind)})"
        ) from None
    if not isinstance(geometry, dict) or not isinstance(geometry.get("type"), str):
        raise ValueError(f"zone {name!r}: the geometry needs a type and coordinates")
    try:
        geom = shapely.geometry.shape(geometry)
    except (
        ValueError,
        TypeError,
        AttributeError,
        KeyError,
        IndexError,
        shapely.errors.GEOSException,
    ) as exc:
        raise ValueError(
            f"zone {name!r}: invalid {geometry.get('type')} geometry ({exc})"
        ) from None
    if isinstance(geom, Point):
        if not params.radius_m:
            raise ValueError(f"zone {name!r}: a Point zone needs radius_m (a circle)")
        geom = circle(geom.x, geom.y, params.radius_m)
    if not isinstance(geom, Polygon | MultiPolygon | LineString | MultiLineString):
        raise ValueError(f"zone {name!r}: unsupported geometry {geom.geom_type}")
    if geom.is_empty:
        raise ValueError(f"zone {name!r}: empty geometry")
    minx, miny, maxx, maxy = geom.bounds
    if miny < -90 or maxy > 90 or minx < -180 or maxx > 180:
        raise ValueError(f"zone {name!r}: coordinates out of range (lon, lat order?)")
    if isinstance(geom, Polygon | MultiPolygon) and not geom.is_valid:
        geom = shapely.make_valid(geom)
    geom = unwrap_antimeridian(geom)
    shapely.prepare(geom)
    return Zone(id, name, zkind, geom, params, owner, geometry)
