"""The live hub: frames from the latest-position file, shared encodings, waking clients."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from seawarden.db.engine import connect
from seawarden.positions.schema import POSITION_SCHEMA
from seawarden.web.live import LiveHub, stream

T0 = 1_795_000_000_000


def _write_latest(data: Path, times: list[int], bump: int) -> None:
    n = len(times)
    cols = {
        "vessel_key": pa.array(range(413_000_001, 413_000_001 + n), pa.int64()),
        "time": pa.array(times, pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
        "rxtime": pa.array(times, pa.int64()).cast(pa.timestamp("ms", tz="UTC")),
        "source": pa.array([1] * n, pa.int8()),
        "mmsi": pa.array(range(413_000_001, 413_000_001 + n), pa.int32()),
        "terminal": pa.array([None] * n, pa.string()),
        "fishing_no": pa.array([None] * n, pa.string()),
        "lat": pa.array([30.0 + i / 100 for i in range(n)], pa.float64()),
        "lon": pa.array([122.0 + i / 100 for i in range(n)], pa.float64()),
        "sog": pa.array([10.0] * n, pa.float32()),
        "cog": pa.array([90.0] * n, pa.float32()),
        "heading": pa.array([90] * n, pa.int16()),
        "status": pa.array([0] * n, pa.int8()),
        "msg_type": pa.array([1] * n, pa.int8()),
        "station": pa.array(["s1"] * n, pa.string()),
        "stations": pa.array([1] * n, pa.int16()),
        "flags": pa.array([0] * n, pa.int16()),
        "segment": pa.array([0] * n, pa.int32()),
        "fingerprint": pa.array(range(n), pa.int64()),
    }
    path = data / "latest.parquet"
    pq.write_table(pa.table(cols, schema=POSITION_SCHEMA), path)
    os.utime(path, (T0 / 1000 + bump, T0 / 1000 + bump))  # a new mtime for every version


def _events(chunks: list[bytes]) -> list[dict[str, object]]:
    return [json.loads(c.split(b"data: ", 1)[1]) for c in chunks if c.startswith(b"event: vessels")]


def test_frames_are_incremental_shared_per_scope_and_wake_waiting_clients(tmp_path: Path) -> None:
    engine = connect(f"sqlite:///{tmp_path / 'db.sqlite'}")
    hub = LiveHub(tmp_path, engine)
    _write_latest(tmp_path, [T0, T0, T0], 0)
    assert hub.poll() and hub.version == 1

    v, first = hub.events(0, "ZJ-NB", lambda row: row[1] != 413_000_003)
    again = hub.events(0, "ZJ-NB", lambda row: True)  # same scope and step: the same bytes
    assert v == 1 and again[1] is first
    (picture,) = _events(first)
    assert picture["full"] is True and len(picture["rows"]) == 2  # type: ignore[arg-type]
    whole = _events(hub.events(0, None, None)[1])[0]
    assert len(whole["rows"]) == 3  # type: ignore[arg-type]

    async def client_sees_the_next_frame() -> list[bytes]:
        got: list[bytes] = []
        gen = stream(hub, None, max_seconds=5)
        async for chunk in gen:
            got.append(chunk)
            if len(_events(got)) == 2:
                break
        await gen.aclose()
        return got

    async def run() -> list[bytes]:
        task = asyncio.create_task(client_sees_the_next_frame())
        await asyncio.sleep(0.2)  # the client has its picture and waits
        _write_latest(tmp_path, [T0, T0 + 60_000, T0], 1)
        await asyncio.to_thread(hub.poll)
        return await asyncio.wait_for(task, 5)

    full, change = _events(asyncio.run(run()))
    assert full["full"] is True and len(full["rows"]) == 3  # type: ignore[arg-type]
    assert change["full"] is False and change["v"] == 2
    assert [r[1] for r in change["rows"]] == [413_000_002]  # type: ignore[union-attr]
    engine.dispose()
