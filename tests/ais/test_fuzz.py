"""Random and mutated input never raises and never loses count of a line."""

from __future__ import annotations

import random
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seawarden.ais import Decoder, StreamDecoder, decode_batch, iter_messages
from seawarden.ais.arrow import chunk_tables

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEED_FILES = [
    "pyais__mixed.txt",
    "pyais__timestamped.ais",
    "libais__tagblock.nmea",
    "gpsd__ais-18-27.log",
    "libais__test.aivdm",
]


def _seed_lines(ais_data: Path) -> list[bytes]:
    lines: list[bytes] = []
    for name in SEED_FILES:
        lines += (ais_data / name).read_bytes().splitlines()
    return lines


def _decode_everything(data: bytes) -> None:
    decoder = Decoder()
    chunk = decoder.decode(data, final=True)
    tables = chunk_tables(chunk)
    messages = list(iter_messages([data], scaled=False))
    stats = decoder.stats()
    assert stats.balanced()
    rows = sum(t.num_rows for t in tables.values())
    assert rows == stats.messages
    assert len(messages) == rows


@FUZZ
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    _decode_everything(data)


@FUZZ
@given(
    st.lists(
        st.text(alphabet="!\\$*,:-0123456789ABCDEFGHIJKLMNOPVWabcdefhw`@ \r", max_size=90),
        max_size=12,
    )
)
def test_random_nmea_like_text(lines: list[str]) -> None:
    _decode_everything("\n".join(lines).encode())


@FUZZ
@given(st.data())
def test_mutated_real_lines(ais_data: Path, data: st.DataObject) -> None:
    lines = _seed_lines(ais_data)
    picked = data.draw(st.lists(st.sampled_from(lines), min_size=1, max_size=8))
    mutated = []
    for line in picked:
        b = bytearray(line)
        for _ in range(data.draw(st.integers(0, 4))):
            op = data.draw(st.sampled_from(["flip", "insert", "delete", "truncate"]))
            if not b:
                break
            i = data.draw(st.integers(0, len(b) - 1))
            if op == "flip":
                b[i] ^= 1 << data.draw(st.integers(0, 7))
            elif op == "insert":
                b.insert(i, data.draw(st.integers(0, 255)))
            elif op == "delete":
                del b[i]
            else:
                del b[i:]
        mutated.append(bytes(b))
    _decode_everything(b"\n".join(mutated))


def test_mutation_storm_with_good_lines_interleaved(ais_data: Path) -> None:
    """20,000 mutated lines between good ones: every good line still decodes."""
    rng = random.Random(20261122)
    seeds = _seed_lines(ais_data)
    good = b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"
    out = []
    for _ in range(20_000):
        b = bytearray(rng.choice(seeds))
        for _ in range(rng.randint(1, 6)):
            if b:
                b[rng.randrange(len(b))] = rng.randrange(256)
        out.append(bytes(b))
        out.append(good)
    decoder = Decoder()
    tables = decode_batch(b"\n".join(out), decoder=decoder)
    stats = decoder.stats()
    assert stats.balanced()
    mmsi = tables["position"]["mmsi"].to_pylist()
    assert mmsi.count(371798000) >= 20_000


def test_stream_decoder_random_splits(ais_data: Path) -> None:
    rng = random.Random(7)
    data = (ais_data / "dma__stream_example.txt").read_bytes()
    expected = list(iter_messages([data]))
    stream = StreamDecoder()
    got = []
    pos = 0
    while pos < len(data):
        step = rng.randint(1, 3000)
        got += stream.feed(data[pos : pos + step])
        pos += step
    got += stream.close()
    assert got == expected
