"""Output writers for decoded AIS: JSON lines, CSV and Parquet (one file per family)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import IO, Any

import orjson
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from seawarden.ais.records import Message

_META_OPTIONAL = ("rxtime", "station", "channel", "checksum_ok")


def iso_ms(epoch_ms: int) -> str:
    """UTC ISO-8601 text with milliseconds for an epoch-millisecond time."""
    t = dt.datetime.fromtimestamp(epoch_ms / 1000, tz=dt.UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{epoch_ms % 1000:03d}Z"


def message_json(message: Message) -> str:
    """One message as a gpsd-style JSON object (receive metadata only where known)."""
    out = dict(message)
    for key in _META_OPTIONAL:
        if out.get(key) is None:
            out.pop(key, None)
    rx = out.get("rxtime")
    if isinstance(rx, int):
        out["rxtime"] = iso_ms(rx)
    return orjson.dumps(out).decode()


class JsonlWriter:
    """Writes one JSON object per message."""

    def __init__(self, stream: IO[str]) -> None:
        self.stream = stream
        self.count = 0

    def write_messages(self, messages: list[Message]) -> None:
        """Append messages."""
        if messages:
            self.stream.write("\n".join(message_json(m) for m in messages))
            self.stream.write("\n")
            self.count += len(messages)

    def close(self) -> None:
        """Flush the stream."""
        self.stream.flush()


def union_schema(tables: dict[str, pa.Table]) -> pa.Schema:
    """One schema holding every column of every family (dictionaries decoded to strings)."""
    fields: dict[str, pa.Field] = {}
    for table in tables.values():
        for f in table.schema:
            typ = f.type.value_type if pa.types.is_dictionary(f.type) else f.type
            if f.name not in fields:
                fields[f.name] = pa.field(f.name, typ)
    return pa.schema(list(fields.values()))


def flatten_tables(tables: dict[str, pa.Table], schema: pa.Schema) -> pa.Table:
    """All families' rows in one table with ``schema``, in input (line) order."""
    parts = []
    for table in tables.values():
        if table.num_rows == 0:
            continue
        cols = []
        for f in schema:
            if f.name in table.column_names:
                col = table[f.name]
                if pa.types.is_dictionary(col.type):
                    col = col.cast(f.type)
                cols.append(col)
            else:
                cols.append(pa.nulls(table.num_rows, type=f.type))
        parts.append(pa.Table.from_arrays(cols, schema=schema))
    if not parts:
        return schema.empty_table()
    merged = pa.concat_tables(parts)
    return merged.sort_by([("line", "ascending")])


class CsvWriter:
    """Writes every message as one CSV row over the union of all family columns."""

    def __init__(self, sink: IO[bytes], schema: pa.Schema) -> None:
        self.schema = schema
        self.writer = pacsv.CSVWriter(sink, schema)
        self.count = 0

    def write_tables(self, tables: dict[str, pa.Table]) -> None:
        """Append one block's tables."""
        table = flatten_tables(tables, self.schema)
        if table.num_rows:
            self.writer.write_table(table)
            self.count += table.num_rows

    def close(self) -> None:
        """Finish the file."""
        self.writer.close()


class ParquetFamilyWriter:
    """Writes one Parquet file per family into a directory."""

    def __init__(self, directory: Path, compression: str = "zstd") -> None:
        self.directory = directory
        self.compression = compression
        directory.mkdir(parents=True, exist_ok=True)
        self.writers: dict[str, pq.ParquetWriter] = {}
        self.count = 0

    def write_tables(self, tables: dict[str, pa.Table]) -> None:
        """Append one block's tables."""
        for family, table in tables.items():
            writer = self.writers.get(family)
            if writer is None:
                writer = pq.ParquetWriter(
                    self.directory / f"{family}.parquet",
                    table.schema,
                    compression=self.compression,
                )
                self.writers[family] = writer
            if table.num_rows:
                writer.write_table(table)
                self.count += table.num_rows

    def close(self) -> None:
        """Finish every file."""
        for writer in self.writers.values():
            writer.close()


def describe(value: Any) -> str:
    """Short text for a summary cell."""
    return f"{value:,}" if isinstance(value, int) else str(value)
