"""The vessel picture: latest positions, tracks, replay, search, particulars, collisions.

Everything is limited to the caller's jurisdiction.
"""

from __future__ import annotations

from collections import OrderedDict
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.parquet as pq
from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from seawarden.security.actor import Actor
from seawarden.tracks.json_rows import positions_json
from seawarden.tracks.output import records
from seawarden.tracks.query import QueryError, TrackQuery, to_ms
from seawarden.web.deps import ERRORS, actor, bbox, page_size, state, time_range
from seawarden.web.jurisdiction import grid, grid_due, visible_rows
from seawarden.web.picture import latest_table
from seawarden.web.query_pool import QueryPool, TrackRequest

router = APIRouter(prefix="/api", tags=["vessels"], responses=ERRORS)

LATEST_ANSWERS = 32
"""Encoded latest-picture answers kept per (file version, scope, box, limit): the picture
changes only when an ingest commit replaces ``latest.parquet``, so callers of one scope share
one answer until then."""


def _query(request: Request) -> TrackQuery:
    st = state(request)
    if not (st.data_dir / "state" / "commit.json").exists():
        raise HTTPException(503, "no positions stored yet")
    return TrackQuery.current(st.data_dir)


def _in_box(table: pa.Table, box: tuple[float, float, float, float] | None) -> pa.Table:
    if box is None or table.num_rows == 0:
        return table
    x0, y0, x1, y1 = box
    lon = table.column("lon").to_numpy()
    lat = table.column("lat").to_numpy()
    inside = (
        (lat >= y0)
        & (lat <= y1)
        & (((lon >= x0) & (lon <= x1)) if x0 <= x1 else ((lon >= x0) | (lon <= x1)))
    )
    return table.filter(pa.array(inside))


def _time(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    try:
        return to_ms(value)
    except ValueError:
        raise HTTPException(400, f"{name}: not a time (ISO 8601)") from None


@router.get("/vessels/latest", response_class=JSONResponse)
def latest(
    request: Request,
    bbox_: str | None = Query(None, alias="bbox"),
    limit: int | None = None,
    who: Actor = Depends(actor),
) -> Response:
    """Latest position of every vessel (in the caller's jurisdiction)."""
    n = page_size(limit, 10_000)
    box = bbox(bbox_)
    query = _query(request)
    grid(request)  # the jurisdiction grid in force (re-read at most once a minute)
    cache: OrderedDict[Any, bytes] = state(request).extras.setdefault(
        "latest_answers", OrderedDict()
    )
    key = (*_picture_version(request, who), box, n)
    if (hit := cache.get(key)) is None:
        table = visible_rows(request, who, _in_box(latest_table(request, query), box))
        hit = b'{"count":%d,"vessels":%b}' % (
            min(table.num_rows, n),
            positions_json(table.slice(0, n)),
        )
        cache[key] = hit
        while len(cache) > LATEST_ANSWERS:
            cache.popitem(last=False)
    return Response(hit, media_type="application/json")


@router.get("/vessels/search")
def search(
    request: Request,
    q: str = Query(min_length=1, max_length=64),
    limit: int | None = None,
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Vessels by MMSI, IMO, name, call sign, fishing number or terminal."""
    rows = _query(request).search(q, page_size(limit, 20)).to_pylist()
    return {"vessels": rows}


def _vessel_key(vessel: str) -> int | str:
    return int(vessel) if vessel.isascii() and vessel.isdigit() else vessel


def _latest_visible(request: Request, who: Actor, vessel: str) -> pa.Table:
    """The vessel's latest position, if it lies in the caller's jurisdiction (404 if not)."""
    key = _vessel_key(vessel)
    latest_rows = latest_table(request, _query(request))
    if isinstance(key, int):
        mask = np.asarray(
            latest_rows.column("mmsi").to_numpy(zero_copy_only=False) == key
        ) | np.asarray(latest_rows.column("vessel_key").to_numpy() == key)
    else:
        mask = np.asarray([t == key for t in latest_rows.column("terminal").to_pylist()])
    latest_rows = visible_rows(request, who, latest_rows.filter(pa.array(mask)))
    if latest_rows.num_rows == 0:
        raise HTTPException(404, "no such vessel in your jurisdiction")
    return latest_rows


VISIBLE_KEY_SETS = 32
"""Sets of visible vessel keys kept per (latest-table version, grid, scope)."""


def _picture_version(request: Request, who: Actor) -> tuple[Any, ...]:
    """What an answer drawn from the latest picture depends on.

    That is the version of ``latest.parquet``, the jurisdiction grid loaded and the scope.
    """
    st = state(request)
    try:
        latest_version = (st.data_dir / "latest.parquet").stat().st_mtime_ns
    except OSError:
        latest_version = 0
    return (latest_version, st.extras.get("grid", (None,))[0], who.visible)


def _visible_key_sets(request: Request) -> OrderedDict[Any, frozenset[int | str]]:
    cache: OrderedDict[Any, frozenset[int | str]] = state(request).extras.setdefault(
        "visible_keys", OrderedDict()
    )
    return cache


def _cached_visible_keys(request: Request, who: Actor) -> frozenset[int | str] | None:
    """The visible vessel keys if already worked out for this version and scope."""
    if grid_due(request):
        return None  # the grid is to be re-read first
    return _visible_key_sets(request).get(_picture_version(request, who))


def _visible_keys(request: Request, who: Actor) -> frozenset[int | str]:
    """Keys (vessel key, MMSI, terminal) of the vessels the caller may see.

    A vessel is visible when its latest position lies in the caller's jurisdiction; the
    set is worked out once per version of the latest table, grid and scope.
    """
    grid(request)  # the grid in force (re-read at most once a minute)
    version = _picture_version(request, who)
    cache = _visible_key_sets(request)
    found = cache.get(version)
    if found is None:
        rows = visible_rows(request, who, latest_table(request, _query(request)))
        keys: set[int | str] = set(rows.column("vessel_key").to_pylist())
        keys.update(m for m in rows.column("mmsi").to_pylist() if m is not None)
        keys.update(t for t in rows.column("terminal").to_pylist() if t is not None)
        found = frozenset(keys)
        cache[version] = found
        while len(cache) > VISIBLE_KEY_SETS:
            cache.popitem(last=False)
    return found


@router.get("/vessels/{vessel}")
def particulars(vessel: str, request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """A vessel's particulars, change history and latest position."""
    st = state(request)
    latest_rows = _latest_visible(request, who, vessel)
    out: dict[str, Any] = {"latest": list(records(latest_rows))}
    mmsi = out["latest"][0].get("mmsi")
    path = st.data_dir / "vessels.parquet"
    if mmsi is not None and path.exists():
        t = pq.read_table(path, filters=[("mmsi", "=", mmsi)]).to_pylist()
        rec = t[0] if t else None
        if rec is not None:
            out["particulars"] = {
                k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in rec.items()
            }
    hist = st.data_dir / "history"
    if mmsi is not None and hist.exists():
        h = pq.read_table(hist, filters=[("mmsi", "=", mmsi)]).to_pylist()
        out["history"] = [{**r, "time": r["time"].isoformat()} for r in h][-100:]
    return out


@router.get("/vessels/{vessel}/track", response_class=JSONResponse)
async def track(
    vessel: str,
    request: Request,
    start: str | None = Query(None, alias="from"),
    end: str | None = Query(None, alias="to"),
    simplify: float | None = Query(None, ge=0, le=10_000),
    every: float | None = Query(None, ge=1, le=86_400),
    limit: int | None = None,
    who: Actor = Depends(actor),
) -> Response:
    """A vessel's track in time order (at most 31 days)."""
    t0, t1 = _time(start, "from"), _time(end, "to")
    if t0 is None and t1 is not None:
        t0 = t1 - 86_400_000
    time_range(t0, t1)
    n = page_size(limit, 10_000)
    st = state(request)
    if not (st.data_dir / "state" / "commit.json").exists():
        raise HTTPException(503, "no positions stored yet")
    visible = _cached_visible_keys(request, who)
    if visible is None:
        visible = await run_in_threadpool(_visible_keys, request, who)
    if _vessel_key(vessel) not in visible:
        raise HTTPException(404, "no such vessel in your jurisdiction")
    pool: QueryPool = st.extras["query_pool"]
    req = TrackRequest(str(st.data_dir), _vessel_key(vessel), t0, t1, simplify, every, n)
    try:
        body = await pool.track(req)
    except QueryError as exc:
        raise HTTPException(400, str(exc)) from None
    except BrokenProcessPool:
        raise HTTPException(503, "track workers unavailable, try again") from None
    return Response(body, media_type="application/json")


@router.get("/snapshot", response_class=JSONResponse)
def snapshot(
    request: Request,
    at: str,
    bbox_: str | None = Query(None, alias="bbox"),
    max_age: float = Query(1800, gt=0, le=86_400),
    who: Actor = Depends(actor),
) -> Response:
    """The last position of every vessel at a time (whole-area replay)."""
    t = _time(at, "at")
    assert t is not None
    table = visible_rows(request, who, _query(request).snapshot(t, bbox(bbox_), max_age))
    body = b'{"at":%b,"count":%d,"vessels":%b}' % (
        orjson.dumps(at),
        table.num_rows,
        positions_json(table),
    )
    return Response(body, media_type="application/json")


@router.get("/collision/snapshot")
def collision_snapshot(
    request: Request,
    at: str = "now",
    dcpa: float = Query(1.0, gt=0, le=12),
    tcpa: float = Query(30.0, gt=0, le=120),
    who: Actor = Depends(actor),
) -> dict[str, Any]:
    """Risky pairs at a time (DCPA, TCPA, encounter, give-way vessel)."""
    from seawarden.web.collision import risky_pairs

    t = _time(at, "at")
    assert t is not None
    return {"at": at, "pairs": risky_pairs(request, who, t, dcpa, tcpa)}


@router.get("/dashboard")
def dashboard(request: Request, who: Actor = Depends(actor)) -> dict[str, Any]:
    """Counts for the dashboard: vessels by type, alerts by state, kind and zone, ingest figures."""
    from seawarden.web.dashboard import figures

    return figures(request, who)
