"""Track answers built in query worker processes: the same answers, and a dead worker replaced."""

from __future__ import annotations

import os
import signal
from typing import Any

import orjson
from fastapi.testclient import TestClient

from seawarden.tracks.output import records
from seawarden.tracks.query import TrackQuery
from seawarden.web.query_pool import QueryPool, TrackRequest, track_answer

from .conftest import login


def test_workers_answer_as_the_serving_process_would(platform: dict[str, Any]) -> None:
    from seawarden.web.app import create_app

    data = platform["data"]
    latest = TrackQuery.open(data).latest()
    mmsi = next(m for m in latest.column("mmsi").to_pylist() if m is not None)
    app = create_app(data, platform["url"], secure_cookies=False, live_hub=False, query_workers=1)
    pool: QueryPool = app.state.seawarden.extras["query_pool"]
    with TestClient(app) as client:
        assert pool.workers == 1
        login(client, "prov_sup", platform)
        r = client.get(f"/api/vessels/{mmsi}/track")
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        body = r.json()
        want = list(records(TrackQuery.open(data).track(mmsi)))
        assert body["count"] == len(want) > 0 and body["truncated"] is False
        assert body["positions"] == orjson.loads(orjson.dumps(want))
        page = client.get(f"/api/vessels/{mmsi}/track?limit=3").json()
        assert page["count"] == len(want) and page["truncated"] is True
        assert page["positions"] == body["positions"][:3]
        bad = client.get(f"/api/vessels/{mmsi}/track?from=2026-07-02T00:00:00Z&to=2026-07-01")
        assert bad.status_code == 400

        # A worker that dies is replaced; the next request is answered.
        executor = pool._pool()
        for pid in list(executor._processes):
            os.kill(pid, signal.SIGKILL)
        again = client.get(f"/api/vessels/{mmsi}/track")
        assert again.status_code == 200 and again.json() == body
        assert pool._pool() is not executor
    assert pool._executor is None  # stopped with the application
    # A request that still arrives after the stop is answered in the serving process.
    late = TestClient(app)
    login(late, "prov_sup", platform)
    assert late.get(f"/api/vessels/{mmsi}/track").json() == body
    assert pool._executor is None


def test_track_answer_is_the_json_of_the_track(platform: dict[str, Any]) -> None:
    data = platform["data"]
    q = TrackQuery.open(data)
    key = q.latest().column("vessel_key")[0].as_py()
    whole = q.track(key)
    start = whole.column("time")[0].value
    end = whole.column("time")[whole.num_rows - 1].value
    mid = (start + end) // 2
    req = TrackRequest(str(data), key, start, mid, None, None, 10_000)
    body = orjson.loads(track_answer(req))
    want = orjson.loads(orjson.dumps(list(records(q.track(key, start, mid)))))
    assert body == {"count": len(want), "truncated": False, "positions": want}
    thinned = orjson.loads(track_answer(TrackRequest(str(data), key, None, None, 50.0, 600, 5)))
    assert thinned["positions"] == orjson.loads(
        orjson.dumps(list(records(q.track(key, simplify_m=50.0, every_s=600).slice(0, 5))))
    )
