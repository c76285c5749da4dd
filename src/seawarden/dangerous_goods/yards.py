"""Container yards in the database: blocks, containers at their slots, and incremental checks.

A yard storage unit has blocks (``dg_yard_blocks``: bays × rows × tiers of 20-ft ground
slots; an even bay is a 40-ft container over the two slots around it) and containers at
block/bay/row/tier (``dg_yard_containers``, with their DG items). Placing, moving or removing
a container rebuilds the yard's :class:`~seawarden.dangerous_goods.yard.YardState` under the
port rules in force and answers with the findings the step added and removed, besides the
yard's current findings. A refused step (slot outside the block, taken, floating, a container
with another on top) changes nothing. Every write is audited.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Engine, delete, select

from seawarden.dangerous_goods import tables as t
from seawarden.dangerous_goods.dglist import hazard_of, normalise_un
from seawarden.dangerous_goods.errors import InvalidInputError, InvalidPositionError
from seawarden.dangerous_goods.facilities import port_rules_for
from seawarden.dangerous_goods.store import TERMINAL_ROLES, change, create, get, rows
from seawarden.dangerous_goods.yard import MoveResult, YardBlock, YardState, YardUnit
from seawarden.db.engine import audit
from seawarden.db.engine import now_ms as wall_ms
from seawarden.security.actor import Actor

MAX_ITEMS = 20


def _yard(conn: Connection, actor: Actor, unit_id: int, lock: bool = False) -> dict[str, Any]:
    """A visible container yard (locked for the transaction when asked, on PostgreSQL)."""
    unit = get(conn, actor, t.storage_units, unit_id, "storage unit")
    if unit["kind"] != "yard":
        raise InvalidInputError(f"{unit['name']} is not a container yard", unit=unit_id)
    if lock and conn.dialect.name == "postgresql":
        conn.execute(
            select(t.storage_units.c.id).where(t.storage_units.c.id == unit_id).with_for_update()
        )
    return unit


def _items(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """DG items as stored: UN number and/or class, subsidiary hazards, packing group."""
    if len(items) > MAX_ITEMS:
        raise InvalidInputError(f"a container holds at most {MAX_ITEMS} DG items")
    out = []
    for i, it in enumerate(items):
        un = normalise_un(str(it.get("un_number") or "")) if it.get("un_number") else ""
        cls = str(it.get("class") or "").strip()
        subs = [str(s).strip() for s in it.get("subsidiary") or () if str(s).strip()]
        pg = str(it.get("packing_group") or "")
        if not un and not cls:
            raise InvalidInputError(f"item {i + 1}: give a UN number or a class")
        hazard_of(un or None, cls, subs, pg)  # unknown UN numbers and classes are refused here
        out.append({"un_number": un, "class": cls, "subsidiary": subs, "packing_group": pg})
    return out


def _unit_of(row: dict[str, Any]) -> YardUnit:
    hazards = tuple(
        hazard_of(
            it.get("un_number") or None,
            it.get("class") or "",
            list(it.get("subsidiary") or ()),
            it.get("packing_group") or "",
        )[0]
        for it in row["items"]
    )
    return YardUnit(
        row["container_no"],
        row["block"],
        row["bay"],
        row["row"],
        row["tier"],
        hazards,
        bool(row["open"]),
        row["in_ms"],
    )


def _blocks(conn: Connection, actor: Actor, unit_id: int) -> list[dict[str, Any]]:
    return rows(conn, actor, t.yard_blocks, t.yard_blocks.c.storage_unit_id == unit_id)


def _containers(conn: Connection, actor: Actor, unit_id: int) -> list[dict[str, Any]]:
    return rows(conn, actor, t.yard_containers, t.yard_containers.c.storage_unit_id == unit_id)


def _state(
    conn: Connection, unit: dict[str, Any], blocks: list[dict[str, Any]], now: int
) -> YardState:
    rules = port_rules_for(conn, unit["organisation"])
    return YardState(
        [
            YardBlock(b["name"], b["x0"], b["y0"], b["bay_pitch_m"], b["row_pitch_m"])
            for b in blocks
        ],
        rules,
        now,
    )


def _load(
    conn: Connection, actor: Actor, unit: dict[str, Any], now: int
) -> tuple[YardState, list[dict[str, Any]], list[dict[str, Any]]]:
    """The yard's state with every container placed, its blocks and container rows."""
    blocks = _blocks(conn, actor, unit["id"])
    state = _state(conn, unit, blocks, now)
    placed = sorted(_containers(conn, actor, unit["id"]), key=lambda r: (r["tier"], r["id"]))
    for r in placed:
        state.add(_unit_of(r))
    return state, blocks, placed


def _check_slot(
    state: YardState,
    blocks: list[dict[str, Any]],
    container_no: str,
    block: str,
    bay: int,
    row: int,
    tier: int,
) -> None:
    """Refuse a slot outside its block or without a container under it (tier 2 and up)."""
    spec = next((b for b in blocks if b["name"] == block), None)
    if spec is None:
        raise InvalidPositionError(f"{container_no}: no block {block!r} in this yard", unit=block)
    probe = YardUnit(container_no, block, bay, row, tier)
    if bay < 1 or row < 1 or tier < 1:
        raise InvalidPositionError(f"{container_no}: bay, row and tier start at 1")
    if max(probe.slots) > spec["bays"] or row > spec["rows"] or tier > spec["tiers"]:
        raise InvalidPositionError(
            f"{container_no}: {block} bay {bay} row {row} tier {tier} is outside the block "
            f"({spec['bays']} slots × {spec['rows']} rows × {spec['tiers']} tiers)"
        )
    if tier > 1:
        below = {
            s
            for u in state.units.values()
            if u.block == block and u.row == row and u.tier == tier - 1 and u.id != container_no
            for s in u.slots
        }
        if not set(probe.slots) <= below:
            raise InvalidPositionError(
                f"{container_no}: nothing under {block} bay {bay} row {row} tier {tier}"
            )


def _on_top(state: YardState, container_no: str) -> list[str]:
    u = state.units[container_no]
    return sorted(
        o.id
        for o in state.units.values()
        if o.block == u.block
        and o.row == u.row
        and o.tier == u.tier + 1
        and set(o.slots) & set(u.slots)
    )


def _answer(
    state: YardState, change_: MoveResult, container: dict[str, Any] | None
) -> dict[str, Any]:
    return {
        "container": container,
        "added": [f.as_dict() for f in change_.added],
        "removed": [f.as_dict() for f in change_.removed],
        "findings": [f.as_dict() for f in state.findings()],
    }


def yard_view(
    engine: Engine, actor: Actor, unit_id: int, now_ms: int | None = None
) -> dict[str, Any]:
    """A yard's blocks, its containers at their slots and its current findings."""
    now = wall_ms() if now_ms is None else now_ms
    with engine.connect() as conn:
        unit = _yard(conn, actor, unit_id)
        state, blocks, placed = _load(conn, actor, unit, now)
    check = state.check().as_dict()
    return {
        "storage_unit_id": unit_id,
        "name": unit["name"],
        "organisation": unit["organisation"],
        "blocks": blocks,
        "containers": sorted(placed, key=lambda r: (r["block"], r["bay"], r["row"], r["tier"])),
        "units": check["units"],
        "dg_units": check["dg_units"],
        "findings": check["findings"],
    }


def add_block(
    engine: Engine,
    actor: Actor,
    unit_id: int,
    name: str,
    bays: int,
    rows_: int,
    tiers: int,
    x0: float = 0.0,
    y0: float = 0.0,
    bay_pitch_m: float = 6.5,
    row_pitch_m: float = 2.8,
) -> dict[str, Any]:
    """Define a block of a yard (its slots: bays × rows × tiers); names are unique per yard."""
    from seawarden.dangerous_goods.facilities import add_yard_block

    actor.require(*TERMINAL_ROLES)
    name = name.strip()
    if not name:
        raise InvalidInputError("a block needs a name")
    with engine.connect() as conn:
        _yard(conn, actor, unit_id)
        if any(b["name"] == name for b in _blocks(conn, actor, unit_id)):
            raise InvalidInputError(f"the yard already has a block {name!r}", block=name)
    bid = add_yard_block(
        engine, actor, unit_id, name, bays, rows_, tiers, x0, y0, bay_pitch_m, row_pitch_m
    )
    with engine.connect() as conn:
        return get(conn, actor, t.yard_blocks, bid, "yard block")


def place_container(
    engine: Engine,
    actor: Actor,
    unit_id: int,
    container_no: str,
    block: str,
    bay: int,
    row: int,
    tier: int,
    items: list[dict[str, Any]] | None = None,
    open_: bool = False,
    in_ms: int | None = None,
    now_ms: int | None = None,
) -> dict[str, Any]:
    """Put a container (with its DG items) at a slot; answers with the findings it changed."""
    actor.require(*TERMINAL_ROLES)
    container_no = container_no.strip().upper()
    if not container_no:
        raise InvalidInputError("a container needs a number")
    stored_items = _items(items or [])
    now = wall_ms() if now_ms is None else now_ms
    with engine.begin() as conn:
        unit = _yard(conn, actor, unit_id, lock=True)
        state, blocks, _ = _load(conn, actor, unit, now)
        if container_no in state.units:
            raise InvalidPositionError(f"{container_no} is already in this yard")
        _check_slot(state, blocks, container_no, block, bay, row, tier)
        values = {
            "organisation": unit["organisation"],
            "storage_unit_id": unit_id,
            "container_no": container_no,
            "block": block,
            "bay": bay,
            "row": row,
            "tier": tier,
            "items": stored_items,
            "open": open_,
            "in_ms": now if in_ms is None else in_ms,
            "updated_ms": now,
        }
        result = state.add(_unit_of(values))
        cid = create(conn, actor, t.yard_containers, values, "yard_place")
        return _answer(state, result, get(conn, actor, t.yard_containers, cid, "container"))


def move_container(
    engine: Engine,
    actor: Actor,
    container_id: int,
    block: str,
    bay: int,
    row: int,
    tier: int,
    now_ms: int | None = None,
) -> dict[str, Any]:
    """Move a container to another slot of its yard; answers with the findings it changed."""
    actor.require(*TERMINAL_ROLES)
    now = wall_ms() if now_ms is None else now_ms
    with engine.begin() as conn:
        row_ = get(conn, actor, t.yard_containers, container_id, "container")
        unit = _yard(conn, actor, row_["storage_unit_id"], lock=True)
        state, blocks, _ = _load(conn, actor, unit, now)
        no = row_["container_no"]
        if (block, bay, row, tier) == (row_["block"], row_["bay"], row_["row"], row_["tier"]):
            raise InvalidPositionError(f"{no} is already at that slot")
        above = _on_top(state, no)
        if above:
            raise InvalidPositionError(f"{no}: {', '.join(above)} stands on top of it")
        _check_slot(state, blocks, no, block, bay, row, tier)
        result = state.move(no, block, bay, row, tier)
        values = {"block": block, "bay": bay, "row": row, "tier": tier, "updated_ms": now}
        change(conn, actor, t.yard_containers, row_, values, "yard_move")
        return _answer(
            state, result, get(conn, actor, t.yard_containers, container_id, "container")
        )


def remove_container(
    engine: Engine, actor: Actor, container_id: int, now_ms: int | None = None
) -> dict[str, Any]:
    """Take a container out of its yard; answers with the findings that went away."""
    actor.require(*TERMINAL_ROLES)
    now = wall_ms() if now_ms is None else now_ms
    with engine.begin() as conn:
        row_ = get(conn, actor, t.yard_containers, container_id, "container")
        unit = _yard(conn, actor, row_["storage_unit_id"], lock=True)
        state, _, _ = _load(conn, actor, unit, now)
        no = row_["container_no"]
        above = _on_top(state, no)
        if above:
            raise InvalidPositionError(f"{no}: {', '.join(above)} stands on top of it")
        result = state.remove(no)
        actor.check_scope(row_["organisation"])
        conn.execute(delete(t.yard_containers).where(t.yard_containers.c.id == container_id))
        audit(
            conn,
            actor,
            "dg.yard_remove",
            t.yard_containers.name,
            str(container_id),
            {
                "container_no": no,
                "block": row_["block"],
                "bay": row_["bay"],
                "row": row_["row"],
                "tier": row_["tier"],
            },
            row_["organisation"],
        )
        return _answer(state, result, None)
