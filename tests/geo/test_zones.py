"""Zones: formats, geometry edge cases, schedules, the grid."""

from __future__ import annotations

import datetime as dt
import json

import h3
import numpy as np
import pytest
import shapely

from seawarden.geo.formats import ZoneFileError, read_geojson, read_kml, write_geojson, write_kml
from seawarden.geo.grid import GridLayer
from seawarden.geo.index import ZoneIndex
from seawarden.geo.zones import ZoneKind, ZoneParams, closed_intervals, make_zone

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[122.0, 30.0], [122.1, 30.0], [122.1, 30.1], [122.0, 30.1], [122.0, 30.0]]],
}
HOLED = {
    "type": "Polygon",
    "coordinates": [
        [[122.0, 30.0], [122.1, 30.0], [122.1, 30.1], [122.0, 30.1], [122.0, 30.0]],
        [[122.04, 30.04], [122.06, 30.04], [122.06, 30.06], [122.04, 30.06], [122.04, 30.04]],
    ],
}
ACROSS = {
    "type": "Polygon",
    "coordinates": [
        [[179.5, -17.0], [-179.5, -17.0], [-179.5, -16.0], [179.5, -16.0], [179.5, -17.0]]
    ],
}


def _fc(*features: dict) -> str:
    return json.dumps({"type": "FeatureCollection", "features": list(features)})


def _feature(geometry: dict, **props: object) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def test_geojson_import_validates_kinds_and_parameters() -> None:
    zones = read_geojson(
        _fc(
            _feature(SQUARE, name="Channel A", kind="channel", speed_limit_kn=10, owner="MSA-NB"),
            _feature(
                {"type": "Point", "coordinates": [122.5, 30.5]},
                name="Berth 3",
                kind="berth",
                radius_m=300,
            ),
            _feature(
                {"type": "LineString", "coordinates": [[122.0, 29.9], [122.2, 29.9]]},
                name="Stop line",
                kind="no_stop",
            ),
        )
    )
    assert [z.kind for z in zones] == [ZoneKind.channel, ZoneKind.berth, ZoneKind.no_stop]
    assert (
        zones[0].params.speed_limit_kn == 10
        and zones[0].owner == "MSA-NB"
        and zones[0].id == "channel-a"
    )
    assert zones[2].is_line and not zones[0].is_line
    with pytest.raises(ZoneFileError, match="unknown kind 'harbour'"):
        read_geojson(_fc(_feature(SQUARE, name="x", kind="harbour")))
    with pytest.raises(ZoneFileError, match="radius_m"):
        read_geojson(
            _fc(_feature({"type": "Point", "coordinates": [1, 2]}, name="p", kind="custom"))
        )
    with pytest.raises(ZoneFileError, match="speed_limit_kn"):
        read_geojson(_fc(_feature(SQUARE, name="x", kind="channel", speed_limit_kn=-3)))
    with pytest.raises(ZoneFileError, match="not a date"):
        read_geojson(_fc(_feature(SQUARE, name="x", kind="fishing_ban", closed_from="May 1")))
    with pytest.raises(ZoneFileError, match="out of range"):
        read_geojson(
            _fc(
                _feature(
                    {
                        "type": "Polygon",
                        "coordinates": [[[30, 122], [30.1, 122], [30.1, 122.1], [30, 122]]],
                    },
                    name="swapped",
                    kind="custom",
                )
            )
        )


def test_geojson_and_kml_round_trip() -> None:
    zones = read_geojson(
        _fc(
            _feature(HOLED, name="Holed", kind="restricted", severity="critical"),
            _feature(
                {"type": "LineString", "coordinates": [[122.0, 29.9], [122.2, 29.9]]},
                name="Gate",
                kind="custom",
                notify_enter=True,
            ),
            _feature(
                SQUARE,
                name="禁渔区",
                kind="fishing_ban",
                closed_from="05-01T12:00",
                closed_to="09-16T12:00",
                applies_to=["fishing"],
            ),
        )
    )
    for text, reader in ((write_geojson(zones), read_geojson), (write_kml(zones), read_kml)):
        back = reader(text)
        assert [(z.id, z.name, z.kind) for z in back] == [(z.id, z.name, z.kind) for z in zones]
        for a, b in zip(back, zones, strict=True):
            assert a.params.model_dump() == b.params.model_dump()
            assert shapely.equals_exact(a.geometry, b.geometry, tolerance=1e-9)
    assert zones[2].id.startswith("zone-")  # a Chinese name still gets a stable id
    assert read_geojson(write_geojson(zones))[2].id == zones[2].id


def test_holes_boundaries_circles_and_the_antimeridian() -> None:
    holed = make_zone("h", "h", "restricted", HOLED)
    across = make_zone("a", "a", "restricted", ACROSS)
    circle = make_zone(
        "c", "c", "berth", {"type": "Point", "coordinates": [122.5, 30.5]}, {"radius_m": 1000}
    )
    index = ZoneIndex([holed, across, circle])
    lat = np.array(
        [30.02, 30.05, 30.0, -16.5, -16.5, -16.5, 30.5 + 0.8 / 111.2, 30.5 + 1.2 / 111.2]
    )
    lon = np.array([122.02, 122.05, 122.05, 179.9, -179.9, 179.0, 122.5, 122.5])
    rows, zones, inner = index.memberships(lat, lon)
    got = {(int(r), int(z)) for r, z, i in zip(rows, zones, inner, strict=True) if i}
    assert (0, 0) in got  # inside the ring
    assert (1, 0) not in got  # inside the hole
    assert (2, 0) in got  # exactly on the boundary counts as inside
    assert (3, 1) in got and (4, 1) in got and (5, 1) not in got  # both sides of 180°
    assert (6, 2) in got and (7, 2) not in got  # 800 m and 1200 m from a 1 km circle's centre


def test_margins_make_hysteresis_bands() -> None:
    z = make_zone("s", "s", "restricted", SQUARE, {"enter_margin_m": 100, "exit_margin_m": 200})
    inner, outer = z.margins()
    assert inner.area < z.geometry.area < outer.area
    # 150 m outside the east edge: still within the outer band, not inside the inner one.
    lon = 122.1 + 150 / (111_320 * np.cos(np.radians(30.05)))
    assert shapely.intersects_xy(outer, lon, 30.05) and not shapely.intersects_xy(inner, lon, 30.05)


def test_yearly_closed_season_in_beijing_time() -> None:
    p = ZoneParams.model_validate({"closed_from": "05-01T12:00", "closed_to": "09-16T12:00"})
    start = int(dt.datetime(2026, 1, 1, tzinfo=dt.UTC).timestamp() * 1000)
    end = int(dt.datetime(2026, 12, 31, tzinfo=dt.UTC).timestamp() * 1000)
    ((a, b),) = closed_intervals(p.periods(), p.timezone, start, end)
    assert dt.datetime.fromtimestamp(a / 1000, dt.UTC) == dt.datetime(
        2026, 5, 1, 4, 0, tzinfo=dt.UTC
    )
    assert dt.datetime.fromtimestamp(b / 1000, dt.UTC) == dt.datetime(
        2026, 9, 16, 4, 0, tzinfo=dt.UTC
    )
    winter = ZoneParams.model_validate({"closed_from": "12-01", "closed_to": "02-28"})
    spans = closed_intervals(winter.periods(), "UTC", start, end)
    assert any(dt.datetime.fromtimestamp(x / 1000, dt.UTC).month == 12 for x, _ in spans)


def test_grid_assigns_cells_to_units() -> None:
    grid = GridLayer(6)
    assert grid.add_area("MSA-BEILUN", SQUARE) > 0
    assert (
        grid.add_area(
            "MSA-ZHOUSHAN",
            {
                "type": "Polygon",
                "coordinates": [
                    [[122.05, 30.0], [122.3, 30.0], [122.3, 30.2], [122.05, 30.2], [122.05, 30.0]]
                ],
            },
        )
        > 0
    )
    assert grid.unit_at(30.05, 122.02) == "MSA-BEILUN"
    assert grid.unit_at(30.15, 122.25) == "MSA-ZHOUSHAN"
    assert grid.unit_at(0.0, 0.0) is None
    cell = h3.latlng_to_cell(30.05, 122.07, 6)
    assert grid.cells.get(cell) in (None, "MSA-BEILUN", "MSA-ZHOUSHAN")
    assert set(grid.units()) == {"MSA-BEILUN", "MSA-ZHOUSHAN"}
    assert len(json.loads(grid.to_geojson())["features"]) == 2


def test_memberships_agree_with_testing_every_zone() -> None:
    rng = np.random.default_rng(3)
    zones = []
    for k in range(60):
        cx, cy = rng.uniform(121, 123), rng.uniform(29, 31)
        if k % 5 == 0:
            geometry: dict = {"type": "Point", "coordinates": [cx, cy]}
            zones.append(make_zone(f"z{k}", "c", "berth", geometry, {"radius_m": 3000}))
            continue
        w, h = rng.uniform(0.01, 0.4, 2)
        ring = [[cx, cy], [cx + w, cy], [cx + w, cy + h], [cx, cy + h], [cx, cy]]
        zones.append(
            make_zone(f"z{k}", "p", "restricted", {"type": "Polygon", "coordinates": [ring]})
        )
    zones.append(make_zone("far", "far", "restricted", ACROSS))  # spreads the grid to 180°
    index = ZoneIndex(zones)
    lat = np.concatenate([rng.uniform(28.9, 31.5, 20_000), [-16.5, -16.5, np.nan]])
    lon = np.concatenate([rng.uniform(120.9, 123.5, 20_000), [179.9, -179.9, 122.0]])
    rows, found, inner = index.memberships(lat, lon)
    got = {(int(r), int(z)): bool(i) for r, z, i in zip(rows, found, inner, strict=True)}
    expected = {}
    for z, zone in enumerate(zones):
        inner_g, outer_g = zone.margins()
        hit = np.flatnonzero(shapely.intersects_xy(outer_g, lon, lat))
        for r in hit:
            expected[(int(r), z)] = bool(shapely.intersects_xy(inner_g, lon[r], lat[r]))
    assert got == expected and len(got) > 1000
