"""Queries over the track store through DuckDB: tracks, the picture at a time, vessel search.

Only the files of the last commit are read, and only the day partitions (and identity
bucket) a query can touch.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from seawarden.positions.beidou import terminal_key
from seawarden.tracks.simplify import simplify_track
from seawarden.tracks.store import PICTURE, TrackStore, day_of

#: Default: a vessel is in the picture at time T if it reported within this long before T.
DEFAULT_MAX_AGE_S = 30 * 60

#: A UTC timestamp from an epoch-millisecond parameter.
_TS = "to_timestamp(?::DOUBLE / 1000.0)"

COLUMNS = (
    "vessel_key, time, mmsi, terminal, fishing_no, lat, lon, sog, cog, heading, status, "
    "source, msg_type, station, stations, flags, segment"
)


_COLUMN_NAMES = [c.strip() for c in COLUMNS.split(",")]


class QueryError(ValueError):
    """A query the store refuses (too large, malformed)."""


def to_ms(value: dt.datetime | str | int | float) -> int:
    """UTC epoch milliseconds from a datetime, ISO 8601 text, ``now`` or epoch seconds/ms."""
    if isinstance(value, int | float):
        return int(value) if value > 1e11 else int(value * 1000)
    if isinstance(value, str):
        text = value.strip()
        if text.lower() == "now":
            return time.time_ns() // 1_000_000
        try:
            return to_ms(float(text))
        except ValueError:
            pass
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return int(value.timestamp() * 1000)


def _days(start_ms: int, end_ms: int) -> tuple[str, str]:
    return day_of(max(start_ms, 0)), day_of(min(end_ms, MAX_MS))


#: Far future bound for open-ended ranges (year 9999).
MAX_MS = 253_402_300_799_000


def _file_list(files: list[Path]) -> str:
    return "[" + ", ".join("'" + str(p).replace("'", "''") + "'" for p in files) + "]"


_DB: duckdb.DuckDBPyConnection | None = None
_DB_LOCK = threading.Lock()


def _database() -> duckdb.DuckDBPyConnection:
    """Return the process's one in-memory DuckDB instance.

    Each query gets its own cursor on it: a new instance costs ~30 ms to start, a cursor
    well under 1 ms.
    """
    global _DB
    with _DB_LOCK:
        if _DB is None:
            _DB = duckdb.connect()
            _DB.execute("SET threads TO 1")
        return _DB


_CURRENT: dict[str, tuple[tuple[int, int, int], TrackQuery]] = {}
"""The query over each data directory's last commit (see :meth:`TrackQuery.current`)."""


@dataclass
class TrackQuery:
    """Read side of one data directory."""

    store: TrackStore

    @classmethod
    def open(cls, data_dir: Path | str) -> TrackQuery:
        """Queries over a data directory (read-only: no recovery is run)."""
        return cls(TrackStore(data_dir))

    @classmethod
    def current(cls, data_dir: Path | str) -> TrackQuery:
        """Queries over a data directory's last commit, reused while that commit stands.

        The commit record is replaced atomically by each commit, so its inode, size and
        modification time tell whether a cached query still reads the current files.
        """
        root = str(data_dir)
        try:
            st = (Path(root) / "state" / "commit.json").stat()
            version = (st.st_ino, st.st_size, st.st_mtime_ns)
        except OSError:
            return cls.open(root)
        cached = _CURRENT.get(root)
        if cached is None or cached[0] != version:
            cached = (version, cls.open(root))
            if len(_CURRENT) >= 64:
                _CURRENT.clear()
            _CURRENT[root] = cached
        return cached[1]

    def _connect(self) -> duckdb.DuckDBPyConnection:
        con = _database().cursor()
        con.execute("SET TimeZone = 'UTC'")
        return con

    def track(
        self,
        vessel: int | str,
        start: dt.datetime | str | int | None = None,
        end: dt.datetime | str | int | None = None,
        simplify_m: float | None = None,
        every_s: float | None = None,
    ) -> pa.Table:
        """Positions of one vessel (MMSI or BeiDou terminal) in [start, end], in time order.

        An end given as ``None`` leaves that side of the range open.

        ``simplify_m``: Douglas-Peucker tolerance in metres; ``every_s``: at most one
        position per that many seconds.
        """
        t0 = 0 if start is None else to_ms(start)
        t1 = MAX_MS if end is None else to_ms(end)
        if t1 < t0:
            raise QueryError("the end of the range is before its start")
        key = (
            vessel
            if isinstance(vessel, int)
            else (int(vessel) if vessel.isdigit() else terminal_key(vessel))
        )
        bucket = int(self.store.bucket_of(np.array([key]))[0])
        files = self.store.files(_days(t0, t1), bucket)
        if not files:
            return _empty()
        table = read_track(files, key, t0, t1)
        if every_s:
            t = table.column("time").cast(pa.int64()).to_numpy() // int(every_s * 1000)
            first = np.ones(t.size, dtype=np.bool_)
            first[1:] = t[1:] != t[:-1]
            table = table.filter(pa.array(first))
        if simplify_m:
            keep = simplify_track(
                table.column("lat").to_numpy(), table.column("lon").to_numpy(), simplify_m
            )
            table = table.filter(pa.array(keep))
        return table

    def positions(
        self,
        start: dt.datetime | str | int | None = None,
        end: dt.datetime | str | int | None = None,
    ) -> pa.Table:
        """Every stored position in [start, end] (open ends when ``None``), by vessel and time."""
        t0 = 0 if start is None else to_ms(start)
        t1 = MAX_MS if end is None else to_ms(end)
        if t1 < t0:
            raise QueryError("the end of the range is before its start")
        files = self.store.files(_days(t0, t1))
        if not files:
            from seawarden.positions.schema import POSITION_SCHEMA

            return POSITION_SCHEMA.empty_table()
        sql = (
            f"SELECT {COLUMNS}, rxtime, fingerprint FROM read_parquet({_file_list(files)}) "
            f"WHERE time BETWEEN {_TS} AND {_TS} ORDER BY vessel_key, time"
        )
        with self._connect() as con:
            return _ms(con.sql(sql, params=[t0, t1]).to_arrow_table())

    def snapshot(
        self,
        at: dt.datetime | str | int,
        bbox: tuple[float, float, float, float] | None = None,
        max_age_s: float = DEFAULT_MAX_AGE_S,
    ) -> pa.Table:
        """The last position of every vessel at time ``at``, with its ``age_s``.

        Vessels silent for longer than ``max_age_s`` are left out; ``bbox`` = (min lon,
        min lat, max lon, max lat) limits the area (it may cross the antimeridian).
        """
        t = to_ms(at)
        t0 = t - int(max_age_s * 1000)
        files = self.store.files(_days(t0, t), layout=PICTURE)
        if not files:
            return _empty(with_age=True)
        return read_snapshot(files, t0, t, bbox)

    def latest(self) -> pa.Table:
        """The latest-position table (one row per vessel)."""
        path = self.store.root / "latest.parquet"
        return pq.read_table(path) if path.exists() else _empty()

    def search(self, text: str, limit: int = 20) -> pa.Table:
        """Vessels by MMSI, IMO, name, call sign, fishing-vessel number or BeiDou terminal.

        Case-insensitive; AIS particulars and BeiDou identities are joined on the MMSI.
        """
        from seawarden.positions.particulars import PARTICULARS_SCHEMA

        text = text.strip()
        vessels_path = self.store.root / "vessels.parquet"
        latest_path = self.store.root / "latest.parquet"
        vessels = (
            pq.read_table(vessels_path)
            if vessels_path.exists()
            else PARTICULARS_SCHEMA.empty_table()
        )
        latest = (
            pq.read_table(latest_path, columns=["mmsi", "terminal", "fishing_no"])
            if latest_path.exists()
            else _empty().select(["mmsi", "terminal", "fishing_no"])
        )
        like = f"%{text.upper()}%"
        sql = """
            WITH pos AS (
                SELECT CASE WHEN mmsi >= 0 THEN CAST(mmsi AS VARCHAR) ELSE terminal END AS k,
                       max(CASE WHEN mmsi >= 0 THEN mmsi END) AS mmsi, max(terminal) AS terminal,
                       max(fishing_no) AS fishing_no, bool_or(terminal IS NULL) AS ais,
                       bool_or(terminal IS NOT NULL) AS beidou
                FROM latest GROUP BY 1),
            st AS (SELECT CAST(mmsi AS VARCHAR) AS k, mmsi, shipname AS name, callsign,
                          CAST(imo AS BIGINT) AS imo FROM vessels),
            v AS (SELECT coalesce(st.mmsi, pos.mmsi) AS mmsi, pos.terminal, st.name,
                         st.callsign, st.imo,
                         pos.fishing_no,
                         concat_ws('+', CASE WHEN st.k IS NOT NULL OR pos.ais THEN 'ais' END,
                                        CASE WHEN pos.beidou THEN 'beidou' END) AS kind
                  FROM st FULL OUTER JOIN pos ON st.k = pos.k)
            SELECT * FROM v
            WHERE CAST(mmsi AS VARCHAR) LIKE ? OR upper(name) LIKE ? OR upper(callsign) LIKE ?
               OR CAST(imo AS VARCHAR) = ? OR upper(fishing_no) LIKE ? OR terminal LIKE ?
            ORDER BY mmsi NULLS LAST, terminal LIMIT ?
        """
        with self._connect() as con:
            con.register("vessels", vessels)
            con.register("latest", latest)
            return con.sql(
                sql, params=[f"{text}%", like, like, text, like, f"{text}%", limit]
            ).to_arrow_table()


@functools.lru_cache(maxsize=512)
def _footer(path: str, mtime_ns: int, size: int) -> pq.FileMetaData:
    """A Parquet file's parsed footer, once per file version.

    The store never rewrites a file in place, so path, modification time and size identify
    its contents.
    """
    return pq.read_metadata(path)


def open_parquet(path: Path) -> pq.ParquetFile:
    """A Parquet file with its footer parsed once per file version, not once per query."""
    st = path.stat()
    return pq.ParquetFile(path, metadata=_footer(str(path), st.st_mtime_ns, st.st_size))


def read_track(files: list[Path], key: int, t0: int, t1: int) -> pa.Table:
    """One vessel's rows in [t0, t1] (epoch ms) from track files, by time and transmission.

    Files are sorted by vessel, so the row groups' vessel_key statistics leave only the
    groups holding the vessel to be read (pyarrow, no SQL engine: a few milliseconds, and
    nothing shared between concurrent requests). Within a file sorted by vessel and time
    the vessel's rows are one slice; rows with equal times are put in transmission order
    (their fingerprint), which is then read as well.
    """
    found = [_vessel_rows(path, key, t0, t1, with_fingerprint=False) for path in files]
    parts = [p for p in found if p is not None]
    if not parts:
        return _empty()
    table = parts[0] if len(parts) == 1 else pa.concat_tables(parts, promote_options="permissive")
    ms = table.column("time").cast(pa.int64()).to_numpy()
    if len(parts) > 1 or not bool(np.all(ms[1:] >= ms[:-1])):
        order = np.argsort(ms, kind="stable")
        table, ms = table.take(pa.array(order)), ms[order]
    if ms.size > 1 and not bool(np.all(ms[1:] > ms[:-1])):  # equal times: by transmission
        found = [_vessel_rows(path, key, t0, t1, with_fingerprint=True) for path in files]
        table = pa.concat_tables([p for p in found if p is not None], promote_options="permissive")
        table = table.sort_by([("time", "ascending"), ("fingerprint", "ascending")])
    return table.select(_COLUMN_NAMES).cast(_empty().schema)


def _vessel_rows(path: Path, key: int, t0: int, t1: int, with_fingerprint: bool) -> pa.Table | None:
    """The rows of one vessel in [t0, t1] in one track file (``None``: none there)."""
    pf = open_parquet(path)
    groups = _overlapping_groups(pf, "vessel_key", lambda lo, hi: lo <= key <= hi)
    if not groups:
        return None
    columns = [*_COLUMN_NAMES, "fingerprint"] if with_fingerprint else _COLUMN_NAMES
    part = pf.read_row_groups(groups, columns=columns)
    keys = part.column("vessel_key").to_numpy()
    ms = part.column("time").cast(pa.int64()).to_numpy()
    if bool(np.all(keys[1:] >= keys[:-1])):  # sorted by vessel: its rows are one slice
        lo, hi = (int(i) for i in np.searchsorted(keys, [key, key + 1]))
        span = ms[lo:hi]
        if bool(np.all(span[1:] >= span[:-1])):  # and by time: so is the time range
            a = lo + int(np.searchsorted(span, t0, side="left"))
            b = lo + int(np.searchsorted(span, t1, side="right"))
            return part.slice(a, b - a) if b > a else None
    keep = (keys == key) & (ms >= t0) & (ms <= t1)
    return part.filter(pa.array(keep)) if keep.any() else None


def _overlapping_groups(
    pf: pq.ParquetFile, column: str, overlaps: Callable[[Any, Any], bool]
) -> list[int]:
    """Row groups whose statistics of ``column`` (min, max) may hold wanted rows.

    A group without statistics is always read.
    """
    md = pf.metadata
    col = pf.schema_arrow.get_field_index(column)
    groups = []
    for g in range(md.num_row_groups):
        stats = md.row_group(g).column(col).statistics
        if stats is None or not stats.has_min_max or overlaps(stats.min, stats.max):
            groups.append(g)
    return groups


def _ms_of(value: object) -> int:
    """Epoch milliseconds of a timestamp statistic (a datetime or an integer)."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # the store's times are UTC
            value = value.replace(tzinfo=dt.UTC)
        return int(value.timestamp() * 1000)
    return int(cast(int, value))


def read_snapshot(
    files: list[Path],
    t0: int,
    t1: int,
    bbox: tuple[float, float, float, float] | None = None,
) -> pa.Table:
    """The last row of each vessel in [t0, t1] (epoch ms) from picture files, by vessel.

    The picture layout is sorted by time, so the row groups' time statistics leave only the
    groups of the window to be read; the last row per vessel is found by sorting the
    window's (vessel, time) pairs (numpy), then taken, with its ``age_s`` at ``t1``.
    """
    parts = []
    for path in files:
        pf = open_parquet(path)
        groups = _overlapping_groups(
            pf, "time", lambda lo, hi: _ms_of(hi) >= t0 and _ms_of(lo) <= t1
        )
        if groups:
            parts.append(pf.read_row_groups(groups, columns=_COLUMN_NAMES))
    if not parts:
        return _empty(with_age=True)
    table = pa.concat_tables(parts, promote_options="permissive")
    times = table.column("time").cast(pa.int64()).to_numpy()
    rows = np.flatnonzero((times >= t0) & (times <= t1))
    keys = table.column("vessel_key").to_numpy()[rows]
    order = np.lexsort((times[rows], keys))
    sorted_keys = keys[order]
    last = np.ones(order.size, dtype=np.bool_)
    last[:-1] = sorted_keys[1:] != sorted_keys[:-1]
    pick = rows[order[last]]
    if bbox is not None and pick.size:
        min_lon, min_lat, max_lon, max_lat = bbox
        lon = table.column("lon").to_numpy()[pick]
        lat = table.column("lat").to_numpy()[pick]
        across = min_lon > max_lon  # a box crossing the antimeridian
        in_lon = ((lon >= min_lon) | (lon <= max_lon)) if across else (lon >= min_lon)
        if not across:
            in_lon &= lon <= max_lon
        pick = pick[in_lon & (lat >= min_lat) & (lat <= max_lat)]
    out = table.take(pa.array(pick, type=pa.int64()))
    age = (t1 - times[pick]) / 1000.0
    out = out.append_column("age_s", pa.array(age, type=pa.float64()))
    return out.cast(_empty(with_age=True).schema)


def _ms(table: pa.Table) -> pa.Table:
    """Timestamps back to the store's millisecond unit (DuckDB returns microseconds)."""
    fields = [
        pa.field(f.name, pa.timestamp("ms", tz="UTC")) if pa.types.is_timestamp(f.type) else f
        for f in table.schema
    ]
    return table.cast(pa.schema(fields))


@functools.cache
def _empty(with_age: bool = False) -> pa.Table:
    from seawarden.positions.schema import POSITION_SCHEMA

    names = [c.strip() for c in COLUMNS.split(",")]
    schema = pa.schema([POSITION_SCHEMA.field(n) for n in names])
    if with_age:
        schema = schema.append(pa.field("age_s", pa.float64()))
    return schema.empty_table()
