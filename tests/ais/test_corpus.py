"""Whole captures: counts add up, and the batch and streaming paths agree value for value."""

from __future__ import annotations

import math
from pathlib import Path

import pyarrow as pa
import pytest

from seawarden.ais import Decoder, decode_batch, iter_messages
from seawarden.ais.records import META_KEYS

# file: (lines, messages, outcome counts)
CAPTURES = {
    "dma__stream_example.txt": (8551, 4051, {"ok": 4500, "metadata": 4051}),
    "dma__decode_encode_messages.txt": (646, 601, {"ok": 646}),
    "dma__ais250.txt": (243, 235, {"ok": 235, "fragment_timeout": 8}),
    "pyais__nmea_data_sample.txt": (
        898,
        778,
        {"ok": 778, "empty_payload": 100, "fragment_timeout": 20},
    ),
    "libais__test.aivdm": (
        345,
        226,
        {"ok": 228, "not_ais": 82, "unknown_type": 17, "too_short": 18},
    ),
}


@pytest.mark.parametrize("name", sorted(CAPTURES))
def test_capture_counts(ais_data: Path, name: str) -> None:
    lines, messages, outcomes = CAPTURES[name]
    decoder = Decoder()
    with open(ais_data / name, "rb") as fh:
        decoded = list(iter_messages(fh, decoder=decoder))
    stats = decoder.stats()
    assert stats.lines == lines
    assert len(decoded) == stats.messages == messages
    assert {k: v for k, v in stats.outcomes.items() if v} == outcomes
    assert stats.balanced()
    assert sum(r.lines for r in decoder.rejects) == stats.rejected()


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=0, abs_tol=0) or a == b
    return a == b


@pytest.mark.parametrize("scaled", [True, False])
def test_batch_and_stream_agree(ais_data: Path, scaled: bool) -> None:
    data = b"".join(
        (ais_data / n).read_bytes().rstrip(b"\n") + b"\n"
        for n in (
            "gpsd__sample.aivdm",
            "dma__stream_example.txt",
            "libais__test.aivdm",
            "gpsd__ais-nmea-type6-fid55.log",
        )
    )
    messages = list(iter_messages([data], scaled=scaled))
    tables = decode_batch(data, scaled=scaled)
    assert sum(t.num_rows for t in tables.values()) == len(messages)
    by_line = {m["line"]: m for m in messages}
    checked = 0
    for table in tables.values():
        for row in table.to_pylist():
            msg = by_line[row["line"]]
            for key, value in msg.items():
                if key in META_KEYS or key in ("tagblock", "timestamp", "eta"):
                    continue
                if key not in row:
                    # Decoded application fields live in the JSON column.
                    assert row.get("application") is not None
                    continue
                assert _same(row[key], value), (row["line"], key, row[key], value)
                checked += 1
            for key, value in row.items():
                if key in msg or value is None:
                    continue
                assert (
                    key in ("parts", "payload_hash", "tagblock", "application", "data")
                    or key.endswith("_text")
                    or key in ("seqno1",)
                ), (key, value)
    assert checked > 40_000


def test_arrow_schema_types(ais_data: Path) -> None:
    tables = decode_batch((ais_data / "dma__stream_example.txt").read_bytes())
    pos = tables["position"].schema
    assert pos.field("lat").type == pa.float64()
    assert pos.field("mmsi").type == pa.int32()
    assert pos.field("accuracy").type == pa.bool_()
    assert pos.field("rxtime").type == pa.timestamp("ms", tz="UTC")
    assert pa.types.is_dictionary(pos.field("status_text").type)
    raw = decode_batch((ais_data / "dma__stream_example.txt").read_bytes(), scaled=False)
    assert raw["position"].schema.field("lat").type == pa.int32()
    assert tables["position"]["rxtime"].null_count == 0
    static = tables["static"]
    assert static.num_rows > 400 and static["shipname"].null_count < static.num_rows


def test_records_match_dicts(ais_data: Path) -> None:
    from seawarden.ais import iter_records

    data = (ais_data / "gpsd__sample.aivdm").read_bytes() + (
        ais_data / "libais__tagblock.nmea"
    ).read_bytes()
    dicts = list(iter_messages([data]))
    records = list(iter_records([data]))
    assert len(dicts) == len(records) == 106
    for d, r in zip(dicts, records, strict=True):
        as_dict = r._asdict()
        app = as_dict.pop("application")
        tags = as_dict.pop("tagblock")
        assert tags == d.get("tagblock")
        for key, value in as_dict.items():
            if key in d:
                assert d[key] == value, key
            elif app is not None:
                continue  # replaced by application fields in the dict view
            else:
                assert value is None, key  # beyond the payload end
        if app is not None:
            assert all(d[k] == v for k, v in app.items())
