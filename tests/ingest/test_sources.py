"""Network sources on loopback: TCP client, TCP server, UDP; and the simulator's live feed."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from seawarden.ingest.pipeline import IngestConfig, Ingester
from seawarden.ingest.sources import FileSource, LiveSource, file_kind, is_live
from seawarden.sim.engine import SimConfig, Simulation
from seawarden.sim.output import LiveFeed

from ..traffic import START, position_line

LINES = [
    position_line(
        413000100 + i % 5, START + i * 2_000, 29.9 + i * 1e-4, 122.0, rx_ms=START + i * 2_000 + 300
    )
    for i in range(200)
]


def _run_live(data: Path, spec: str, feed: Any, expect: int) -> Ingester:
    ing = Ingester(data, IngestConfig(commit_seconds=0.2))
    stop = threading.Event()
    ready: list[LiveSource] = []
    worker = threading.Thread(
        target=ing.run_live, args=([spec], stop), kwargs={"started": ready.extend}
    )
    worker.start()
    deadline = time.monotonic() + 10
    while not ready and time.monotonic() < deadline:
        time.sleep(0.01)
    feed(ready[0])
    while ing.summary.messages < expect and time.monotonic() < deadline:
        time.sleep(0.05)
    stop.set()
    worker.join(10)
    assert not worker.is_alive()
    return ing


def test_tcp_client_reads_a_feed(tmp_path: Path) -> None:
    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            for line in LINES:
                conn.sendall(line)
            time.sleep(0.5)

    threading.Thread(target=serve, daemon=True).start()
    ing = _run_live(tmp_path, f"tcp://127.0.0.1:{port}", lambda src: None, 200)
    server.close()
    assert ing.summary.messages == 200 and ing.summary.stored == 200
    assert ing.store.commit.sources[f"tcp://127.0.0.1:{port}"]["offset"] == sum(
        len(x) for x in LINES
    )


def test_tcp_server_accepts_receivers(tmp_path: Path) -> None:
    def feed(src: LiveSource) -> None:
        port = src.port  # type: ignore[attr-defined]
        for half in (LINES[:100], LINES[100:]):
            with socket.create_connection(("127.0.0.1", port)) as s:
                # Split a line across two sends: the source must reassemble it.
                data = b"".join(half)
                s.sendall(data[:1001])
                time.sleep(0.05)
                s.sendall(data[1001:])

    ing = _run_live(tmp_path, "tcp-listen://127.0.0.1:0", feed, 200)
    assert ing.summary.stored == 200


def test_udp_listener(tmp_path: Path) -> None:
    def feed(src: LiveSource) -> None:
        port = src.port  # type: ignore[attr-defined]
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for line in LINES:
                s.sendto(line, ("127.0.0.1", port))
                time.sleep(0.0005)

    ing = _run_live(tmp_path, "udp://127.0.0.1:0", feed, 200)
    assert ing.summary.stored + ing.summary.dropped_udp_lines == 200
    assert ing.summary.stored >= 190


def test_simulator_live_feed_into_ingester(tmp_path: Path) -> None:
    sim = Simulation(SimConfig(vessels=20, hours=1, start_ms=START, seed=9))

    def feed(src: LiveSource) -> None:
        live = LiveFeed(sim, f"tcp://127.0.0.1:{src.port}", speed=120.0)  # type: ignore[attr-defined]
        threading.Thread(
            target=live.run, kwargs={"start_ms": START, "duration_s": 1.5}, daemon=True
        ).start()

    ing = _run_live(tmp_path, "tcp-listen://127.0.0.1:0", feed, 500)
    assert ing.summary.messages >= 500 and ing.summary.stored > 100
    assert len(ing.state.latest) > 5


def test_file_source_resumes_at_offset_and_kinds(tmp_path: Path) -> None:
    f = tmp_path / "a.nmea"
    f.write_bytes(b"".join(LINES[:10]) + b"!AIVDM,partial-line-without-newline")
    chunks = list(FileSource(f, block_bytes=100).chunks())
    assert b"".join(c.data for c in chunks) == f.read_bytes()
    assert chunks[-1].final and chunks[-1].offset == f.stat().st_size
    middle = chunks[3].offset
    rest = list(FileSource(f, block_bytes=100).chunks(middle))
    assert b"".join(c.data for c in rest) == f.read_bytes()[middle:]
    assert (
        file_kind("x.jsonl")[0] == "beidou-jsonl" and file_kind("beidou:x.txt")[0] == "beidou-jsonl"
    )
    assert file_kind("x.csv.gz")[0] == "beidou-csv" and file_kind("x.nmea.gz")[0] == "nmea"
    assert is_live("udp://:10110") and not is_live("/tmp/udp.nmea")


@pytest.mark.parametrize("spec", ["tcp://127.0.0.1:1"])
def test_unreachable_feed_is_retried_not_fatal(tmp_path: Path, spec: str) -> None:
    ing = Ingester(tmp_path)
    stop = threading.Event()
    threading.Timer(1.5, stop.set).start()
    summary = ing.run_live([spec], stop)
    assert summary.messages == 0


def test_live_feed_outlives_a_receiver_that_goes_away(tmp_path: Path) -> None:
    """The simulated feed keeps reconnecting while its receiver is down, sends again when it
    is back, and ends quietly when stopped (no exception in its thread)."""
    sim = Simulation(SimConfig(vessels=20, hours=1, start_ms=START, seed=9))
    first = socket.create_server(("127.0.0.1", 0))
    port = first.getsockname()[1]
    live = LiveFeed(sim, f"tcp://127.0.0.1:{port}", speed=600.0)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            live.run(start_ms=START)
        except BaseException as exc:
            failures.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    conn, _ = first.accept()
    assert conn.recv(4096)
    conn.close()
    first.close()  # the receiver is gone: sends fail, reconnects are refused
    deadline = time.monotonic() + 10
    while len(live.errors) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(live.errors) >= 2
    with socket.create_server(("127.0.0.1", port)) as again:  # back on the same port
        again.settimeout(10)
        conn, _ = again.accept()
        with conn:
            assert conn.recv(4096)
        live.stop.set()
        thread.join(10)
    assert not thread.is_alive() and failures == []
