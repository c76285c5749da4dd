"""Which zones each position is in, and which lines each move crosses (bulk).

Memberships: a regular grid over the zones' outer bounding boxes gives each position its
candidate zones (numpy, no geometry objects), and ``shapely.intersects_xy`` on the prepared
geometries decides. Line crossings go through an STRtree of the lines.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely

from seawarden.geo.zones import Zone

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

GRID_CELL_DEG = 0.05
"""Size of the membership grid's cells (degrees), unless the zones spread wider."""
MAX_GRID_CELLS = 4_000_000
"""Largest number of membership grid cells (the cells grow to stay below it)."""


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
        self._grid()

    def _grid(self) -> None:
        """Cells of ``self.cell`` degrees listing the zones whose outer box meets them."""
        b = shapely.bounds(self.outer).reshape(-1, 4) if len(self.outer) else np.zeros((0, 4))
        self.boxes = b
        if not len(b):
            self.cell, self.nx, self.ny = 1.0, 0, 0
            self.cell_zone = self.cell_ptr = np.zeros(1, dtype=np.int64)
            return
        x0, y0, x1, y1 = self.bounds
        # about 0.05° cells, coarser when the zones are spread wide (at most ~4M cells)
        self.cell = max(GRID_CELL_DEG, float(np.sqrt((x1 - x0) * (y1 - y0) / MAX_GRID_CELLS)))
        self.nx = int((x1 - x0) // self.cell) + 1
        self.ny = int((y1 - y0) // self.cell) + 1
        zones, cells = [], []
        for k, (a, c, d, e) in enumerate(b):
            ix = np.arange(int((a - x0) // self.cell), int((d - x0) // self.cell) + 1)
            iy = np.arange(int((c - y0) // self.cell), int((e - y0) // self.cell) + 1)
            g = (iy[:, None] * self.nx + ix[None, :]).ravel()
            zones.append(np.full(g.size, k, dtype=np.int64))
            cells.append(g)
        zone, cell = np.concatenate(zones), np.concatenate(cells)
        order = np.argsort(cell, kind="stable")
        self.cell_zone = zone[order]
        self.cell_ptr = np.searchsorted(cell[order], np.arange(self.nx * self.ny + 1))

    def memberships(self, lat: F64, lon: F64) -> tuple[I64, I64, npt.NDArray[np.bool_]]:
        """Zones each position is in: (row, zone index, inside the inner geometry).

        Every position within a zone's outer geometry is listed (area zones only).
        """
        empty = np.zeros(0, dtype=np.int64)
        if not len(self.outer) or lat.size == 0:
            return empty, empty, np.zeros(0, dtype=np.bool_)
        x0, y0 = float(self.bounds[0]), float(self.bounds[1])
        with np.errstate(invalid="ignore"):
            ix = np.floor((lon - x0) / self.cell)
            iy = np.floor((lat - y0) / self.cell)
            ok = (ix >= 0) & (ix < self.nx) & (iy >= 0) & (iy < self.ny)
        c = np.where(ok, iy * self.nx + ix, 0).astype(np.int64)
        count = np.where(ok, self.cell_ptr[c + 1] - self.cell_ptr[c], 0)
        rows = np.repeat(np.arange(lat.size, dtype=np.int64), count)
        if rows.size == 0:
            return empty, empty, np.zeros(0, dtype=np.bool_)
        first = np.repeat(self.cell_ptr[c] - np.cumsum(count) + count, count)
        k = self.cell_zone[first + np.arange(rows.size)]
        x, y = lon[rows], lat[rows]
        box = self.boxes[k]
        inside = (x >= box[:, 0]) & (x <= box[:, 2]) & (y >= box[:, 1]) & (y <= box[:, 3])
        rows, k, x, y = rows[inside], k[inside], x[inside], y[inside]
        hit = shapely.intersects_xy(self.outer[k], x, y)
        rows, k, x, y = rows[hit], k[hit], x[hit], y[hit]
        inner = shapely.intersects_xy(self.inner[k], x, y)
        return rows, self.area[k], np.asarray(inner, dtype=np.bool_)

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
