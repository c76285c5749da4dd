"""The vessel picture over HTTP: latest positions, a vessel's particulars and its track."""

from __future__ import annotations

from typing import Any

import pyarrow.parquet as pq
from fastapi.testclient import TestClient

from .conftest import login


def test_latest_particulars_and_track_agree_with_the_store(
    client: TestClient, platform: dict[str, Any]
) -> None:
    login(client, "prov_sup", platform)
    latest = client.get("/api/vessels/latest")
    assert latest.status_code == 200 and latest.headers["content-type"] == "application/json"
    vessels = latest.json()["vessels"]
    stored = pq.read_table(platform["data"] / "latest.parquet")
    assert latest.json()["count"] == len(vessels) == stored.num_rows
    assert all("time" in v and "lat" in v and "lon" in v for v in vessels)
    assert all(v.get("sog") is None or v["sog"] == round(v["sog"], 1) for v in vessels)

    register = pq.read_table(platform["data"] / "vessels.parquet").to_pylist()
    mmsi = next(r["mmsi"] for r in register if any(v.get("mmsi") == r["mmsi"] for v in vessels))
    card = client.get(f"/api/vessels/{mmsi}").json()
    assert card["latest"][0]["mmsi"] == mmsi
    assert card["particulars"]["mmsi"] == mmsi
    assert all(h["mmsi"] == mmsi for h in card.get("history", []))

    track = client.get(f"/api/vessels/{mmsi}/track").json()
    times = [p["time"] for p in track["positions"]]
    assert track["count"] == len(times) > 0 and times == sorted(times)
    assert {p["mmsi"] for p in track["positions"]} == {mmsi}
    assert client.get("/api/vessels/999999999").status_code == 404
    assert client.get("/api/vessels/999999999/track").status_code == 404


def test_latest_answer_follows_each_new_picture(
    client: TestClient, platform: dict[str, Any]
) -> None:
    import os

    login(client, "prov_sup", platform)
    path = platform["data"] / "latest.parquet"
    original = pq.read_table(path)
    first = client.get("/api/vessels/latest")
    assert client.get("/api/vessels/latest").content == first.content  # the same picture
    try:
        pq.write_table(original.slice(0, 5), path)
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
        assert client.get("/api/vessels/latest").json()["count"] == 5  # a new picture
        assert client.get("/api/vessels/latest?limit=2").json()["count"] == 2
    finally:
        pq.write_table(original, path)
    assert client.get("/api/vessels/latest").json()["count"] == original.num_rows
