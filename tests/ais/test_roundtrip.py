"""Property tests: encode -> decode round trips over every layout of the field table."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from seawarden.ais import Decoder, iter_messages
from seawarden.ais.applications import APPLICATIONS
from seawarden.ais.encode import encode, encode_payload, sentences_for_payload
from seawarden.ais.fieldspec import Kind, Layout
from seawarden.ais.messages import LAYOUTS, SELECTORS
from seawarden.ais.sixbit import SIXBIT_TEXT

TEXT_CHARS = SIXBIT_TEXT.replace("@", "")
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _text(max_chars: int) -> st.SearchStrategy[str]:
    return st.text(TEXT_CHARS, max_size=max_chars).map(lambda s: s.rstrip(" "))


def _data() -> st.SearchStrategy[str]:
    def to_data(bits: tuple[int, int]) -> str:
        n, v = bits
        if n == 0:
            return "0:"
        nbytes = (n + 7) // 8
        return f"{n}:{(v << (nbytes * 8 - n)):0{nbytes * 2}x}"

    return (
        st.integers(0, 300)
        .flatmap(lambda n: st.tuples(st.just(n), st.integers(0, (1 << n) - 1)))
        .map(to_data)
    )


def _selector_values(layout: Layout) -> dict[str, Any]:
    """Field values that make the encoder pick this layout."""
    t = next(
        t
        for t, s in SELECTORS.items()
        if layout.key in s.layouts or layout.key in dict(s.auxiliary).values()
    )
    sel = SELECTORS[t]
    fixed: dict[str, Any] = {"type": t}
    if t == 24:
        fixed["partno"] = 0 if layout.key == "24A" else 1
    elif t == 22:
        fixed["addressed"] = layout.key == "22a"
    elif t in (25, 26):
        fixed["addressed"] = layout.key[2] == "a"
        fixed["structured"] = layout.key[3] == "s"
    del sel
    return fixed


def layout_messages(layout: Layout) -> st.SearchStrategy[dict[str, Any]]:
    """Random raw (unscaled) field values for a layout."""
    fixed = _selector_values(layout)
    parts: dict[str, st.SearchStrategy[Any]] = {}
    for f in layout.fields:
        if f.name in fixed or f.kind is Kind.TEXT_APPEND:
            continue
        if f.kind is Kind.BOOL:
            parts[f.name] = st.booleans()
        elif f.kind in (Kind.INT, Kind.ROT):
            parts[f.name] = st.integers(-(1 << (f.width - 1)), (1 << (f.width - 1)) - 1)
        elif f.kind is Kind.UINT:
            parts[f.name] = st.integers(0, (1 << f.width) - 1)
        elif f.kind is Kind.TEXT:
            extra = 14 if layout.key == "21" else 0
            parts[f.name] = _text(f.width // 6 + extra)
        elif f.kind is Kind.TEXT_TO_END:
            parts[f.name] = _text(50)
        elif f.kind is Kind.DATA_TO_END:
            parts[f.name] = _data()
    if layout.key == "24Bx":
        parts["mmsi"] = st.integers(980_000_000, 989_999_999)
    elif layout.key == "24B":
        parts["mmsi"] = st.integers(0, 979_999_999)
    return st.fixed_dictionaries(parts).map(lambda d: {**d, **fixed})


def _without_applications(msg: dict[str, Any]) -> bool:
    return (msg["type"], msg.get("dac"), msg.get("fid")) not in APPLICATIONS


def _assert_fields_equal(layout: Layout, sent: dict[str, Any], got: dict[str, Any]) -> None:
    for f in layout.fields:
        if f.kind is Kind.TEXT_APPEND:
            continue
        want = sent[f.name]
        assert got[f.name] == want, (layout.key, f.name, want, got[f.name])


@pytest.mark.parametrize("key", sorted(LAYOUTS))
def test_encode_decode_roundtrip_raw(key: str) -> None:
    layout = LAYOUTS[key]

    @FAST
    @given(layout_messages(layout).filter(_without_applications))
    def check(msg: dict[str, Any]) -> None:
        lines = encode(msg, scaled=False)
        decoder = Decoder()
        (got,) = list(iter_messages(lines, scaled=False, decoder=decoder))
        _assert_fields_equal(layout, msg, got)
        assert decoder.stats().outcomes["ok"] == len(lines)

    check()


@pytest.mark.parametrize("key", sorted(LAYOUTS))
def test_scaled_values_reencode_to_the_same_bits(key: str) -> None:
    """decode (scaled) -> encode (scaled) gives the original payload back."""
    layout = LAYOUTS[key]

    @FAST
    @given(layout_messages(layout).filter(_without_applications))
    def check(msg: dict[str, Any]) -> None:
        payload = encode_payload(msg, scaled=False)
        (scaled,) = list(iter_messages(sentences_for_payload(*payload)))
        assert encode_payload(scaled, scaled=True) == payload

    check()


@FAST
@given(
    st.permutations(range(3)),
    st.lists(st.tuples(st.integers(1, 2), st.integers(0, 2)), max_size=3),
    layout_messages(LAYOUTS["8"]).filter(_without_applications),
)
def test_fragment_order_and_duplicates(
    order: list[int], dups: list[tuple[int, int]], msg: dict[str, Any]
) -> None:
    """Parts in any order reassemble to one message; repeated parts never duplicate it."""
    msg = dict(msg, data="800:" + "ab" * 100)
    parts = encode(msg, scaled=False, seq_id=7)
    assert len(parts) == 3
    lines = [parts[i] for i in order]
    for part, at in dups:
        lines.insert(min(at, len(lines) - 1), parts[part])
    decoder = Decoder()
    got = list(iter_messages(lines, scaled=False, decoder=decoder))
    stats = decoder.stats()
    assert stats.balanced()
    assert len(got) == 1 and got[0]["data"] == msg["data"]
    extra = stats.outcomes["bad_fragment"] + stats.outcomes["fragment_timeout"]
    assert stats.outcomes["ok"] == 3 and extra == len(dups)


def test_tag_block_groups_roundtrip() -> None:
    msg = {"type": 8, "mmsi": 413999999, "dac": 999, "fid": 1, "data": "800:" + "cd" * 100}
    lines = encode(msg, tag_block="s:NODE1,c:1700000000", group_id=77)
    assert len(lines) == 3 and all(line.startswith("\\g:") for line in lines)
    interleaved = list(
        itertools.chain.from_iterable(zip(lines, encode({"type": 18, "mmsi": 1}) * 3, strict=True))
    )
    got = list(iter_messages(interleaved))
    eight = [m for m in got if m["type"] == 8]
    assert len(eight) == 1 and eight[0]["data"] == msg["data"] and eight[0]["station"] == "NODE1"
