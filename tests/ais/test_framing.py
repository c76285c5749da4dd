"""Framing, metadata, reassembly and the reject codes, line by line."""

from __future__ import annotations

from pathlib import Path

import pytest

from seawarden.ais import (
    Decoder,
    DecoderConfig,
    Outcome,
    StreamDecoder,
    decode_batch,
    iter_messages,
)
from seawarden.ais.encode import encode, tag_block
from seawarden.ais.sixbit import checksum

POSITION = {
    "type": 1,
    "mmsi": 413000001,
    "status": 0,
    "turn": 0.0,
    "speed": 12.3,
    "accuracy": True,
    "lon": 121.5,
    "lat": 31.25,
    "course": 90.5,
    "heading": 91,
    "second": 30,
}
STATIC = {
    "type": 5,
    "mmsi": 413000002,
    "imo": 9876543,
    "callsign": "BQRS",
    "shipname": "HAI XUN 01",
    "shiptype": 70,
    "to_bow": 100,
    "to_stern": 20,
    "to_port": 10,
    "to_starboard": 10,
    "epfd": 1,
    "month": 6,
    "day": 1,
    "hour": 8,
    "minute": 30,
    "draught": 8.5,
    "destination": "SHANGHAI",
}
LINE = encode(POSITION)[0]


def decode_lines(lines: list[str], **config: object) -> tuple[list[dict], Decoder]:
    decoder = Decoder(DecoderConfig(**config))  # type: ignore[arg-type]
    messages = list(iter_messages(lines, decoder=decoder))
    assert decoder.stats().balanced()
    return messages, decoder


def sentence(body: str) -> str:
    return f"!{body}*{checksum(body):02X}"


def outcomes(decoder: Decoder) -> dict[str, int]:
    return {k: v for k, v in decoder.stats().outcomes.items() if v}


@pytest.mark.parametrize("talker", ["AI", "AB", "BS", "AS", "AN", "SA"])
@pytest.mark.parametrize("formatter", ["VDM", "VDO"])
def test_any_talker_vdm_and_vdo(talker: str, formatter: str) -> None:
    line = encode(POSITION, talker=talker, sentence=formatter)[0]
    (msg,), _ = decode_lines([line])
    assert msg["sentence"] == talker + formatter
    assert msg["mmsi"] == 413000001 and msg["lat"] == pytest.approx(31.25)


@pytest.mark.parametrize("channel", ["", "A", "B", "1", "2"])
def test_channels(channel: str) -> None:
    (msg,), _ = decode_lines(encode(POSITION, channel=channel))
    assert msg["channel"] == (channel or None)


def test_crlf_and_non_ais_lines_are_counted() -> None:
    text = (
        "$GPGGA,184353.07,1929.045,S,02410.506,E,1,04,2.6,100.00,M,-33.9,M,,0000*6D\r\n"
        f"{LINE}\r\n"
        "# a comment\r\n"
        "\r\n"
        "foobar\r\n"
    )
    messages, decoder = decode_lines(text.splitlines(keepends=True))
    assert len(messages) == 1
    assert outcomes(decoder) == {"ok": 1, "not_ais": 4}


def test_prefix_before_sentence_is_tolerated() -> None:
    (msg,), _ = decode_lines([f"2024-01-01 12:00:00.000 {LINE}"])
    assert msg["mmsi"] == 413000001


def test_tag_block_time_station_and_other_fields() -> None:
    line = (
        tag_block(
            "s:rSTATION 7,c:1700000000,n:17,r:123,d:VTS1,t:hello world,i:x,q:u,"
            "T:2023-11-14 22.13.20"
        )
        + LINE
    )
    (msg,), _ = decode_lines([line])
    assert msg["rxtime"] == 1_700_000_000_000
    assert msg["station"] == "rSTATION 7"
    assert msg["checksum_ok"] is True
    assert msg["tagblock"] == {
        "n": "17",
        "r": "123",
        "d": "VTS1",
        "t": "hello world",
        "i": "x",
        "q": "u",
        "T": "2023-11-14 22.13.20",
    }


@pytest.mark.parametrize(
    ("c", "ms"),
    [
        ("1700000000", 1_700_000_000_000),
        ("1700000000123", 1_700_000_000_123),
        ("1700000000.5", 1_700_000_000_500),
    ],
)
def test_tag_block_time_seconds_or_milliseconds(c: str, ms: int) -> None:
    (msg,), _ = decode_lines([tag_block(f"c:{c}") + LINE])
    assert msg["rxtime"] == ms
    assert "tagblock" not in msg


def test_tag_block_checksum_policy() -> None:
    bad = "\\s:x,c:1700000000*00\\" + LINE
    (msg,), decoder = decode_lines([bad])
    assert msg["checksum_ok"] is False and msg["station"] == "x"
    messages, decoder = decode_lines([bad], strict=True)
    assert messages == [] and outcomes(decoder) == {"bad_tag_block": 1}


@pytest.mark.parametrize(
    "tag",
    ["\\s:x,c:1700000000*1F" + LINE[:0], "\\s:x,c:abc*00\\", "\\garbage*00\\", "\\g:1-x*00\\"],
)
def test_malformed_tag_blocks_are_rejected(tag: str) -> None:
    messages, decoder = decode_lines([tag + LINE])
    assert messages == []
    assert outcomes(decoder) == {"bad_tag_block": 1}
    assert decoder.rejects[0].reason is Outcome.BAD_TAG_BLOCK and decoder.rejects[0].line == 1


def test_tag_block_alone_is_metadata() -> None:
    _, decoder = decode_lines([tag_block("c:1700000000")])
    assert outcomes(decoder) == {"metadata": 1}


def test_pghp_timestamp_applies_to_the_next_sentence_only() -> None:
    body = "PGHP,1,2010,6,11,11,46,11,390,231,45,992190934,1,2B"
    pghp = f"${body}*{checksum(body):02X}"
    messages, decoder = decode_lines([pghp, LINE, LINE])
    assert messages[0]["rxtime"] == 1276256771390
    assert messages[0]["station"] == "992190934"
    assert messages[1]["rxtime"] is None and messages[1]["station"] is None
    assert outcomes(decoder) == {"ok": 2, "metadata": 1}


def test_uscg_trailing_fields() -> None:
    line = LINE + ",s1234,d-119,T12.34567123,S0042,x12,r003669958,1085889680,1085889681"
    (msg,), _ = decode_lines([line])
    assert msg["station"] == "r003669958"
    assert msg["rxtime"] == 1_085_889_680_000
    (msg,), _ = decode_lines([LINE + ",b2003669950,1272412827"])
    assert msg["station"] == "b2003669950"


def test_trailing_epoch_milliseconds_column() -> None:
    (msg,), _ = decode_lines([LINE + ",1327992119173"])
    assert msg["rxtime"] == 1327992119173


def test_multipart_interleaved_across_stations() -> None:
    a = encode(STATIC, seq_id=3)
    b = encode(dict(STATIC, mmsi=413000003, shipname="YU ZHENG 2"), seq_id=3)
    lines = [
        a[0] + ",r1,1700000000",
        b[0] + ",r2,1700000001",
        LINE,
        b[1] + ",r2,1700000001",
        a[1] + ",r1,1700000000",
    ]
    messages, decoder = decode_lines(lines)
    assert [m["type"] for m in messages] == [1, 5, 5]
    assert messages[1]["shipname"] == "YU ZHENG 2" and messages[1]["station"] == "r2"
    assert messages[2]["shipname"] == "HAI XUN 01" and messages[2]["station"] == "r1"
    assert messages[2]["eta"] == "06-01T08:30Z" and messages[2]["draught"] == pytest.approx(8.5)
    assert outcomes(decoder) == {"ok": 5}


def test_multipart_grouped_by_tag_block_without_station_on_second_part() -> None:
    parts = encode(STATIC, seq_id=1)
    lines = [
        tag_block("g:1-2-4242,s:sat1,c:1700000000") + parts[0],
        tag_block("s:sat1,c:1700000001") + LINE,
        tag_block("g:2-2-4242") + parts[1],
    ]
    messages, decoder = decode_lines(lines)
    five = next(m for m in messages if m["type"] == 5)
    assert five["station"] == "sat1" and five["rxtime"] == 1_700_000_000_000
    assert outcomes(decoder) == {"ok": 3}


def test_parts_out_of_order_and_duplicate_fragment() -> None:
    p1, p2 = encode(STATIC, seq_id=5)
    messages, decoder = decode_lines([p2, p2, p1])
    assert len(messages) == 1 and messages[0]["shipname"] == "HAI XUN 01"
    assert outcomes(decoder) == {"ok": 2, "bad_fragment": 1}
    assert decoder.rejects[0].line == 2


def test_orphan_fragment_times_out_at_end_of_stream() -> None:
    p1, _ = encode(STATIC, seq_id=2)
    messages, decoder = decode_lines([p1, LINE])
    assert len(messages) == 1
    assert outcomes(decoder) == {"ok": 1, "fragment_timeout": 1}


def test_fragment_evicted_by_line_window() -> None:
    p1, p2 = encode(STATIC, seq_id=2)
    messages, decoder = decode_lines([p1] + [LINE] * 5 + [p2], window_lines=3)
    assert [m["type"] for m in messages] == [1] * 5
    assert outcomes(decoder) == {"ok": 5, "fragment_timeout": 2}


def test_fragment_evicted_by_receive_time_age() -> None:
    p1, p2 = encode(STATIC, seq_id=2)
    lines = [p1 + ",1700000000", p2 + ",1700000100"]
    messages, decoder = decode_lines(lines, max_age_s=60)
    assert messages == []
    assert outcomes(decoder) == {"fragment_timeout": 2}
    messages, _ = decode_lines(lines, max_age_s=120)
    assert len(messages) == 1


def test_restarted_message_evicts_the_incomplete_one() -> None:
    p1, p2 = encode(STATIC, seq_id=4)
    messages, decoder = decode_lines([p1, p1, p2])
    assert len(messages) == 1
    assert outcomes(decoder) == {"ok": 2, "fragment_timeout": 1}


def test_checksum_policy() -> None:
    bad = LINE[:-2] + ("00" if LINE[-2:] != "00" else "01")
    absent = LINE[: LINE.index("*")]
    (m1, m2), decoder = decode_lines([bad, absent])
    assert m1["checksum_ok"] is False and m2["checksum_ok"] is None
    assert m1["mmsi"] == m2["mmsi"] == 413000001
    messages, decoder = decode_lines([bad, absent, LINE], strict=True)
    assert len(messages) == 1 and messages[0]["checksum_ok"] is True
    assert outcomes(decoder) == {"ok": 1, "bad_checksum": 1, "no_checksum": 1}


REJECTS = [
    ("non_ascii", LINE[:20] + "é" + LINE[20:]),
    ("non_ascii", LINE[:20] + "\x00" + LINE[20:]),
    ("too_long", LINE + "," + "x" * 3000),
    ("bad_prefix", "!=IVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A"),
    ("bad_prefix", sentence("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ")),
    ("bad_prefix", sentence("AIVDM,1,1,,AB,15RTgt0PAso;90TKcjM8h6g208CQ,0")),
    ("bad_fragment", sentence("AIVDM,0,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0")),
    ("bad_fragment", sentence("AIVDM,2,3,1,A,15RTgt0PAso;90TKcjM8h6g208CQ,0")),
    ("bad_fragment", sentence("AIVDM,2,1,x,A,15RTgt0PAso;90TKcjM8h6g208CQ,0")),
    ("empty_payload", "!AIVDM,1,1,,B,,0*25"),
    ("bad_payload", sentence("AIVDM,1,1,,A,15RTgt0PAso;90TK~jM8h6g208CQ,0")),
    ("bad_payload", sentence("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,6")),
    ("unknown_type", sentence("AIVDM,1,1,,A,05RTgt0PAso;90TKcjM8h6g208CQ,0")),
    ("unknown_type", sentence("AIVDM,1,1,,A,L5RTgt0PAso;90TKcjM8h6g208CQ,0")),
    ("too_short", sentence("AIVDM,1,1,,A,15RTgt0PA,0")),
    ("too_short", sentence("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g2,0")),
    ("bad_field", sentence("AIVDM,1,1,,A,H5RTgt<00000000000000000000,0")),
]


@pytest.mark.parametrize(("reason", "line"), REJECTS)
def test_each_reject_reason(reason: str, line: str) -> None:
    messages, decoder = decode_lines([line, LINE])
    assert len(messages) == 1, "the good line after a bad one still decodes"
    assert outcomes(decoder) == {"ok": 1, reason: 1}
    (reject,) = decoder.rejects
    assert reject.line == 1 and reject.reason.name.lower() == reason


def test_every_reject_reason_is_exercised() -> None:
    exercised = {reason for reason, _ in REJECTS} | {
        "bad_checksum",
        "no_checksum",
        "fragment_timeout",
        "bad_tag_block",
    }
    assert exercised == {o.name.lower() for o in Outcome if o > Outcome.NOT_AIS}


def test_short_payload_fields_are_missing_not_guessed() -> None:
    """A 163-bit type 1 (seen in the wild): radio lies beyond the end and is absent."""
    full = sentence("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0")
    short = sentence("AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,5")
    (a, b), _ = decode_lines([full, short])
    assert a["radio"] == 34017
    assert "radio" not in b
    assert {k: v for k, v in a.items() if k not in ("radio", "checksum_ok", "line")} == {
        k: v for k, v in b.items() if k not in ("checksum_ok", "line")
    }
    tables = decode_batch((full + "\n" + short + "\n").encode())
    radio = tables["position"]["radio"].to_pylist()
    assert radio == [34017, None]


def test_not_available_is_null_scaled_and_raw_unscaled() -> None:
    na = dict(
        POSITION, speed=None, lon=None, lat=None, course=None, heading=None, second=None, turn=None
    )
    line = encode(na)[0]
    (scaled,), _ = decode_lines([line])
    assert all(
        scaled[k] is None for k in ("speed", "lon", "lat", "course", "heading", "second", "turn")
    )
    assert scaled["turn_text"] == "n/a"
    (raw,) = list(iter_messages([line], scaled=False))
    assert (
        raw["speed"],
        raw["lon"],
        raw["lat"],
        raw["course"],
        raw["heading"],
        raw["second"],
        raw["turn"],
    ) == (
        1023,
        181 * 600000,
        91 * 600000,
        3600,
        511,
        60,
        -128,
    )


def test_stream_decoder_handles_partial_lines() -> None:
    lines = "\n".join(encode(STATIC, seq_id=1) + [LINE] * 3 + ["garbage"]) + "\n"
    data = lines.encode()
    expected = list(iter_messages([data]))
    stream = StreamDecoder()
    got: list[dict] = []
    for i in range(0, len(data), 7):
        got += stream.feed(data[i : i + 7])
    got += stream.close()
    assert got == expected and len(got) == 4
    assert stream.stats().balanced() and stream.stats().lines == 6


def test_counts_by_type() -> None:
    _, decoder = decode_lines([*encode(STATIC), LINE, LINE])
    assert decoder.stats().by_type == {1: 2, 5: 1}
    assert decoder.stats().messages == 3


def test_iec_62320_grouping_in_tag_blocks() -> None:
    """The Norwegian Coastal Administration feed groups parts with "1G2:<id>"."""
    parts = encode(STATIC, seq_id=1)
    lines = [
        tag_block("1G2:58944,s:2573225,c:1733782037") + parts[0],
        tag_block("2G2:58944,s:2573225,c:1733782037") + parts[1],
    ]
    (msg,), decoder = decode_lines(lines)
    assert msg["shipname"] == "HAI XUN 01" and msg["station"] == "2573225"
    assert outcomes(decoder) == {"ok": 2}


def test_other_encapsulated_sentences_are_not_ais() -> None:
    pwr = "!AIPWR,U,1,2" + "*00"
    _, decoder = decode_lines([pwr, LINE])
    assert outcomes(decoder) == {"ok": 1, "not_ais": 1}


def test_payload_values_are_the_unarmoured_payloads(ais_data: Path) -> None:
    """The compiled payload packer gives each message's bits as the reference unarmouring."""
    import numpy as np

    from seawarden.ais import Decoder
    from seawarden.ais import framer as framing
    from seawarden.ais.sixbit import unarmour

    data = b"".join(
        (ais_data / name).read_bytes()
        for name in ("gpsd__ais-nmea-type6-fid55.log", "dma__stream_example.txt")
    )
    chunk = Decoder().decode(data, final=True)
    ks = np.arange(chunk.n_messages, dtype=np.int64)
    got = chunk.payload_values(ks)
    assert len(got) == chunk.n_messages > 1000
    multi = 0
    for k, (value, nbits) in zip(ks.tolist(), got, strict=True):
        src = chunk.data if chunk.msgs[framing.M_SRC, k] == 0 else chunk.asm
        start, length = int(chunk.msgs[framing.M_START, k]), int(chunk.msgs[framing.M_LEN, k])
        text = src[start : start + length].tobytes().decode("ascii")
        assert (value, nbits) == unarmour(text, int(chunk.msgs[framing.M_FILL, k]))
        multi += int(chunk.msgs[framing.M_SRC, k] != 0)
    assert multi > 0  # reassembled multi-sentence messages were checked too
    assert chunk.payload_values(ks[:0]) == []
