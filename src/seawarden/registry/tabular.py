"""Reading and writing tables as CSV, Excel (openpyxl), JSON and JSON lines.

Readers yield ``(line, record)`` pairs: ``line`` is the line (CSV) or row number (Excel)
people see in their editor, ``record`` a dict from column name to value, or ``None`` when
the row does not have the header's number of cells.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator, Sequence
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

import orjson
from openpyxl import Workbook, load_workbook


class TableFormat(StrEnum):
    """File formats of lists."""

    csv = "csv"
    xlsx = "xlsx"
    json = "json"
    jsonl = "jsonl"


class TableFileError(Exception):
    """The file cannot be read as a table (format, encoding, no header)."""


def format_of(path: Path) -> TableFormat:
    """The format a file name's extension implies."""
    ext = path.suffix.lower().lstrip(".")
    try:
        return TableFormat(ext)
    except ValueError:
        raise TableFileError(f"{path.name}: use a .csv, .xlsx, .json or .jsonl file") from None


def column_name(header: Any) -> str:
    """A header cell as a field name: trimmed, lower case, spaces and hyphens as underscores."""
    return str(header or "").strip().lower().replace(" ", "_").replace("-", "_")


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TableFileError("the file is neither UTF-8 nor GB 18030 text")


def read_csv(data: bytes) -> tuple[list[str], Iterator[tuple[int, dict[str, Any] | None]]]:
    """Header and records of CSV bytes (UTF-8, with or without BOM, or GB 18030)."""
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [column_name(h) for h in next(reader)]
    except StopIteration:
        raise TableFileError("the file is empty") from None
    except csv.Error as exc:
        raise TableFileError(f"line 1: {exc}") from None
    if not any(header):
        raise TableFileError("line 1 has no column names")

    def rows() -> Iterator[tuple[int, dict[str, Any] | None]]:
        width = len(header)
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error:
                yield start, None
                start = reader.line_num + 1
                continue
            line, start = start, reader.line_num + 1
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(cells) != width:
                yield line, None
                continue
            yield line, dict(zip(header, cells, strict=True))

    return header, rows()


def _cell(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        return v.date().isoformat() if v.time() == dt.time() else v.isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def read_xlsx(data: bytes) -> tuple[list[str], Iterator[tuple[int, dict[str, Any] | None]]]:
    """Header and records of the first sheet of an Excel workbook."""
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for damaged files
        raise TableFileError(f"not a readable .xlsx workbook: {exc}") from None
    ws = wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    header: list[str] = []
    line = 0
    for cells in it:
        line += 1
        if any(c not in (None, "") for c in cells):
            header = [column_name(c) for c in cells]
            break
    if not header:
        wb.close()
        raise TableFileError("the sheet is empty")
    while header and not header[-1]:
        header.pop()
    width = len(header)

    def rows() -> Iterator[tuple[int, dict[str, Any] | None]]:
        n = line
        for cells in it:
            n += 1
            values = [_cell(c) for c in cells]
            if all(v in (None, "") for v in values):
                continue
            if any(v not in (None, "") for v in values[width:]):
                yield n, None
                continue
            values = (values + [None] * width)[:width]
            yield n, dict(zip(header, values, strict=True))
        wb.close()

    return header, rows()


def read_json(
    data: bytes, lines: bool
) -> tuple[list[str], Iterator[tuple[int, dict[str, Any] | None]]]:
    """Header (union of keys) and records of a JSON array of objects or JSON lines."""
    try:
        if lines:
            records = [orjson.loads(x) if x.strip() else None for x in data.splitlines()]
        else:
            records = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise TableFileError(f"not valid JSON: {exc}") from None
    if not isinstance(records, list):
        raise TableFileError("a JSON table is an array of objects")
    header = list(dict.fromkeys(column_name(k) for r in records if isinstance(r, dict) for k in r))

    def rows() -> Iterator[tuple[int, dict[str, Any] | None]]:
        for i, r in enumerate(records, start=1):
            if r is None and lines:
                continue
            yield i, ({column_name(k): v for k, v in r.items()} if isinstance(r, dict) else None)

    return header, rows()


def read_table(path: Path) -> tuple[list[str], Iterator[tuple[int, dict[str, Any] | None]]]:
    """Header and records of a CSV, Excel or JSON file."""
    fmt = format_of(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TableFileError(f"cannot read {path}: {exc.strerror}") from None
    if fmt is TableFormat.csv:
        return read_csv(data)
    if fmt is TableFormat.xlsx:
        return read_xlsx(data)
    return read_json(data, fmt is TableFormat.jsonl)


def _text(v: Any) -> Any:
    if isinstance(v, dict | list):
        return orjson.dumps(v).decode()
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def write_csv(out: IO[str], rows: Iterable[dict[str, Any]], columns: Sequence[str]) -> int:
    """Write rows as CSV (nested values as JSON); returns the number of rows."""
    w = csv.writer(out)
    w.writerow(columns)
    n = 0
    for r in rows:
        w.writerow(["" if r.get(c) is None else _text(r.get(c)) for c in columns])
        n += 1
    return n


def write_table(
    path: Path,
    rows: Iterable[dict[str, Any]],
    columns: Sequence[str],
    fmt: TableFormat | None = None,
) -> int:
    """Write rows to a file in the format given (or implied by its extension)."""
    fmt = fmt or format_of(path)
    if fmt is TableFormat.csv:
        with path.open("w", encoding="utf-8", newline="") as f:
            return write_csv(f, rows, columns)
    if fmt is TableFormat.xlsx:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet()
        ws.append(list(columns))
        n = 0
        for r in rows:
            ws.append([_text(r.get(c)) for c in columns])
            n += 1
        wb.save(path)
        return n
    items = [{c: r.get(c) for c in columns} for r in rows]
    opts = orjson.OPT_NAIVE_UTC | orjson.OPT_NON_STR_KEYS
    if fmt is TableFormat.jsonl:
        path.write_bytes(b"".join(orjson.dumps(i, default=str, option=opts) + b"\n" for i in items))
    else:
        path.write_bytes(orjson.dumps(items, default=str, option=opts | orjson.OPT_INDENT_2))
    return len(items)
