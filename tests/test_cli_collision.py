"""collision snapshot and collision encounters as acceptance checks use them."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from seawarden.cli import app
from seawarden.supervision.events import iso

runner = CliRunner()


def test_snapshot_and_encounters(tmp_path: Path) -> None:
    out = tmp_path / "sim.nmea"
    r = runner.invoke(
        app,
        [
            "simulate",
            "--vessels",
            "30",
            "--hours",
            "3",
            "--out",
            str(out),
            "--start",
            "2026-11-18T00:00:00Z",
            "--seed",
            "5",
            "--scenarios",
            "close_quarters",
        ],
    )
    assert r.exit_code == 0, r.output
    data = tmp_path / "data"
    assert (
        runner.invoke(
            app, ["zones", "import", str(tmp_path / "sim.zones.geojson"), "-d", str(data)]
        ).exit_code
        == 0
    )
    assert runner.invoke(app, ["ingest", "-q", str(out), "-d", str(data)]).exit_code == 0
    (cq,) = [json.loads(x) for x in (tmp_path / "sim.events.jsonl").read_text().splitlines()]
    at = iso(cq["cpa_time_ms"] - 5 * 60_000)
    r = runner.invoke(
        app, ["collision", "snapshot", "--data-dir", str(data), "--at", at, "--format", "jsonl"]
    )
    assert r.exit_code == 0, r.output
    pairs = [json.loads(x) for x in r.stdout.splitlines()]
    hit = [p for p in pairs if {p["mmsi_a"], p["mmsi_b"]} == set(cq["mmsi"])]
    assert len(hit) == 1
    p = hit[0]
    for k in ("mmsi_a", "mmsi_b", "dcpa_nm", "tcpa_min", "encounter", "give_way_mmsi"):
        assert k in p
    assert p["dcpa_nm"] < 0.1 and 4 <= p["tcpa_min"] <= 6
    assert p["encounter"] == "crossing" and p["give_way_mmsi"] == cq["mmsi"][1]
    assert all(x["dcpa_nm"] < 1.0 and 0 <= x["tcpa_min"] <= 30 for x in pairs)
    r = runner.invoke(
        app, ["collision", "snapshot", "-d", str(data), "--at", at, "--bbox", "0,0,1,1"]
    )
    assert r.stdout == ""
    heat = tmp_path / "heat.geojson"
    r = runner.invoke(app, ["collision", "encounters", "-d", str(data), "--heatmap", str(heat)])
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    near = [x for x in rows if x["kind"] == "near_miss"]
    assert any({x["vessel_a"], x["vessel_b"]} == set(cq["mmsi"]) for x in near)
    assert json.loads(heat.read_text())["type"] == "FeatureCollection"
