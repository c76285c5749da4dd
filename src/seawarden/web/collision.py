"""Collision pairs for the web API (limited to the caller's jurisdiction)."""

from __future__ import annotations

from typing import Any

from fastapi import Request

from seawarden.collision.picture import risky
from seawarden.security.actor import Actor
from seawarden.supervision.zonestore import load_zones
from seawarden.tracks.query import TrackQuery
from seawarden.web.deps import state
from seawarden.web.jurisdiction import cells_of, grid


def risky_pairs(
    request: Request, who: Actor, at_ms: int, dcpa_nm: float, tcpa_min: float
) -> list[dict[str, Any]]:
    """Risky pairs at a moment where at least one vessel is in the caller's jurisdiction."""
    import h3

    st = state(request)
    pairs = risky(TrackQuery.open(st.data_dir), at_ms, load_zones(st.engine), dcpa_nm, tcpa_min)
    layer = grid(request) if who.visible is not None else None
    if layer is None:
        return pairs
    allowed = cells_of(layer, who)
    res = layer.resolution
    return [
        p
        for p in pairs
        if h3.latlng_to_cell(p["lat_a"], p["lon_a"], res) in allowed
        or h3.latlng_to_cell(p["lat_b"], p["lon_b"], res) in allowed
    ]
