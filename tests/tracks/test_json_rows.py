"""The columnar JSON writer gives what per-row records through orjson give, for any table."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from seawarden.positions.schema import Flag, Source
from seawarden.tracks.json_kernel import (
    MAX_ISO_MS,
    MIN_ISO_MS,
    decimal_text,
    iso_ms_text,
)
from seawarden.tracks.json_rows import positions_json, positions_jsonl
from seawarden.tracks.output import records
from seawarden.tracks.query import TrackQuery, _empty


def _reference(table: pa.Table) -> Any:
    return orjson.loads(orjson.dumps(list(records(table))))


def _table(rows: list[dict[str, Any]], with_age: bool = False) -> pa.Table:
    schema = _empty(with_age).schema
    return pa.Table.from_pylist(rows, schema=schema)


def test_tracks_and_pictures_of_an_ingested_store(ingested: tuple[Path, Any]) -> None:
    data, _ = ingested
    q = TrackQuery.open(data)
    latest = q.latest()
    assert orjson.loads(positions_json(latest)) == _reference(latest)
    for key in latest.column("vessel_key").to_pylist()[:25]:
        track = q.track(key)
        assert track.num_rows > 0
        assert orjson.loads(positions_json(track)) == _reference(track)
    times = q.track(latest.column("vessel_key")[0].as_py()).column("time")
    picture = q.snapshot(times[len(times) // 2].value)
    assert "age_s" in picture.column_names and picture.num_rows > 0
    assert orjson.loads(positions_json(picture)) == _reference(picture)


def test_missing_values_strings_flags_and_sources() -> None:
    t = dt.datetime(2026, 7, 15, 0, 0, 55, 851000, tzinfo=dt.UTC)
    rows = [
        {  # AIS: no terminal or fishing number, heading and status not available
            "vessel_key": 413000001,
            "time": t,
            "mmsi": 413000001,
            "lat": 30.123456666666667,
            "lon": -0.0,
            "sog": float("nan"),
            "cog": 359.95,
            "heading": -1,
            "status": -1,
            "source": int(Source.AIS_A),
            "stations": 3,
            "flags": int(Flag.JUMP | Flag.INVALID_MMSI),
            "segment": 2,
        },
        {  # BeiDou: terminal and fishing number with characters JSON must escape
            "vessel_key": -5,
            "time": t + dt.timedelta(milliseconds=1),
            "mmsi": None,
            "terminal": 'T"1\\\n\x01',
            "fishing_no": "浙岱渔03188",
            "lat": -89.999999,
            "lon": 179.9999999,
            "sog": 12.25,
            "cog": None,
            "heading": 0,
            "status": 0,
            "source": int(Source.BEIDOU),
            "station": "<b>station</b>",
            "stations": 1,
            "flags": 0,
            "segment": 0,
        },
        {  # an unknown source code and every flag
            "vessel_key": 7,
            "time": dt.datetime(1969, 12, 31, 23, 59, 59, 999000, tzinfo=dt.UTC),
            "mmsi": 7,
            "lat": 1e-05,
            "lon": 123456.0,
            "sog": 1e16,
            "cog": -0.04,
            "source": 99,
            "stations": 0,
            "flags": int(sum(f for f in Flag)),
            "segment": -3,
        },
    ]
    table = _table(rows)
    got = orjson.loads(positions_json(table))
    assert got == _reference(table)
    assert "sog" not in got[0] and "heading" not in got[0] and "terminal" not in got[0]
    assert got[1]["terminal"] == 'T"1\\\n\x01' and got[1]["fishing_no"] == "浙岱渔03188"
    assert got[2]["time"] == "1969-12-31T23:59:59.999Z"
    lines = positions_jsonl(table).split(b"\n")
    assert [orjson.loads(line) for line in lines[:-1]] == got and lines[-1] == b""
    assert positions_json(table.slice(0, 0)) == b"[]" and positions_jsonl(table.slice(0, 0)) == b""


def test_times_outside_four_digit_years_use_the_general_formatter() -> None:
    rows = [
        {
            "vessel_key": 1,
            "time": dt.datetime(1, 1, 1, tzinfo=dt.UTC),
            "lat": 0.0,
            "lon": 0.0,
            "source": 1,
            "stations": 1,
            "flags": 0,
            "segment": 0,
        }
    ]
    table = _table(rows)
    assert orjson.loads(positions_json(table)) == _reference(table)
    wide = table.set_column(
        1, "time", pa.array([MAX_ISO_MS + 1], pa.int64()).cast(pa.timestamp("ms", tz="UTC"))
    )
    assert orjson.loads(positions_json(wide)) == _reference(wide)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.fixed_dictionaries(
            {
                "vessel_key": st.integers(-(2**40), 2**40),
                "time": st.integers(MIN_ISO_MS, MAX_ISO_MS).map(
                    lambda ms: dt.datetime.fromtimestamp(ms / 1000, dt.UTC)
                ),
                "mmsi": st.none() | st.integers(-(2**31), 2**31 - 1),
                "terminal": st.none() | st.text(max_size=12),
                "fishing_no": st.none() | st.text(max_size=12),
                "lat": st.floats(-90, 90),
                "lon": st.floats(-180, 180),
                "sog": st.none() | st.floats(allow_infinity=True, allow_nan=True, width=32),
                "cog": st.none() | st.floats(-1e6, 1e6, width=32),
                "heading": st.none() | st.integers(-(2**15), 2**15 - 1),
                "status": st.none() | st.integers(-128, 127),
                "source": st.integers(-128, 127),
                "station": st.none() | st.text(max_size=8),
                "stations": st.integers(-(2**15), 2**15 - 1),
                "flags": st.integers(-(2**15), 2**15 - 1),
                "segment": st.integers(-(2**31), 2**31 - 1),
                "age_s": st.floats(-1e9, 1e9),
            }
        ),
        max_size=30,
    )
)
def test_any_table_encodes_as_its_records(rows: list[dict[str, Any]]) -> None:
    table = _table(rows, with_age=True)
    assert orjson.loads(positions_json(table)) == _reference(table)
    lines = positions_jsonl(table).split(b"\n")  # JSON escapes newlines inside strings
    assert lines[-1] == b""
    assert [orjson.loads(line) for line in lines[:-1]] == _reference(table)


@pytest.mark.parametrize("seed", [0, 1])
def test_iso_formatter_agrees_with_numpy_over_the_whole_range(seed: int) -> None:
    rng = np.random.default_rng(seed)
    ms = np.concatenate(
        [
            rng.integers(MIN_ISO_MS, MAX_ISO_MS, 20_000),
            [MIN_ISO_MS, MAX_ISO_MS, 0, -1, 951_782_400_000, 4_107_542_399_999],  # leap days
        ]
    ).astype(np.int64)
    out = np.empty(ms.size * 24, dtype=np.uint8)
    iso_ms_text(ms, out)
    got = out.tobytes().decode()
    want = np.datetime_as_string(ms.astype("datetime64[ms]"), unit="ms")
    assert [got[24 * i : 24 * i + 24] for i in range(ms.size)] == [w + "Z" for w in want]


def test_integer_and_tenths_formatters() -> None:
    values = np.array([0, 7, -7, 10, -(2**63) + 1, 2**63 - 1, 123456789], dtype=np.int64)
    valid = np.array([True, True, True, False, True, True, True])
    offsets = np.empty(values.size + 1, dtype=np.int64)
    out = np.empty(values.size * 22, dtype=np.uint8)
    size = decimal_text(values, valid, False, offsets, out)
    text = out[:size].tobytes().decode()
    pieces = [text[offsets[i] : offsets[i + 1]] for i in range(values.size)]
    assert pieces == [str(v) if ok else "" for v, ok in zip(values.tolist(), valid, strict=True)]
    size = decimal_text(values[:5], valid[:5], True, offsets, out)
    text = out[:size].tobytes().decode()
    pieces = [text[offsets[i] : offsets[i + 1]] for i in range(5)]
    assert pieces[:3] == ["0.0", "0.7", "-0.7"] and pieces[3] == ""
    assert float(pieces[4]) == (-(2**63) + 1) / 10
