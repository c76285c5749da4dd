"""Batch API: Arrow tables per message family, straight from the kernel's column buffers.

Each family table starts with the receive metadata (``rxtime`` as a UTC millisecond
timestamp, ``station``, ``channel``, ``sentence``, ``checksum_ok``, ``line``, ``parts``,
``payload_hash``, ``tagblock``), then every field of its message types: integers as int32,
flags as bool, scaled values as float64 (raw int32 when unscaled), text as strings, and a dictionary
``<field>_text`` column for coded fields. Binary application payloads that Seawarden
knows are decoded into a JSON ``application`` column.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow as pa

from seawarden.ais import framer
from seawarden.ais.applications import APPLICATIONS
from seawarden.ais.asm import decode_application
from seawarden.ais.decoder import DecodedChunk, Decoder, DecoderConfig
from seawarden.ais.interpret import Bits
from seawarden.ais.legends import LEGENDS
from seawarden.ais.messages import FAMILIES
from seawarden.ais.tables import COL_BOOL, COL_FLOAT, FAMILY_SCHEMAS, FamilySchema

_NO_TIME = int(framer.NO_TIME)
_APPLICATION_KEYS = np.array([t * 1_000_000 + d * 100 + f for t, d, f in APPLICATIONS])
_LEGEND_LUTS: dict[str, tuple[int, np.ndarray, pa.Array]] = {}


def _legend_lut(name: str) -> tuple[int, np.ndarray, pa.Array]:
    """(lowest code, code -> dictionary index (-1: no text), dictionary) for a legend."""
    cached = _LEGEND_LUTS.get(name)
    if cached is not None:
        return cached
    table = LEGENDS[name]
    texts = sorted(set(table.values()))
    index = {t: i for i, t in enumerate(texts)}
    lo, hi = min(table), max(table)
    lut = np.full(hi - lo + 1, -1, dtype=np.int32)
    for code, text in table.items():
        lut[code - lo] = index[text]
    result = (lo, lut, pa.array(texts, type=pa.string()))
    _LEGEND_LUTS[name] = result
    return result


def _numeric(values: np.ndarray, valid: np.ndarray | None, type_: pa.DataType) -> pa.Array:
    """Arrow array over a numpy buffer (no copy) with validity from a boolean mask."""
    n = values.size
    bitmap = None
    nulls = 0
    if valid is not None:
        nulls = n - int(np.count_nonzero(valid))
        if nulls:
            bitmap = pa.py_buffer(np.packbits(valid, bitorder="little"))
    if type_ == pa.bool_():
        data = pa.py_buffer(np.packbits(values, bitorder="little"))
    else:
        data = pa.py_buffer(np.ascontiguousarray(values))
    return pa.Array.from_buffers(type_, n, [bitmap, data], null_count=nulls)


def _dictionary(indices: np.ndarray, valid: np.ndarray | None, dictionary: pa.Array) -> pa.Array:
    return pa.DictionaryArray.from_arrays(
        _numeric(indices.astype(np.int32), valid, pa.int32()), dictionary
    )


def _strings(data: np.ndarray, offsets: np.ndarray, validity: np.ndarray) -> pa.Array:
    n = validity.size
    offs = offsets.astype(np.int32) if offsets[-1] < 2**31 else offsets
    typ = pa.string() if offs.dtype == np.int32 else pa.large_string()
    valid = validity != 0
    nulls = n - int(np.count_nonzero(valid))
    bitmap = pa.py_buffer(np.packbits(valid, bitorder="little")) if nulls else None
    return pa.Array.from_buffers(
        typ, n, [bitmap, pa.py_buffer(offs), pa.py_buffer(data.copy())], null_count=nulls
    )


_CHANNELS = pa.array([chr(c) if c else "" for c in range(128)], type=pa.string())


def _sentence_column(talker: np.ndarray, vdo: np.ndarray) -> pa.Array:
    code = talker * 2 + vdo
    present = np.flatnonzero(np.bincount(code)) if code.size else np.zeros(0, dtype=np.int64)
    lut = np.zeros(int(present.max()) + 1 if present.size else 1, dtype=np.int32)
    lut[present] = np.arange(present.size, dtype=np.int32)
    names = [
        chr(int(c) // 2 >> 8) + chr(int(c) // 2 & 255) + ("VDO" if c & 1 else "VDM")
        for c in present
    ]
    return _dictionary(lut[code], None, pa.array(names, type=pa.string()))


def _meta_columns(chunk: DecodedChunk, idx: np.ndarray) -> dict[str, pa.Array]:
    msgs = chunk.msgs
    cols: dict[str, pa.Array] = {}
    rx = msgs[framer.M_RX, idx]
    cols["rxtime"] = _numeric(rx, rx != _NO_TIME, pa.timestamp("ms", tz="UTC"))
    station = msgs[framer.M_STATION, idx]
    cols["station"] = _dictionary(station, station != 0, pa.array(chunk.stations, type=pa.string()))
    channel = msgs[framer.M_CHANNEL, idx]
    cols["channel"] = _dictionary(channel, channel != 0, _CHANNELS)
    cols["sentence"] = _sentence_column(msgs[framer.M_TALKER, idx], msgs[framer.M_VDO, idx])
    cks = msgs[framer.M_CKS, idx]
    cols["checksum_ok"] = _numeric(cks == framer.CKS_OK, cks != framer.CKS_ABSENT, pa.bool_())
    cols["line"] = _numeric(msgs[framer.M_LINE, idx] + 1, None, pa.int64())
    cols["parts"] = _numeric(msgs[framer.M_NPARTS, idx].astype(np.int8), None, pa.int8())
    cols["payload_hash"] = _numeric(msgs[framer.M_HASH, idx], None, pa.int64())
    tag_len = msgs[framer.M_TAG_LEN, idx]
    if tag_len.any():
        offsets = np.zeros(idx.size + 1, dtype=np.int64)
        np.cumsum(tag_len, out=offsets[1:])
        starts = msgs[framer.M_TAG_START, idx]
        pos = np.arange(int(offsets[-1])) + np.repeat(starts - offsets[:-1], tag_len)
        cols["tagblock"] = _strings(chunk.tags[pos], offsets, (tag_len > 0).astype(np.uint8))
    else:
        cols["tagblock"] = pa.nulls(idx.size, type=pa.string())
    return cols


def _family_table(chunk: DecodedChunk, schema: FamilySchema, scaled: bool) -> pa.Table:
    fam = schema.index
    idx = chunk.family_index(fam)
    cols = _meta_columns(chunk, idx)
    legends = dict(schema.legends)
    for c, name in enumerate(schema.numeric):
        raw, validity = chunk.numeric(fam, c)
        kind = schema.numeric_kind[c]
        present = validity != 0
        valid = (validity == 1) if scaled else present
        if kind == COL_BOOL:
            cols[name] = _numeric(raw != 0, present, pa.bool_())
        elif kind == COL_FLOAT and scaled:
            cols[name] = _numeric(chunk.floats(fam, c), valid, pa.float64())
        else:
            cols[name] = _numeric(raw, valid, pa.int32())
        legend = legends.get(name)
        if legend is not None:
            lo, lut, dictionary = _legend_lut(legend)
            pos = raw - lo
            inside = (pos >= 0) & (pos < lut.size)
            indices = np.where(inside, lut[np.clip(pos, 0, lut.size - 1)], -1)
            cols[name + "_text"] = _dictionary(indices, (indices >= 0) & present, dictionary)
    for t, name in enumerate(schema.text):
        data, offsets, validity = chunk.text(fam, t)
        cols[name] = _strings(data, offsets, validity)
    if schema.name == "binary":
        cols["application"] = _applications(chunk, idx, cols, scaled)
    return pa.table(cols)


def _applications(
    chunk: DecodedChunk, idx: np.ndarray, cols: dict[str, pa.Array], scaled: bool
) -> pa.Array:
    """JSON of decoded application fields for known type 6/8 payloads (else null)."""
    types = cols["type"].to_numpy(zero_copy_only=False)
    out: list[str | None] = [None] * idx.size
    candidates = np.flatnonzero((types == 6) | (types == 8))
    if candidates.size:
        dac = cols["dac"].to_numpy(zero_copy_only=False)[candidates]
        fid = cols["fid"].to_numpy(zero_copy_only=False)[candidates]
        keys = types[candidates] * 1_000_000 + dac * 100 + fid
        known = np.isin(keys, _APPLICATION_KEYS)
        rows = candidates[known]
        payloads = chunk.payload_values(idx[rows].astype(np.int64))
        for r, t, a, f, (value, nbits) in zip(
            rows.tolist(),
            types[candidates][known].tolist(),
            dac[known].tolist(),
            fid[known].tolist(),
            payloads,
            strict=True,
        ):
            app = decode_application(t, a, f, Bits(value, nbits), scaled)
            if app is not None:
                out[r] = orjson.dumps(app).decode()
    return pa.array(out, type=pa.string())


def chunk_tables(chunk: DecodedChunk, scaled: bool = True) -> dict[str, pa.Table]:
    """Arrow table per family for one decoded chunk (every family, possibly empty)."""
    return {s.name: _family_table(chunk, s, scaled) for s in FAMILY_SCHEMAS}


def decode_batch(
    data: bytes | bytearray | memoryview,
    *,
    scaled: bool = True,
    config: DecoderConfig | None = None,
    decoder: Decoder | None = None,
) -> dict[str, pa.Table]:
    """Decode a whole buffer of NMEA lines into Arrow tables keyed by family name.

    Families: ``position`` (1, 2, 3, 9, 18, 19, 27), ``static`` (5, 24),
    ``base_station`` (4, 11), ``aton`` (21), ``binary`` (6, 8, 25, 26), ``safety``
    (12, 14) and ``control`` (7, 10, 13, 15, 16, 17, 20, 22, 23).
    """
    dec = decoder or Decoder(config)
    return chunk_tables(dec.decode(data, final=True), scaled)


def iter_batches(
    path: str | Path,
    *,
    scaled: bool = True,
    config: DecoderConfig | None = None,
    decoder: Decoder | None = None,
    block_bytes: int = 16 << 20,
) -> Iterator[dict[str, pa.Table]]:
    """Decode a plain or gzip file block by block, yielding Arrow tables per block."""
    from seawarden.ais.io import open_binary

    dec = decoder or Decoder(config)
    with open_binary(path) as fh:
        tail = b""
        while True:
            block = fh.read(block_bytes)
            if not block:
                break
            block = tail + block
            cut = block.rfind(b"\n")
            if cut < 0:
                tail = block
                continue
            tail = block[cut + 1 :]
            yield chunk_tables(dec.decode(block[: cut + 1]), scaled)
        yield chunk_tables(dec.decode(tail, final=True), scaled)


def empty_tables(scaled: bool = True) -> dict[str, pa.Table]:
    """Empty tables with every family's schema."""
    return decode_batch(b"", scaled=scaled)


def family_names() -> tuple[str, ...]:
    """Names of the family tables, in order."""
    return FAMILIES


def table_to_pylist(table: pa.Table) -> list[dict[str, Any]]:
    """Rows of a family table as dicts (for inspection and tests)."""
    rows: list[dict[str, Any]] = table.to_pylist()
    return rows
