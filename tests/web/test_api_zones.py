"""Zones over the API: the box filter (PostGIS on PostgreSQL) and before/after in the audit."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from seawarden.db import audit as trail
from seawarden.db import spatial

from .conftest import login


def _square(lon: float, lat: float, d: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_zones_in_a_box_and_audited_edits(client: Any, platform: dict[str, Any]) -> None:
    csrf = login(client, "prov_sup", platform)
    headers = {"x-csrf-token": csrf}
    body = {
        "type": "Feature",
        "geometry": _square(125.0, 33.0, 0.1),
        "properties": {"id": "far-box", "name": "远区 <b>", "kind": "anchorage"},
    }
    r = client.post("/api/zones", json=body, headers=headers)
    assert r.status_code == 201, r.text
    everything = {f["properties"]["id"] for f in client.get("/api/zones").json()["features"]}
    assert "far-box" in everything and len(everything) > 1
    inside = client.get("/api/zones", params={"bbox": "125.05,33.05,125.2,33.2"})
    assert inside.status_code == 200
    assert {f["properties"]["id"] for f in inside.json()["features"]} == {"far-box"}
    assert client.get("/api/zones", params={"bbox": "126,34,126.5,34.5"}).json()["features"] == []
    assert client.get("/api/zones", params={"bbox": "1,2,3"}).status_code == 400
    assert client.get("/api/zones", params={"bbox": "0,0,170,80"}).status_code == 400
    if platform["kind"] == "postgresql":  # PostGIS answers the box query where installed
        with platform["engine"].connect() as conn:
            available = conn.execute(
                text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
            ).first()
        assert (spatial.in_use(platform["engine"]) is not None) == (available is not None)

    body["geometry"] = _square(126.0, 34.0, 0.1)
    assert client.put("/api/zones/far-box", json=body, headers=headers).status_code == 200
    moved = client.get("/api/zones", params={"bbox": "126,34,126.5,34.5"}).json()["features"]
    assert [f["properties"]["id"] for f in moved] == ["far-box"]
    assert client.delete("/api/zones/far-box", headers=headers).status_code in (200, 204)
    rows = trail.search(platform["engine"], entity="zone", entity_id="far-box")
    actions = [r["action"] for r in rows]
    assert {"zone.create", "zone.update", "zone.delete"} <= set(actions)
    update = next(r for r in rows if r["action"] == "zone.update")
    assert update["detail"]["geometry_changed"] is True
    assert update["detail"]["before"]["name"] == "远区 <b>"
    delete = next(r for r in rows if r["action"] == "zone.delete")
    assert delete["detail"]["before"]["geometry"]["coordinates"][0][0] == [126.0, 34.0]
    assert all(r["actor"] == "prov_sup" and r["organisation"] == "ZJ" for r in rows)
