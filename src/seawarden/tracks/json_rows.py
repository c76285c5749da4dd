"""Position tables as JSON text, built column by column.

The output is what :func:`seawarden.tracks.output.records` gives through ``orjson``: one
object per row with the fields of :data:`seawarden.tracks.output.FIELDS` (and ``age_s``),
a field left out where its value is missing. Instead of one Python dict per row, each field
becomes a column of value texts (numbers printed by Arrow's shortest round-trip
formatting, strings and lists escaped by ``orjson`` once per distinct value, times by a
compiled formatter), and one compiled pass (:mod:`seawarden.tracks.json_kernel`) joins
them into objects, so a track of thousands of positions costs a few dozen vectorised calls.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from seawarden.tracks.json_kernel import (
    ISO_WIDTH,
    MAX_ISO_MS,
    MIN_ISO_MS,
    decimal_text,
    iso_ms_text,
    write_objects,
)
from seawarden.tracks.output import (
    FIELDS,
    ROUNDED,
    SOURCE_NAMES,
    flag_names,
    iso_text,
    number_column,
)

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]
Texts = tuple[I64, B, U8]
"""A field's value texts: offsets (rows + 1, into the data), validity, data."""


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


def _validity(array: pa.Array) -> B:
    """Which cells hold a value."""
    if array.null_count == 0:
        return np.ones(len(array), dtype=np.bool_)
    return np.asarray(pc.is_valid(array).to_numpy(zero_copy_only=False), dtype=np.bool_)


def _string_texts(array: pa.Array) -> Texts:
    """Offsets, validity and data of an Arrow string array (its data starting at 0)."""
    n = len(array)
    _, offset_buf, data_buf = array.buffers()
    raw = np.frombuffer(offset_buf, dtype=np.int32, count=n + 1, offset=array.offset * 4)
    start, stop = int(raw[0]), int(raw[-1])
    data = (
        np.frombuffer(data_buf, dtype=np.uint8)[start:stop]
        if data_buf is not None
        else np.zeros(0, dtype=np.uint8)
    )
    valid = _validity(array)
    return raw.astype(np.int64) - start, valid, data


def _by_value(column: pa.Array, encode: Callable[[Any], str]) -> Texts:
    """JSON text of every cell, computed once per distinct value (nulls stay null)."""
    distinct = pc.unique(column)
    texts = pa.array(
        [None if v is None else encode(v) for v in distinct.to_pylist()], type=pa.string()
    )
    return _string_texts(pc.take(texts, pc.index_in(column, value_set=distinct)))


def _time_texts(column: pa.Array) -> Texts:
    """Quoted ISO 8601 UTC times with milliseconds (``"2026-07-15T00:00:55.851Z"``)."""
    n = len(column)
    ms = np.asarray(
        column.cast(pa.timestamp("ms", tz="UTC")).cast(pa.int64()).to_numpy(zero_copy_only=False),
        dtype=np.int64,
    )
    valid = _validity(column)
    ms = np.where(valid, ms, 0)
    if n and (ms.min() < MIN_ISO_MS or ms.max() > MAX_ISO_MS):
        quoted = pc.binary_join_element_wise('"', iso_text(column), 'Z"', "")
        return _string_texts(quoted)
    width = ISO_WIDTH + 2
    text = np.empty((n, width), dtype=np.uint8)
    iso = np.empty(n * ISO_WIDTH, dtype=np.uint8)
    iso_ms_text(ms, iso)
    text[:, 0] = 34
    text[:, 1 : ISO_WIDTH + 1] = iso.reshape(n, ISO_WIDTH)
    text[:, ISO_WIDTH + 1] = 34
    return np.arange(0, (n + 1) * width, width, dtype=np.int64), valid, text.reshape(-1)


def _decimal_texts(ints: I64, valid: B, tenths: bool) -> Texts:
    """Decimal texts of integers (of tenths when ``tenths``); invalid cells left out."""
    offsets = np.empty(ints.size + 1, dtype=np.int64)
    out = np.empty(ints.size * 22, dtype=np.uint8)
    size = decimal_text(ints, valid, tenths, offsets, out)
    return offsets, valid, out[:size]


def _integer_texts(values: pa.Array) -> Texts:
    """Decimal texts of an integer column (nulls left out)."""
    ints = np.asarray(values.fill_null(0).to_numpy(zero_copy_only=False), dtype=np.int64)
    return _decimal_texts(ints, _validity(values), tenths=False)


def _tenths_texts(values: pa.Array) -> Texts:
    """Texts of a column already rounded to one decimal (nulls left out)."""
    valid = _validity(values)
    floats = np.asarray(values.fill_null(0.0).to_numpy(zero_copy_only=False), dtype=np.float64)
    small = valid & (np.abs(floats) < 1e15)
    if not small[valid].all():  # huge values: Arrow's general formatting
        return _string_texts(values.cast(pa.string()))
    tenths = np.zeros(floats.size, dtype=np.int64)
    tenths[small] = np.rint(floats[small] * 10.0).astype(np.int64)
    return _decimal_texts(tenths, valid, tenths=True)


def _field_texts(table: pa.Table, name: str) -> Texts:
    """Value texts of one output field of every row (invalid where it is left out)."""
    column = table.column(name).combine_chunks()
    n = len(column)
    if column.null_count == n:
        return np.zeros(n + 1, dtype=np.int64), np.zeros(n, dtype=np.bool_), np.zeros(0, np.uint8)
    if name == "time":
        return _time_texts(column)
    if name == "source":
        return _by_value(column, lambda v: _json_text(SOURCE_NAMES.get(v, str(v))))
    if name == "flags":
        return _by_value(column, lambda v: _json_text(flag_names(v)))
    if pa.types.is_integer(column.type):
        return _integer_texts(number_column(column, name))
    if pa.types.is_floating(column.type):
        values = number_column(column, name)
        if ROUNDED.get(name) == 1:
            return _tenths_texts(values)
        return _string_texts(values.cast(pa.string()))
    return _by_value(column, _json_text)


def _objects(table: pa.Table, separator: bytes) -> bytes:
    """The rows' JSON objects joined by a one-byte separator."""
    n = table.num_rows
    if n == 0:
        return b""
    names = [name for name in (*FIELDS, "age_s") if name in table.column_names]
    offsets = np.empty((len(names), n + 1), dtype=np.int64)
    valid = np.empty((len(names), n), dtype=np.bool_)
    parts = []
    base = 0
    for f, name in enumerate(names):
        off, ok, data = _field_texts(table, name)
        offsets[f] = off + base
        valid[f] = ok
        parts.append(data)
        base += data.size
    data = np.concatenate(parts)
    key_texts = [f'"{name}":'.encode() for name in names]
    keys = np.frombuffer(b"".join(key_texts), dtype=np.uint8)
    key_offsets = np.concatenate([[0], np.cumsum([len(k) for k in key_texts])]).astype(np.int64)
    out = np.empty(data.size + n * (keys.size + len(names) + 3), dtype=np.uint8)
    size = write_objects(n, offsets, valid, data, keys, key_offsets, separator[0], out)
    return out[:size].tobytes()


def positions_json(table: pa.Table) -> bytes:
    """A JSON array of the rows' output objects."""
    return b"[" + _objects(table, b",") + b"]"


def positions_jsonl(table: pa.Table) -> bytes:
    """One JSON object per line (each line ends with a newline)."""
    if table.num_rows == 0:
        return b""
    return _objects(table, b"\n") + b"\n"
