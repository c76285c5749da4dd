"""The berth watch over every kind of position input."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from seawarden.dangerous_goods.berth_watch import (
    KIND,
    BerthArea,
    DeclarationWindow,
    alert_kind,
    positions_from,
    unapproved_at_berths,
)
from seawarden.positions.batch import PositionBatch
from seawarden.supervision.events import Phase

from .helpers import BERTH_POLY

BERTH = BerthArea(7, "Berth A1", BERTH_POLY, dg_only=False, organisation="ENT-A")
T = 1_767_400_000_000
DECLS = [
    DeclarationWindow(1, 7, "approved", T - 3_600_000, T + 3_600_000, 413000001),
    DeclarationWindow(2, 7, "rejected", T - 3_600_000, T + 3_600_000, 413000002),
    DeclarationWindow(3, 7, "approved", T + 7_200_000, T + 9_000_000, 413000003),
]


def test_kind_is_the_alert_kind_value() -> None:
    assert alert_kind().value == KIND == "dg_unapproved_operation"


def test_dicts_batch_and_arrow_agree() -> None:
    mmsi = [413000001, 413000002, 413000003, 413000004]
    recs = [
        {"vessel_key": m, "mmsi": m, "time": T, "lat": 29.902, "lon": 121.805, "sog": 0.0}
        for m in mmsi
    ]
    batch = PositionBatch.allocate(4)
    batch.vessel_key[:] = mmsi
    batch.mmsi[:] = mmsi
    batch.time[:] = T
    batch.lat[:] = 29.902
    batch.lon[:] = 121.805
    batch.sog[:] = 0.0
    table = pa.table(
        {
            "vessel_key": pa.array(mmsi, pa.int64()),
            "time": pa.array([T] * 4, pa.timestamp("ms", tz="UTC")),
            "mmsi": pa.array(mmsi, pa.int32()),
            "lat": pa.array([29.902] * 4),
            "lon": pa.array([121.805] * 4),
            "sog": pa.array([None] * 4, pa.float32()),
        }
    )
    results = [unapproved_at_berths([BERTH], src, DECLS) for src in (recs, batch, table)]
    for events in results:
        got = {e.mmsi: e.details["declaration_id"] for e in events}
        # 1 approved and covering; 2 rejected; 3 approved but later; 4 undeclared at a mixed berth
        assert got == {413000002: 2, 413000003: 3}
        assert all(e.phase is Phase.INSTANT and e.start_ms == T for e in events)
    assert "does not cover this time" in results[0][1].details["reason"]
    p = positions_from(table)
    assert p.time_ms.tolist() == [T] * 4 and np.isnan(p.sog).all()


def test_dg_only_berth_flags_undeclared_ships() -> None:
    strict = BerthArea(7, "Berth A1", BERTH_POLY, dg_only=True)
    recs = [
        {"vessel_key": 9, "mmsi": 413000009, "time": T, "lat": 29.902, "lon": 121.805, "sog": 0.3}
    ]
    (e,) = unapproved_at_berths([strict], recs, DECLS)
    assert e.details["declaration_id"] is None and e.zone == "dg_berth:7"
    assert unapproved_at_berths([strict], recs, DECLS, max_sog_kn=0.2) == []
