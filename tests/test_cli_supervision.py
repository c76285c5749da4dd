"""zones, supervise, alerts and webhooks commands as acceptance checks use them."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from typer.testing import CliRunner

from seawarden.cli import app

runner = CliRunner()
START = "2026-11-18T00:00:00Z"


def _text(out: str) -> str:
    return " ".join(out.split())


def _zone_alerts(data: Path, *extra: str) -> list[dict]:
    """Alerts other than collision risk (this test is about zone rules)."""
    r = runner.invoke(app, ["alerts", "list", "--data-dir", str(data), "--format", "jsonl", *extra])
    return [a for a in map(json.loads, r.stdout.splitlines()) if a["kind"] != "collision_risk"]


def test_zones_supervise_alerts(tmp_path: Path) -> None:
    out = tmp_path / "sim.nmea"
    r = runner.invoke(
        app,
        [
            "simulate",
            "--vessels",
            "40",
            "--hours",
            "8",
            "--out",
            str(out),
            "--start",
            START,
            "--seed",
            "2",
            "--scenarios",
            "overspeed,stop_in_no_stop_zone",
        ],
    )
    assert r.exit_code == 0, r.output
    data = tmp_path / "data"
    r = runner.invoke(app, ["ingest", "-q", str(out), "--data-dir", str(data)])
    assert r.exit_code == 0, r.output
    zones = tmp_path / "sim.zones.geojson"
    r = runner.invoke(app, ["zones", "import", str(zones), "--data-dir", str(data)])
    assert r.exit_code == 0 and "created" in _text(r.output)
    r = runner.invoke(app, ["zones", "list", "--data-dir", str(data), "--format", "jsonl"])
    listed = [json.loads(x) for x in r.stdout.splitlines()]
    assert {z["kind"] for z in listed} >= {
        "channel",
        "no_stop",
        "anchorage",
        "port_area",
        "fishing_ban",
    }
    r = runner.invoke(app, ["zones", "export", str(tmp_path / "back.kml"), "--data-dir", str(data)])
    assert r.exit_code == 0 and (tmp_path / "back.kml").read_text().count("<Placemark>") == len(
        listed
    )

    r = runner.invoke(
        app, ["supervise", "--data-dir", str(data), "--from", START, "--to", "2026-11-18T08:00:00Z"]
    )
    assert r.exit_code == 0, r.output
    alerts = _zone_alerts(data)
    assert sorted(a["kind"] for a in alerts) == ["no_stop", "overspeed"]
    for a in alerts:
        assert {"kind", "mmsi", "zone", "start", "end", "state"} <= set(a)
        assert a["state"] == "open" and a["start"].endswith("Z") and a["zone"]
        dt.datetime.fromisoformat(a["start"].replace("Z", "+00:00"))
    # running again stores nothing new
    runner.invoke(app, ["supervise", "--data-dir", str(data)])
    assert len(_zone_alerts(data)) == 2

    first = alerts[0]["id"]
    r = runner.invoke(
        app,
        [
            "alerts",
            "ack",
            str(first),
            "--data-dir",
            str(data),
            "--comment",
            "VTS called",
            "--actor",
            "duty:li",
        ],
    )
    assert r.exit_code == 0
    r = runner.invoke(
        app, ["alerts", "close", str(first), "--data-dir", str(data), "--actor", "duty:li"]
    )
    assert len(_zone_alerts(data, "--state", "open")) == 1
    r = runner.invoke(app, ["alerts", "history", str(first), "--data-dir", str(data)])
    assert [json.loads(x)["action"] for x in r.stdout.splitlines()] == [
        "created",
        "acknowledged",
        "closed",
    ]
    r = runner.invoke(app, ["alerts", "ack", str(first), "--data-dir", str(data)])
    assert r.exit_code == 2 and "cannot become" in _text(r.output)

    r = runner.invoke(app, ["webhooks", "add", "ftp://x", "--data-dir", str(data)])
    assert r.exit_code == 2
    r = runner.invoke(
        app,
        [
            "webhooks",
            "add",
            "http://127.0.0.1:9/h",
            "--kinds",
            "overspeed",
            "--data-dir",
            str(data),
        ],
    )
    assert r.exit_code == 0
    r = runner.invoke(app, ["webhooks", "list", "--data-dir", str(data)])
    assert json.loads(r.stdout)["kinds"] == ["overspeed"]


def test_live_supervision_during_ingest(tmp_path: Path) -> None:
    out = tmp_path / "sim.nmea"
    runner.invoke(
        app,
        [
            "simulate",
            "--vessels",
            "40",
            "--hours",
            "8",
            "--out",
            str(out),
            "--start",
            START,
            "--seed",
            "2",
            "--scenarios",
            "overspeed",
        ],
    )
    data = tmp_path / "data"
    r = runner.invoke(
        app, ["zones", "import", str(tmp_path / "sim.zones.geojson"), "--data-dir", str(data)]
    )
    assert r.exit_code == 0
    r = runner.invoke(app, ["ingest", "-q", str(out), "--data-dir", str(data)])
    assert r.exit_code == 0 and "supervision: 14 zones" in _text(r.output)
    r = runner.invoke(
        app, ["alerts", "list", "--data-dir", str(data), "--kind", "overspeed", "--format", "csv"]
    )
    lines = r.stdout.splitlines()
    assert lines[0].startswith("id,kind,mmsi,zone") and len(lines) == 2


def test_bad_zone_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [{"type": "Feature", "geometry": None, "properties": {"name": "x"}}],
            }
        )
    )
    r = runner.invoke(app, ["zones", "import", str(bad), "--data-dir", str(tmp_path / "d")])
    assert r.exit_code == 2 and "feature 1 (x): no geometry" in _text(r.output)
