"""Writing a simulation to files, or sending it as a live feed.

Files written for ``--out sim.nmea`` (``.gz`` compresses):

- ``sim.nmea``: the AIS lines as the base stations received them, in receive-time order;
- ``sim.beidou.jsonl``: BeiDou terminal reports of the fishing vessels;
- ``sim.events.jsonl``: the ground-truth events of the scripted scenarios;
- ``sim.fleet.jsonl``: every simulated vessel's identity;
- ``sim.zones.geojson``: the area's supervision zones (for ``seawarden zones import``);
- ``sim.truth.json``: counts (transmissions, lines, damaged lines, positions received intact).
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any, cast
from urllib.parse import urlparse

import orjson

from seawarden.sim.area import zones_geojson
from seawarden.sim.engine import Simulation

STEP_MS = 600_000


def companion(out: Path, suffix: str) -> Path:
    """``sim.nmea`` → ``sim<suffix>`` (also for ``sim.nmea.gz``)."""
    name = out.name
    stem = name.split(".", 1)[0] if "." in name else name
    return out.with_name(stem + suffix)


def _open(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return cast(IO[bytes], gzip.open(path, "wb", compresslevel=3))
    return open(path, "wb")


def write_files(
    sim: Simulation,
    out: Path,
    beidou: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Any]:
    """Write the whole configured window; returns the truth summary."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    beidou = beidou or companion(out, ".beidou.jsonl")
    totals: dict[str, int] = {}
    t0, t1 = sim.start_ms, sim.end_ms
    with ExitStack() as stack:
        fh = stack.enter_context(_open(out))
        bh = stack.enter_context(open(beidou, "wb"))
        for window in sim.windows(t0, t1, STEP_MS):
            fh.write(b"".join(window.lines))
            for rec in window.beidou:
                bh.write(orjson.dumps(rec) + b"\n")
            for k, v in window.counts.items():
                totals[k] = totals.get(k, 0) + v
            if progress is not None:
                progress(min(int(window.positions.time.max(initial=t0)) - t0, t1 - t0), t1 - t0)
    with open(companion(out, ".events.jsonl"), "wb") as eh:
        for ev in sim.events:
            eh.write(orjson.dumps(ev) + b"\n")
    companion(out, ".zones.geojson").write_text(zones_geojson(sim.area), encoding="utf-8")
    with open(companion(out, ".fleet.jsonl"), "wb") as vh:
        for vessel in sim.fleet:
            vh.write(orjson.dumps(vessel.as_dict()) + b"\n")
    truth = {
        "area": sim.area.name,
        "start": sim.start_ms,
        "end": sim.end_ms,
        "vessels": len(sim.fleet),
        "seed": sim.config.seed,
        "counts": totals,
        "events": len(sim.events),
        "files": {"nmea": str(out), "beidou": str(beidou)},
    }
    companion(out, ".truth.json").write_text(json.dumps(truth, indent=1))
    return truth


class LiveFeed:
    """Sends simulated traffic in real time to ``tcp://host:port`` or ``udp://host:port``."""

    def __init__(self, sim: Simulation, target: str, speed: float = 1.0) -> None:
        self.sim = sim
        self.target = target
        self.speed = speed
        self.sent_lines = 0
        self.stop = threading.Event()
        self.errors: list[str] = []

    def _connect(self) -> tuple[socket.socket, Callable[[bytes], None]]:
        u = urlparse(self.target)
        addr = (u.hostname or "127.0.0.1", u.port or 0)
        if u.scheme == "udp":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)

            def send(data: bytes) -> None:
                s.sendto(data, addr)

            return s, send
        if u.scheme == "tcp":
            s = socket.create_connection(addr, timeout=10)
            return s, s.sendall
        raise ValueError(f"live target must be tcp:// or udp://, not {self.target}")

    def _reconnect(self) -> tuple[socket.socket, Callable[[bytes], None]] | None:
        """Connect again, once a second, until connected (``None``: stopped first)."""
        while not self.stop.wait(1.0):
            try:
                return self._connect()
            except OSError as exc:
                self.errors.append(str(exc))
        return None

    def run(self, start_ms: int | None = None, duration_s: float | None = None) -> None:
        """Send windows of traffic, each line when its receive time comes (until stopped)."""
        t_sim = start_ms if start_ms is not None else int(time.time() * 1000)
        wall0, sim0 = time.monotonic(), t_sim
        sock, send = self._connect()
        with sock:
            while not self.stop.is_set():
                window = self.sim.window(t_sim, t_sim + 60_000, beidou=False)
                for line, rx in zip(window.lines, window.rx_ms.tolist(), strict=True):
                    delay = wall0 + (rx - sim0) / 1000 / self.speed - time.monotonic()
                    if delay > 0 and self.stop.wait(delay):
                        return
                    try:
                        send(line)
                    except OSError as exc:
                        self.errors.append(str(exc))
                        sock.close()
                        again = self._reconnect()
                        if again is None:
                            return
                        sock, send = again
                    self.sent_lines += 1
                t_sim += 60_000
                if duration_s is not None and (t_sim - sim0) / 1000 / self.speed >= duration_s:
                    return
