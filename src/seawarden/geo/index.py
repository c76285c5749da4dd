"""Which zones each position is in, and which lines each move crosses (bulk, through STRtree)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely

from seawarden.geo.zones import Zone

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


class ZoneIndex:
    """Spatial index over a set of zones (positions in, memberships out)."""

    def __init__(self, zones: list[Zone]) -> None:
        self.zones = zones
        self.area = np.array([i for i, z in enumerate(zones) if not z.is_line], dtype=np.int64)
        self.lines = np.array([i for i, z in enumerate(zones) if z.is_line], dtype=np.int64)
        margins = [zones[i].margins() for i in self.area.tolist()]
        self.inner = np.array([m[0] for m in margins], dtype=object)
        self.outer = np.array([m[1] for m in margins], dtype=object)
        for g in (*self.inner, *self.outer):
            shapely.prepare(g)
        self.tree = shapely.STRtree(self.outer) if len(self.outer) else None
        self.line_geoms = np.array([zones[i].geometry for i in self.lines.tolist()], dtype=object)
        self.line_tree = shapely.STRtree(self.line_geoms) if len(self.line_geoms) else None
        self.bounds = (
            shapely.total_bounds(self.outer) if len(self.outer) else np.array([np.nan] * 4)
        )
        self.line_bounds = (
            shapely.total_bounds(self.line_geoms)
            if len(self.line_geoms)
            else np.array([np.nan] * 4)
        )

    def memberships(self, lat: F64, lon: F64) -> tuple[I64, I64, npt.NDArray[np.bool_]]:
        """Zones each position is in: (row, zone index, inside the inner geometry).

        Every position within a zone's outer geometry is listed (area zones only).
        """
        empty = np.zeros(0, dtype=np.int64)
        if self.tree is None or lat.size == 0:
            return empty, empty, np.zeros(0, dtype=np.bool_)
        minx, miny, maxx, maxy = self.bounds
        near = np.flatnonzero((lon >= minx) & (lon <= maxx) & (lat >= miny) & (lat <= maxy))
        if near.size == 0:
            return empty, empty, np.zeros(0, dtype=np.bool_)
        points = shapely.points(lon[near], lat[near])
        rows, k = self.tree.query(points, predicate="intersects")
        inner = shapely.intersects(self.inner[k], points[rows])
        return near[rows].astype(np.int64), self.area[k], np.asarray(inner, dtype=np.bool_)

    def crossings(self, lat0: F64, lon0: F64, lat1: F64, lon1: F64) -> tuple[I64, I64]:
        """(move, zone index) for every move (from point 0 to point 1) crossing a line zone."""
        empty = np.zeros(0, dtype=np.int64)
        if self.line_tree is None or lat0.size == 0:
            return empty, empty
        minx, miny, maxx, maxy = self.line_bounds
        lo_x, hi_x = np.minimum(lon0, lon1), np.maximum(lon0, lon1)
        lo_y, hi_y = np.minimum(lat0, lat1), np.maximum(lat0, lat1)
        near = np.flatnonzero(
            (hi_x >= minx)
            & (lo_x <= maxx)
            & (hi_y >= miny)
            & (lo_y <= maxy)
            & (np.abs(lon1 - lon0) < 180)
        )
        if near.size == 0:
            return empty, empty
        coords = np.stack(
            [np.column_stack([lon0[near], lat0[near]]), np.column_stack([lon1[near], lat1[near]])],
            axis=1,
        )
        moves = shapely.linestrings(coords)
        rows, k = self.line_tree.query(moves, predicate="intersects")
        return near[rows].astype(np.int64), self.lines[k]

    def crossing_fraction(
        self, move_lat: tuple[float, float], move_lon: tuple[float, float], zone: int
    ) -> float:
        """Where along a move it crosses a line zone (0 = start, 1 = end)."""
        move = shapely.LineString([(move_lon[0], move_lat[0]), (move_lon[1], move_lat[1])])
        hit = shapely.intersection(move, self.zones[zone].geometry)
        if hit.is_empty or move.length == 0:
            return 0.0
        first = shapely.get_coordinates(hit)[0]
        return float(move.project(shapely.Point(first)) / move.length)
