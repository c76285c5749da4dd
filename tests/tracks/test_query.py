"""Track store queries: track order and simplification, the picture at a time, search."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
import pytest

from seawarden.positions.batch import PositionBatch
from seawarden.tracks.query import TrackQuery
from seawarden.tracks.simplify import simplify_track
from seawarden.tracks.store import TrackStore

from ..traffic import START


def _store(tmp_path: Path) -> tuple[Path, PositionBatch]:
    """Three vessels over two UTC days, written in several commits, then compacted."""
    rng = np.random.default_rng(0)
    n = 3 * 600
    b = PositionBatch.allocate(n)
    keys = np.repeat([413000001, 413000002, 413000003], 600)
    t = np.tile(np.arange(600) * 240_000, 3) + START  # every 4 minutes for 40 hours
    order = rng.permutation(n)
    b.vessel_key = keys[order]
    b.mmsi = keys[order].astype(np.int32)
    b.time = t[order]
    b.rxtime = b.time + 500
    base_lat = {413000001: 29.0, 413000002: 30.0, 413000003: 31.0}
    b.lat = np.array([base_lat[k] for k in b.vessel_key]) + (b.time - START) / 3.6e9
    b.lon = 122.0 + (b.time - START) / 3.6e9
    b.sog[:] = 10
    b.cog[:] = 45
    b.fingerprint = rng.integers(0, 2**62, n)
    store = TrackStore(tmp_path)
    for k, part in enumerate(np.array_split(np.arange(n), 5)):
        files = store.write_parts(b.take(part), f"t{k}")
        store.publish(files)
    added, removed = store.compact(min_files=2, tag="c")
    store.publish(added, removed)
    return tmp_path, b


def test_track_in_time_order_over_days_and_ranges(tmp_path: Path) -> None:
    data, _ = _store(tmp_path)
    q = TrackQuery.open(data)
    whole = q.track(413000002)
    times = whole["time"].cast("int64").to_numpy()
    assert whole.num_rows == 600 and np.all(np.diff(times) > 0)
    assert set(whole["mmsi"].to_pylist()) == {413000002}
    part = q.track("413000002", START + 3_600_000, START + 7_200_000)
    assert part.num_rows == 16  # 60 min / 4 min, both ends included
    assert q.track(413000009).num_rows == 0
    every = q.track(413000002, every_s=3600)
    assert every.num_rows == len(set((times // 3_600_000).tolist()))  # one per clock hour
    assert q.store.rows() == 1800
    # compaction left one file per (layout, day, bucket)
    assert all(len(list(p.parent.glob("*.parquet"))) == 1 for p in q.store.files())


def test_snapshot_is_last_position_before_time_with_age(tmp_path: Path) -> None:
    data, _ = _store(tmp_path)
    q = TrackQuery.open(data)
    at = START + 10 * 3_600_000 + 100_000  # 100 s after a report
    snap = q.snapshot(at)
    assert snap.num_rows == 3
    ages = snap["age_s"].to_pylist()
    assert ages == pytest.approx([100.0] * 3)
    for row in snap.to_pylist():
        track = q.track(row["vessel_key"], START, at)
        assert row["time"] == track["time"].to_pylist()[-1]
    box = q.snapshot(at, bbox=(121.0, 29.5, 123.0, 30.5))
    assert box["mmsi"].to_pylist() == [413000002]
    assert q.snapshot(at, max_age_s=60).num_rows == 0
    assert q.snapshot(START - 3_600_000).num_rows == 0


def _max_deviation_m(lat: np.ndarray, lon: np.ndarray, keep: np.ndarray) -> float:
    """Largest distance from an original point to the simplified polyline (local plane)."""
    k = np.cos(np.radians(lat.mean())) * 111_195.0
    x, y = lon * k, lat * 111_195.0
    kx, ky = x[keep], y[keep]
    worst = 0.0
    for px, py in zip(x, y, strict=True):
        best = np.inf
        for i in range(len(kx) - 1):
            dx, dy = kx[i + 1] - kx[i], ky[i + 1] - ky[i]
            t = np.clip(
                ((px - kx[i]) * dx + (py - ky[i]) * dy) / max(dx * dx + dy * dy, 1e-12), 0, 1
            )
            best = min(best, float(np.hypot(px - kx[i] - t * dx, py - ky[i] - t * dy)))
        worst = max(worst, best)
    return worst


def test_douglas_peucker_keeps_shape_within_tolerance() -> None:
    rng = np.random.default_rng(1)
    lat = np.concatenate([np.linspace(30, 30.1, 50), np.full(50, 30.1)]) + rng.normal(0, 2e-5, 100)
    lon = np.concatenate([np.full(50, 122.0), np.linspace(122.0, 122.1, 50)]) + rng.normal(
        0, 2e-5, 100
    )
    for tol in (1.0, 10.0, 100.0):
        keep = simplify_track(lat, lon, tol)
        assert keep[0] and keep[-1]
        assert _max_deviation_m(lat, lon, keep) <= tol + 1e-6
    assert simplify_track(lat, lon, 100.0).sum() <= 5 < simplify_track(lat, lon, 1.0).sum()


def test_search_and_latest_from_ingest(
    ingested: tuple[Path, Any], sim_files: tuple[Path, Path, dict[str, Any], Any]
) -> None:
    data, _ = ingested
    sim = sim_files[3]
    q = TrackQuery.open(data)
    latest = q.latest()
    keys = latest["vessel_key"].to_pylist()
    assert len(keys) == len(set(keys))
    known = set(pq.read_table(data / "vessels.parquet")["mmsi"].to_pylist())
    vessel = next(v for v in sim.fleet if v.kind == "tanker" and v.mmsi in known)
    for text in (str(vessel.mmsi), str(vessel.imo), vessel.name.lower(), vessel.callsign):
        found = q.search(text).to_pylist()
        assert any(r["mmsi"] == vessel.mmsi for r in found), text
    fisher = next(v for v in sim.fleet if v.kind == "fishing" and v.mmsi in known)
    found = q.search(fisher.fishing_no or "").to_pylist()
    assert found[0]["terminal"] == fisher.terminal and found[0]["mmsi"] == fisher.mmsi
    assert found[0]["kind"] == "ais+beidou"
    assert q.search("no such vessel").num_rows == 0
    assert len(known) >= len(sim.fleet) - 8  # scripted vessels may be out of range/silent


def test_track_reader_agrees_with_sql_over_the_ingested_store(
    ingested: tuple[Path, Any],
) -> None:
    import duckdb
    import pyarrow as pa

    from seawarden.tracks.query import COLUMNS, read_track

    data, _ = ingested
    q = TrackQuery.open(data)
    latest = q.latest()
    keys = latest.column("vessel_key").to_pylist()[:12]
    t0, t1 = START + 600_000, START + 5_400_000
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    checked = 0
    for key in keys:
        files = q.store.files(None, int(q.store.bucket_of(np.array([key]))[0]))
        got = read_track(files, key, t0, t1)
        listed = ", ".join(f"'{f}'" for f in files)
        want = con.sql(
            f"SELECT {COLUMNS} FROM read_parquet([{listed}]) WHERE vessel_key = {key} "
            f"AND epoch_ms(time) BETWEEN {t0} AND {t1} ORDER BY time, fingerprint"
        ).to_arrow_table()
        assert got.column_names == want.column_names
        for name in got.column_names:
            a, b = got.column(name), want.column(name)
            if name == "time":
                a = a.cast("int64")
                b = b.cast(pa.timestamp("ms", tz="UTC")).cast("int64")
            assert a.to_pylist() == b.to_pylist(), (key, name)
        checked += got.num_rows
    assert checked > 100


def test_snapshot_reader_agrees_with_sql_over_the_ingested_store(
    ingested: tuple[Path, Any],
) -> None:
    import duckdb
    import pyarrow as pa

    from seawarden.tracks.query import _COLUMN_NAMES, COLUMNS

    data, _ = ingested
    q = TrackQuery.open(data)
    files = q.store.files(layout="picture")
    listed = ", ".join(f"'{f}'" for f in files)
    pack = ", ".join(f"{c} := {c}" for c in _COLUMN_NAMES)
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    compared = 0
    for minutes, box in ((20, None), (45, (121.9, 29.8, 122.4, 30.1)), (75, None)):
        at = START + minutes * 60_000
        got = q.snapshot(at, box, max_age_s=900)
        where = f"epoch_ms(time) BETWEEN {at - 900_000} AND {at}"
        sql = (
            f"SELECT s.* FROM (SELECT arg_max(struct_pack({pack}), time) AS s "
            f"FROM read_parquet([{listed}]) WHERE {where} GROUP BY vessel_key)"
        )
        if box is not None:
            sql += f" WHERE s.lon BETWEEN {box[0]} AND {box[2]} AND s.lat BETWEEN {box[1]} AND {box[3]}"
        want = con.sql(sql + " ORDER BY s.vessel_key").to_arrow_table()
        assert got.column_names == [*COLUMNS.replace(" ", "").split(","), "age_s"]
        assert got.column("vessel_key").to_pylist() == want.column("vessel_key").to_pylist()
        for name in ("lat", "lon", "mmsi", "sog"):
            assert got.column(name).to_pylist() == want.column(name).to_pylist(), name
        times = got.column("time").cast(pa.int64()).to_numpy()
        assert np.allclose(got.column("age_s").to_numpy(), (at - times) / 1000.0)
        compared += got.num_rows
    assert compared > 20


def _sql_track(files: list[Path], key: int, t0: int, t1: int) -> list[dict[str, Any]]:
    import duckdb

    from seawarden.tracks.query import COLUMNS

    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    listed = ", ".join(f"'{f}'" for f in files)
    rows = con.sql(
        f"SELECT {COLUMNS}, epoch_ms(time) AS ms FROM read_parquet([{listed}]) "
        f"WHERE vessel_key = {key} AND epoch_ms(time) BETWEEN {t0} AND {t1} "
        "ORDER BY time, fingerprint"
    ).to_arrow_table()
    return [{**r, "time": r.pop("ms")} for r in rows.to_pylist()]


@pytest.mark.parametrize("layout", ["parts", "compacted", "unsorted file"])
def test_track_reader_orders_equal_times_by_transmission_in_any_layout(
    tmp_path: Path, layout: str
) -> None:
    """Equal times (several transmissions in one millisecond) come in fingerprint order,
    whether the vessel's rows lie in one sorted file, in several parts, or in a file that is
    not sorted at all; the result is the SQL reference's, row for row."""
    import pyarrow as pa

    from seawarden.tracks.query import read_track

    rng = np.random.default_rng(7)
    n = 1200
    b = PositionBatch.allocate(n)
    b.vessel_key = rng.choice([413000001, 413000017], n)  # one bucket (16 buckets)
    b.mmsi = b.vessel_key.astype(np.int32)
    b.time = START + rng.integers(0, 400, n) * 60_000  # many equal times
    b.rxtime = b.time
    b.lat = rng.uniform(29, 31, n)
    b.lon = rng.uniform(121, 123, n)
    b.fingerprint = rng.integers(0, 2**62, n)
    store = TrackStore(tmp_path)
    if layout == "unsorted file":
        path = tmp_path / "tracks" / "day=x" / "bucket=01" / "shuffled.parquet"
        path.parent.mkdir(parents=True)
        pq.write_table(b.to_arrow(), path, row_group_size=100)
        files = [path]
    else:
        for k, part in enumerate(np.array_split(np.arange(n), 4)):
            store.publish(store.write_parts(b.take(part), f"p{k}"))
        if layout == "compacted":
            store.publish(*store.compact(min_files=2, tag="c"))
        files = store.files(None, 1)
        assert len(files) == (1 if layout == "compacted" else 4)
    for key in (413000001, 413000017):
        for t0, t1 in ((START, START + 400 * 60_000), (START + 3_000_000, START + 9_000_000)):
            got = read_track(files, key, t0, t1)
            want = _sql_track(files, key, t0, t1)
            rows = got.to_pylist()
            times = got.column("time").cast(pa.int64()).to_pylist()
            assert len(rows) == len(want) > 0
            for row, ms, ref in zip(rows, times, want, strict=True):
                assert ms == ref["time"]
                assert (row["lat"], row["lon"]) == (ref["lat"], ref["lon"])
    assert len(set(b.time.tolist())) < n  # the data did have equal times


def test_store_files_dictionary_encode_only_repetitive_columns(tmp_path: Path) -> None:
    from seawarden.tracks.store import PLAIN_COLUMNS

    data, _ = _store(tmp_path)
    files = TrackStore(data).files() + TrackStore(data).files(layout="picture")
    assert len(files) >= 2
    for path in files:
        md = pq.read_metadata(path)
        group = md.row_group(0)
        for i in range(group.num_columns):
            chunk = group.column(i)
            dictionary = any("DICTIONARY" in e for e in chunk.encodings)
            assert dictionary == (chunk.path_in_schema not in PLAIN_COLUMNS), (
                path.name,
                chunk.path_in_schema,
                chunk.encodings,
            )
            if chunk.path_in_schema in ("vessel_key", "time"):
                assert chunk.statistics is not None and chunk.statistics.has_min_max
