"""PostGIS on PostgreSQL: zone geometries in a GiST-indexed column for map queries.

The zone shapes come from :func:`seawarden.geo.zones.make_zone` (circles already polygons,
antimeridian already split), so PostGIS and the embedded driver (shapely) answer the same
question from the same geometry. Nothing here is needed on SQLite, and PostgreSQL without the
PostGIS extension works too: callers fall back to shapely when :func:`zone_ids_in_bbox`
answers ``None``.
"""

from __future__ import annotations

import weakref

from shapely import wkt
from shapely.geometry.base import BaseGeometry
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError

DB_ONLY_COLUMNS = {("zones", "geom")}
"""Columns kept by the database itself (not in the table definitions)."""
DB_ONLY_INDEXES = {"ix_zones_geom"}

_PG_LOCK_KEY = 0x5EA3A7DF
_ENABLED: weakref.WeakKeyDictionary[Engine, str | None] = weakref.WeakKeyDictionary()


def postgis_schema(conn: Connection) -> str | None:
    """The schema PostGIS is installed in, or None."""
    if conn.dialect.name != "postgresql":
        return None
    row = conn.execute(
        text(
            "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n "
            "ON n.oid = e.extnamespace WHERE e.extname = 'postgis'"
        )
    ).first()
    return str(row[0]) if row else None


def enable(conn: Connection) -> str | None:
    """Install PostGIS (when available) and the zones geometry column; idempotent.

    Returns the PostGIS schema, or None when this database has no PostGIS.
    """
    if conn.dialect.name != "postgresql":
        return None
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    schema = postgis_schema(conn)
    if schema is None:
        available = conn.execute(
            text("SELECT 1 FROM pg_available_extensions WHERE name = 'postgis'")
        ).first()
        if available is None:
            return None
        try:
            with conn.begin_nested():
                conn.execute(text("CREATE EXTENSION IF NOT EXISTS postgis SCHEMA public"))
        except DBAPIError:
            return None
        schema = postgis_schema(conn)
        if schema is None:
            return None
    conn.execute(
        text(f"ALTER TABLE zones ADD COLUMN IF NOT EXISTS geom {schema}.geometry(Geometry, 4326)")
    )
    conn.execute(text("CREATE INDEX IF NOT EXISTS ix_zones_geom ON zones USING gist (geom)"))
    _backfill(conn, schema)
    return schema


def _backfill(conn: Connection, schema: str) -> None:
    from seawarden.geo.zones import make_zone

    rows = conn.execute(
        text("SELECT id, name, kind, geometry, params, owner FROM zones WHERE geom IS NULL")
    ).all()
    for r in rows:
        zone = make_zone(r[0], r[1], r[2], r[3], r[4], r[5])
        _write(conn, schema, zone.id, zone.geometry)


def _write(conn: Connection, schema: str, zone_id: str, geometry: BaseGeometry) -> None:
    conn.execute(
        text(f"UPDATE zones SET geom = {schema}.ST_GeomFromText(:wkt, 4326) WHERE id = :id"),
        {"wkt": wkt.dumps(geometry), "id": zone_id},
    )


def remember(engine: Engine, schema: str | None) -> None:
    """Note whether PostGIS is in use for this engine (called when it is connected)."""
    _ENABLED[engine] = schema


def in_use(engine: Engine) -> str | None:
    """The PostGIS schema when this engine's database keeps zone geometries, else None."""
    return _ENABLED.get(engine)


def store_zone_geometry(conn: Connection, zone_id: str, geometry: BaseGeometry) -> None:
    """Keep a zone's geometry column current (caller's transaction; no-op without PostGIS)."""
    schema = in_use(conn.engine)
    if schema is not None:
        _write(conn, schema, zone_id, geometry)


def zone_ids_in_bbox(engine: Engine, bbox: tuple[float, float, float, float]) -> set[str] | None:
    """Ids of zones meeting a box, through the GiST index; None when PostGIS is not in use.

    The box is (min_lon, min_lat, max_lon, max_lat), across the antimeridian when
    min_lon > max_lon.
    """
    schema = in_use(engine)
    if schema is None:
        return None
    x0, y0, x1, y1 = bbox
    boxes = [(x0, y0, x1, y1)] if x0 <= x1 else [(x0, y0, 180.0, y1), (-180.0, y0, x1, y1)]
    ids: set[str] = set()
    with engine.connect() as conn:
        for a, b, c, d in boxes:
            rows = conn.execute(
                text(
                    f"SELECT id FROM zones WHERE "
                    f"{schema}.ST_Intersects(geom, {schema}.ST_MakeEnvelope(:a, :b, :c, :d, 4326))"
                ),
                {"a": a, "b": b, "c": c, "d": d},
            ).all()
            ids.update(str(r[0]) for r in rows)
    return ids


def zones_in_bbox_shapely(
    geometries: dict[str, BaseGeometry], bbox: tuple[float, float, float, float]
) -> set[str]:
    """The same question answered with shapely (the embedded driver)."""
    from shapely.geometry import box

    x0, y0, x1, y1 = bbox
    boxes = [box(x0, y0, x1, y1)] if x0 <= x1 else [box(x0, y0, 180, y1), box(-180, y0, x1, y1)]
    return {zid for zid, g in geometries.items() if any(g.intersects(b) for b in boxes)}
