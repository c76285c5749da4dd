"""Hidden dangers (隐患): report with photos, classify, assign, rectify, verify, close.

Classification follows the major-hidden-danger criteria of the reference data: naming a
criterion item (e.g. ``1.2``) makes the danger *major*, otherwise it is *general*. Items whose
wording is unverified (``memory``/``partial``) are classified all the same and say so in the
history. Overdue dangers escalate one level per week overdue. Photos are stored as files under
``<data_dir>/dg/photos/`` after size and type checks; every step is kept in the history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import filetype
from sqlalchemy import Connection, Engine
from sqlalchemy.sql.elements import ColumnElement

from seawarden.dangerous_goods import tables as t
from seawarden.dangerous_goods.errors import (
    InvalidFileError,
    InvalidInputError,
    InvalidStateError,
    NotFoundError,
)
from seawarden.dangerous_goods.facilities import port_rules_for
from seawarden.dangerous_goods.portrules import PortRules
from seawarden.dangerous_goods.reference import reference
from seawarden.dangerous_goods.store import (
    AUTHORITY_ROLES,
    TERMINAL_ROLES,
    change,
    create,
    get,
    rows,
)
from seawarden.db.engine import now_ms as wall_ms
from seawarden.security.actor import Actor

STATES = ("reported", "assigned", "rectified", "verified", "closed")
OPEN_STATES = ("reported", "assigned", "rectified")
WEEK_MS = 7 * 86_400_000
MAX_ESCALATION = 3


def criterion(criterion_id: str) -> dict[str, str]:
    """A major-hidden-danger criterion row by id (``1.2``, ``C0`` …)."""
    for row in reference().hidden_danger_criteria:
        if row["id"] == criterion_id:
            return row
    raise InvalidInputError(
        f"no major hidden danger criterion {criterion_id!r}", criterion=criterion_id
    )


def classify(criterion_id: str | None, category_no: int | None) -> tuple[str, int, str | None]:
    """Level, category and a note: a named criterion item is major, anything else general."""
    if criterion_id:
        row = criterion(criterion_id)
        if row["id"].startswith("C") and row["id"] != "C0":
            raise InvalidInputError("name a criterion item (e.g. 1.2), not a category heading")
        note = None
        if row["confidence"] in ("memory", "partial"):
            note = (
                f"criterion {row['id']} wording is {row['confidence']} in the reference data: "
                "verify"
            )
        if row["id"] == "C0":
            note = "expert judgement (panel of 5 or 7) required to confirm a major hidden danger"
        return "major", int(row["category_no"]), note
    if category_no is None or category_no not in range(0, 6):
        raise InvalidInputError("a general hidden danger needs a category 1-5 (0: other)")
    return "general", category_no, None


def check_photo(content: bytes, rules: PortRules) -> tuple[str, str]:
    """MIME type and extension of an acceptable photo (raises :class:`InvalidFileError`)."""
    if not content:
        raise InvalidFileError("empty photo")
    if len(content) > rules.photo_max_bytes:
        raise InvalidFileError(
            f"photo of {len(content)} bytes exceeds {rules.photo_max_bytes} bytes",
            size=len(content),
        )
    kind = filetype.guess(content)
    if kind is None or kind.mime not in rules.photo_types:
        raise InvalidFileError(
            f"photo type {kind.mime if kind else 'unknown'} not accepted "
            f"({', '.join(rules.photo_types)})"
        )
    return str(kind.mime), str(kind.extension)


def _event(
    conn: Connection,
    actor: Actor,
    hd: dict[str, Any],
    action: str,
    to_state: str | None,
    comment: str | None,
    at: int,
) -> None:
    create(
        conn,
        actor,
        t.hidden_danger_events,
        {
            "organisation": hd["organisation"],
            "hidden_danger_id": hd["id"],
            "at_ms": at,
            "actor": actor.username,
            "action": action,
            "from_state": hd.get("state"),
            "to_state": to_state,
            "comment": comment,
        },
        "hidden_danger_event",
    )


def _store_photos(
    conn: Connection,
    actor: Actor,
    hd: dict[str, Any],
    photos: Sequence[tuple[str, bytes]],
    checked: list[tuple[str, str]],
    stage: str,
    data_dir: Path,
    at: int,
) -> list[Path]:
    written: list[Path] = []
    folder = Path(data_dir) / "dg" / "photos" / hd["organisation"] / str(hd["id"])
    folder.mkdir(parents=True, exist_ok=True)
    for (_name, content), (mime, ext) in zip(photos, checked, strict=True):
        digest = hashlib.sha256(content).hexdigest()
        path = folder / f"{digest}.{ext}"
        if not path.exists():
            path.write_bytes(content)
            written.append(path)
        create(
            conn,
            actor,
            t.photos,
            {
                "organisation": hd["organisation"],
                "hidden_danger_id": hd["id"],
                "stage": stage,
                "path": str(path),
                "sha256": digest,
                "mime": mime,
                "size": len(content),
                "uploaded_ms": at,
            },
            "photo",
        )
    return written


def report(
    engine: Engine,
    actor: Actor,
    terminal_id: int,
    title: str,
    description: str,
    criterion_id: str | None = None,
    category_no: int | None = None,
    storage_unit_id: int | None = None,
    photos: Sequence[tuple[str, bytes]] = (),
    data_dir: Path | None = None,
    source: str = "manual",
    source_ref: str | None = None,
    now_ms: int | None = None,
) -> dict[str, Any]:
    """Report a hidden danger (photos checked before anything is written)."""
    actor.require(*TERMINAL_ROLES)
    with engine.begin() as conn:
        return report_in(
            conn,
            actor,
            terminal_id,
            title,
            description,
            criterion_id,
            category_no,
            storage_unit_id,
            photos,
            data_dir,
            source,
            source_ref,
            now_ms,
        )


def report_in(
    conn: Connection,
    actor: Actor,
    terminal_id: int,
    title: str,
    description: str,
    criterion_id: str | None = None,
    category_no: int | None = None,
    storage_unit_id: int | None = None,
    photos: Sequence[tuple[str, bytes]] = (),
    data_dir: Path | None = None,
    source: str = "manual",
    source_ref: str | None = None,
    now_ms: int | None = None,
) -> dict[str, Any]:
    """:func:`report` inside an open transaction."""
    if not title.strip():
        raise InvalidInputError("a hidden danger needs a title")
    level, category, note = classify(criterion_id, category_no)
    at = wall_ms() if now_ms is None else now_ms
    term = get(conn, actor, t.terminals, terminal_id, "terminal")
    if storage_unit_id is not None:
        unit = get(conn, actor, t.storage_units, storage_unit_id, "storage unit")
        if unit["terminal_id"] != terminal_id:
            raise InvalidInputError("the storage unit belongs to another terminal")
    rules = port_rules_for(conn, term["organisation"])
    checked = [check_photo(c, rules) for _, c in photos]
    if photos and data_dir is None:
        raise InvalidInputError("photos need a data directory to be stored in")
    hd_id = create(
        conn,
        actor,
        t.hidden_dangers,
        {
            "organisation": term["organisation"],
            "terminal_id": terminal_id,
            "storage_unit_id": storage_unit_id,
            "title": title.strip(),
            "description": description,
            "category_no": category,
            "criterion_id": criterion_id,
            "level": level,
            "state": "reported",
            "source": source,
            "source_ref": source_ref,
            "reported_by": actor.username,
            "reported_ms": at,
            "escalation_level": 0,
        },
        "hidden_danger_report",
    )
    hd = get(conn, actor, t.hidden_dangers, hd_id, "hidden danger")
    _event(conn, actor, {**hd, "state": None}, "report", "reported", note, at)
    written: list[Path] = []
    try:
        if photos and data_dir is not None:
            written = _store_photos(conn, actor, hd, photos, checked, "report", data_dir, at)
    except Exception:
        for p in written:
            p.unlink(missing_ok=True)
        raise
    return hd


def _step(
    engine: Engine,
    actor: Actor,
    hd_id: int,
    allowed: tuple[str, ...],
    to_state: str,
    values: dict[str, Any],
    action: str,
    comment: str | None,
    now_ms: int | None,
    roles: tuple[Any, ...] = TERMINAL_ROLES,
    photos: Sequence[tuple[str, bytes]] = (),
    data_dir: Path | None = None,
) -> dict[str, Any]:
    actor.require(*roles)
    at = wall_ms() if now_ms is None else now_ms
    with engine.begin() as conn:
        hd = get(conn, actor, t.hidden_dangers, hd_id, "hidden danger")
        if hd["state"] not in allowed:
            raise InvalidStateError(
                f"hidden danger {hd_id} is {hd['state']}; {action} needs {' or '.join(allowed)}"
            )
        checked = []
        if photos:
            rules = port_rules_for(conn, hd["organisation"])
            checked = [check_photo(c, rules) for _, c in photos]
            if data_dir is None:
                raise InvalidInputError("photos need a data directory to be stored in")
        change(
            conn,
            actor,
            t.hidden_dangers,
            hd,
            {"state": to_state, **values},
            f"hidden_danger_{action}",
        )
        _event(conn, actor, hd, action, to_state, comment, at)
        if photos and data_dir is not None:
            _store_photos(conn, actor, hd, photos, checked, "rectification", data_dir, at)
        return get(conn, actor, t.hidden_dangers, hd_id, "hidden danger")


def assign(
    engine: Engine,
    actor: Actor,
    hd_id: int,
    assignee: str,
    deadline_ms: int | None = None,
    now_ms: int | None = None,
) -> dict[str, Any]:
    """Assign a responsible person and a deadline (default: the port's days for the level)."""
    if not assignee.strip():
        raise InvalidInputError("an assignment names a person")
    at = wall_ms() if now_ms is None else now_ms
    if deadline_ms is None:
        with engine.connect() as conn:
            hd = get(conn, actor, t.hidden_dangers, hd_id, "hidden danger")
            days = port_rules_for(conn, hd["organisation"]).hidden_danger_deadline_days.get(
                hd["level"], 30
            )
        deadline_ms = at + int(days * 86_400_000)
    if deadline_ms <= at:
        raise InvalidInputError("the deadline lies in the future")
    return _step(
        engine,
        actor,
        hd_id,
        ("reported", "assigned"),
        "assigned",
        {"assignee": assignee, "deadline_ms": deadline_ms},
        "assign",
        None,
        at,
    )


def rectify(
    engine: Engine,
    actor: Actor,
    hd_id: int,
    rectification: str,
    photos: Sequence[tuple[str, bytes]] = (),
    data_dir: Path | None = None,
    now_ms: int | None = None,
) -> dict[str, Any]:
    """Record the rectification (with photos)."""
    if not rectification.strip():
        raise InvalidInputError("describe the rectification")
    at = wall_ms() if now_ms is None else now_ms
    return _step(
        engine,
        actor,
        hd_id,
        ("assigned",),
        "rectified",
        {"rectification": rectification, "rectified_ms": at},
        "rectify",
        None,
        at,
        photos=photos,
        data_dir=data_dir,
    )


def verify(
    engine: Engine,
    actor: Actor,
    hd_id: int,
    passed: bool,
    comment: str | None = None,
    now_ms: int | None = None,
) -> dict[str, Any]:
    """Verify a rectification: passed → verified, failed → back to assigned."""
    at = wall_ms() if now_ms is None else now_ms
    if passed:
        return _step(
            engine,
            actor,
            hd_id,
            ("rectified",),
            "verified",
            {"verified_by": actor.username, "verified_ms": at},
            "verify",
            comment,
            at,
            roles=(*AUTHORITY_ROLES, *TERMINAL_ROLES),
        )
    if not (comment or "").strip():
        raise InvalidInputError("a failed verification needs a comment")
    return _step(engine, actor, hd_id, ("rectified",), "assigned", {}, "verify_failed", comment, at)


def close(
    engine: Engine, actor: Actor, hd_id: int, comment: str | None = None, now_ms: int | None = None
) -> dict[str, Any]:
    """Close a verified hidden danger (major ones by the authority)."""
    at = wall_ms() if now_ms is None else now_ms
    with engine.connect() as conn:
        hd = get(conn, actor, t.hidden_dangers, hd_id, "hidden danger")
    roles = AUTHORITY_ROLES if hd["level"] == "major" else (*AUTHORITY_ROLES, *TERMINAL_ROLES)
    return _step(
        engine,
        actor,
        hd_id,
        ("verified",),
        "closed",
        {"closed_ms": at},
        "close",
        comment,
        at,
        roles=roles,
    )


def escalate_overdue(
    engine: Engine, actor: Actor, now_ms: int | None = None
) -> list[dict[str, Any]]:
    """Raise the escalation level of open dangers past their deadline (one level a week, max 3)."""
    at = wall_ms() if now_ms is None else now_ms
    out = []
    with engine.begin() as conn:
        for hd in rows(
            conn,
            actor,
            t.hidden_dangers,
            t.hidden_dangers.c.state.in_(OPEN_STATES),
            t.hidden_dangers.c.deadline_ms < at,
        ):
            level = min(MAX_ESCALATION, 1 + (at - hd["deadline_ms"]) // WEEK_MS)
            if level > hd["escalation_level"]:
                change(
                    conn,
                    actor,
                    t.hidden_dangers,
                    hd,
                    {"escalation_level": level},
                    "hidden_danger_escalate",
                )
                _event(
                    conn,
                    actor,
                    hd,
                    "escalate",
                    hd["state"],
                    f"overdue: escalation level {level}",
                    at,
                )
                out.append({**hd, "escalation_level": level})
    return out


def history(engine: Engine, actor: Actor, hd_id: int) -> dict[str, Any]:
    """A hidden danger with its events and photos."""
    with engine.connect() as conn:
        hd = get(conn, actor, t.hidden_dangers, hd_id, "hidden danger")
        hd["events"] = rows(
            conn, actor, t.hidden_danger_events, t.hidden_danger_events.c.hidden_danger_id == hd_id
        )
        hd["photos"] = rows(conn, actor, t.photos, t.photos.c.hidden_danger_id == hd_id)
    return hd


def list_dangers(
    engine: Engine,
    actor: Actor,
    state: str | None = None,
    terminal_id: int | None = None,
    level: str | None = None,
) -> list[dict[str, Any]]:
    """Visible hidden dangers, optionally of one state (``open``: any open one), terminal, level."""
    where: list[ColumnElement[bool]] = []
    if state == "open":
        where.append(t.hidden_dangers.c.state.in_(OPEN_STATES))
    elif state is not None:
        where.append(t.hidden_dangers.c.state == state)
    if terminal_id is not None:
        where.append(t.hidden_dangers.c.terminal_id == terminal_id)
    if level is not None:
        where.append(t.hidden_dangers.c.level == level)
    with engine.connect() as conn:
        return rows(conn, actor, t.hidden_dangers, *where)


def photo(engine: Engine, actor: Actor, hd_id: int, photo_id: int) -> dict[str, Any]:
    """A stored photo of a visible hidden danger (its row, with the file path)."""
    with engine.connect() as conn:
        get(conn, actor, t.hidden_dangers, hd_id, "hidden danger")
        row = get(conn, actor, t.photos, photo_id, "photo")
    if row["hidden_danger_id"] != hd_id:
        raise NotFoundError(f"no photo {photo_id}", entity="dg_photos", id=photo_id)
    return row


def statistics(engine: Engine, actor: Actor, now_ms: int | None = None) -> dict[str, Any]:
    """Counts by terminal and by category: total, open, major open, overdue, closed."""
    at = wall_ms() if now_ms is None else now_ms
    with engine.connect() as conn:
        dangers = rows(conn, actor, t.hidden_dangers)
    by_terminal: dict[int, dict[str, int]] = {}
    by_category: dict[int, dict[str, int]] = {}
    for hd in dangers:
        for key, table in ((hd["terminal_id"], by_terminal), (hd["category_no"], by_category)):
            s = table.setdefault(
                key, {"total": 0, "open": 0, "major_open": 0, "overdue": 0, "closed": 0}
            )
            s["total"] += 1
            if hd["state"] in OPEN_STATES:
                s["open"] += 1
                s["major_open"] += hd["level"] == "major"
                s["overdue"] += bool(hd["deadline_ms"] and hd["deadline_ms"] < at)
            if hd["state"] == "closed":
                s["closed"] += 1
    return {"by_terminal": by_terminal, "by_category": by_category, "total": len(dangers)}
