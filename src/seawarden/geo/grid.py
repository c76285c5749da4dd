"""Grid supervision (监管网格化): H3 cells assigned to responsible units.

Each unit (a maritime safety office, a VTS sector, a fishery station) is given an area;
the area is covered with H3 cells at one resolution, and every cell belongs to one unit.
An alert is assigned to the unit of the cell where it happened, unless its zone has an
owner. Where unit areas overlap, the unit listed first keeps the cell.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import h3

DEFAULT_RESOLUTION = 6
"""H3 resolution 6: cells of about 36 km², edges about 3.7 km."""


@dataclass
class GridLayer:
    """Which unit is responsible for each cell."""

    resolution: int = DEFAULT_RESOLUTION
    cells: dict[str, str] = field(default_factory=dict)

    def add_area(self, unit: str, geometry: dict[str, Any]) -> int:
        """Assign the cells whose centres lie in a GeoJSON (Multi)Polygon; returns how many new."""
        new = 0
        for cell in h3.geo_to_cells(geometry, self.resolution):
            if cell not in self.cells:
                self.cells[cell] = unit
                new += 1
        return new

    def unit_at(self, lat: float, lon: float) -> str | None:
        """The unit responsible for a position (``None`` outside every unit's area)."""
        return self.cells.get(h3.latlng_to_cell(lat, lon, self.resolution))

    def cell_at(self, lat: float, lon: float) -> str:
        """The cell of a position."""
        return str(h3.latlng_to_cell(lat, lon, self.resolution))

    def units(self) -> dict[str, int]:
        """Cells per unit."""
        out: dict[str, int] = {}
        for unit in self.cells.values():
            out[unit] = out.get(unit, 0) + 1
        return out

    def to_geojson(self) -> str:
        """Each unit's cells as one MultiPolygon feature."""
        by_unit: dict[str, list[str]] = {}
        for cell, unit in self.cells.items():
            by_unit.setdefault(unit, []).append(cell)
        features = [
            {
                "type": "Feature",
                "properties": {"unit": unit, "cells": len(cells)},
                "geometry": h3.cells_to_geo(cells),
            }
            for unit, cells in sorted(by_unit.items())
        ]
        return json.dumps({"type": "FeatureCollection", "features": features})


def grid_from_geojson(data: bytes | str, resolution: int = DEFAULT_RESOLUTION) -> GridLayer:
    """A grid layer from a FeatureCollection of unit areas (property ``unit``)."""
    doc = json.loads(data)
    layer = GridLayer(resolution)
    for i, f in enumerate(doc.get("features", [])):
        unit = (f.get("properties") or {}).get("unit")
        if not unit:
            raise ValueError(f"feature {i + 1}: no 'unit' property")
        layer.add_area(str(unit), f["geometry"])
    return layer
