"""Crash safety: kill -9 during ingest, full disk, unwritable directory, rebuilding."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from seawarden.cli import app
from seawarden.ingest.pipeline import (
    READY,
    REBUILD_DIR,
    IngestConfig,
    Ingester,
    IngestState,
    finish_rebuild,
    rebuild,
)
from seawarden.positions.schema import POSITION_SCHEMA
from seawarden.sim.engine import SimConfig, Simulation
from seawarden.sim.output import write_files
from seawarden.tracks.query import TrackQuery
from seawarden.tracks.store import StoreError, TrackStore

from ..traffic import START

SEAWARDEN = str(Path(sys.executable).parent / "seawarden")


def _rows(data: Path) -> pa.Table:
    files = TrackStore(data).files()
    # the stored columns only (not the partition keys the paths add, day and bucket)
    table = pq.read_table(files, columns=POSITION_SCHEMA.names)
    # every column: rows equal in key, time and transmission keep no fixed order in the store
    return table.sort_by([(name, "ascending") for name in table.column_names])


def _offsets(data: Path) -> dict[str, int]:
    commit = data / "state" / "commit.json"
    if not commit.exists():
        return {}
    return {k: v["offset"] for k, v in json.loads(commit.read_text())["sources"].items()}


@pytest.fixture(scope="module")
def big_capture(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """>= 100,000 NMEA lines from three-plus stations with 1% damaged lines (test D-01, CI size)."""
    d = tmp_path_factory.mktemp("big")
    sim = Simulation(SimConfig(vessels=170, hours=1.5, start_ms=START, seed=21, corrupt=0.01))
    truth = write_files(sim, d / "big.nmea")
    assert truth["counts"]["lines"] >= 100_000
    return d / "big.nmea", truth


def test_kill_9_during_ingest_stores_every_message_exactly_once(
    big_capture: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    capture, truth = big_capture
    clean = tmp_path / "clean"
    Ingester(clean).run_files([str(capture)])
    expected = _rows(clean)
    assert expected.num_rows == truth["counts"]["positions_received"]

    data = tmp_path / "killed"
    env = dict(
        os.environ,
        SEAWARDEN_INGEST__COMMIT_MB="0.25",
        SEAWARDEN_INGEST__BLOCK_KB="128",
        SEAWARDEN_INGEST__COMMIT_SECONDS="0.2",
    )
    rng = random.Random(7)
    offsets_seen: list[int] = []
    kills = 0
    for _ in range(5):
        proc = subprocess.Popen(
            [SEAWARDEN, "ingest", "-q", str(capture), "--data-dir", str(data)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        # Wait until this run has committed something new, then kill it at a random moment.
        before = sum(_offsets(data).values())
        deadline = time.monotonic() + 60
        while (
            proc.poll() is None
            and sum(_offsets(data).values()) == before
            and time.monotonic() < deadline
        ):
            time.sleep(0.05)
        time.sleep(rng.uniform(0.0, 0.6))
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
            kills += 1
        proc.wait()
        offsets_seen.append(sum(_offsets(data).values()))
    assert kills >= 3, "the ingester finished before it could be killed"
    assert offsets_seen == sorted(offsets_seen)  # committed offsets only move forward
    done = subprocess.run(
        [SEAWARDEN, "ingest", "-q", str(capture), "--data-dir", str(data)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    got = _rows(data)
    assert got.num_rows == expected.num_rows
    assert got.equals(expected)
    # Latest positions and particulars match the uninterrupted run too.
    assert (
        pq.read_table(data / "latest.parquet")
        .sort_by("vessel_key")
        .equals(pq.read_table(clean / "latest.parquet").sort_by("vessel_key"))
    )


def test_full_disk_is_a_clear_error_and_nothing_half_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sim = Simulation(SimConfig(vessels=20, hours=0.5, start_ms=START, seed=5))
    write_files(sim, tmp_path / "s.nmea")
    cfg = IngestConfig(commit_bytes=64 << 10, block_bytes=64 << 10)
    clean = tmp_path / "clean"
    Ingester(clean, cfg).run_files([str(tmp_path / "s.nmea")])

    data = tmp_path / "data"
    real = TrackStore._write_table
    calls = {"n": 0}

    def failing(self: TrackStore, path: Path, table: Any) -> None:
        if (data / "state" / "commit.json").exists():
            calls["n"] += 1
        if calls["n"] == 5:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.with_name("." + path.name + ".tmp").write_bytes(b"PAR1 half")
            raise StoreError(f"cannot write {path}: {os.strerror(errno.ENOSPC)}")
        real(self, path, table)

    monkeypatch.setattr(TrackStore, "_write_table", failing)
    with pytest.raises(StoreError, match="No space left on device"):
        Ingester(data, cfg).run_files([str(tmp_path / "s.nmea")])
    committed = json.loads((data / "state" / "commit.json").read_text())
    for rel in committed["files"]:
        pq.read_metadata(data / rel)  # every committed file is complete
    monkeypatch.setattr(TrackStore, "_write_table", real)
    Ingester(data, cfg).run_files([str(tmp_path / "s.nmea")])  # space is back: resume
    assert _rows(data).equals(_rows(clean))
    leftovers = [p for p in (data / "tracks").rglob("*") if p.is_file() and p.name.startswith(".")]
    assert not leftovers


def test_unwritable_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="cannot create the data directory"):
        Ingester(blocker / "data")
    result = CliRunner().invoke(app, ["ingest", str(blocker), "--data-dir", str(blocker / "data")])
    assert result.exit_code == 2
    assert "cannot create the data directory" in result.output


def test_rebuild_reproduces_the_stores(ingested: tuple[Path, Any], tmp_path: Path) -> None:
    import shutil

    source, _ = ingested
    data = tmp_path / "copy"
    shutil.copytree(source, data)
    before = _rows(data)
    latest = pq.read_table(data / "latest.parquet").sort_by("vessel_key")
    offsets = _offsets(data)
    summary = rebuild(data)
    assert summary.stored == before.num_rows
    after = _rows(data)
    differ = [n for n in before.column_names if not after.column(n).equals(before.column(n))]
    assert not differ, differ
    assert pq.read_table(data / "latest.parquet").sort_by("vessel_key").equals(latest)
    assert _offsets(data) == offsets  # a later ingest still resumes where it stopped
    assert not (data / REBUILD_DIR).exists()
    assert TrackQuery.open(data).snapshot(START + 1_800_000).num_rows > 0


def test_interrupted_rebuild_completes_or_is_discarded(tmp_path: Path) -> None:
    data = tmp_path / "d"
    (data / "tracks").mkdir(parents=True)
    (data / "tracks" / "old").write_text("old")
    staging = data / REBUILD_DIR
    (staging / "tracks").mkdir(parents=True)
    (staging / "tracks" / "new").write_text("new")
    finish_rebuild(data)  # not marked ready: discarded
    assert (data / "tracks" / "old").exists() and not staging.exists()
    (staging / "tracks").mkdir(parents=True)
    (staging / "tracks" / "new").write_text("new")
    (staging / READY).write_text("")
    finish_rebuild(data)  # ready: swapped in
    assert (data / "tracks" / "new").exists() and not (data / "tracks" / "old").exists()


def test_particulars_history_is_the_same_in_many_commits_and_leaves_the_state(
    tmp_path: Path,
) -> None:
    """Changes are written once, whatever the commit size, and the saved state does not
    carry the changes already on disk (it would grow with the age of the feed)."""
    sim = Simulation(SimConfig(vessels=30, hours=0.5, start_ms=START, seed=8))
    write_files(sim, tmp_path / "s.nmea")
    runs = {}
    for name, cfg in {
        "one": IngestConfig(),
        "many": IngestConfig(commit_bytes=32 << 10, block_bytes=32 << 10),
    }.items():
        data = tmp_path / name
        Ingester(data, cfg).run_files([str(tmp_path / "s.nmea")])
        commit = json.loads((data / "state" / "commit.json").read_text())
        state = IngestState.loads((data / commit["state"]).read_bytes())
        assert state.particulars.history == [] and state.history_written == 0
        assert state.particulars.current  # the current particulars stay
        rows = pq.read_table(data / "history").to_pylist()
        runs[name] = (sorted((r["mmsi"], r["field"], r["new"]) for r in rows), commit["seq"])
    assert runs["many"][1] > runs["one"][1] + 5  # many more commits
    assert runs["many"][0] == runs["one"][0] and len(runs["one"][0]) > 30
