"""BeiDou/VMS fishing-vessel terminal positions from JSON lines or CSV.

Record schema (JSONL keys or CSV header names):

| field | type | required | meaning |
|---|---|---|---|
| ``terminal`` | string | yes | terminal identifier (BeiDou card number or VMS id) |
| ``fishing_no`` | string | no | fishing-vessel number, e.g. ``浙岱渔03123`` |
| ``time`` | ISO 8601 with offset, or Unix seconds/milliseconds | yes | fix time (UTC) |
| ``lat``, ``lon`` | degrees (WGS-84) | yes | position |
| ``speed`` | knots | no | speed over ground |
| ``course`` | degrees true | no | course over ground |
| ``mmsi`` | integer | no | the vessel's AIS MMSI, when known |

A record missing a required field or holding an unparsable value is ``bad_record``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
from collections.abc import Iterable
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.csv as pacsv

from seawarden.positions.batch import PositionBatch
from seawarden.positions.outcomes import PositionOutcome, PositionStats, outcome_key
from seawarden.positions.schema import BEIDOU_KEY_BASE, Source


def terminal_key(terminal: str) -> int:
    """Stable identity key of a BeiDou terminal (above every MMSI)."""
    digest = hashlib.blake2b(terminal.encode("utf-8"), digest_size=8).digest()
    return BEIDOU_KEY_BASE + (int.from_bytes(digest, "big") & ((1 << 39) - 1))


def parse_time(value: Any) -> int | None:
    """UTC epoch milliseconds from ISO 8601 text or Unix seconds/milliseconds."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value) if value > 1e11 else int(value * 1000)
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        pass
    else:
        return int(number) if number > 1e11 else int(number * 1000)
    try:
        t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return int(t.timestamp() * 1000)


def _number(value: Any) -> float | None:
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def positions_from_records(
    records: Iterable[dict[str, Any]],
) -> tuple[PositionBatch, PositionStats]:
    """Positions from parsed BeiDou records (dicts with the schema's keys)."""
    stats = PositionStats()
    rows: list[tuple[Any, ...]] = []
    bad = no_position = out_of_range = 0
    for rec in records:
        stats.received += 1
        terminal = rec.get("terminal")
        t = parse_time(rec.get("time"))
        lat = _number(rec.get("lat"))
        lon = _number(rec.get("lon"))
        if not terminal or t is None:
            bad += 1
            continue
        if lat is None or lon is None:
            no_position += 1
            continue
        if abs(lat) > 90 or abs(lon) > 180:
            out_of_range += 1
            continue
        mmsi = _number(rec.get("mmsi"))
        rows.append(
            (
                str(terminal),
                rec.get("fishing_no") or None,
                t,
                lat,
                lon,
                _number(rec.get("speed")),
                _number(rec.get("course")),
                int(mmsi) if mmsi is not None else -1,
            )
        )
    stats.outcomes[outcome_key(PositionOutcome.BAD_RECORD)] = bad
    stats.outcomes[outcome_key(PositionOutcome.NO_POSITION)] = no_position
    stats.outcomes[outcome_key(PositionOutcome.OUT_OF_RANGE)] = out_of_range
    stats.outcomes[outcome_key(PositionOutcome.STORED)] = len(rows)
    out = PositionBatch.allocate(len(rows))
    if rows:
        terminals, fishing, times, lats, lons, speeds, courses, mmsis = zip(*rows, strict=True)
        cache: dict[str, int] = {}
        out.vessel_key = np.array(
            [cache.setdefault(x, terminal_key(x)) for x in terminals], dtype=np.int64
        )
        out.terminal = np.array(terminals, dtype=object)
        out.fishing_no = np.array(fishing, dtype=object)
        out.time = np.array(times, dtype=np.int64)
        out.rxtime = out.time.copy()
        out.lat = np.array(lats, dtype=np.float64)
        out.lon = np.array(lons, dtype=np.float64)
        out.sog = np.array([np.nan if v is None else v for v in speeds], dtype=np.float32)
        out.cog = np.array([np.nan if v is None else v for v in courses], dtype=np.float32)
        out.mmsi = np.array(mmsis, dtype=np.int32)
        out.source[:] = Source.BEIDOU
        out.fingerprint = (out.vessel_key * 1_000_003) ^ out.time
    return out, stats


def read_jsonl(data: bytes) -> tuple[PositionBatch, PositionStats]:
    """Positions from JSON lines; an unparsable line is a ``bad_record``."""
    records: list[dict[str, Any]] = []
    unparsable = 0
    for line in data.splitlines():
        if not line.strip():
            continue
        try:
            rec = orjson.loads(line)
        except orjson.JSONDecodeError:
            unparsable += 1
            continue
        if isinstance(rec, dict):
            records.append(rec)
        else:
            unparsable += 1
    batch, stats = positions_from_records(records)
    stats.received += unparsable
    stats.outcomes[outcome_key(PositionOutcome.BAD_RECORD)] += unparsable
    return batch, stats


def read_csv(data: bytes) -> tuple[PositionBatch, PositionStats]:
    """Positions from CSV with a header naming the schema's fields."""
    if not data.strip():
        return PositionBatch.empty(), PositionStats()
    table = pacsv.read_csv(
        io.BytesIO(data),
        convert_options=pacsv.ConvertOptions(
            column_types={"terminal": pa.string(), "time": pa.string(), "fishing_no": pa.string()}
        ),
    )
    return positions_from_records(table.to_pylist())
