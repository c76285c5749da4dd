"""Encoder: field values to AIS payloads and NMEA sentences, from the same field table.

Values are scaled (as the decoder returns them) unless ``scaled=False``; a missing value
or ``None`` is encoded as the field's "not available" value (or 0). Every top-level
message layout can be encoded, which covers the simulator's needs (types 1-5, 18, 19,
21, 24, 27) and test round trips of the rest.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

from seawarden.ais.errors import AisError, Outcome
from seawarden.ais.fieldspec import Field, Kind, Layout
from seawarden.ais.messages import LAYOUTS, SELECTORS, is_auxiliary_mmsi
from seawarden.ais.sixbit import armour, checksum, text_to_bits

#: Payload characters per sentence (keeps each sentence within NMEA's 82 characters).
MAX_PAYLOAD_CHARS = 60
_sequence = itertools.cycle(range(10))


def layout_for(fields: Mapping[str, Any]) -> Layout:
    """The layout that encodes these fields (type, and part/addressing where relevant)."""
    try:
        mtype = int(fields["type"])
        selector = SELECTORS[mtype]
    except (KeyError, TypeError, ValueError):
        raise AisError(
            Outcome.UNKNOWN_TYPE, f"cannot encode message type {fields.get('type')!r}"
        ) from None
    if selector.width == 0:
        key = selector.layouts[0]
    elif mtype == 24:
        key = selector.layouts[int(fields.get("partno", 0))]
    elif mtype == 22:
        key = selector.layouts[1 if fields.get("addressed") else 0]
    else:
        key = selector.layouts[2 * bool(fields.get("addressed")) + bool(fields.get("structured"))]
    if key is None:
        raise AisError(Outcome.BAD_FIELD, "invalid part number")
    aux = dict(selector.auxiliary)
    if key in aux and is_auxiliary_mmsi(int(fields.get("mmsi", 0))):
        key = aux[key]
    return LAYOUTS[key]


def _raw_number(f: Field, value: Any, scaled: bool, fields: Mapping[str, Any]) -> int:
    if value is None:
        if f.kind is Kind.ROT and scaled:
            text = fields.get(f.name + "_text")
            if text == "fastleft":
                return -127
            if text == "fastright":
                return 127
        return f.na if f.na is not None else 0
    if f.kind is Kind.BOOL:
        return 1 if value else 0
    if not scaled:
        return int(value)
    if f.kind is Kind.ROT:
        v = float(value)
        return int(math.copysign(round(4.733 * math.sqrt(abs(v))), v))
    if f.is_scaled:
        return round(float(value) * f.div + f.offset)
    return int(value)


def _check_range(f: Field, raw: int) -> int:
    if f.kind in (Kind.INT, Kind.ROT):
        lo, hi = -(1 << (f.width - 1)), (1 << (f.width - 1)) - 1
    else:
        lo, hi = 0, (1 << f.width) - 1
    if not lo <= raw <= hi:
        raise AisError(Outcome.BAD_FIELD, f"{f.name}={raw} does not fit {f.width} bits")
    return raw & ((1 << f.width) - 1)


def _data_bits(text: str) -> tuple[int, int]:
    """Parse gpsd's ``"<bits>:<hex>"`` into (value, bits)."""
    count, _, digits = text.partition(":")
    nbits = int(count)
    if nbits == 0:
        return 0, 0
    value = int(digits, 16) >> (len(digits) * 4 - nbits)
    return value, nbits


def encode_bits(fields: Mapping[str, Any], scaled: bool = True) -> tuple[int, int]:
    """The message's bits as (value, number of bits), byte-aligned as ITU-R M.1371 asks."""
    layout = layout_for(fields)
    value = 0
    pos = 0
    text_overflow = ""

    def put(v: int, width: int, at: int) -> None:
        nonlocal value, pos
        if at != pos:
            if at < pos:
                raise AisError(Outcome.BAD_FIELD, "overlapping fields")
            value <<= at - pos
            pos = at
        value = (value << width) | v
        pos += width

    trailing: list[Field] = []
    for f in layout.fields:
        if f.start < 0:
            trailing.append(f)
            continue
        if f.kind is Kind.TEXT:
            nchars = f.width // 6
            text = str(fields.get(f.name) or "")
            if len(text) > nchars and layout.key == "21":
                text_overflow = text[nchars:]
            put(text_to_bits(text, nchars), f.width, f.start)
        elif f.kind is Kind.TEXT_APPEND:
            if text_overflow:
                ext = text_overflow[:14]
                put(text_to_bits(ext), 6 * len(ext), f.start)
        elif f.kind is Kind.TEXT_TO_END:
            text = str(fields.get(f.name) or "")
            put(text_to_bits(text), 6 * len(text), f.start)
        elif f.kind is Kind.DATA_TO_END:
            v, n = _data_bits(str(fields.get(f.name) or "0:"))
            put(v, n, f.start)
        else:
            raw = _raw_number(f, fields.get(f.name), scaled, fields)
            put(_check_range(f, raw), f.width, f.start)
    for f in trailing:
        raw = _raw_number(f, fields.get(f.name), scaled, fields)
        put(_check_range(f, raw), f.width, pos)
    pad = (-pos) % 8 if not trailing and not any(f.to_end for f in layout.fields) else 0
    if pos < layout.min_bits:
        pad = max(pad, layout.min_bits - pos)
    return value << pad, pos + pad


def encode_payload(fields: Mapping[str, Any], scaled: bool = True) -> tuple[str, int]:
    """Armoured payload and fill bits for a message."""
    value, nbits = encode_bits(fields, scaled)
    return armour(value, nbits)


def tag_block(fields: str) -> str:
    """Wrap tag-block fields (``"s:station,c:1700000000"``) with their checksum."""
    return f"\\{fields}*{checksum(fields):02X}\\"


def sentences_for_payload(
    payload: str,
    fill: int,
    *,
    talker: str = "AI",
    sentence: str = "VDM",
    channel: str = "A",
    seq_id: int | None = None,
    tag: str | None = None,
    group_id: int | None = None,
    max_chars: int = MAX_PAYLOAD_CHARS,
) -> list[str]:
    """Split an armoured payload into NMEA sentences (with optional tag blocks)."""
    parts = [payload[i : i + max_chars] for i in range(0, len(payload), max_chars)] or [""]
    count = len(parts)
    if count > 9:
        raise AisError(Outcome.TOO_LONG, "a message needs more than 9 sentences")
    seq = "" if count == 1 else str(next(_sequence) if seq_id is None else seq_id)
    out = []
    for i, part in enumerate(parts, start=1):
        body = f"{talker}{sentence},{count},{i},{seq},{channel},{part},{fill if i == count else 0}"
        line = f"!{body}*{checksum(body):02X}"
        if tag is not None:
            tag_fields = tag
            if count > 1:
                gid = group_id if group_id is not None else (seq_id or 0) + 1
                tag_fields = f"g:{i}-{count}-{gid}" + ("," + tag if tag else "")
            line = tag_block(tag_fields) + line
        out.append(line)
    return out


def encode(
    fields: Mapping[str, Any],
    *,
    scaled: bool = True,
    talker: str = "AI",
    sentence: str = "VDM",
    channel: str = "A",
    seq_id: int | None = None,
    tag_block: str | None = None,
    group_id: int | None = None,
) -> list[str]:
    """Encode a message into one or more NMEA sentences.

    ``tag_block`` (e.g. ``"s:rSTATION,c:1700000000"``) is prefixed to each sentence; a
    multi-sentence message then also gets NMEA 4.10 ``g:`` grouping.
    """
    payload, fill = encode_payload(fields, scaled)
    return sentences_for_payload(
        payload,
        fill,
        talker=talker,
        sentence=sentence,
        channel=channel,
        seq_id=seq_id,
        tag=tag_block,
        group_id=group_id,
    )
