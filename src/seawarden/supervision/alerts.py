"""Alerts: events turned into a supervisor's work items, stored in the operational database.

An event occurrence (kind, vessel, zone, start) is stored once, however often the rules are
re-run. A new occurrence joins an alert of the same kind, vessel and zone that is not
closed and ended less than ``merge_window`` before it (repeats are merged, counted in
``occurrences``); otherwise it opens a new alert, assigned to the zone's owner or to the
grid unit of the position. Alerts go ``open`` → ``acknowledged`` → ``closed`` (or straight
to closed), each change with who, when and a comment; every write is audited and active
webhooks are notified.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import Engine, and_, insert, or_, select, true, update

from seawarden.db import schema
from seawarden.db.engine import audit, now_ms
from seawarden.geo.grid import GridLayer
from seawarden.supervision.events import SEVERITY, AlertKind, Event, Phase, iso

STATES = ("open", "acknowledged", "closed")
TRANSITIONS = {
    ("open", "acknowledged"),
    ("open", "closed"),
    ("acknowledged", "closed"),
    ("acknowledged", "open"),
}
SEVERITIES = ("low", "medium", "high", "critical")


class AlertError(ValueError):
    """A refused alert operation (unknown alert, forbidden state change)."""


@dataclass
class ApplyResult:
    """What applying events did."""

    created: int = 0
    merged: int = 0
    closed: int = 0
    unchanged: int = 0
    alert_ids: list[int] = field(default_factory=list)


class Notifier:
    """Posts alert changes to webhooks from a background thread (with retries)."""

    def __init__(self, engine: Engine, timeout_s: float = 5.0, retries: int = 3) -> None:
        self.engine = engine
        self.timeout_s = timeout_s
        self.retries = retries
        self.queue: queue.Queue[dict[str, Any] | None] = queue.Queue(maxsize=10_000)
        self.delivered = 0
        self.failed = 0
        self.dropped = 0
        self._thread = threading.Thread(target=self._run, name="webhooks", daemon=True)
        self._thread.start()

    def notify(self, payload: dict[str, Any]) -> None:
        """Queue a notification (dropped and counted when the queue is full)."""
        try:
            self.queue.put_nowait(payload)
        except queue.Full:
            self.dropped += 1

    def close(self, wait_s: float = 10.0) -> None:
        """Deliver what is queued, then stop."""
        self.queue.put(None)
        self._thread.join(wait_s)

    def _hooks(self) -> list[dict[str, Any]]:
        with self.engine.connect() as conn:
            rows = (
                conn.execute(select(schema.webhooks).where(schema.webhooks.c.active.is_(True)))
                .mappings()
                .all()
            )
        return [dict(r) for r in rows]

    def _run(self) -> None:
        with httpx.Client(timeout=self.timeout_s) as client:
            while True:
                payload = self.queue.get()
                if payload is None:
                    return
                for hook in self._hooks():
                    kinds = hook["kinds"] or []
                    if kinds and payload["alert"]["kind"] not in kinds:
                        continue
                    body = json.dumps(payload, ensure_ascii=False).encode()
                    headers = {"content-type": "application/json"}
                    if hook.get("secret"):
                        sig = hmac.new(hook["secret"].encode(), body, hashlib.sha256).hexdigest()
                        headers["x-seawarden-signature"] = f"sha256={sig}"
                    for attempt in range(self.retries):
                        try:
                            r = client.post(hook["url"], content=body, headers=headers)
                            if r.status_code < 500:
                                self.delivered += 1
                                break
                        except httpx.HTTPError:
                            pass
                        time.sleep(0.2 * 2**attempt)
                    else:
                        self.failed += 1


class AlertStore:
    """Alerts in the operational database."""

    def __init__(
        self,
        engine: Engine,
        zones: dict[str, Any] | None = None,
        grid: GridLayer | None = None,
        merge_window_ms: int = 30 * 60_000,
        notifier: Notifier | None = None,
    ) -> None:
        self.engine = engine
        self.zones = zones or {}
        self.grid = grid
        self.merge_window_ms = merge_window_ms
        self.notifier = notifier

    # ------------------------------------------------------------------ events in
    def apply(self, events: Iterable[Event], actor: str = "supervisor") -> ApplyResult:
        """Turn events into alerts (idempotent per occurrence)."""
        result = ApplyResult()
        notices: list[dict[str, Any]] = []
        with self.engine.begin() as conn:
            for ev in events:
                identity = ev.mmsi if ev.mmsi is not None and ev.mmsi >= 0 else ev.vessel_key
                occ = (
                    conn.execute(
                        select(schema.alert_occurrences).where(
                            schema.alert_occurrences.c.kind == ev.kind.value,
                            schema.alert_occurrences.c.vessel == identity,
                            (schema.alert_occurrences.c.zone == ev.zone)
                            if ev.zone is not None
                            else schema.alert_occurrences.c.zone.is_(None),
                            schema.alert_occurrences.c.start_ms == ev.start_ms,
                        )
                    )
                    .mappings()
                    .first()
                )
                end = ev.end_ms if ev.phase is not Phase.OPEN else None
                if occ is not None:
                    ends = ev.phase is Phase.CLOSE or (
                        ev.phase is Phase.INSTANT and occ["end_ms"] is None
                    )
                    if ends and occ["end_ms"] != end:
                        conn.execute(
                            update(schema.alert_occurrences)
                            .where(schema.alert_occurrences.c.id == occ["id"])
                            .values(end_ms=end)
                        )
                        self._extend(conn, occ["alert_id"], end, actor)
                        result.closed += 1
                        continue
                    result.unchanged += 1
                    continue
                alert_id, created = self._place(conn, ev, identity, end, actor)
                conn.execute(
                    insert(schema.alert_occurrences).values(
                        alert_id=alert_id,
                        kind=ev.kind.value,
                        vessel=identity,
                        zone=ev.zone,
                        start_ms=ev.start_ms,
                        end_ms=end,
                    )
                )
                if created:
                    result.created += 1
                    notices.append(self._notice(conn, alert_id, "created"))
                else:
                    result.merged += 1
                result.alert_ids.append(alert_id)
        if self.notifier is not None:
            for n in notices:
                self.notifier.notify(n)
        return result

    def _place(
        self, conn: Any, ev: Event, identity: int, end: int | None, actor: str
    ) -> tuple[int, bool]:
        a = schema.alerts.c
        candidate = (
            conn.execute(
                select(schema.alerts)
                .where(
                    a.kind == ev.kind.value,
                    a.vessel == identity,
                    (a.zone == ev.zone) if ev.zone is not None else a.zone.is_(None),
                    a.state != "closed",
                    or_(a.end_ms.is_(None), a.end_ms >= ev.start_ms - self.merge_window_ms),
                    a.start_ms <= ev.start_ms + self.merge_window_ms,
                )
                .order_by(a.start_ms.desc())
            )
            .mappings()
            .first()
        )
        t = now_ms()
        if candidate is not None:
            new_end = (
                None
                if end is None or candidate["end_ms"] is None
                else max(end, candidate["end_ms"])
            )
            conn.execute(
                update(schema.alerts)
                .where(a.id == candidate["id"])
                .values(
                    occurrences=candidate["occurrences"] + 1,
                    end_ms=new_end,
                    start_ms=min(candidate["start_ms"], ev.start_ms),
                    updated_ms=t,
                )
            )
            conn.execute(
                insert(schema.alert_history).values(
                    alert_id=candidate["id"],
                    at_ms=t,
                    actor=actor,
                    action="merged",
                    from_state=candidate["state"],
                    to_state=candidate["state"],
                    comment=None,
                )
            )
            audit(
                conn, actor, "alert.merge", "alert", str(candidate["id"]), {"event": ev.as_dict()}
            )
            return int(candidate["id"]), False
        zone = self.zones.get(ev.zone) if ev.zone else None
        severity = SEVERITY[ev.kind]
        unit = None
        if zone is not None:
            severity = zone.params.severity or severity
            unit = zone.owner
        if unit is None and self.grid is not None and ev.lat is not None and ev.lon is not None:
            unit = self.grid.unit_at(ev.lat, ev.lon)
        details = {k: v for k, v in ev.details.items() if v is not None}
        if ev.value is not None:
            details["value"] = ev.value
        row = conn.execute(
            insert(schema.alerts)
            .values(
                kind=ev.kind.value,
                vessel=identity,
                mmsi=ev.mmsi,
                zone=ev.zone,
                start_ms=ev.start_ms,
                end_ms=end,
                severity=severity,
                state="open",
                unit=unit,
                lat=ev.lat,
                lon=ev.lon,
                occurrences=1,
                details=details,
                created_ms=t,
                updated_ms=t,
            )
            .returning(schema.alerts.c.id)
        )
        alert_id = int(row.scalar_one())
        conn.execute(
            insert(schema.alert_history).values(
                alert_id=alert_id,
                at_ms=t,
                actor=actor,
                action="created",
                from_state=None,
                to_state="open",
                comment=None,
            )
        )
        audit(conn, actor, "alert.create", "alert", str(alert_id), {"event": ev.as_dict()})
        return alert_id, True

    def _extend(self, conn: Any, alert_id: int, end: int | None, actor: str) -> None:
        o = schema.alert_occurrences.c
        ends = conn.execute(select(o.end_ms).where(o.alert_id == alert_id)).scalars().all()
        new_end = None if any(e is None for e in ends) else max(ends)
        conn.execute(
            update(schema.alerts)
            .where(schema.alerts.c.id == alert_id)
            .values(end_ms=new_end, updated_ms=now_ms())
        )
        audit(conn, actor, "alert.end", "alert", str(alert_id), {"end": iso(end)})

    # ------------------------------------------------------------------ people
    def transition(
        self,
        alert_id: int,
        to_state: str,
        actor: Any,
        comment: str | None = None,
        organisation: str | None = None,
    ) -> dict[str, Any]:
        """Acknowledge, close or reopen an alert (who, when, why recorded).

        ``actor`` is a user name or an :class:`~seawarden.security.actor.Actor`.
        """
        name = str(getattr(actor, "username", actor))
        if to_state not in STATES:
            raise AlertError(f"unknown state {to_state!r} (known: {', '.join(STATES)})")
        with self.engine.begin() as conn:
            row = (
                conn.execute(select(schema.alerts).where(schema.alerts.c.id == alert_id))
                .mappings()
                .first()
            )
            if row is None:
                raise AlertError(f"no alert {alert_id}")
            if (row["state"], to_state) not in TRANSITIONS:
                raise AlertError(f"alert {alert_id} is {row['state']}; it cannot become {to_state}")
            t = now_ms()
            conn.execute(
                update(schema.alerts)
                .where(schema.alerts.c.id == alert_id)
                .values(state=to_state, updated_ms=t)
            )
            conn.execute(
                insert(schema.alert_history).values(
                    alert_id=alert_id,
                    at_ms=t,
                    actor=name,
                    action=to_state,
                    from_state=row["state"],
                    to_state=to_state,
                    comment=comment,
                )
            )
            audit(
                conn,
                actor,
                f"alert.{to_state}",
                "alert",
                str(alert_id),
                {"from": row["state"], "to": to_state, "comment": comment},
                organisation,
            )
            notice = self._notice(conn, alert_id, to_state)
        if self.notifier is not None:
            self.notifier.notify(notice)
        alert: dict[str, Any] = notice["alert"]
        return alert

    # ------------------------------------------------------------------ reading
    def find(
        self,
        state: str | None = None,
        kind: str | None = None,
        since_ms: int | None = None,
        until_ms: int | None = None,
        units: list[str] | None = None,
        limit: int = 10_000,
    ) -> list[dict[str, Any]]:
        """Alerts, newest start first."""
        a = schema.alerts.c
        conds = []
        if state:
            conds.append(a.state == state)
        if kind:
            conds.append(a.kind == kind)
        if since_ms is not None:
            conds.append(or_(a.end_ms.is_(None), a.end_ms >= since_ms))
        if until_ms is not None:
            conds.append(a.start_ms <= until_ms)
        if units is not None:
            conds.append(a.unit.in_(units))
        q = (
            select(schema.alerts)
            .where(and_(true(), *conds))
            .order_by(a.start_ms.desc(), a.id.desc())
            .limit(limit)
        )
        with self.engine.connect() as conn:
            return [self._public(dict(r)) for r in conn.execute(q).mappings().all()]

    def history(self, alert_id: int) -> list[dict[str, Any]]:
        """Every change of one alert, oldest first."""
        h = schema.alert_history.c
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(schema.alert_history).where(h.alert_id == alert_id).order_by(h.id)
                )
                .mappings()
                .all()
            )
        return [{**dict(r), "at": iso(r["at_ms"])} for r in rows]

    def _notice(self, conn: Any, alert_id: int, change: str) -> dict[str, Any]:
        row = (
            conn.execute(select(schema.alerts).where(schema.alerts.c.id == alert_id))
            .mappings()
            .first()
        )
        assert row is not None
        return {"change": change, "alert": self._public(dict(row))}

    def _public(self, row: dict[str, Any]) -> dict[str, Any]:
        zone = self.zones.get(row["zone"]) if row["zone"] else None
        pair = bool(row["zone"]) and str(row["zone"]).startswith("pair:")
        return {
            "id": row["id"],
            "kind": row["kind"],
            "mmsi": row["mmsi"],
            "vessel": row["vessel"],
            "zone": None if pair else zone.name if zone is not None else row["zone"],
            "zone_id": None if pair else row["zone"],
            "other_mmsi": (row["details"] or {}).get("other_mmsi") if pair else None,
            "start": iso(row["start_ms"]),
            "end": iso(row["end_ms"]),
            "state": row["state"],
            "severity": row["severity"],
            "unit": row["unit"],
            "lat": row["lat"],
            "lon": row["lon"],
            "occurrences": row["occurrences"],
            "details": row["details"],
        }


def kinds() -> list[str]:
    """Every alert kind."""
    return [k.value for k in AlertKind]
