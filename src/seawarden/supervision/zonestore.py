"""Zones and the supervision grid in the operational database (every write audited)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, delete, insert, select, update

from seawarden.db import schema, spatial
from seawarden.db.engine import audit, now_ms
from seawarden.geo.grid import GridLayer
from seawarden.geo.zones import Zone, make_zone


def save_zones(
    engine: Engine, zones: list[Zone], actor: Any, replace: bool = False
) -> tuple[int, int]:
    """Insert or update zones (by id); returns (created, updated). ``replace`` removes the rest."""
    created = updated = 0
    ids = {z.id for z in zones}
    if len(ids) != len(zones):
        dup = sorted({z.id for z in zones if sum(1 for y in zones if y.id == z.id) > 1})
        raise ValueError(f"duplicate zone ids in the file: {', '.join(dup)}")
    with engine.begin() as conn:
        for z in zones:
            params = z.params.model_dump(exclude_defaults=True, by_alias=True, mode="json")
            old = (
                conn.execute(select(schema.zones).where(schema.zones.c.id == z.id))
                .mappings()
                .first()
            )
            values = {
                "name": z.name,
                "kind": z.kind.value,
                "owner": z.owner,
                "geometry": z.source_geometry,
                "params": params,
                "updated_ms": now_ms(),
            }
            after = {"name": z.name, "kind": z.kind.value, "owner": z.owner, "params": params}
            if old is None:
                conn.execute(insert(schema.zones).values(id=z.id, version=1, **values))
                spatial.store_zone_geometry(conn, z.id, z.geometry)
                audit(conn, actor, "zone.create", "zone", z.id, {"after": after})
                created += 1
            else:
                conn.execute(
                    update(schema.zones)
                    .where(schema.zones.c.id == z.id)
                    .values(version=old["version"] + 1, **values)
                )
                spatial.store_zone_geometry(conn, z.id, z.geometry)
                before = {k: old[k] for k in ("name", "kind", "owner", "params")}
                audit(
                    conn,
                    actor,
                    "zone.update",
                    "zone",
                    z.id,
                    {
                        "before": before,
                        "after": after,
                        "geometry_changed": old["geometry"] != z.source_geometry,
                        "version": old["version"] + 1,
                    },
                )
                updated += 1
        if replace:
            gone = (
                conn.execute(select(schema.zones.c.id).where(schema.zones.c.id.not_in(ids)))
                .scalars()
                .all()
            )
            for zid in gone:
                _delete(conn, zid, actor)
    return created, updated


def delete_zone(engine: Engine, zone_id: str, actor: Any) -> bool:
    """Remove a zone; returns whether it existed."""
    with engine.begin() as conn:
        return _delete(conn, zone_id, actor)


def _delete(conn: Connection, zone_id: str, actor: Any) -> bool:
    old = conn.execute(select(schema.zones).where(schema.zones.c.id == zone_id)).mappings().first()
    if old is None:
        return False
    conn.execute(delete(schema.zones).where(schema.zones.c.id == zone_id))
    before = {k: old[k] for k in ("name", "kind", "owner", "params", "geometry", "version")}
    audit(conn, actor, "zone.delete", "zone", zone_id, {"before": before})
    return True


def load_zones(engine: Engine, owners: list[str] | None = None) -> list[Zone]:
    """Zones in the database (optionally only those of some owners)."""
    q = select(schema.zones).order_by(schema.zones.c.id)
    if owners is not None:
        q = q.where(schema.zones.c.owner.in_(owners))
    with engine.connect() as conn:
        rows = conn.execute(q).mappings().all()
    return [
        make_zone(r["id"], r["name"], r["kind"], r["geometry"], r["params"], r["owner"])
        for r in rows
    ]


def zone_rows(engine: Engine) -> list[dict[str, Any]]:
    """Zone summaries (id, name, kind, owner, version, parameters)."""
    with engine.connect() as conn:
        rows = conn.execute(select(schema.zones).order_by(schema.zones.c.id)).mappings().all()
    return [{k: r[k] for k in ("id", "name", "kind", "owner", "version", "params")} for r in rows]


def save_grid(engine: Engine, grid: GridLayer, actor: Any) -> int:
    """Replace the supervision grid; returns the number of cells."""
    with engine.begin() as conn:
        conn.execute(delete(schema.grid_cells))
        rows = [
            {"cell": c, "unit": u, "resolution": grid.resolution} for c, u in grid.cells.items()
        ]
        if rows:
            conn.execute(insert(schema.grid_cells), rows)
        audit(
            conn, actor, "grid.replace", "grid", None, {"cells": len(rows), "units": grid.units()}
        )
    return len(grid.cells)


def load_grid(engine: Engine) -> GridLayer | None:
    """The supervision grid (``None`` when none was imported)."""
    with engine.connect() as conn:
        rows = conn.execute(select(schema.grid_cells)).mappings().all()
    if not rows:
        return None
    layer = GridLayer(int(rows[0]["resolution"]))
    layer.cells = {r["cell"]: r["unit"] for r in rows}
    return layer
