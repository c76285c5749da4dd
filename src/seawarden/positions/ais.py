"""Positions from decoded AIS (the ``position`` family table of the batch decoder).

Event time: AIS reports carry only the UTC second of the fix. It is combined with the
receiver's timestamp (tag block, ``$PGHP``, USCG epoch) to the millisecond: the fix is the
latest instant with that second not after the receive time (plus a small clock tolerance).
Without a valid second the receive time stands (flag ``TIME_FROM_RX``). Without a receiver
timestamp, the arrival time at the ingester is used when the source is live (flag
``TIME_FROM_ARRIVAL``); otherwise the position has no time and is not stored.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from seawarden.positions.batch import PositionBatch
from seawarden.positions.mmsi import valid_mmsi
from seawarden.positions.outcomes import PositionOutcome, PositionStats, outcome_key
from seawarden.positions.schema import Flag, Source

#: Receive time may precede the fix's UTC second by this much (receiver clock error), ms.
CLOCK_TOLERANCE_MS = 2_000
#: A receive time this far ahead of the ingester's clock is not trusted, ms.
FUTURE_TOLERANCE_MS = 5 * 60_000

_SOURCE_BY_TYPE = np.zeros(64, dtype=np.int8)
for _t in (1, 2, 3):
    _SOURCE_BY_TYPE[_t] = Source.AIS_A
for _t in (18, 19):
    _SOURCE_BY_TYPE[_t] = Source.AIS_B
_SOURCE_BY_TYPE[9] = Source.AIS_SAR
_SOURCE_BY_TYPE[27] = Source.AIS_LONG_RANGE


def _column(table: pa.Table, name: str, dtype: type, missing: float) -> np.ndarray:
    if name not in table.column_names:
        return np.full(table.num_rows, missing, dtype=dtype)
    col = table.column(name)
    if pa.types.is_timestamp(col.type):
        col = col.cast(pa.int64())
    return np.asarray(col.fill_null(missing).to_numpy(), dtype=dtype)


def strings(column: pa.ChunkedArray | pa.Array) -> np.ndarray:
    """A (dictionary-encoded) string column as a numpy object array.

    Dictionary columns are expanded without a Python loop per row.
    """
    if isinstance(column, pa.ChunkedArray):
        column = column.combine_chunks() if column.num_chunks != 1 else column.chunk(0)
    if pa.types.is_dictionary(column.type):
        values = np.array([*column.dictionary.to_pylist(), None], dtype=object)
        indices = column.indices.fill_null(len(values) - 1).to_numpy()
        return np.asarray(values[indices], dtype=object)
    return np.array(column.to_pylist(), dtype=object)


def event_time(rx: np.ndarray, second: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Event time (ms) from receive time (ms, -1 missing) and the report's UTC second.

    Returns (time, uses_rx): ``uses_rx`` marks rows whose second was not valid (60-63).
    """
    valid = (second >= 0) & (second < 60)
    minute = rx - rx % 60_000
    t = minute + second.astype(np.int64) * 1000
    later = t > rx + CLOCK_TOLERANCE_MS
    t = np.where(later, t - 60_000, t)
    return np.where(valid, t, rx), ~valid


def positions_from_ais(
    table: pa.Table, arrival_ms: int | None = None, now_ms: int | None = None
) -> tuple[PositionBatch, PositionStats]:
    """Convert a ``position`` family table into a batch of positions, with counters.

    ``arrival_ms`` is the time the lines were received by a live source (used when a line has
    no receiver timestamp); ``now_ms`` is the ingester's clock (receive times beyond it by
    more than :data:`FUTURE_TOLERANCE_MS` are replaced by ``arrival_ms`` or ``now_ms``).
    """
    stats = PositionStats()
    n = table.num_rows
    stats.received = n
    if n == 0:
        return PositionBatch.empty(), stats
    mtype = _column(table, "type", np.int8, 0)
    rx = _column(table, "rxtime", np.int64, -1)
    flags = np.zeros(n, dtype=np.int16)
    if now_ms is not None:
        ahead = rx > now_ms + FUTURE_TOLERANCE_MS
        if ahead.any():
            rx = np.where(ahead, arrival_ms if arrival_ms is not None else now_ms, rx)
            flags[ahead] |= Flag.CLOCK_AHEAD
    if arrival_ms is not None:
        missing = rx < 0
        if missing.any():
            rx = np.where(missing, arrival_ms, rx)
            flags[missing] |= Flag.TIME_FROM_ARRIVAL
    second = _column(table, "second", np.int16, 60)
    time, uses_rx = event_time(rx, second)
    flags[uses_rx & (rx >= 0)] |= Flag.TIME_FROM_RX
    lat = _column(table, "lat", np.float64, np.nan)
    lon = _column(table, "lon", np.float64, np.nan)
    no_time = rx < 0
    no_position = ~no_time & (np.isnan(lat) | np.isnan(lon))
    out_of_range = ~no_time & ~no_position & ((np.abs(lat) > 90) | (np.abs(lon) > 180))
    keep = ~(no_time | no_position | out_of_range)
    stats.outcomes[outcome_key(PositionOutcome.NO_TIME)] = int(no_time.sum())
    stats.outcomes[outcome_key(PositionOutcome.NO_POSITION)] = int(no_position.sum())
    stats.outcomes[outcome_key(PositionOutcome.OUT_OF_RANGE)] = int(out_of_range.sum())
    stats.outcomes[outcome_key(PositionOutcome.STORED)] = int(keep.sum())
    idx = np.flatnonzero(keep)
    out = PositionBatch.allocate(idx.size)
    mmsi = _column(table, "mmsi", np.int32, -1)[idx]
    out.vessel_key = mmsi.astype(np.int64)
    out.mmsi = mmsi
    out.time = time[idx]
    out.rxtime = rx[idx]
    out.source = _SOURCE_BY_TYPE[mtype[idx]]
    out.lat = lat[idx]
    out.lon = lon[idx]
    out.sog = _column(table, "speed", np.float32, np.nan)[idx]
    out.cog = _column(table, "course", np.float32, np.nan)[idx]
    out.heading = _column(table, "heading", np.int16, -1)[idx]
    out.status = _column(table, "status", np.int8, -1)[idx]
    out.msg_type = mtype[idx]
    if "station" in table.column_names:
        out.station = strings(table.column("station"))[idx]
    bad_mmsi = ~valid_mmsi(mmsi)
    out.flags = (flags[idx] | np.where(bad_mmsi, Flag.INVALID_MMSI.value, 0)).astype(np.int16)
    stats.invalid_mmsi = int(bad_mmsi.sum())
    out.fingerprint = _column(table, "payload_hash", np.int64, 0)[idx]
    return out, stats
