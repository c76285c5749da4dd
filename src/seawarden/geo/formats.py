"""Zones from and to GeoJSON and KML.

GeoJSON: a FeatureCollection whose features carry ``name``, ``kind`` and rule parameters
(:class:`~seawarden.geo.zones.ZoneParams`) as properties; circles are Points with
``radius_m``. KML: Placemarks with a Polygon, LineString or Point; ``name`` from the
Placemark and ``kind`` and parameters from its ExtendedData (``<Data name="kind">``). KML is
read and written with the standard library's ElementTree (the subset zones need).
"""

from __future__ import annotations

import hashlib
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping

from seawarden.geo.zones import Zone, make_zone

KML_NS = "http://www.opengis.net/kml/2.2"
_SLUG = re.compile(r"[^a-z0-9]+")


class ZoneFileError(ValueError):
    """A zone file that cannot be read (with the feature and the reason)."""


def slug(text: str) -> str:
    """An id from a name (ASCII letters and digits; other scripts keep a hash)."""
    s = _SLUG.sub("-", text.lower()).strip("-")
    if not s:
        s = "zone-" + hashlib.blake2b(text.encode("utf-8"), digest_size=4).hexdigest()
    return s


def _zone(
    i: int, geometry: dict[str, Any] | None, props: dict[str, Any], default_owner: str | None
) -> Zone:
    name = str(props.get("name") or props.get("name_en") or props.get("id") or f"zone {i + 1}")
    if geometry is None:
        raise ZoneFileError(f"feature {i + 1} ({name}): no geometry")
    kind = props.get("kind", "custom")
    zid = str(props.get("id") or slug(name))
    params = {k: v for k, v in props.items() if k not in ("id", "name", "kind", "owner")}
    try:
        return make_zone(
            zid, name, str(kind), geometry, params, props.get("owner") or default_owner
        )
    except (ValueError, TypeError) as exc:
        raise ZoneFileError(f"feature {i + 1} ({name}): {exc}") from None


def read_geojson(data: bytes | str, owner: str | None = None) -> list[Zone]:
    """Zones of a GeoJSON FeatureCollection (or a single Feature)."""
    try:
        doc = json.loads(data)
    except ValueError as exc:
        raise ZoneFileError(f"not JSON: {exc}") from None
    features = doc.get("features") if doc.get("type") == "FeatureCollection" else [doc]
    if not isinstance(features, list):
        raise ZoneFileError("not a GeoJSON FeatureCollection")
    return [
        _zone(i, f.get("geometry"), dict(f.get("properties") or {}), owner)
        for i, f in enumerate(features)
    ]


def write_geojson(zones: list[Zone]) -> str:
    """Zones as a GeoJSON FeatureCollection (circles as Points with ``radius_m``)."""
    features = []
    for z in zones:
        props: dict[str, Any] = {"id": z.id, "name": z.name, "kind": z.kind.value}
        if z.owner:
            props["owner"] = z.owner
        props.update(z.params.model_dump(exclude_defaults=True, by_alias=True))
        geometry = z.source_geometry or mapping(z.geometry)
        features.append({"type": "Feature", "geometry": geometry, "properties": props})
    return json.dumps(
        {"type": "FeatureCollection", "features": features}, ensure_ascii=False, indent=1
    )


def _coords(text: str | None) -> list[list[float]]:
    out = []
    for tup in (text or "").split():
        parts = tup.split(",")
        out.append([float(parts[0]), float(parts[1])])
    return out


def _kml_geometry(pm: ET.Element) -> dict[str, Any] | None:
    ns = {"k": KML_NS}
    poly = pm.find(".//k:Polygon", ns)
    if poly is not None:
        outer = _coords(poly.findtext("k:outerBoundaryIs/k:LinearRing/k:coordinates", None, ns))
        holes = [
            _coords(r.text)
            for r in poly.findall("k:innerBoundaryIs/k:LinearRing/k:coordinates", ns)
        ]
        return {"type": "Polygon", "coordinates": [outer, *holes]}
    line = pm.find(".//k:LineString/k:coordinates", ns)
    if line is not None:
        return {"type": "LineString", "coordinates": _coords(line.text)}
    point = pm.find(".//k:Point/k:coordinates", ns)
    if point is not None:
        return {"type": "Point", "coordinates": _coords(point.text)[0]}
    return None


def _value(text: str | None) -> Any:
    if text is None:
        return None
    t = text.strip()
    try:
        return json.loads(t)
    except ValueError:
        return t


def read_kml(data: bytes | str, owner: str | None = None) -> list[Zone]:
    """Zones of a KML document's Placemarks."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise ZoneFileError(f"not KML: {exc}") from None
    ns = {"k": KML_NS}
    zones = []
    for i, pm in enumerate(root.iter(f"{{{KML_NS}}}Placemark")):
        props: dict[str, Any] = {"name": pm.findtext("k:name", None, ns)}
        for d in pm.findall("k:ExtendedData/k:Data", ns):
            props[d.get("name", "")] = _value(d.findtext("k:value", None, ns))
        zones.append(_zone(i, _kml_geometry(pm), props, owner))
    return zones


def write_kml(zones: list[Zone]) -> str:
    """Zones as a KML document."""
    ET.register_namespace("", KML_NS)
    kml = ET.Element(f"{{{KML_NS}}}kml")
    doc = ET.SubElement(kml, f"{{{KML_NS}}}Document")
    for z in zones:
        pm = ET.SubElement(doc, f"{{{KML_NS}}}Placemark")
        ET.SubElement(pm, f"{{{KML_NS}}}name").text = z.name
        ext = ET.SubElement(pm, f"{{{KML_NS}}}ExtendedData")
        props: dict[str, Any] = {"id": z.id, "kind": z.kind.value}
        if z.owner:
            props["owner"] = z.owner
        props.update(z.params.model_dump(exclude_defaults=True, by_alias=True))
        for k, v in props.items():
            d = ET.SubElement(ext, f"{{{KML_NS}}}Data", name=k)
            ET.SubElement(d, f"{{{KML_NS}}}value").text = (
                v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)
            )
        geom = shapely.geometry.shape(z.source_geometry) if z.source_geometry else z.geometry

        def text(coords: Any) -> str:
            return " ".join(f"{x},{y}" for x, y, *_ in coords)

        if geom.geom_type == "Polygon":
            p = ET.SubElement(pm, f"{{{KML_NS}}}Polygon")
            ob = ET.SubElement(
                ET.SubElement(p, f"{{{KML_NS}}}outerBoundaryIs"), f"{{{KML_NS}}}LinearRing"
            )
            ET.SubElement(ob, f"{{{KML_NS}}}coordinates").text = text(geom.exterior.coords)
            for hole in geom.interiors:
                ib = ET.SubElement(
                    ET.SubElement(p, f"{{{KML_NS}}}innerBoundaryIs"), f"{{{KML_NS}}}LinearRing"
                )
                ET.SubElement(ib, f"{{{KML_NS}}}coordinates").text = text(hole.coords)
        elif geom.geom_type == "LineString":
            ET.SubElement(
                ET.SubElement(pm, f"{{{KML_NS}}}LineString"), f"{{{KML_NS}}}coordinates"
            ).text = text(geom.coords)
        elif geom.geom_type == "Point":
            ET.SubElement(
                ET.SubElement(pm, f"{{{KML_NS}}}Point"), f"{{{KML_NS}}}coordinates"
            ).text = text(geom.coords)
        else:
            raise ZoneFileError(f"zone {z.name}: {geom.geom_type} cannot be written to KML")
    return ET.tostring(kml, encoding="unicode", xml_declaration=True)


def read_zones(path: Path, owner: str | None = None) -> list[Zone]:
    """Zones from a ``.geojson``/``.json`` or ``.kml`` file."""
    data = path.read_bytes()
    if path.suffix.lower() == ".kml":
        return read_kml(data, owner)
    return read_geojson(data, owner)
