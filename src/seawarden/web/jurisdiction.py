"""Which vessels a caller may see: the grid cells of the units in its organisation subtree.

With a supervision grid imported (``seawarden grid import``), a user sees vessels whose
position lies in a cell of a unit it may see; a user whose organisations hold no cells sees
none. Without a grid, the picture is not divided and every supervisor sees all of it.
"""

from __future__ import annotations

import time

import h3
import numpy as np
import pyarrow as pa
from fastapi import Request

from seawarden.geo.grid import GridLayer
from seawarden.security.actor import Actor
from seawarden.supervision.zonestore import load_grid
from seawarden.web.deps import state

REFRESH_S = 60.0


def grid_due(request: Request) -> bool:
    """Whether :func:`grid` would re-read the grid (never read, or read over a minute ago)."""
    cached = state(request).extras.get("grid")
    return cached is None or time.monotonic() - cached[0] > REFRESH_S


def grid(request: Request) -> GridLayer | None:
    """The supervision grid (re-read at most once a minute)."""
    st = state(request)
    if grid_due(request):
        st.extras["grid"] = (time.monotonic(), load_grid(st.engine))
    layer: GridLayer | None = st.extras["grid"][1]
    return layer


def cells_of(layer: GridLayer, who: Actor) -> frozenset[str]:
    """Cells of the units the actor may see."""
    return frozenset(c for c, unit in layer.cells.items() if who.can_see(unit))


def visible_rows(request: Request, who: Actor, table: pa.Table) -> pa.Table:
    """Rows of a positions table inside the actor's jurisdiction."""
    if who.visible is None or table.num_rows == 0:
        return table
    layer = grid(request)
    if layer is None:
        return table
    allowed = cells_of(layer, who)
    lat = table.column("lat").to_pylist()
    lon = table.column("lon").to_pylist()
    keep = np.fromiter(
        (
            h3.latlng_to_cell(a, o, layer.resolution) in allowed
            for a, o in zip(lat, lon, strict=True)
        ),
        dtype=np.bool_,
        count=len(lat),
    )
    return table.filter(pa.array(keep))
