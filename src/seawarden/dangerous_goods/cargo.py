"""DG cargo records in and out of storage units, and the inventory they add up to.

An inbound record is refused when it would put a tank or unit above its design capacity or
bring a substance a tank is not permitted to hold; an outbound record is refused when the
unit holds less. Refused records change nothing.
"""

from __future__ import annotations

import math
from typing import Any

from sqlalchemy import Connection, Engine, case, func, select

from seawarden.dangerous_goods import tables as t
from seawarden.dangerous_goods.dglist import lookup, normalise_un
from seawarden.dangerous_goods.errors import (
    DGError,
    InsufficientStockError,
    InvalidInputError,
    InvalidQuantityError,
    OverCapacityError,
)
from seawarden.dangerous_goods.store import TERMINAL_ROLES, create, get, rows, visible
from seawarden.db.engine import now_ms as wall_ms
from seawarden.security.actor import Actor


def _signed() -> Any:
    return case(
        (t.cargo_records.c.direction == "in", t.cargo_records.c.quantity_t),
        else_=-t.cargo_records.c.quantity_t,
    )


def stock(conn: Connection, unit_ids: list[int], at_ms: int | None = None) -> dict[str, float]:
    """Quantity per UN number held by units at a time (now when ``None``), tonnes."""
    q = select(t.cargo_records.c.un_number, func.sum(_signed())).where(
        t.cargo_records.c.storage_unit_id.in_(unit_ids)
    )
    if at_ms is not None:
        q = q.where(t.cargo_records.c.at_ms <= at_ms)
    q = q.group_by(t.cargo_records.c.un_number)
    out = {}
    for un, total in conn.execute(q).all():
        if total is not None and total > 1e-9:
            out[un] = float(total)
    return out


def unit_and_children(conn: Connection, unit_id: int) -> list[int]:
    """A unit and the tanks of a tank farm."""
    kids = (
        conn.execute(select(t.storage_units.c.id).where(t.storage_units.c.parent_id == unit_id))
        .scalars()
        .all()
    )
    return [unit_id, *kids]


def record_cargo(
    engine: Engine,
    actor: Actor,
    storage_unit_id: int,
    direction: str,
    un_number: str,
    quantity_t: float,
    at_ms: int | None = None,
    container_no: str | None = None,
    slot: dict[str, Any] | None = None,
    declaration_id: int | None = None,
) -> int:
    """Record DG cargo in or out of a unit (validated against capacity, tank scope and stock)."""
    actor.require(*TERMINAL_ROLES)
    if direction not in ("in", "out"):
        raise InvalidInputError("direction is in or out")
    un = normalise_un(un_number)
    lookup(un)
    if (
        isinstance(quantity_t, bool)
        or not isinstance(quantity_t, int | float)
        or not math.isfinite(quantity_t)
        or quantity_t <= 0
    ):
        raise InvalidQuantityError(
            f"quantity must be a positive number of tonnes, got {quantity_t!r}"
        )
    at = wall_ms() if at_ms is None else at_ms
    with engine.begin() as conn:
        unit = get(conn, actor, t.storage_units, storage_unit_id, "storage unit")
        if unit["kind"] == "tank_farm":
            raise InvalidInputError("record cargo against a tank of the farm, not the farm itself")
        held = stock(conn, [storage_unit_id])
        total = sum(held.values())
        if direction == "out":
            if held.get(un, 0.0) + 1e-9 < quantity_t:
                raise InsufficientStockError(
                    f"{unit['name']} holds {held.get(un, 0.0):g} t of UN {un}; "
                    f"cannot take out {quantity_t:g} t",
                    unit=storage_unit_id,
                )
        else:
            if unit["kind"] == "tank":
                permitted = {
                    s["un_number"]
                    for s in rows(
                        conn,
                        actor,
                        t.unit_substances,
                        t.unit_substances.c.storage_unit_id == storage_unit_id,
                    )
                    if s["un_number"]
                }
                if permitted and un not in permitted:
                    raise DGError(
                        f"{unit['name']} is not permitted to hold UN {un} "
                        f"(permitted: {', '.join(sorted(permitted))})",
                        unit=storage_unit_id,
                    )
                others = [k for k in held if k != un]
                if others:
                    raise DGError(
                        f"{unit['name']} holds UN {', '.join(others)}; a tank holds one substance"
                    )
            cap = unit["capacity_t"]
            if cap is not None and total + quantity_t > cap + 1e-9:
                raise OverCapacityError(
                    f"{unit['name']}: {total:g} t held + {quantity_t:g} t exceeds the design "
                    f"capacity {cap:g} t",
                    unit=storage_unit_id,
                    capacity_t=cap,
                )
            if unit["parent_id"] is not None:
                farm = get(conn, actor, t.storage_units, unit["parent_id"], "storage unit")
                farm_total = sum(stock(conn, unit_and_children(conn, farm["id"])).values())
                if (
                    farm["capacity_t"] is not None
                    and farm_total + quantity_t > farm["capacity_t"] + 1e-9
                ):
                    raise OverCapacityError(
                        f"{farm['name']}: {farm_total:g} t held + {quantity_t:g} t exceeds "
                        "its capacity "
                        f"{farm['capacity_t']:g} t",
                        unit=farm["id"],
                    )
        return create(
            conn,
            actor,
            t.cargo_records,
            {
                "organisation": unit["organisation"],
                "storage_unit_id": storage_unit_id,
                "direction": direction,
                "un_number": un,
                "quantity_t": float(quantity_t),
                "at_ms": at,
                "container_no": container_no,
                "slot": slot,
                "declaration_id": declaration_id,
                "recorded_by": actor.username,
                "created_ms": wall_ms(),
            },
            f"cargo_{direction}",
        )


def list_records(
    engine: Engine,
    actor: Actor,
    storage_unit_id: int | None = None,
    limit: int = 1000,
) -> list[dict[str, Any]]:
    """Visible cargo records, newest first (of one unit and its tanks when given)."""
    with engine.connect() as conn:
        q = select(t.cargo_records).where(visible(actor, t.cargo_records))
        if storage_unit_id is not None:
            get(conn, actor, t.storage_units, storage_unit_id, "storage unit")
            q = q.where(
                t.cargo_records.c.storage_unit_id.in_(unit_and_children(conn, storage_unit_id))
            )
        q = q.order_by(t.cargo_records.c.at_ms.desc(), t.cargo_records.c.id.desc()).limit(limit)
        return [dict(r) for r in conn.execute(q).mappings().all()]


def inventory(
    engine: Engine, actor: Actor, storage_unit_id: int, at_ms: int | None = None
) -> dict[str, float]:
    """What a unit (a tank farm: with its tanks) holds at a time, tonnes per UN number."""
    with engine.connect() as conn:
        get(conn, actor, t.storage_units, storage_unit_id, "storage unit")
        return stock(conn, unit_and_children(conn, storage_unit_id), at_ms)


def inventory_series(
    engine: Engine,
    actor: Actor,
    storage_unit_id: int,
    start_ms: int | None = None,
    end_ms: int | None = None,
) -> list[dict[str, Any]]:
    """The unit's balance per UN number after every record in a time range."""
    with engine.connect() as conn:
        get(conn, actor, t.storage_units, storage_unit_id, "storage unit")
        ids = unit_and_children(conn, storage_unit_id)
        recs = (
            conn.execute(
                select(t.cargo_records)
                .where(t.cargo_records.c.storage_unit_id.in_(ids))
                .order_by(t.cargo_records.c.at_ms, t.cargo_records.c.id)
            )
            .mappings()
            .all()
        )
    balance: dict[str, float] = {}
    out = []
    for r in recs:
        sign = 1.0 if r["direction"] == "in" else -1.0
        balance[r["un_number"]] = balance.get(r["un_number"], 0.0) + sign * r["quantity_t"]
        if (start_ms is None or r["at_ms"] >= start_ms) and (
            end_ms is None or r["at_ms"] <= end_ms
        ):
            out.append(
                {
                    "at_ms": r["at_ms"],
                    "un_number": r["un_number"],
                    "balance_t": round(balance[r["un_number"]], 6),
                }
            )
    return out
