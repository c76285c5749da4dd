"""Vectorised encoder for fixed-width numeric layouts (position reports), from the field table.

The scalar encoder in :mod:`seawarden.ais.encode` handles every layout one message at a
time; the simulator produces millions of position reports, so this module encodes whole
columns at once for layouts whose fields are all fixed-width numbers (types 1-3, 9, 18, 27).
The output is byte-identical to the scalar encoder (a test checks it).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from seawarden.ais.errors import AisError, Outcome
from seawarden.ais.fieldspec import Kind, Layout
from seawarden.ais.messages import LAYOUTS

_ARMOUR = np.frombuffer(bytes(v + 48 if v < 40 else v + 56 for v in range(64)), dtype=np.uint8)


def raw_column(
    layout: Layout, name: str, values: npt.ArrayLike | None, n: int
) -> npt.NDArray[np.int64]:
    """Raw integers of one field from scaled values (NaN or a missing column: "not available")."""
    f = next((f for f in layout.fields if f.name == name), None)
    if f is None:
        raise AisError(Outcome.BAD_FIELD, f"layout {layout.key} has no field {name!r}")
    default = f.na if f.na is not None else 0
    if values is None:
        return np.full(n, default, dtype=np.int64)
    arr = np.asarray(values)
    if arr.ndim == 0:
        arr = np.full(n, arr)
    if f.kind is Kind.BOOL:
        return arr.astype(bool).astype(np.int64)
    v = arr.astype(np.float64)
    missing = np.isnan(v)
    if f.kind is Kind.ROT:
        raw = np.copysign(np.round(4.733 * np.sqrt(np.abs(np.nan_to_num(v)))), v)
    elif f.is_scaled:
        raw = np.round(np.nan_to_num(v) * f.div + f.offset)
    else:
        raw = np.nan_to_num(v)
    out = raw.astype(np.int64)
    out[missing] = default
    if f.kind in (Kind.INT, Kind.ROT):
        lo, hi = -(1 << (f.width - 1)), (1 << (f.width - 1)) - 1
    else:
        lo, hi = 0, (1 << f.width) - 1
    if out.size and (out.min() < lo or out.max() > hi):
        raise AisError(Outcome.BAD_FIELD, f"{name} does not fit {f.width} bits")
    return out


def encode_payloads(
    layout_key: str, columns: Mapping[str, npt.ArrayLike]
) -> tuple[npt.NDArray[np.bytes_], int]:
    """Armoured payloads (``S`` array) and the fill bits for columns of one layout.

    ``columns`` maps field names to scaled values (as the decoder returns them); fields not
    given are "not available" (or 0). Only layouts made of fixed-width numeric fields.
    """
    layout = LAYOUTS[layout_key]
    if any(f.is_string or f.start < 0 for f in layout.fields):
        raise AisError(Outcome.BAD_FIELD, f"layout {layout_key} is not fixed-width numeric")
    n = np.asarray(next(iter(columns.values()))).size if columns else 0
    nbits = max(f.end for f in layout.fields)
    nbits += (-nbits) % 8
    nbits = max(nbits, layout.min_bits)
    fill = (-nbits) % 6
    nchars = (nbits + fill) // 6
    bits = np.zeros((n, nchars * 6), dtype=np.uint8)
    for f in layout.fields:
        raw = raw_column(layout, f.name, columns.get(f.name), n)
        if f.name == "type":
            raw = np.full(n, int(layout_key.rstrip("ABabsux")), dtype=np.int64)
        unsigned = raw & ((1 << f.width) - 1)
        shifts = np.arange(f.width - 1, -1, -1, dtype=np.int64)
        bits[:, f.start : f.end] = (unsigned[:, None] >> shifts) & 1
    groups = bits.reshape(n, nchars, 6)
    values = groups @ np.array([32, 16, 8, 4, 2, 1], dtype=np.uint8)
    chars = _ARMOUR[values]
    return np.ascontiguousarray(chars).view(f"S{nchars}").reshape(n), fill


def xor_checksums(texts: npt.NDArray[np.bytes_]) -> npt.NDArray[np.uint8]:
    """NMEA checksum (XOR of the bytes) of each string of an ``S`` array."""
    width = texts.dtype.itemsize
    if texts.size == 0 or width == 0:
        return np.zeros(texts.size, dtype=np.uint8)
    matrix = np.ascontiguousarray(texts).view(np.uint8).reshape(texts.size, width)
    # Padding NULs do not change an XOR.
    return np.asarray(np.bitwise_xor.reduce(matrix, axis=1), dtype=np.uint8)


_HEX = np.array([f"{i:02X}".encode() for i in range(256)], dtype="S2")


def sentences(
    payloads: npt.NDArray[np.bytes_],
    fill: int,
    channels: npt.NDArray[np.bytes_] | None = None,
    tags: npt.NDArray[np.bytes_] | None = None,
    talker: str = "AI",
) -> list[bytes]:
    r"""Single-sentence NMEA lines (ending ``\r\n``) for armoured payloads.

    Optional per-line channel letters and tag-block fields (``s:STATION,c:EPOCH``).
    """
    n = payloads.size
    if channels is None:
        channels = np.full(n, b"A", dtype="S1")
    head = f"{talker}VDM,1,1,,".encode()
    tail = f",{fill}".encode()
    const = 0
    for b in head + b"," + tail:
        const ^= b
    body_cs = xor_checksums(payloads) ^ xor_checksums(channels) ^ np.uint8(const)
    body_hex = _HEX[body_cs].tolist()
    pl = payloads.tolist()
    ch = channels.tolist()
    if tags is None:
        return [
            b"!" + head + c + b"," + p + tail + b"*" + h + b"\r\n"
            for p, c, h in zip(pl, ch, body_hex, strict=True)
        ]
    tag_hex = _HEX[xor_checksums(tags)].tolist()
    tg = tags.tolist()
    return [
        b"\\" + t + b"*" + th + b"\\!" + head + c + b"," + p + tail + b"*" + h + b"\r\n"
        for t, th, p, c, h in zip(tg, tag_hex, pl, ch, body_hex, strict=True)
    ]
