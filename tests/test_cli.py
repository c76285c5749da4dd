from __future__ import annotations

import gzip
import json
import os
from pathlib import Path

import pyarrow.parquet as pq
import typer
from typer.testing import CliRunner

from seawarden.ais import iter_messages
from seawarden.cli import app

runner = CliRunner()


def _all_commands(group: object, prefix: list[str]) -> list[list[str]]:
    out = []
    for name, cmd in getattr(group, "commands", {}).items():
        out.append([*prefix, name])
        out += _all_commands(cmd, [*prefix, name])
    return out


def test_help_lists_groups_and_every_command_has_help() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for name in (
        "decode",
        "ais",
        "demo",
        "version",
        "ingest",
        "track",
        "snapshot",
        "simulate",
        "vessels",
        "rebuild",
    ):
        assert name in result.stdout
    root = typer.main.get_command(app)
    commands = _all_commands(root, [])
    assert ["ais", "reasons"] in commands
    for path in commands:
        r = runner.invoke(app, [*path, "--help"])
        assert r.exit_code == 0, path
        assert "Usage" in r.stdout


def test_sample_summary_runs() -> None:
    result = runner.invoke(app, ["ais", "sample", "--top", "3"])
    assert result.exit_code == 0, result.output
    assert "messages 4,051" in result.stdout and "position" in result.stdout


def test_decode_jsonl_scaled_and_unscaled(ais_data: Path, tmp_path: Path) -> None:
    src = ais_data / "dma__stream_example.txt"
    result = runner.invoke(app, ["decode", str(src)])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(rows) == 4051
    assert rows[0]["rxtime"].endswith("Z") and "station" in rows[0]
    assert "Lines read: 8,551" in result.stderr
    result = runner.invoke(app, ["decode", str(src), "--unscaled", "-q"])
    raw = [json.loads(line) for line in result.stdout.splitlines()]
    first_pos = next(r for r in raw if r["type"] == 1)
    assert isinstance(first_pos["lat"], int)
    assert result.stderr == ""


def test_decode_stdin_and_gzip(ais_data: Path, tmp_path: Path) -> None:
    data = (ais_data / "gpsd__sample.aivdm").read_bytes()
    gz = tmp_path / "sample.nmea.gz"
    gz.write_bytes(gzip.compress(data))
    from_gz = runner.invoke(app, ["decode", str(gz), "-q"])
    from_stdin = runner.invoke(app, ["decode", "-", "-q"], input=data)
    assert from_gz.exit_code == from_stdin.exit_code == 0
    assert from_gz.stdout == from_stdin.stdout
    assert len(from_gz.stdout.splitlines()) == 102


def test_decode_parquet_one_file_per_family(ais_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(
        app,
        [
            "decode",
            str(ais_data / "dma__stream_example.txt"),
            "--format",
            "parquet",
            "-o",
            str(out),
            "-q",
        ],
    )
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(
        f"{f}.parquet"
        for f in ("position", "static", "base_station", "aton", "binary", "safety", "control")
    )
    total = sum(pq.read_metadata(out / f).num_rows for f in files)
    assert total == 4051
    pos = pq.read_table(out / "position.parquet")
    assert pos.num_rows == 2989 and pos.schema.field("lat").type == "double"


def test_decode_csv(ais_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    result = runner.invoke(
        app, ["decode", str(ais_data / "gpsd__sample.aivdm"), "-f", "csv", "-o", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    header = lines[0].replace('"', "").split(",")
    assert {"type", "mmsi", "lat", "lon", "shipname", "rxtime"} <= set(header)
    assert len(lines) == 1 + 102


def test_decode_strict_and_rejects_file(tmp_path: Path) -> None:
    good = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"
    bad = "!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B"
    src = tmp_path / "in.nmea"
    src.write_text(f"{good}\n{bad}\n!AIVDM,1,1,,B,,0*25\n")
    rejects = tmp_path / "rejects.jsonl"
    lenient = runner.invoke(app, ["decode", str(src), "-q"])
    strict = runner.invoke(app, ["decode", str(src), "--strict", "--rejects", str(rejects), "-q"])
    assert len(lenient.stdout.splitlines()) == 2
    assert len(strict.stdout.splitlines()) == 1
    logged = [json.loads(line) for line in rejects.read_text().splitlines()]
    assert [(r["line"], r["reason"]) for r in logged] == [(2, "bad_checksum"), (3, "empty_payload")]


def test_decode_missing_file_fails_cleanly(tmp_path: Path) -> None:
    result = runner.invoke(app, ["decode", str(tmp_path / "nope.nmea")])
    assert result.exit_code == 2 and "no such file" in result.stderr


def test_reasons_and_encode() -> None:
    result = runner.invoke(app, ["ais", "reasons", "--json"])
    codes = json.loads(result.stdout)
    assert [c["name"] for c in codes if c["rejected"]][:3] == [
        "bad_checksum",
        "no_checksum",
        "bad_prefix",
    ]
    msg = {"type": 1, "mmsi": 412345678, "lat": 30.5, "lon": 122.25, "speed": 10.1}
    result = runner.invoke(app, ["ais", "encode", json.dumps(msg), "--tag", "s:TEST,c:1700000000"])
    assert result.exit_code == 0
    (decoded,) = list(iter_messages(result.stdout.splitlines()))
    assert decoded["mmsi"] == 412345678 and decoded["station"] == "TEST"
    assert decoded["lat"] == 30.5 and decoded["speed"] == 10.1
    bad = runner.invoke(app, ["ais", "encode", '{"type": 99}'])
    assert bad.exit_code == 2


def test_demo_runs_and_stops_cleanly(tmp_path: Path) -> None:
    """``make run``'s command: history, live feed and web server, then a quiet stop."""
    import socket
    import subprocess
    import sys

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        web = s.getsockname()[1]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        feed = s.getsockname()[1]
    seawarden = str(Path(sys.executable).parent / "seawarden")
    cmd = [seawarden, "demo", "--data-dir", str(tmp_path / "demo"), "--vessels", "20"]
    cmd += ["--hours", "0.1", "--duration", "6", "--web-port", str(web), "--port", str(feed)]
    env = {k: v for k, v in os.environ.items() if k != "SEAWARDEN_WEB__QUERY_WORKERS"}
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=240, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout + done.stderr
    assert "Seawarden on http://" in out and "live feed:" in out
    assert "Traceback" not in out and "leaked" not in out, out[-3000:]
    assert (tmp_path / "demo" / "latest.parquet").exists()
