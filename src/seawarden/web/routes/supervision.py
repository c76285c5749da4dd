"""Alerts (list, history, acknowledge/close/reopen) and zones (list, create, edit, delete)."""

from __future__ import annotations

import json
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from pydantic import BaseModel, Field

from seawarden.db import spatial
from seawarden.geo.formats import ZoneFileError, read_geojson, write_geojson
from seawarden.security.actor import Actor
from seawarden.supervision.alerts import AlertError, AlertStore
from seawarden.supervision.zonestore import delete_zone, load_zones, save_zones
from seawarden.tracks.query import to_ms
from seawarden.web.deps import ERRORS, actor, bbox, page_size, state
from seawarden.web.scope import alert_visible, roots, zone_visible

router = APIRouter(prefix="/api", tags=["supervision"], responses=ERRORS)


class StateChange(BaseModel):
    """An alert state change with a comment."""

    state: Literal["acknowledged", "closed", "open"]
    comment: str | None = Field(None, max_length=2000)


class ZoneIn(BaseModel):
    """A zone as a GeoJSON Feature (properties: name, kind, owner, rule parameters)."""

    type: Literal["Feature"] = "Feature"
    geometry: dict[str, Any]
    properties: dict[str, Any] = Field(default_factory=dict)


def _store(request: Request) -> AlertStore:
    st = state(request)
    return AlertStore(st.engine, {z.id: z for z in load_zones(st.engine)})


def _alert(request: Request, who: Actor, alert_id: int) -> dict[str, Any]:
    found = [a for a in _store(request).find(limit=100_000) if a["id"] == alert_id]
    if not found or not alert_visible(who, found[0]["unit"], roots(state(request).engine)):
        raise HTTPException(404, "no such alert")
    return found[0]


@router.get("/alerts")
def alerts(
    request: Request,
    state_: str | None = Query(None, alias="state", pattern="^(open|acknowledged|closed)$"),
    kind: str | None = Query(None, max_length=32),
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    page: int = Query(1, ge=1, le=100_000),
    page_size_: int | None = Query(None, alias="page_size"),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Alerts in the caller's scope, newest first, paged."""
    n = page_size(page_size_, 100)
    try:
        t0 = to_ms(start) if start else None
        t1 = to_ms(end) if end else None
    except ValueError:
        raise HTTPException(400, "from/to: not a time") from None
    top = roots(state(request).engine)
    rows = [
        a
        for a in _store(request).find(state_, kind, t0, t1, limit=100_000)
        if alert_visible(who, a["unit"], top)
    ]
    return {"total": len(rows), "page": page, "alerts": rows[(page - 1) * n : page * n]}


@router.get("/alerts/{alert_id}/history")
def history(alert_id: int, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Every change of an alert."""
    _alert(request, who, alert_id)
    return {"history": _store(request).history(alert_id)}


@router.post("/alerts/{alert_id}/state")
def change_state(
    alert_id: int, body: StateChange, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Acknowledge, close or reopen an alert."""
    a = _alert(request, who, alert_id)
    try:
        return _store(request).transition(alert_id, body.state, who, body.comment, a["unit"])
    except AlertError as exc:
        raise HTTPException(409, str(exc)) from None


@router.get("/zones")
def zones(
    request: Request,
    bbox_: str | None = Query(
        None, alias="bbox", description="min_lon,min_lat,max_lon,max_lat: only zones meeting it"
    ),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Zones in the caller's scope as a GeoJSON FeatureCollection (optionally within a box)."""
    box = bbox(bbox_)
    engine = state(request).engine
    visible = [z for z in load_zones(engine) if zone_visible(who, z.owner)]
    if box is not None:
        hits = spatial.zone_ids_in_bbox(engine, box)
        if hits is None:
            hits = spatial.zones_in_bbox_shapely({z.id: z.geometry for z in visible}, box)
        visible = [z for z in visible if z.id in hits]
    return json.loads(write_geojson(visible))  # type: ignore[no-any-return]


def _save(request: Request, who: Actor, body: ZoneIn, zone_id: str | None) -> dict[str, Any]:
    props = dict(body.properties)
    if zone_id is not None:
        props["id"] = zone_id
    if who.visible is not None:
        props.setdefault("owner", who.organisation)
    if props.get("owner"):
        who.check_scope(props["owner"])
    try:
        (zone,) = read_geojson(
            json.dumps(
                {
                    "type": "FeatureCollection",
                    "features": [body.model_dump() | {"properties": props}],
                }
            )
        )
    except ZoneFileError as exc:
        raise HTTPException(400, str(exc)) from None
    if zone.owner is None and who.visible is not None:
        raise HTTPException(403, "a zone must belong to one of your organisations")
    existing = {z.id: z for z in load_zones(state(request).engine)}
    if zone_id is None and zone.id in existing:
        raise HTTPException(409, f"zone {zone.id} exists")
    if zone_id is not None:
        old = existing.get(zone_id)
        if old is None or not zone_visible(who, old.owner):
            raise HTTPException(404, "no such zone")
    save_zones(state(request).engine, [zone], who)
    return json.loads(write_geojson([zone]))["features"][0]  # type: ignore[no-any-return]


@router.post("/zones", status_code=201)
def create_zone(body: ZoneIn, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Draw a new zone."""
    return _save(request, who, body, None)


@router.put("/zones/{zone_id}")
def update_zone(
    zone_id: str, body: ZoneIn, request: Request, who: Actor = Depends(actor)
) -> dict[str, Any]:
    """Edit a zone (geometry, kind, parameters)."""
    return _save(request, who, body, zone_id)


@router.delete("/zones/{zone_id}")
def remove_zone(zone_id: str, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Delete a zone."""
    existing = {z.id: z for z in load_zones(state(request).engine)}
    z = existing.get(zone_id)
    if z is None or not zone_visible(who, z.owner) or (z.owner is None and who.visible is not None):
        raise HTTPException(404, "no such zone")
    delete_zone(state(request).engine, zone_id, who)
    return {"ok": True}
