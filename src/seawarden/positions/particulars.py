"""Vessel particulars merged from static reports, with a history of every change.

Sources: type 5 (class A static and voyage), type 24 parts A and B (class B static), the
static part of type 19 (extended class B) and type 21 (aids to navigation). For each MMSI
the latest value of each field is kept; every change of a value is recorded with the time
it was first seen (``mmsi, time, field, old, new``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

#: Fields tracked, by the family table they come from.
FIELDS_BY_FAMILY: dict[str, tuple[str, ...]] = {
    "static": (
        "shipname",
        "callsign",
        "imo",
        "shiptype",
        "to_bow",
        "to_stern",
        "to_port",
        "to_starboard",
        "destination",
        "draught",
        "eta",
        "vendorid",
        "mothership_mmsi",
    ),
    "position": ("shipname", "shiptype", "to_bow", "to_stern", "to_port", "to_starboard"),
    "aton": ("name", "aid_type", "to_bow", "to_stern", "to_port", "to_starboard"),
}
ALL_FIELDS = tuple(dict.fromkeys(f for fs in FIELDS_BY_FAMILY.values() for f in fs))

PARTICULARS_SCHEMA = pa.schema(
    [pa.field("mmsi", pa.int32()), pa.field("updated", pa.timestamp("ms", tz="UTC"))]
    + [
        pa.field(
            f,
            pa.string()
            if f in ("shipname", "callsign", "destination", "eta", "vendorid", "name")
            else pa.float64(),
        )
        for f in ALL_FIELDS
    ]
)
HISTORY_SCHEMA = pa.schema(
    [
        pa.field("mmsi", pa.int32()),
        pa.field("time", pa.timestamp("ms", tz="UTC")),
        pa.field("field", pa.string()),
        pa.field("old", pa.string()),
        pa.field("new", pa.string()),
    ]
)


def _eta(table: pa.Table) -> pa.Array:
    """Type 5 ETA as MM-DDTHH:MMZ (only where month, day, hour and minute are known)."""
    parts = [
        pc.utf8_lpad(table.column(c).cast(pa.string()), 2, "0")
        for c in ("month", "day", "hour", "minute")
    ]
    text = pc.binary_join_element_wise(
        parts[0], "-", parts[1], "T", parts[2], ":", parts[3], "Z", ""
    )
    return text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text


@dataclass
class Particulars:
    """Latest particulars per MMSI and the change history."""

    current: dict[int, dict[str, Any]] = field(default_factory=dict)
    history: list[tuple[int, int, str, str | None, str]] = field(default_factory=list)

    def update(self, tables: dict[str, pa.Table], arrival_ms: int | None = None) -> int:
        """Merge the static information of one decoded batch; returns the number of changes."""
        changes = 0
        for family, names in FIELDS_BY_FAMILY.items():
            table = tables.get(family)
            if table is None or table.num_rows == 0:
                continue
            if family == "position":
                types = table.column("type").to_numpy()
                table = table.filter(pa.array(types == 19))
                if table.num_rows == 0:
                    continue
            rx = (
                table.column("rxtime")
                .cast(pa.int64())
                .fill_null(arrival_ms if arrival_ms is not None else -1)
            )
            times = np.asarray(rx.to_numpy())
            mmsi = np.asarray(table.column("mmsi").to_numpy())
            # Per field, only a value differing from the MMSI's previous report is a change:
            # compared in Arrow, so that only the changes reach Python.
            order = np.lexsort((times, mmsi))
            take = pa.array(order)
            sorted_mmsi = mmsi[order]
            for name in names:
                if name == "eta":
                    if "month" not in table.column_names:
                        continue
                    column: pa.Array | pa.ChunkedArray = _eta(table)
                elif name in table.column_names:
                    column = table.column(name)
                else:
                    continue
                vals = column.take(take)
                present = pc.is_valid(vals)
                if pa.types.is_string(vals.type):
                    present = pc.and_(present, pc.not_equal(vals, ""))
                idx = np.flatnonzero(present.to_numpy(zero_copy_only=False))
                if idx.size == 0:
                    continue
                v_present = vals.take(pa.array(idx))
                keep = np.ones(idx.size, dtype=np.bool_)
                m_present = sorted_mmsi[idx]
                same_vessel = m_present[1:] == m_present[:-1]
                same_value = pc.equal(v_present.slice(1), v_present.slice(0, idx.size - 1))
                keep[1:] = ~(same_vessel & same_value.to_numpy(zero_copy_only=False))
                target = "name" if family == "aton" and name == "name" else name
                rows = idx[keep]
                for i, value in zip(
                    rows.tolist(), v_present.filter(pa.array(keep)).to_pylist(), strict=True
                ):
                    changes += self._set(int(sorted_mmsi[i]), int(times[order[i]]), target, value)
        return changes

    def _set(self, mmsi: int, time_ms: int, name: str, value: Any) -> int:
        rec = self.current.setdefault(mmsi, {"updated": time_ms})
        old = rec.get(name)
        if old == value:
            return 0
        if old is not None and time_ms < rec.get("_t_" + name, -1):
            return 0  # an older report arriving late does not undo a newer value
        rec[name] = value
        rec["_t_" + name] = time_ms
        rec["updated"] = max(rec.get("updated", time_ms), time_ms)
        self.history.append((mmsi, time_ms, name, None if old is None else str(old), str(value)))
        return 1

    def to_arrow(self) -> pa.Table:
        """Current particulars, one row per MMSI."""
        rows = []
        for mmsi, rec in sorted(self.current.items()):
            row: dict[str, Any] = {"mmsi": mmsi, "updated": rec.get("updated")}
            for f in ALL_FIELDS:
                v = rec.get(f)
                row[f] = (
                    None
                    if v is None
                    else (str(v) if PARTICULARS_SCHEMA.field(f).type == pa.string() else float(v))
                )
            rows.append(row)
        return pa.Table.from_pylist(rows, schema=PARTICULARS_SCHEMA)

    def history_arrow(self) -> pa.Table:
        """Every recorded change."""
        cols: list[Any] = list(zip(*self.history, strict=True)) if self.history else [[]] * 5
        return pa.Table.from_arrays(
            [pa.array(c, t.type) for c, t in zip(cols, HISTORY_SCHEMA, strict=True)],
            schema=HISTORY_SCHEMA,
        )
