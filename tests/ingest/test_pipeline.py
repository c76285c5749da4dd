"""The ingest pipeline end to end: counts, duplicates, ordering, clocks, particulars, resume."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

from seawarden.ais.encode import encode
from seawarden.ingest.archive import RawArchive
from seawarden.ingest.pipeline import Ingester
from seawarden.positions.schema import Flag
from seawarden.sim.engine import Simulation
from seawarden.tracks.query import TrackQuery

from ..traffic import START, position_line


def _all_rows(data: Path) -> Any:
    q = TrackQuery.open(data)
    files = q.store.files()
    return pq.read_table(files) if files else None


def test_every_received_position_stored_once_and_counters_add_up(
    sim_files: tuple[Path, Path, dict[str, Any], Simulation], ingested: tuple[Path, Any]
) -> None:
    _, _, truth, _ = sim_files
    data, summary = ingested
    counts = truth["counts"]
    assert summary.stored == counts["positions_received"] + counts["beidou_records"]
    p = summary.positions
    assert p["received"] == sum(p["outcomes"].values())
    d = summary.decode
    assert d["lines"] == sum(d["outcomes"].values()) + d["pending"]
    assert d["lines"] == counts["lines"]
    rejected = sum(v for k, v in d["outcomes"].items() if k not in ("ok", "metadata", "not_ais"))
    # Every damaged line is rejected under a reason (a damaged half of a two-part message
    # also makes its other half time out).
    assert (
        counts["corrupt_lines"]
        <= rejected + d["outcomes"]["not_ais"]
        <= 2 * counts["corrupt_lines"]
    )
    table = _all_rows(data)
    assert table.num_rows == summary.stored
    keys = list(zip(table["vessel_key"].to_pylist(), table["fingerprint"].to_pylist(), strict=True))
    assert len(set(keys)) == len(keys)
    assert max(table["stations"].to_pylist()) >= 3  # heard by several stations, kept once


def test_archive_holds_every_byte_received(
    sim_files: tuple[Path, Path, dict[str, Any], Simulation], ingested: tuple[Path, Any]
) -> None:
    nmea, beidou, _, _ = sim_files
    data, _ = ingested
    by_source: dict[str, bytes] = {}
    for path in RawArchive(data).files():
        for chunk in RawArchive.read(path):
            by_source[chunk.source] = by_source.get(chunk.source, b"") + chunk.data
    assert by_source[f"file:{nmea.resolve()}"] == nmea.read_bytes()
    assert by_source[f"file:{beidou.resolve()}"] == beidou.read_bytes()


def test_rerun_resumes_and_appended_lines_are_added(tmp_path: Path) -> None:
    f = tmp_path / "feed.nmea"
    lines = [
        position_line(413000001, START + i * 10_000, 29.9, 122.0 + i * 0.001) for i in range(50)
    ]
    f.write_bytes(b"".join(lines[:30]))
    data = tmp_path / "data"
    assert Ingester(data).run_files([str(f)]).stored == 30
    assert Ingester(data).run_files([str(f)]).stored == 0
    with open(f, "ab") as fh:
        fh.write(b"".join(lines[30:]))
    assert Ingester(data).run_files([str(f)]).stored == 20
    assert _all_rows(data).num_rows == 50


def test_duplicate_semantics_d04(tmp_path: Path) -> None:
    t = START
    one = position_line(413000002, t, 30.0, 122.0, "A", t + 200)
    copies = (
        one
        + position_line(413000002, t, 30.0, 122.0, "B", t + 900)
        + position_line(413000002, t, 30.0, 122.0, "C", t + 1800)
    )
    later = position_line(413000002, t + 60_000, 30.0, 122.0, "A", t + 60_300)
    f = tmp_path / "d.nmea"
    f.write_bytes(copies + later)
    summary = Ingester(tmp_path / "data").run_files([str(f)])
    assert summary.stored == 2
    assert summary.positions["outcomes"]["duplicate"] == 2
    rows = _all_rows(tmp_path / "data").sort_by("time")
    assert rows["stations"].to_pylist() == [3, 1]


def test_out_of_order_and_six_hour_late_batch_d06(tmp_path: Path) -> None:
    rng = random.Random(3)
    mmsi = 413000003
    truth = [
        (START + i * 30_000, 29.5 + i * 0.0005, 122.0 + i * 0.0005) for i in range(400)
    ]  # 3h20
    on_time = truth[240:]  # the last 2 hours, delivered shuffled within 10 minutes
    late = truth[:240]  # the first 2 hours arrive 6 hours late
    shuffled = sorted(on_time, key=lambda r: r[0] + rng.uniform(0, 600_000))
    f1 = tmp_path / "live.nmea"
    f1.write_bytes(
        b"".join(position_line(mmsi, t, la, lo, rx_ms=t + 700) for t, la, lo in shuffled)
    )
    f2 = tmp_path / "late.nmea"
    f2.write_bytes(b"".join(position_line(mmsi, t, la, lo, rx_ms=t + 700) for t, la, lo in late))
    data = tmp_path / "data"
    Ingester(data).run_files([str(f1)])
    q = TrackQuery.open(data)
    latest_before = q.latest()["time"].to_pylist()
    Ingester(data).run_files([str(f2)])
    q = TrackQuery.open(data)
    track = q.track(mmsi)
    times = [int(t.timestamp() * 1000) for t in track["time"].to_pylist()]
    assert times == [t for t, _, _ in truth]
    assert np.allclose(track["lat"].to_numpy(), [la for _, la, _ in truth], atol=1e-5)
    assert q.latest()["time"].to_pylist() == latest_before  # never moves back in time


def test_clock_faults_d08(tmp_path: Path) -> None:
    from seawarden.ingest.sources import Chunk

    data = tmp_path / "data"
    ing = Ingester(data)
    now = START + 3_600_000
    ahead = position_line(413000004, now + 600_000, 30.0, 122.0, rx_ms=now + 600_200)
    untagged = position_line(413000005, now, 30.1, 122.1, tag=False)
    ing.process(Chunk("tcp://test", "nmea", ahead + untagged, 1, now))
    ing.commit(final=True)
    rows = {r["mmsi"]: r for r in _all_rows(data).to_pylist()}
    a, b = rows[413000004], rows[413000005]
    assert a["flags"] & Flag.CLOCK_AHEAD
    assert abs(int(a["time"].timestamp() * 1000) - now) <= 60_000  # arrival time, not the future
    assert b["flags"] & Flag.TIME_FROM_ARRIVAL
    latest = TrackQuery.open(data).latest()
    assert max(int(t.timestamp() * 1000) for t in latest["time"].to_pylist()) <= now + 60_000


def test_invalid_mmsi_and_unavailable_positions_are_counted(tmp_path: Path) -> None:
    f = tmp_path / "x.nmea"
    bad = position_line(123456789, START, 30.0, 122.0)
    na = "".join(
        x + "\r\n"
        for x in encode(
            {"type": 1, "mmsi": 413000006, "lat": 91, "lon": 181, "second": 5},
            tag_block=f"s:S,c:{START // 1000}",
        )
    ).encode()
    f.write_bytes(bad + na)
    s = Ingester(tmp_path / "data").run_files([str(f)])
    assert s.stored == 1 and s.positions["outcomes"]["no_position"] == 1
    assert s.positions["flags"]["invalid_mmsi"] == 1
    assert _all_rows(tmp_path / "data")["flags"].to_pylist()[0] & Flag.INVALID_MMSI


def test_particulars_and_their_history(tmp_path: Path) -> None:
    def static(dest: str, draught: float, rx: int) -> bytes:
        fields = {
            "type": 5,
            "mmsi": 413000007,
            "shipname": "HAI XING 8",
            "callsign": "BQRS",
            "imo": 9074729,
            "shiptype": 70,
            "destination": dest,
            "draught": draught,
            "to_bow": 100,
            "to_stern": 20,
        }
        return "".join(x + "\r\n" for x in encode(fields, tag_block=f"s:S,c:{rx // 1000}")).encode()

    f = tmp_path / "s.nmea"
    f.write_bytes(
        static("NINGBO", 8.5, START)
        + static("NINGBO", 8.5, START + 360_000)
        + static("SHANGHAI", 9.1, START + 720_000)
    )
    data = tmp_path / "data"
    Ingester(data).run_files([str(f)])
    vessels = pq.read_table(data / "vessels.parquet").to_pylist()
    assert (
        len(vessels) == 1
        and vessels[0]["destination"] == "SHANGHAI"
        and vessels[0]["draught"] == 9.1
    )
    hist = pq.read_table(data / "history").to_pylist()
    changes = [(h["field"], h["old"], h["new"]) for h in hist if h["old"] is not None]
    assert ("destination", "NINGBO", "SHANGHAI") in changes and ("draught", "8.5", "9.1") in changes
    assert {h["field"] for h in hist} >= {"shipname", "callsign", "imo", "destination", "draught"}


def test_two_vessels_on_one_mmsi_get_separate_segments(tmp_path: Path) -> None:
    lines = []
    for i in range(40):
        t = START + i * 20_000
        lines.append(position_line(413000008, t, 29.9, 122.0 + i * 0.001, speed=10, course=90))
        lines.append(position_line(413000008, t + 5_000, 36.0, 120.4, speed=0.0, course=0))
    f = tmp_path / "spoof.nmea"
    f.write_bytes(b"".join(lines))
    Ingester(tmp_path / "data").run_files([str(f)])
    rows = _all_rows(tmp_path / "data").to_pylist()
    near = {r["segment"] for r in rows if r["lat"] < 31}
    far = {r["segment"] for r in rows if r["lat"] > 31}
    assert len(near) == 1 and len(far) == 1 and near != far
