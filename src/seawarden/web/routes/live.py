"""``GET /api/live``: the moving picture and new alerts as server-sent events."""

from __future__ import annotations

from typing import Any

import h3
from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import StreamingResponse

from seawarden.security.actor import Actor
from seawarden.web.deps import ERRORS, actor, state
from seawarden.web.jurisdiction import cells_of, grid
from seawarden.web.live import LiveHub, stream
from seawarden.web.scope import alert_visible, roots

router = APIRouter(prefix="/api", tags=["live"], responses=ERRORS)


@router.get("/live")
def live(
    request: Request,
    max_seconds: float | None = Query(None, gt=0, le=86_400),
    who: Actor = Depends(actor),
) -> StreamingResponse:
    """Server-sent events: ``vessels`` and ``alert``.

    Vessel rows: key, mmsi, lat, lon, sog, cog, heading, time ms, source, class bits, name;
    ``full`` marks the whole picture (sent first, and to a client that fell behind).
    """
    hub: LiveHub | None = state(request).extras.get("hub")
    if hub is None:
        raise HTTPException(503, "live picture not running")
    allowed = None
    scope: Any = None
    if who.visible is not None:
        layer = grid(request)
        top = roots(state(request).engine)
        cells = cells_of(layer, who) if layer is not None else None
        res = layer.resolution if layer is not None else 0

        def allowed(item: Any) -> bool:
            if isinstance(item, dict):
                return alert_visible(who, item.get("unit"), top)
            return cells is None or h3.latlng_to_cell(item[2], item[3], res) in cells

        scope = (who.visible, id(layer))

    return StreamingResponse(
        stream(hub, allowed, max_seconds, scope),
        media_type="text/event-stream",
        headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
    )
