"""The ingest, track, snapshot, search, rebuild and simulate commands, as checks use them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from seawarden.cli import app

from .traffic import START

runner = CliRunner()


def test_simulate_ingest_track_snapshot_search_rebuild(tmp_path: Path) -> None:
    out = tmp_path / "sim.nmea"
    start = dt.datetime.fromtimestamp(START / 1000, dt.UTC).isoformat()
    r = runner.invoke(
        app,
        [
            "simulate",
            "--vessels",
            "30",
            "--hours",
            "0.5",
            "--out",
            str(out),
            "--start",
            start,
            "--seed",
            "3",
        ],
    )
    assert r.exit_code == 0, r.output
    truth = json.loads((tmp_path / "sim.truth.json").read_text())
    data = tmp_path / "data"
    r = runner.invoke(
        app, ["ingest", str(out), str(tmp_path / "sim.beidou.jsonl"), "--data-dir", str(data), "-q"]
    )
    assert r.exit_code == 0, r.output
    assert "positions stored" in _text(r.output) and "duplicate" in _text(r.output)

    fleet = [json.loads(x) for x in (tmp_path / "sim.fleet.jsonl").read_text().splitlines()]
    mmsi = next(v["mmsi"] for v in fleet if v["kind"] == "passenger")
    r = runner.invoke(app, ["track", str(mmsi), "--data-dir", str(data), "--format", "jsonl"])
    assert r.exit_code == 0, r.output
    rows = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(rows) > 20
    times = [dt.datetime.fromisoformat(x["time"]) for x in rows]
    assert times == sorted(times) and all(
        t.tzinfo is not None and t.utcoffset() == dt.timedelta(0) for t in times
    )
    assert all(
        {"mmsi", "time", "lat", "lon", "sog", "cog"} <= set(x) and x["mmsi"] == mmsi for x in rows
    )

    mid = rows[len(rows) // 2]["time"]
    r = runner.invoke(app, ["track", str(mmsi), "-d", str(data), "--to", mid, "--format", "csv"])
    assert r.exit_code == 0 and r.stdout.splitlines()[0].startswith("mmsi,")
    assert len(r.stdout.splitlines()) - 1 == len(rows) // 2 + 1
    r = runner.invoke(
        app, ["track", str(mmsi), "-d", str(data), "--format", "geojson", "--simplify", "25"]
    )
    geo = json.loads(r.stdout)
    line = geo["features"][0]["geometry"]
    assert line["type"] == "LineString" and 2 <= len(line["coordinates"]) < len(rows)

    at = (
        dt.datetime.fromtimestamp((START + 1_200_000) / 1000, dt.UTC)
        .isoformat()
        .replace("+00:00", "Z")
    )
    r = runner.invoke(app, ["snapshot", "--data-dir", str(data), "--at", at, "--format", "jsonl"])
    assert r.exit_code == 0, r.output
    snap = [json.loads(x) for x in r.stdout.splitlines()]
    assert len(snap) >= 15
    for x in snap:
        assert {"time", "lat", "lon", "age_s"} <= set(x) and 0 <= x["age_s"] <= 1800
        assert (
            abs(
                (
                    dt.datetime.fromisoformat(at) - dt.datetime.fromisoformat(x["time"])
                ).total_seconds()
                - x["age_s"]
            )
            < 0.01
        )
    r = runner.invoke(
        app, ["snapshot", "-d", str(data), "--at", at, "--bbox", "122.2,29.9,122.4,30.0"]
    )
    assert len(r.stdout.splitlines()) < len(snap)
    r = runner.invoke(app, ["snapshot", "-d", str(data), "--at", at, "--bbox", "1,2,3"])
    assert r.exit_code == 2 and "bbox" in _text(r.output)

    name = next(v["name"] for v in fleet if v["mmsi"] == mmsi)
    r = runner.invoke(app, ["vessels", "search", name.split()[0], "-d", str(data), "--jsonl"])
    assert r.exit_code == 0 and any(json.loads(x)["mmsi"] == mmsi for x in r.stdout.splitlines())

    r = runner.invoke(app, ["rebuild", "--data-dir", str(data), "-q"])
    assert r.exit_code == 0, r.output
    r2 = runner.invoke(app, ["track", str(mmsi), "--data-dir", str(data)])
    assert [json.loads(x) for x in r2.stdout.splitlines()] == rows
    assert truth["counts"]["lines"] > 0


def _text(output: str) -> str:
    return " ".join(output.split())


def test_errors_are_clear(tmp_path: Path) -> None:
    r = runner.invoke(app, ["track", "413000001", "--data-dir", str(tmp_path / "none")])
    assert r.exit_code == 2 and "no track store" in _text(r.output)
    r = runner.invoke(
        app, ["ingest", str(tmp_path / "missing.nmea"), "--data-dir", str(tmp_path / "d")]
    )
    assert r.exit_code == 2 and "no such file" in _text(r.output)
    r = runner.invoke(app, ["simulate", "--vessels", "5"])
    assert r.exit_code == 2 and "--out" in _text(r.output)
    r = runner.invoke(app, ["simulate", "--out", str(tmp_path / "x.nmea"), "--scenarios", "piracy"])
    assert r.exit_code == 2 and "piracy" in _text(r.output)
