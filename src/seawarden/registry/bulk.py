"""Fast bulk inserts for imports: COPY on PostgreSQL, one prepared executemany on SQLite.

SQLAlchemy's ``executemany`` builds parameters per row with generic machinery; for the
hundreds of thousands of rows of a register import this helper converts each value once
(dates, JSON) and hands the rows straight to the driver, in the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import orjson
from sqlalchemy import JSON, Connection, Table

CHUNK = 10_000


def _json(v: Any) -> str:
    return orjson.dumps(v).decode()


def _rows(
    table: Table, rows: list[dict[str, Any]], dates_as_text: bool
) -> tuple[list[str], list[tuple[Any, ...]]]:
    keys = list(rows[0])
    defaults = {
        c.name: c.default.arg  # type: ignore[attr-defined]
        for c in table.columns
        if c.name not in rows[0] and c.default is not None and c.default.is_scalar
    }
    columns = keys + list(defaults)
    fixed = tuple(defaults.values())
    json_cols = {i for i, k in enumerate(keys) if isinstance(table.c[k].type, JSON)}
    out = []
    for r in rows:
        values = [r[k] for k in keys]
        for i, v in enumerate(values):
            if v is None:
                continue
            if i in json_cols:
                values[i] = _json(v)
            elif dates_as_text and isinstance(v, dt.date):
                values[i] = v.isoformat()
        out.append((*values, *fixed))
    return columns, out


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert rows that all have the same keys (columns left out take their scalar default)."""
    if not rows:
        return
    quote = conn.dialect.identifier_preparer.quote
    pg = conn.dialect.name == "postgresql"
    columns, values = _rows(table, rows, dates_as_text=not pg)
    names = ", ".join(quote(c) for c in columns)
    if pg:
        cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f"COPY {quote(table.name)} ({names}) FROM STDIN") as copy:
            for row in values:
                copy.write_row(row)
        return
    sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({', '.join('?' for _ in columns)})"
    for start in range(0, len(values), CHUNK):
        conn.exec_driver_sql(sql, values[start : start + CHUNK])
