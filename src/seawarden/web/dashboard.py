"""Dashboard figures: vessels by type, alerts by state, kind and zone, ingest counters."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import numpy as np
from fastapi import Request

from seawarden.security.actor import Actor
from seawarden.supervision.alerts import AlertStore
from seawarden.supervision.vessels import VesselClass, classify
from seawarden.supervision.zonestore import load_zones
from seawarden.tracks.query import TrackQuery
from seawarden.web.deps import state
from seawarden.web.jurisdiction import visible_rows
from seawarden.web.picture import latest_table
from seawarden.web.scope import alert_visible, roots


def figures(request: Request, who: Actor) -> dict[str, Any]:
    """Counts for the dashboard page."""
    st = state(request)
    out: dict[str, Any] = {
        "vessels_by_type": {},
        "vessels": 0,
        "alerts_by_state": {},
        "alerts_by_kind": {},
        "alerts_by_zone": {},
        "ingest": {},
    }
    if (st.data_dir / "state" / "commit.json").exists():
        q = TrackQuery.current(st.data_dir)
        latest = visible_rows(request, who, latest_table(request, q))
        out["vessels"] = latest.num_rows
        path = st.data_dir / "vessels.parquet"
        types: dict[int, int] = {}
        if path.exists():
            import pyarrow.parquet as pq

            t = pq.read_table(path, columns=["mmsi", "shiptype"]).to_pylist()
            types = {r["mmsi"]: int(r["shiptype"]) for r in t if r["shiptype"] is not None}
        mmsi = (
            [m if m is not None else -1 for m in latest.column("mmsi").to_pylist()]
            if latest.num_rows
            else []
        )
        src = np.array(
            latest.column("source").to_pylist() if latest.num_rows else [], dtype=np.int64
        )
        cls = classify(np.array([types.get(m, -1) for m in mmsi], dtype=np.int64), src == 5)
        names: Counter[str] = Counter()
        for c in cls.tolist():
            flag = VesselClass(int(c) & ~int(VesselClass.DG))
            names[(flag.name or "other").lower()] += 1
        out["vessels_by_type"] = dict(names)
        commit = json.loads((st.data_dir / "state" / "commit.json").read_text())
        pos = commit.get("stats", {}).get("positions", {})
        out["ingest"] = {
            "positions_stored": pos.get("outcomes", {}).get("stored"),
            "received": pos.get("received"),
            "commit": commit.get("seq"),
            "outcomes": pos.get("outcomes", {}),
        }
    zones = {z.id: z for z in load_zones(st.engine)}
    top = roots(st.engine)
    alerts = [
        a
        for a in AlertStore(st.engine, zones).find(limit=10_000)
        if alert_visible(who, a["unit"], top)
    ]
    out["alerts_by_state"] = dict(Counter(a["state"] for a in alerts))
    out["alerts_by_kind"] = dict(Counter(a["kind"] for a in alerts))
    out["alerts_by_zone"] = dict(Counter(a["zone"] for a in alerts if a["zone"]))
    return out
