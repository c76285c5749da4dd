"""Live push: the latest-position table and new alerts, streamed as server-sent events.

One background thread watches ``latest.parquet`` (rewritten at every ingest commit) and the
alerts table. Each change becomes a numbered frame: the vessels whose position changed (or
all of them, for a client that is behind) and the alerts created or changed. Frames are
encoded once and shared by every client; a client in a jurisdiction gets only its vessels.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson
import pyarrow.parquet as pq
from sqlalchemy import Engine, select

from seawarden.db import schema
from seawarden.supervision.vessels import classify

POLL_S = 0.2
KEEP_FRAMES = 30
ENCODED_KEEP = 256
"""Encoded catch-ups kept (per version step and scope)."""


@dataclass
class Frame:
    """One change of the picture."""

    version: int
    changed: list[list[Any]]
    alerts: list[dict[str, Any]]


@dataclass
class LiveHub:
    """Watches the data directory and the database; clients wait for new frames."""

    data_dir: Path
    engine: Engine
    version: int = 0
    full: dict[int, list[Any]] = field(default_factory=dict)
    frames: list[Frame] = field(default_factory=list)
    _mtime: float = 0.0
    _alert_ms: int = 0
    _cond: threading.Condition = field(default_factory=threading.Condition)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    clients: int = 0
    _encoded: OrderedDict[tuple[int, int, Hashable], list[bytes]] = field(
        default_factory=OrderedDict
    )
    _encode_lock: threading.Lock = field(default_factory=threading.Lock)
    _types_cache: tuple[int, dict[int, tuple[int, str | None]]] | None = None
    _waiters: set[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = field(
        default_factory=set
    )

    def start(self) -> None:
        """Start watching."""
        self._alert_ms = int(time.time() * 1000)
        self._thread = threading.Thread(target=self._run, name="live-hub", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop watching."""
        self._stop.set()
        with self._cond:
            self._cond.notify_all()
            self._wake_async()

    def _wake_async(self) -> None:
        """Wake the clients waiting in :meth:`wait_async` (called holding ``_cond``)."""
        for loop, future in self._waiters:
            with contextlib.suppress(RuntimeError):  # a loop already closed
                loop.call_soon_threadsafe(_resolve, future)
        self._waiters.clear()

    def _types(self) -> dict[int, tuple[int, str | None]]:
        """Ship type and name by MMSI, re-read only when ``vessels.parquet`` changes."""
        path = self.data_dir / "vessels.parquet"
        try:
            version = path.stat().st_mtime_ns
        except OSError:
            return {}
        if self._types_cache is None or self._types_cache[0] != version:
            rows = pq.read_table(path, columns=["mmsi", "shiptype", "shipname"]).to_pylist()
            self._types_cache = (
                version,
                {
                    r["mmsi"]: (
                        int(r["shiptype"]) if r["shiptype"] is not None else -1,
                        r["shipname"],
                    )
                    for r in rows
                },
            )
        return self._types_cache[1]

    def poll(self) -> bool:
        """Look for changes once; returns whether a frame was made."""
        changed: list[list[Any]] = []
        path = self.data_dir / "latest.parquet"
        try:
            mtime = path.stat().st_mtime
        except OSError:
            mtime = 0.0
        if mtime and mtime != self._mtime:
            self._mtime = mtime
            table = pq.read_table(path)
            types = self._types()
            cols = {
                c: table.column(c).to_pylist()
                for c in (
                    "vessel_key",
                    "mmsi",
                    "lat",
                    "lon",
                    "sog",
                    "cog",
                    "heading",
                    "source",
                    "fishing_no",
                    "terminal",
                )
            }
            times = table.column("time").cast("int64").to_pylist()
            mmsi = [m if m is not None else -1 for m in cols["mmsi"]]
            cls = classify(
                np.array([types.get(m, (-1, None))[0] for m in mmsi], dtype=np.int64),
                np.array(cols["source"], dtype=np.int64) == 5,
            ).tolist()
            for i, key in enumerate(cols["vessel_key"]):
                row = [
                    key,
                    mmsi[i] if mmsi[i] >= 0 else None,
                    round(cols["lat"][i], 6),
                    round(cols["lon"][i], 6),
                    None
                    if cols["sog"][i] is None or cols["sog"][i] != cols["sog"][i]
                    else round(cols["sog"][i], 1),
                    None
                    if cols["cog"][i] is None or cols["cog"][i] != cols["cog"][i]
                    else round(cols["cog"][i], 1),
                    cols["heading"][i],
                    times[i],
                    cols["source"][i],
                    cls[i],
                    types.get(mmsi[i], (-1, None))[1]
                    or cols["fishing_no"][i]
                    or cols["terminal"][i],
                ]
                old = self.full.get(key)
                if old is None or old[7] != row[7]:
                    changed.append(row)
                    self.full[key] = row
        alerts: list[dict[str, Any]] = []
        a = schema.alerts.c
        with self.engine.connect() as conn:
            rows = (
                conn.execute(
                    select(schema.alerts)
                    .where(a.updated_ms > self._alert_ms)
                    .order_by(a.updated_ms)
                )
                .mappings()
                .all()
            )
        for r in rows:
            self._alert_ms = max(self._alert_ms, int(r["updated_ms"]))
            alerts.append(
                {
                    "id": r["id"],
                    "kind": r["kind"],
                    "mmsi": r["mmsi"],
                    "zone": r["zone"],
                    "state": r["state"],
                    "severity": r["severity"],
                    "unit": r["unit"],
                    "start_ms": r["start_ms"],
                    "end_ms": r["end_ms"],
                    "lat": r["lat"],
                    "lon": r["lon"],
                }
            )
        if not changed and not alerts:
            return False
        with self._cond:
            self.version += 1
            self.frames.append(Frame(self.version, changed, alerts))
            del self.frames[:-KEEP_FRAMES]
            self._cond.notify_all()
            self._wake_async()
        return True

    def _run(self) -> None:
        while not self._stop.is_set():
            with contextlib.suppress(OSError, ValueError):  # a file being replaced: next round
                self.poll()
            self._stop.wait(POLL_S)

    def wait(self, after: int, timeout: float) -> int:
        """Block until a frame newer than ``after`` exists (or timeout); returns the version."""
        with self._cond:
            self._cond.wait_for(lambda: self.version > after or self._stop.is_set(), timeout)
            return self.version

    async def wait_async(self, after: int, timeout: float) -> int:
        """:meth:`wait` without holding a thread: for the event loop of the web server."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._cond:
            if self.version > after or self._stop.is_set():
                return self.version
            self._waiters.add((loop, future))
        try:
            await asyncio.wait_for(future, timeout)
        except TimeoutError:
            with self._cond:
                self._waiters.discard((loop, future))
        return self.version

    def since(self, version: int) -> tuple[bool, list[list[Any]], list[dict[str, Any]]]:
        """(full, vessel rows, alerts) a client at ``version`` needs to catch up."""
        full, rows, alerts, _ = self._since(version)
        return full, rows, alerts

    def _since(self, version: int) -> tuple[bool, list[list[Any]], list[dict[str, Any]], int]:
        with self._cond:
            frames = [f for f in self.frames if f.version > version]
            contiguous = bool(frames) and frames[0].version == version + 1
            alerts = [a for f in frames for a in f.alerts]
            if version == 0 or not contiguous:
                return True, list(self.full.values()), alerts, self.version
            merged: dict[Any, list[Any]] = {}
            for f in frames:
                for row in f.changed:
                    merged[row[0]] = row
            return False, list(merged.values()), alerts, self.version

    def events(
        self, version: int, scope: Hashable, allowed: Callable[[Any], bool] | None
    ) -> tuple[int, list[bytes]]:
        """The encoded events taking a client of a scope from ``version`` to now.

        Clients of the same scope at the same version share one encoding: the rows are
        filtered and encoded once per (version, newest version, scope).
        """
        with self._encode_lock:
            newest = self.version
            key = (version, newest, scope)
            hit = self._encoded.get(key)
            if hit is not None:
                self._encoded.move_to_end(key)
                return newest, hit
            full, rows, alerts, newest = self._since(version)
            if allowed is not None:
                rows = [r for r in rows if allowed(r)]
                alerts = [a for a in alerts if allowed(a)]
            out = [encode("vessels", {"v": newest, "full": full, "rows": rows})]
            out.extend(encode("alert", a) for a in alerts)
            self._encoded[(version, newest, scope)] = out
            while len(self._encoded) > ENCODED_KEEP:
                self._encoded.popitem(last=False)
            return newest, out


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def encode(event: str, data: dict[str, Any]) -> bytes:
    """One server-sent event."""
    return b"event: " + event.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


async def stream(
    hub: LiveHub,
    allowed: Callable[[Any], bool] | None,
    max_seconds: float | None = None,
    scope: Hashable = None,
) -> Any:
    """Events for one client: a full picture first, then changes, and a heartbeat every 15 s.

    ``scope`` identifies what ``allowed`` lets through: clients with equal scopes share
    their frames' encoding.
    """
    version = 0
    started = time.monotonic()
    hub.clients += 1
    try:
        yield b"retry: 2000\n\n"
        while max_seconds is None or time.monotonic() - started < max_seconds:
            new = await hub.wait_async(version, 15.0)
            if new == version:
                yield b": keep-alive\n\n"
                continue
            version, events = await asyncio.to_thread(hub.events, version, scope, allowed)
            for event in events:
                yield event
    finally:
        hub.clients -= 1
