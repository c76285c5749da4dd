"""Alerts in the operational database (SQLite, and PostgreSQL when configured)."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any, ClassVar

import pytest
from sqlalchemy import insert, select

from seawarden.db import schema
from seawarden.geo.grid import GridLayer
from seawarden.geo.zones import make_zone
from seawarden.supervision.alerts import AlertError, AlertStore, Notifier
from seawarden.supervision.events import AlertKind, Event, Phase

T0 = 1_795_000_000_000
SQUARE = {
    "type": "Polygon",
    "coordinates": [[[122.0, 30.0], [122.1, 30.0], [122.1, 30.1], [122.0, 30.1], [122.0, 30.0]]],
}


def _ev(
    kind: AlertKind,
    phase: Phase,
    start: int,
    end: int | None = None,
    mmsi: int = 413000001,
    zone: str | None = "z",
) -> Event:
    return Event(kind, phase, mmsi, start, end, mmsi, zone, 30.05, 122.05)


def test_occurrences_are_stored_once_repeats_merge_and_ends_follow(db_engine: Any) -> None:
    zone = make_zone("z", "Channel Z", "channel", SQUARE, {"severity": "high"}, owner="MSA-NB")
    store = AlertStore(db_engine, {"z": zone})
    r = store.apply([_ev(AlertKind.overspeed, Phase.OPEN, T0)])
    assert r.created == 1
    assert (
        store.apply([_ev(AlertKind.overspeed, Phase.OPEN, T0)]).unchanged == 1
    )  # re-run: idempotent
    assert store.apply([_ev(AlertKind.overspeed, Phase.CLOSE, T0, T0 + 120_000)]).closed == 1
    # a repeat 10 minutes later joins the same alert; one 2 hours later is a new alert
    assert (
        store.apply([_ev(AlertKind.overspeed, Phase.INSTANT, T0 + 720_000, T0 + 800_000)]).merged
        == 1
    )
    assert (
        store.apply(
            [_ev(AlertKind.overspeed, Phase.INSTANT, T0 + 7_200_000, T0 + 7_300_000)]
        ).created
        == 1
    )
    alerts = store.find()
    assert len(alerts) == 2
    first = next(a for a in alerts if a["occurrences"] == 2)
    assert (
        first["zone"] == "Channel Z" and first["severity"] == "high" and first["unit"] == "MSA-NB"
    )
    assert first["start"] == "2026-11-18T11:06:40Z" and first["end"] == "2026-11-18T11:20:00Z"
    assert store.find(kind="ais_gap") == []


def test_states_history_and_audit(db_engine: Any) -> None:
    store = AlertStore(db_engine)
    store.apply([_ev(AlertKind.loitering, Phase.OPEN, T0, zone=None)])
    (alert,) = store.find(state="open")
    store.transition(alert["id"], "acknowledged", "duty:li", "called the master on VHF 16")
    with pytest.raises(AlertError, match="cannot become"):
        store.transition(alert["id"], "acknowledged", "duty:li")
    store.transition(alert["id"], "closed", "duty:wang", "vessel resumed passage")
    with pytest.raises(AlertError, match="no alert"):
        store.transition(999_999, "closed", "x")
    hist = store.history(alert["id"])
    assert [h["action"] for h in hist] == ["created", "acknowledged", "closed"]
    assert hist[1]["actor"] == "duty:li" and hist[1]["comment"] == "called the master on VHF 16"
    with db_engine.connect() as conn:
        actions = conn.execute(select(schema.audit_log.c.action, schema.audit_log.c.actor)).all()
    assert ("alert.acknowledged", "duty:li") in actions and ("alert.closed", "duty:wang") in actions
    assert ("alert.create", "supervisor") in actions
    # a closed alert is not merged into: a new occurrence opens a new alert
    assert store.apply([_ev(AlertKind.loitering, Phase.OPEN, T0 + 60_000, zone=None)]).created == 1


def test_grid_unit_assignment(db_engine: Any) -> None:
    grid = GridLayer(6)
    grid.add_area("MSA-ZS", SQUARE)
    store = AlertStore(db_engine, grid=grid)
    store.apply([_ev(AlertKind.ais_gap, Phase.INSTANT, T0, T0 + 3_600_000, zone=None)])
    assert store.find()[0]["unit"] == "MSA-ZS"


class _Hook(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[dict[str, Any], str]]] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["content-length"]))
        _Hook.received.append((json.loads(body), self.headers.get("x-seawarden-signature", "")))
        sig = hmac.new(b"s3cret", body, hashlib.sha256).hexdigest()
        assert self.headers.get("x-seawarden-signature") == f"sha256={sig}"
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


def test_webhooks_are_notified_with_a_signature(db_engine: Any) -> None:
    server = HTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    with db_engine.begin() as conn:
        conn.execute(
            insert(schema.webhooks).values(
                url=url, kinds=["fishing_ban"], secret="s3cret", active=True
            )
        )
    notifier = Notifier(db_engine)
    store = AlertStore(db_engine, notifier=notifier)
    _Hook.received.clear()
    store.apply(
        [_ev(AlertKind.fishing_ban, Phase.OPEN, T0), _ev(AlertKind.overspeed, Phase.OPEN, T0)]
    )
    (alert,) = store.find(kind="fishing_ban")
    store.transition(alert["id"], "acknowledged", "duty:li")
    notifier.close()
    server.shutdown()
    server.server_close()
    changes = [(p["change"], p["alert"]["kind"]) for p, _ in _Hook.received]
    assert changes == [("created", "fishing_ban"), ("acknowledged", "fishing_ban")]
    assert notifier.delivered == 2 and notifier.failed == 0


def test_unreachable_webhook_is_counted_not_fatal(db_engine: Any) -> None:
    with db_engine.begin() as conn:
        conn.execute(
            insert(schema.webhooks).values(
                url="http://127.0.0.1:9/x", kinds=[], secret=None, active=True
            )
        )
    notifier = Notifier(db_engine, timeout_s=0.5, retries=2)
    AlertStore(db_engine, notifier=notifier).apply([_ev(AlertKind.dwell, Phase.OPEN, T0)])
    t = time.monotonic()
    notifier.close()
    assert notifier.failed == 1 and time.monotonic() - t < 10
