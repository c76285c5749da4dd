"""Vessel particulars: the vectorised merge records exactly the changes a row-by-row merge does."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from seawarden.positions.particulars import FIELDS_BY_FAMILY, Particulars


def _offers(tables: dict[str, pa.Table]) -> list[tuple[int, int, str, Any]]:
    """Row by row: sorted by MMSI and time, a present value that differs from the same
    vessel's previous present value in the batch is offered as a change."""
    offers = []
    for family, names in FIELDS_BY_FAMILY.items():
        table = tables.get(family)
        if table is None or table.num_rows == 0:
            continue
        rows = table.to_pylist()
        if family == "position":
            rows = [r for r in rows if r["type"] == 19]

        def ms(row: dict[str, Any]) -> int:
            t = row["rxtime"]
            return -1 if t is None else int(t.timestamp() * 1000)

        keyed = sorted(range(len(rows)), key=lambda i: (rows[i]["mmsi"], ms(rows[i]), i))
        for name in names:
            previous: dict[int, Any] = {}
            for i in keyed:
                r = rows[i]
                if name == "eta":
                    if "month" not in r:
                        continue
                    parts = [r[c] for c in ("month", "day", "hour", "minute")]
                    value = None if None in parts else "{:02d}-{:02d}T{:02d}:{:02d}Z".format(*parts)
                else:
                    if name not in r:
                        continue
                    value = r[name]
                if value is None or value == "":
                    continue
                mmsi = r["mmsi"]
                if mmsi in previous and previous[mmsi] == value:
                    continue
                previous[mmsi] = value
                target = "name" if family == "aton" and name == "name" else name
                offers.append((mmsi, ms(r), target, value))
    return offers


def _merge(ref: Particulars, tables: dict[str, pa.Table]) -> int:
    """The reference merge of one batch; returns the number of changes."""
    return sum(ref._set(*offer) for offer in _offers(tables))


_TEXT = st.none() | st.sampled_from(["", "NINGBO", "SHANGHAI", "浙岱渔", "A'B"])
_NUM = st.none() | st.sampled_from([0.0, 8.5, 9.1, 70.0])


def _static_rows() -> Any:
    return st.lists(
        st.fixed_dictionaries(
            {
                "mmsi": st.sampled_from([413000001, 413000002, 413000003]),
                "rxtime": st.none() | st.integers(0, 20).map(lambda m: m * 60_000),
                "shipname": _TEXT,
                "callsign": _TEXT,
                "destination": _TEXT,
                "draught": _NUM,
                "shiptype": _NUM,
                "month": st.none() | st.integers(1, 12),
                "day": st.integers(1, 31),
                "hour": st.integers(0, 23),
                "minute": st.none() | st.integers(0, 59),
            }
        ),
        max_size=25,
    )


def _table(rows: list[dict[str, Any]], extra: dict[str, pa.DataType]) -> pa.Table:
    schema = pa.schema(
        [
            pa.field("mmsi", pa.int32()),
            pa.field("rxtime", pa.timestamp("ms", tz="UTC")),
            *(pa.field(k, t) for k, t in extra.items()),
        ]
    )
    return pa.Table.from_pylist(rows, schema=schema)


@settings(max_examples=120, deadline=None)
@given(_static_rows(), st.lists(st.sampled_from([18, 19]), max_size=6), st.integers(0, 3))
def test_merge_agrees_with_a_row_by_row_merge(
    statics: list[dict[str, Any]], position_types: list[int], batches: int
) -> None:
    static_types = {
        "shipname": pa.string(),
        "callsign": pa.string(),
        "destination": pa.string(),
        "draught": pa.float64(),
        "shiptype": pa.float64(),
        "month": pa.int32(),
        "day": pa.int32(),
        "hour": pa.int32(),
        "minute": pa.int32(),
    }
    positions = [
        {"mmsi": 413000001 + i % 2, "rxtime": i * 1000, "type": t, "shipname": f"B{i % 3}"}
        for i, t in enumerate(position_types)
    ]
    tables = {
        "static": _table(statics, static_types),
        "position": _table(positions, {"type": pa.int32(), "shipname": pa.string()}),
    }
    got, want = Particulars(), Particulars()
    for _ in range(1 + batches):  # later batches merge on top of what is there
        assert got.update(tables, arrival_ms=-1) == _merge(want, tables)
        assert got.history == want.history
        assert got.current == want.current


def test_only_changes_reach_the_history() -> None:
    rows = [
        {"mmsi": 413000001, "rxtime": t * 60_000, "destination": d, "draught": 8.5}
        for t, d in enumerate(["NINGBO", "NINGBO", "", None, "SHANGHAI", "SHANGHAI"])
    ]
    table = _table(rows, {"destination": pa.string(), "draught": pa.float64()})
    p = Particulars()
    assert p.update({"static": table}) == 3  # NINGBO, draught, then SHANGHAI
    assert [(h[2], h[3], h[4]) for h in p.history] == [
        ("destination", None, "NINGBO"),
        ("destination", "NINGBO", "SHANGHAI"),
        ("draught", None, "8.5"),
    ]
    assert p.current[413000001]["destination"] == "SHANGHAI"
    assert np.isclose(p.current[413000001]["draught"], 8.5)
