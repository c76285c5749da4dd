"""Named sea areas for simulation: routes, zones, ports and AIS base stations (GeoJSON).

An area is a GeoJSON FeatureCollection in ``seawarden/sim/data/<name>.geojson`` whose
features carry a ``kind``: ``route`` (LineString, with ``vessel_types`` and ``speed_kn``),
``fishing_ground`` (where fishing vessels trawl), ``berth`` and ``fishing_port`` (Point)
and ``station`` (Point, ``range_km``), and supervision zones whose kinds and parameters are those of
:class:`seawarden.geo.zones.ZoneParams` (``channel`` with ``speed_limit_kn``, ``no_stop``,
``anchorage``, ``port_area``, ``fishing_ban`` with ``closed_from``/``closed_to``, ...).
:func:`zones_geojson` exports those for ``seawarden zones import``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import Polygon, shape

from seawarden.geo import LocalPlane

#: Areas shipped with Seawarden.
AREAS = {"ningbo-zhoushan": "ningbo-zhoushan.geojson"}
DEFAULT_AREA = "ningbo-zhoushan"


@dataclass(frozen=True)
class Route:
    """A shipping route: ordered (lat, lon) waypoints."""

    id: str
    points: npt.NDArray[np.float64]
    vessel_types: tuple[str, ...]
    speed_kn: float
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Zone:
    """A polygon with a supervision meaning."""

    id: str
    kind: str
    polygon: Polygon
    properties: dict[str, Any]

    @property
    def seasonal(self) -> bool:
        """A zone closed only part of the year."""
        return bool(self.properties.get("closed_from"))

    def active(self, time_ms: int) -> bool:
        """Whether a fishing-ban zone is closed at a time (other zones: always active)."""
        if self.kind != "fishing_ban" or not self.seasonal:
            return True
        from seawarden.geo.zones import ZoneParams, closed_intervals

        params = ZoneParams.model_validate(self.properties)
        return any(
            a <= time_ms < b
            for a, b in closed_intervals(params.periods(), params.timezone, time_ms, time_ms + 1)
        )


@dataclass(frozen=True)
class Station:
    """An AIS base station."""

    id: str
    lat: float
    lon: float
    range_km: float
    name_zh: str


@dataclass
class SeaArea:
    """One named sea area."""

    name: str
    properties: dict[str, Any]
    routes: dict[str, Route] = field(default_factory=dict)
    zones: dict[str, Zone] = field(default_factory=dict)
    places: dict[str, tuple[float, float, str, str]] = field(default_factory=dict)
    stations: list[Station] = field(default_factory=list)
    geojson: dict[str, Any] = field(default_factory=dict)

    @property
    def plane(self) -> LocalPlane:
        """Local metric plane centred on the area."""
        lon0, lat0, lon1, lat1 = self.properties["bbox"]
        return LocalPlane((lat0 + lat1) / 2, (lon0 + lon1) / 2)

    def zones_of(self, kind: str) -> list[Zone]:
        """Zones of one kind."""
        return [z for z in self.zones.values() if z.kind == kind]

    def routes_for(self, vessel_type: str) -> list[Route]:
        """Routes that a vessel type uses."""
        return [r for r in self.routes.values() if vessel_type in r.vessel_types]

    def zone_xy(self, zone_id: str) -> Polygon:
        """A zone's polygon in the area's local plane (metres)."""
        poly = self.zones[zone_id].polygon
        coords = np.asarray(poly.exterior.coords)
        x, y = self.plane.to_xy(coords[:, 1], coords[:, 0])
        return Polygon(np.column_stack([x, y]))


def _from_geojson(name: str, doc: dict[str, Any]) -> SeaArea:
    area = SeaArea(name=name, properties=dict(doc.get("properties", {})), geojson=doc)
    for feat in doc["features"]:
        props = dict(feat["properties"])
        kind = props["kind"]
        geom = feat["geometry"]
        if kind == "route":
            pts = np.array([[lat, lon] for lon, lat in geom["coordinates"]], dtype=np.float64)
            area.routes[props["id"]] = Route(
                props["id"],
                pts,
                tuple(props["vessel_types"]),
                float(props["speed_kn"]),
                props["name_zh"],
                props["name_en"],
            )
        elif kind == "station":
            lon, lat = geom["coordinates"]
            area.stations.append(
                Station(props["id"], lat, lon, float(props["range_km"]), props["name_zh"])
            )
        elif geom["type"] == "Point":
            lon, lat = geom["coordinates"]
            name = str(props.get("name_zh", props["id"]))
            area.places[props["id"]] = (float(lat), float(lon), str(kind), name)
        else:
            poly = shape(geom)
            shapely.prepare(poly)
            area.zones[props["id"]] = Zone(props["id"], kind, poly, props)
    return area


SIM_ONLY_KINDS = frozenset({"route", "station", "fishing_ground", "berth", "fishing_port"})


def zones_geojson(area: SeaArea) -> str:
    """The area's supervision zones as GeoJSON for ``seawarden zones import``."""
    features = []
    for f in area.geojson["features"]:
        props = f["properties"]
        if props["kind"] in SIM_ONLY_KINDS or f["geometry"]["type"] == "Point":
            continue
        keep = {k: v for k, v in props.items() if k not in ("name_en",)}
        keep["name"] = props.get("name_en") or props.get("name") or props["id"]
        features.append({"type": "Feature", "geometry": f["geometry"], "properties": keep})
    return json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1
    )


@cache
def load_area(name: str = DEFAULT_AREA) -> SeaArea:
    """A shipped area by name, or any GeoJSON file by path."""
    if name in AREAS:
        text = resources.files("seawarden.sim").joinpath("data", AREAS[name]).read_text("utf-8")
        return _from_geojson(name, json.loads(text))
    path = Path(name)
    if path.exists():
        return _from_geojson(path.stem, json.loads(path.read_text("utf-8")))
    raise ValueError(f"unknown sea area {name!r} (known: {', '.join(AREAS)})")
