"""Output records of position tables: the fields every answer of tracks and pictures shows.

Used by the CLI (``seawarden track``/``snapshot``) and the web API; the JSON answers are
encoded column by column by :mod:`seawarden.tracks.json_rows` with the same rules.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from seawarden.positions.schema import Flag, Source

#: Output fields, in order (``age_s`` only in snapshots).
FIELDS = (
    "mmsi",
    "terminal",
    "fishing_no",
    "time",
    "lat",
    "lon",
    "sog",
    "cog",
    "heading",
    "status",
    "source",
    "station",
    "stations",
    "flags",
    "segment",
)
SOURCE_NAMES = {s.value: s.name.lower() for s in Source}


def iso_text(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """ISO 8601 text of a UTC timestamp column, millisecond precision, without the ``Z``."""
    ms_type = pa.timestamp("ms", tz="UTC")
    ms = np.asarray(
        column.cast(ms_type).cast(pa.int64()).to_numpy(zero_copy_only=False), dtype="datetime64[ms]"
    )
    return pa.array(np.datetime_as_string(ms, unit="ms"), type=pa.string())


def iso_times(column: pa.ChunkedArray | pa.Array) -> list[str]:
    """ISO 8601 UTC text (millisecond precision) of a timestamp column."""
    return [t + "Z" for t in iso_text(column).to_pylist()]


@functools.cache
def _flag_names(value: int) -> tuple[str, ...]:
    return tuple(f.name.lower() for f in Flag if f.name and f is not Flag.NONE and value & f)


def flag_names(value: int) -> list[str]:
    """Names of the flags set in a flags value."""
    return list(_flag_names(value))


ROUNDED = {"sog": 1, "cog": 1, "age_s": 3}
"""Fields written rounded to this many decimals."""
NEGATIVE_MISSING = ("mmsi", "heading", "status")
"""Integer fields whose negative values mean "not available"."""


def number_column(column: pa.ChunkedArray | pa.Array, name: str) -> pa.Array:
    """A numeric field as it is written: rounded where it is, null where not available.

    Floats: NaN and infinities are null, ``sog``/``cog``/``age_s`` rounded (half to even);
    integers: negative ``mmsi``/``heading``/``status`` are null.
    """
    values = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
    if pa.types.is_floating(values.type):
        values = values.cast(pa.float64())
        if name in ROUNDED:
            values = pc.round(values, ROUNDED[name])
        return pc.if_else(pc.is_finite(values), values, pa.scalar(None, pa.float64()))
    if name in NEGATIVE_MISSING:
        return pc.if_else(pc.less(values, 0), pa.scalar(None, values.type), values)
    return values


def _output_column(table: pa.Table, name: str) -> list[Any]:
    """One output field of every row, as it is written (``None``: left out)."""
    if name == "time":
        return list(iso_times(table.column("time")))
    column = table.column(name)
    if name == "source":
        return [None if v is None else SOURCE_NAMES.get(v, str(v)) for v in column.to_pylist()]
    if name == "flags":
        return [None if v is None else list(_flag_names(v)) for v in column.to_pylist()]
    if pa.types.is_integer(column.type) or pa.types.is_floating(column.type):
        values: list[Any] = number_column(column, name).to_pylist()
        return values
    plain: list[Any] = column.to_pylist()
    return plain


def records(table: pa.Table) -> Iterator[dict[str, Any]]:
    """Output records of a positions table (nulls left out), built column by column."""
    names = [n for n in (*FIELDS, "age_s") if n in table.column_names]
    columns = [_output_column(table, n) for n in names]
    for row in zip(*columns, strict=True):
        yield {k: v for k, v in zip(names, row, strict=True) if v is not None}
