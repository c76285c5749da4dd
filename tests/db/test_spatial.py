"""Zones in a box: PostGIS (GiST index) on PostgreSQL and shapely elsewhere give one answer."""

from __future__ import annotations

import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from seawarden.db import spatial
from seawarden.geo.zones import make_zone
from seawarden.supervision.zonestore import delete_zone, load_zones, save_zones


def _square(lon: float, lat: float, d: float) -> dict[str, Any]:
    ring = [[lon, lat], [lon + d, lat], [lon + d, lat + d], [lon, lat + d], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def _zones() -> list[Any]:
    rng = random.Random(5)
    zones = [
        make_zone(
            f"sq{i}",
            f"square {i}",
            "anchorage",
            _square(rng.uniform(120, 124), rng.uniform(28, 32), rng.uniform(0.01, 0.3)),
        )
        for i in range(40)
    ]
    zones.append(
        make_zone(
            "circle",
            "circle",
            "restricted",
            {"type": "Point", "coordinates": [122.0, 30.0]},
            {"radius_m": 5000},
        )
    )
    zones.append(
        make_zone(
            "dateline",
            "across the antimeridian",
            "fishing_ban",
            {
                "type": "Polygon",
                "coordinates": [
                    [[179.5, -17], [-179.5, -17], [-179.5, -16], [179.5, -16], [179.5, -17]]
                ],
            },
        )
    )
    return zones


def _answer(
    engine: Any, box: tuple[float, float, float, float]
) -> tuple[set[str] | None, set[str]]:
    zones = load_zones(engine)
    return spatial.zone_ids_in_bbox(engine, box), spatial.zones_in_bbox_shapely(
        {z.id: z.geometry for z in zones}, box
    )


def test_postgis_and_shapely_agree(db_engine: Any) -> None:
    save_zones(db_engine, _zones(), "tester")
    with db_engine.connect() as conn:
        available = (
            conn.dialect.name == "postgresql"
            and conn.execute(
                text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
            ).first()
        )
    if available:
        assert spatial.in_use(db_engine) is not None
    else:
        assert spatial.in_use(db_engine) is None
    # a circle 5 km round (122.0, 30.0): a box 0.03° east of its centre (≈2.9 km) meets it
    db, ref = _answer(db_engine, (122.03, 29.99, 122.04, 30.01))
    assert "circle" in ref
    # ... and one 0.06° east (≈5.8 km) does not
    db2, ref2 = _answer(db_engine, (122.06, 29.99, 122.07, 30.01))
    assert "circle" not in ref2
    # a box across the antimeridian finds the zone that crosses it, from either side
    db3, ref3 = _answer(db_engine, (179.9, -16.6, -179.9, -16.4))
    assert "dateline" in ref3
    db4, ref4 = _answer(db_engine, (-179.8, -16.6, -179.6, -16.4))
    assert "dateline" in ref4
    for got, want in ((db, ref), (db2, ref2), (db3, ref3), (db4, ref4)):
        assert got is None or got == want


@settings(max_examples=40, deadline=None)
@given(
    x=st.floats(119.5, 124.5),
    y=st.floats(27.5, 32.5),
    w=st.floats(0.01, 3),
    h=st.floats(0.01, 3),
)
def test_random_boxes_agree(
    pg_or_sqlite_zones: Any, x: float, y: float, w: float, h: float
) -> None:
    got, want = _answer(pg_or_sqlite_zones, (x, y, min(x + w, 180), min(y + h, 90)))
    assert got is None or got == want


def test_edits_and_deletes_keep_the_geometry_current(db_engine: Any) -> None:
    save_zones(db_engine, [make_zone("z", "z", "anchorage", _square(122, 30, 0.1))], "tester")
    assert "z" in _answer(db_engine, (122.05, 30.05, 122.06, 30.06))[1]
    got, _ = _answer(db_engine, (122.05, 30.05, 122.06, 30.06))
    assert got is None or got == {"z"}
    save_zones(db_engine, [make_zone("z", "z", "anchorage", _square(123, 31, 0.1))], "tester")
    got, want = _answer(db_engine, (122.05, 30.05, 122.06, 30.06))
    assert want == set() and (got is None or got == set())
    got, want = _answer(db_engine, (123.05, 31.05, 123.06, 31.06))
    assert want == {"z"} and (got is None or got == {"z"})
    assert delete_zone(db_engine, "z", "tester")
    got, want = _answer(db_engine, (123.05, 31.05, 123.06, 31.06))
    assert want == set() and (got is None or got == set())
