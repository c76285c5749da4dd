"""The web platform under load: the latest picture, one vessel's day, 100 live clients.

``seawarden serve`` (uvicorn, one process) runs as a subprocess on loopback over a data
directory made from the supervision bench's store (``bench/supervision_bench.py``, cached
under ``bench/.cache/supervision-store``; built first when missing): 10,000 vessels off the
Zhejiang coast over one UTC day (about 10 million positions) with their particulars
(``vessels.parquet``). The store's files are hard-linked into ``bench/.cache/web-data``
(rebuilt at every run), the latest-position table is made from the day's last three hours
with the ingester's own ``LatestPositions`` + ``atomic_write_table``, and a province-level
organisation with one duty officer is created through ``seawarden.security.accounts``.
The load logs in through ``POST /api/auth/login`` and sends the session cookie.

1. ``GET /api/vessels/latest`` (10,000 vessels): wrk ``--latency`` on loopback, after a
   warm-up, for a fixed time with one connection (the service time) and with a few.
2. ``GET /api/vessels/{mmsi}/track?from=<day start>&to=<day end>``: the same, cycling over
   200 random vessels (a Lua script gives wrk the cookie and the paths).
3. ``GET /api/live``: 100 server-sent-event clients (asyncio + httpx, this process) while a
   writer process rewrites ``latest.parquet`` once a second with all 10,000 vessels moved
   (dead reckoning from their speed and course; the row time is the update's wall-clock
   time) through the same ``LatestPositions.update`` + ``atomic_write_table`` the ingester
   uses. Each client records, per event, when it had the whole event, the frame version,
   the ``full`` flag and the rows' time; the lag of an update is the time from the
   writer's ``os.replace`` of the file to a client having the frame that carries it (so
   it includes the hub's polling, every `seawarden.web.live.POLL_S` seconds).

The targets are judged at the larger wrk connection count (the single-connection run is
reported next to it). wrk is a closed-loop generator: each connection waits for its
answer, so the server is never offered more than it can take (coordinated omission).
Afterwards the parts of each request are timed in this process (no HTTP) to show where the
time goes. Writes bench/results/web.json.

``python bench/web_bench.py [--duration 20] [--connections 1,4] [--clients 100]
[--live-duration 30]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
CACHE = HERE / ".cache"
DATA = CACHE / "web-data"
SERVE = Path(sys.executable).parent / "seawarden"

#: Load parameters (recorded in the results).
CONFIG: dict[str, Any] = {
    "wrk_duration_s": 30,
    "wrk_warmup_s": 5,
    "wrk_connections": [1, 4],
    "wrk_threads_max": 2,
    "wrk_timeout_s": 30,
    "track_vessels": 200,
    "live_clients": 100,
    "live_warmup_s": 8,
    "live_duration_s": 30,
    "live_grace_s": 3,
    "update_interval_s": 1.0,
    "seed": 5,
}
TARGETS = {
    "latest": {"metric": "p99_ms", "below": 100.0},
    "track": {"metric": "p99_ms", "below": 50.0},
    "live": {
        "clients": 100,
        "vessels": 10_000,
        "updates_per_second": 1.0,
        "max_p99_lag_ms": 1000.0,
        "rule": (
            "every client gets every update written in the window in its own frame (no"
            " frame skipped or merged), no full resync after the first frame, and the p99"
            " lag from the file's replacement to a client having the frame is below the"
            " update interval (1 s)"
        ),
    },
}
ORG = ("ZJ", "浙江海事局", "province")
USER = "bench_duty"
ROLE = "duty_officer"
PASSWORD = "Tide-Table-42!x"
EXTRA_LAST_HOURS = 3


# --------------------------------------------------------------------------- helpers
def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"python": platform.python_version(), "cpu": cpu, "cpus": os.cpu_count()}


def _pct(values: list[float], p: float) -> float | None:
    return float(np.percentile(values, p)) if values else None


def _cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds of a process (all its threads), from /proc."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --------------------------------------------------------------------------- data
def source_store() -> tuple[Path, dict[str, Any]]:
    """The supervision bench's store (built by that bench's own code when missing)."""
    import supervision_bench as sb
    from seawarden.tracks.store import TrackStore

    path = sb.STORE / sb.MANIFEST
    if path.exists():
        info = json.loads(path.read_text())
        if info.get("key") == sb._manifest_key() and TrackStore(sb.STORE).rows() == info.get(
            "rows"
        ):
            return sb.STORE, info
    seed = int(sb.WORLD["seed"])  # type: ignore[arg-type]
    fleet = sb.Fleet(int(sb.WORLD["vessels"]), seed)  # type: ignore[arg-type]
    info = sb.ensure_store(sb.make_zones(seed), fleet, fleet.positions())
    return sb.STORE, info


def build_data(src: Path) -> dict[str, Any]:
    """A fresh data directory: the store's files (hard links), particulars, latest, accounts."""
    import pyarrow.parquet as pq

    from seawarden.db.engine import connect
    from seawarden.ingest.pipeline import atomic_write_table
    from seawarden.positions.batch import PositionBatch
    from seawarden.security import accounts
    from seawarden.security.actor import cli_actor
    from seawarden.tracks.latest import LatestPositions
    from seawarden.tracks.query import TrackQuery
    from seawarden.tracks.store import DAY_MS

    shutil.rmtree(DATA, ignore_errors=True)
    (DATA / "state").mkdir(parents=True)
    commit = json.loads((src / "state" / "commit.json").read_text())
    for rel in commit["files"]:
        dst = DATA / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(src / rel, dst)
        except OSError:
            shutil.copy2(src / rel, dst)
    shutil.copy2(src / "state" / "commit.json", DATA / "state" / "commit.json")
    shutil.copy2(src / "vessels.parquet", DATA / "vessels.parquet")
    days = sorted({Path(f).parts[1].removeprefix("day=") for f in commit["files"]})
    end = int(np.datetime64(days[-1], "ms").astype(np.int64)) + DAY_MS
    last = TrackQuery.open(DATA).positions(end - EXTRA_LAST_HOURS * 3_600_000, end - 1)
    latest = LatestPositions()
    latest.update(PositionBatch.from_arrow(last))
    atomic_write_table(DATA / "latest.parquet", latest.rows.to_arrow())
    engine = connect(db_url())
    who = cli_actor("web-bench")
    accounts.create_organisation(engine, who, ORG[0], ORG[1], None, ORG[2])
    accounts.create_user(engine, who, USER, PASSWORD, [ROLE], ORG[0])
    engine.dispose()
    rows = sum(pq.read_metadata(DATA / f).num_rows for f in commit["files"] if f.startswith("t"))
    return {
        "days": days,
        "positions": rows,
        "files": len(commit["files"]),
        "bytes": sum((DATA / f).stat().st_size for f in commit["files"]),
        "latest_rows": len(latest),
        "vessels_parquet_rows": pq.read_metadata(DATA / "vessels.parquet").num_rows,
    }


def db_url() -> str:
    return f"sqlite:///{DATA / 'seawarden.db'}"


# --------------------------------------------------------------------------- the live writer
class Mover:
    """The latest-position table moved forward one update at a time (the ingester's writer)."""

    def __init__(self, data_dir: Path) -> None:
        import pyarrow.parquet as pq

        from seawarden.positions.batch import PositionBatch
        from seawarden.tracks.latest import LatestPositions

        self.path = data_dir / "latest.parquet"
        self.latest = LatestPositions(PositionBatch.from_arrow(pq.read_table(self.path)))

    def step(self, t_ms: int, seconds: float = 1.0) -> None:
        """Every vessel dead-reckoned ``seconds`` on, at time ``t_ms``; rewrites the file."""
        from seawarden.ingest.pipeline import atomic_write_table

        b = self.latest.rows.take(np.arange(len(self.latest)))
        sog = np.nan_to_num(b.sog.astype(np.float64))
        cog = np.radians(np.nan_to_num(b.cog.astype(np.float64)))
        deg = sog * seconds / 3600.0 / 60.0
        b.lat = b.lat + deg * np.cos(cog)
        b.lon = b.lon + deg * np.sin(cog) / np.cos(np.radians(b.lat))
        b.time = np.full(len(b), t_ms, dtype=np.int64)
        b.rxtime = b.time + 300
        self.latest.update(b)
        atomic_write_table(self.path, self.latest.rows.to_arrow())


def writer_main(data_dir: Path, log: Path, interval_s: float) -> None:
    """Rewrite latest.parquet on every whole interval until terminated; log each update."""
    mover = Mover(data_dir)
    stop = False

    def _stop(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, _stop)
    with open(log, "a") as out:
        while not stop:
            tick = (int(time.time() / interval_s) + 1) * interval_s
            time.sleep(max(0.0, tick - time.time()))
            if stop:
                break
            t0 = time.time()
            mover.step(int(tick * 1000), interval_s)
            done = time.time()
            out.write(
                json.dumps(
                    {
                        "tick_ms": int(tick * 1000),
                        "done_ms": done * 1000,
                        "write_ms": (done - t0) * 1000,
                    }
                )
                + "\n"
            )
            out.flush()


# --------------------------------------------------------------------------- the server
@dataclass
class Server:
    """``seawarden serve`` as a subprocess."""

    port: int = field(default_factory=_free_port)
    proc: subprocess.Popen[bytes] | None = None
    log: Path = DATA / "serve.log"

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 90.0) -> None:
        import httpx

        cmd = [str(SERVE), "serve", "--data-dir", str(DATA), "--database-url", db_url()]
        cmd += ["--port", str(self.port)]
        with open(self.log, "wb") as fh:
            self.proc = subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"seawarden serve exited:\n{self.log.read_text()[-3000:]}")
            with contextlib.suppress(httpx.HTTPError):
                r = httpx.get(self.base + "/api/health", timeout=2)
                if r.status_code == 200 and r.json().get("track_store"):
                    return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"no /api/health within {timeout:.0f} s:\n{self.log.read_text()}")

    def cpu(self) -> float | None:
        return _cpu_seconds(self.proc.pid) if self.proc else None

    def stop(self) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGINT)
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def login(base: str) -> str:
    """The session cookie's value (taken from Set-Cookie: the cookie is Secure)."""
    import httpx

    from seawarden.web.deps import COOKIE

    r = httpx.post(
        base + "/api/auth/login", json={"username": USER, "password": PASSWORD}, timeout=30
    )
    r.raise_for_status()
    if r.json().get("mfa_required"):
        raise RuntimeError("the bench account unexpectedly needs a second factor")
    return str(r.cookies[COOKIE])


# --------------------------------------------------------------------------- wrk
def ensure_wrk() -> tuple[str | None, str]:
    """wrk's path (installed with apt-get when missing and possible), or None and why."""
    found = shutil.which("wrk")
    if found:
        return found, "found"
    apt = shutil.which("apt-get")
    if apt is None or os.geteuid() != 0:
        return None, "wrk is not installed and apt-get cannot be run here (not root or no apt)"
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    r = subprocess.run([apt, "install", "-y", "wrk"], capture_output=True, env=env)
    if r.returncode != 0:
        subprocess.run([apt, "update"], capture_output=True, env=env)
        r = subprocess.run([apt, "install", "-y", "wrk"], capture_output=True, env=env)
    found = shutil.which("wrk")
    if found:
        return found, "installed with apt-get install -y wrk"
    return None, f"apt-get install -y wrk failed: {r.stderr.decode(errors='replace')[-300:]}"


LUA = """
local paths = {%(paths)s}
local n = #paths
local next_id = 0
wrk.headers["Cookie"] = "%(cookie)s"
wrk.headers["Accept"] = "application/json"

setup = function(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
end

init = function(args)
  i = (tid or 0) * 7919
end

request = function()
  i = i + 1
  return wrk.format("GET", paths[(i %% n) + 1])
end

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "bytes": %%d, ' ..
    '"errors": {"connect": %%d, "read": %%d, "write": %%d, "status": %%d, "timeout": %%d}, ' ..
    '"latency_us": {"min": %%.1f, "mean": %%.1f, "stdev": %%.1f, "max": %%.1f, ' ..
    '"p50": %%.1f, "p75": %%.1f, "p90": %%.1f, "p99": %%.1f, "p999": %%.1f}}\\n',
    summary.requests, summary.duration, summary.bytes,
    e.connect, e.read, e.write, e.status, e.timeout,
    latency.min, latency.mean, latency.stdev, latency.max,
    latency:percentile(50), latency:percentile(75), latency:percentile(90),
    latency:percentile(99), latency:percentile(99.9)))
end
"""


def wrk_run(
    wrk: str,
    server: Server,
    paths: list[str],
    cookie: str,
    connections: int,
    seconds: int,
    progress: Any,
    label: str,
) -> dict[str, Any]:
    """One wrk run; its latency distribution and counters (milliseconds)."""
    from seawarden.web.deps import COOKIE

    threads = min(connections, int(CONFIG["wrk_threads_max"]))
    lua = LUA % {
        "paths": ", ".join(json.dumps(p) for p in paths),
        "cookie": f"{COOKIE}={cookie}",
    }
    with tempfile.NamedTemporaryFile("w", suffix=".lua", dir=CACHE, delete=False) as fh:
        fh.write(lua)
        script = fh.name
    cmd = [wrk, "--latency", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s"]
    cmd += ["--timeout", f"{CONFIG['wrk_timeout_s']}s", "-s", script, server.base + paths[0]]
    task = progress.add_task(label, total=seconds)
    cpu0, t0 = server.cpu(), time.monotonic()
    load0 = os.getloadavg()[0]
    try:
        with subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE) as proc:
            while proc.poll() is None:
                progress.update(task, completed=min(seconds, time.monotonic() - t0))
                time.sleep(0.25)
            out, err = proc.communicate()
    finally:
        os.unlink(script)
    wall = time.monotonic() - t0
    cpu1 = server.cpu()
    progress.update(task, completed=seconds)
    progress.remove_task(task)
    text = out.decode(errors="replace")
    found = re.search(r"^WRKJSON (.*)$", text, re.M)
    if proc.returncode != 0 or found is None:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {text}\n{err.decode()}")
    raw = json.loads(found.group(1))
    lat = {k: v / 1000.0 for k, v in raw["latency_us"].items()}
    secs = raw["duration_us"] / 1e6
    return {
        "connections": connections,
        "threads": threads,
        "seconds": round(secs, 2),
        "requests": raw["requests"],
        "requests_per_second": raw["requests"] / secs,
        "bytes_per_request": raw["bytes"] / max(raw["requests"], 1),
        "p50_ms": lat["p50"],
        "p75_ms": lat["p75"],
        "p90_ms": lat["p90"],
        "p99_ms": lat["p99"],
        "p999_ms": lat["p999"],
        "mean_ms": lat["mean"],
        "min_ms": lat["min"],
        "max_ms": lat["max"],
        "errors": raw["errors"],
        "server_cpu_share": (cpu1 - cpu0) / wall if cpu0 is not None and cpu1 is not None else None,
        "load_average_1min": [round(load0, 2), round(os.getloadavg()[0], 2)],
    }


def http_target(
    name: str,
    wrk: str,
    server: Server,
    cookie: str,
    paths: list[str],
    duration: int,
    connections: list[int],
    progress: Any,
) -> dict[str, Any]:
    """Warm up, then one measured wrk run per connection count; judged at the largest."""
    runs = {}
    wrk_run(wrk, server, paths, cookie, 2, int(CONFIG["wrk_warmup_s"]), progress, f"{name} warm-up")
    for c in connections:
        r = wrk_run(wrk, server, paths, cookie, c, duration, progress, f"{name} c={c}")
        runs[str(c)] = r
        progress.console.print(
            f"  {name:6s} c={c}: p50 {r['p50_ms']:7.1f} ms  p90 {r['p90_ms']:7.1f} ms  "
            f"p99 {r['p99_ms']:7.1f} ms  {r['requests_per_second']:7.1f} req/s  "
            f"errors {sum(r['errors'].values())}"
        )
    judged = runs[str(max(connections))]
    below = float(TARGETS[name]["below"])  # type: ignore[arg-type]
    p99 = judged["p99_ms"]
    clean = sum(judged["errors"].values()) == 0
    return {
        "target": {
            **TARGETS[name],
            "text": f"p99 < {below:g} ms",
            "at_connections": max(connections),
        },
        "measured": {
            k: judged[k]
            for k in ("connections", "p50_ms", "p90_ms", "p99_ms", "max_ms", "requests_per_second")
        },
        "met": bool(p99 < below and clean),
        "margin": (
            f"p99 {p99:.1f} ms is {below - p99:.1f} ms under the target"
            if p99 < below
            else f"p99 {p99:.1f} ms misses the target by {p99 - below:.1f} ms ({p99 / below:.1f}x)"
        )
        + ("" if clean else "; some requests failed (see errors)"),
        "runs": runs,
    }


# --------------------------------------------------------------------------- live clients
@dataclass
class ClientLog:
    """What one live client saw: per vessels event (receive s, version, full, rows, row ms)."""

    status: int | None = None
    events: list[tuple[float, int, bool, int, int | None]] = field(default_factory=list)
    bytes: int = 0
    error: str | None = None


HEAD = re.compile(rb'^event: vessels\ndata: \{"v":(\d+),"full":(true|false),"rows":\[(\[[^\]]*\])?')


async def live_client(client: Any, url: str, headers: dict[str, str], log: ClientLog) -> None:
    """Read the stream; note each vessels event when it is complete (headers only parsed)."""
    import orjson

    try:
        async with client.stream("GET", url, headers=headers) as r:
            log.status = r.status_code
            if r.status_code != 200:
                log.error = (await r.aread()).decode(errors="replace")[:200]
                return
            buf = bytearray()
            async for chunk in r.aiter_raw():
                now = time.time()
                scan = max(0, len(buf) - 1)
                buf += chunk
                log.bytes += len(chunk)
                while (end := buf.find(b"\n\n", scan)) >= 0:
                    m = HEAD.match(bytes(buf[:400]))
                    if m:
                        first = orjson.loads(m.group(3)) if m.group(3) else None
                        rows = buf.count(b"],[", 0, end) + 1 if first is not None else 0
                        log.events.append(
                            (
                                now,
                                int(m.group(1)),
                                m.group(2) == b"true",
                                rows,
                                int(first[7]) if first else None,
                            )
                        )
                    del buf[: end + 2]
                    scan = 0
    except asyncio.CancelledError:
        raise
    except Exception as exc:
        log.error = f"{type(exc).__name__}: {exc}"


async def live_load(
    server: Server, cookie: str, n: int, writer_cmd: list[str], wlog: Path, progress: Any
) -> dict[str, Any]:
    """Connect n clients, start the writer, warm up, measure a window, stop."""
    import httpx

    from seawarden.web.deps import COOKIE

    warm, dur, grace = (CONFIG[k] for k in ("live_warmup_s", "live_duration_s", "live_grace_s"))
    logs = [ClientLog() for _ in range(n)]
    limits = httpx.Limits(max_connections=n + 10, max_keepalive_connections=n + 10)
    timeout = httpx.Timeout(connect=60, read=120, write=60, pool=120)
    url = f"{server.base}/api/live?max_seconds={warm + dur + 600}"
    headers = {"Cookie": f"{COOKIE}={cookie}", "Accept": "text/event-stream"}
    writer: subprocess.Popen[bytes] | None = None
    async with httpx.AsyncClient(limits=limits, timeout=timeout) as client:
        tasks = [asyncio.create_task(live_client(client, url, headers, lg)) for lg in logs]
        task = progress.add_task(f"live: {n} clients connecting", total=n)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            ready = sum(1 for lg in logs if lg.events or lg.error or lg.status not in (None, 200))
            progress.update(task, completed=ready)
            if ready == n:
                break
            await asyncio.sleep(0.2)
        progress.remove_task(task)
        connected = sum(1 for lg in logs if lg.events)
        writer = subprocess.Popen(writer_cmd)
        try:
            task = progress.add_task("live: warm-up", total=warm)
            t = time.monotonic()
            while (el := time.monotonic() - t) < warm:
                progress.update(task, completed=el)
                await asyncio.sleep(0.25)
            progress.remove_task(task)
            window = (time.time(), time.time() + dur)
            bytes0 = sum(lg.bytes for lg in logs)
            cpu0, wall0, self0 = server.cpu(), time.monotonic(), time.process_time()
            task = progress.add_task(f"live: {n} clients, measuring", total=dur)
            t = time.monotonic()
            while (el := time.monotonic() - t) < dur:
                progress.update(task, completed=el)
                await asyncio.sleep(0.25)
            progress.remove_task(task)
            wall = time.monotonic() - wall0
            cpu1 = server.cpu()
            usage = {
                "server_cpu_share": (cpu1 - cpu0) / wall if cpu0 is not None and cpu1 else None,
                "client_process_cpu_share": (time.process_time() - self0) / wall,
                "received_mbytes_per_second": (sum(lg.bytes for lg in logs) - bytes0) / wall / 1e6,
            }
        finally:
            writer.send_signal(signal.SIGTERM)
            await asyncio.to_thread(writer.wait, 30)
        await asyncio.sleep(grace)
        for t_ in tasks:
            t_.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    return analyse_live(logs, wlog, window, connected, usage)


def analyse_live(
    logs: list[ClientLog],
    wlog: Path,
    window: tuple[float, float],
    connected: int,
    usage: dict[str, Any],
) -> dict[str, Any]:
    """Per-client lag, skipped frames and resyncs over the updates written in the window."""
    updates = [json.loads(line) for line in wlog.read_text().splitlines() if line.strip()]
    done = {u["tick_ms"]: u["done_ms"] for u in updates}
    in_window = sorted(t for t, d in done.items() if window[0] * 1000 <= d <= window[1] * 1000)
    wanted = set(in_window)
    lags: list[float] = []
    fanout: list[float] = []
    first_seen: dict[int, float] = {}
    per_client = []
    versions: dict[int, int] = {}  # version -> tick it carried
    for lg in logs:
        for when, v, _full, _rows, tick in lg.events:
            if tick in wanted:
                first_seen[v] = min(first_seen.get(v, when), when)
                versions[v] = tick
    for lg in logs:
        got = [e for e in lg.events if e[4] in wanted]
        ticks = {e[4] for e in got}
        gaps = sum(1 for a, b in itertools.pairwise(got) if b[1] - a[1] > 1)
        resyncs = sum(1 for e in lg.events[1:] if e[2])
        client_lags = [(e[0] * 1000 - done[e[4]]) for e in got]  # type: ignore[index]
        lags += client_lags
        fanout += [(e[0] - first_seen[e[1]]) * 1000 for e in got]
        per_client.append(
            {
                "frames": len(got),
                "updates_received": len(ticks),
                "version_gaps": gaps,
                "resyncs_after_first": resyncs,
                "rows_median": statistics.median([e[3] for e in got]) if got else 0,
                "p99_lag_ms": _pct(client_lags, 99),
                "error": lg.error,
                "status": lg.status,
                "mbytes": lg.bytes / 1e6,
            }
        )
    frames_produced = len(versions)
    updates_framed = len(set(versions.values()))
    frames = [c["frames"] for c in per_client]
    received = [c["updates_received"] for c in per_client]
    missed = [len(in_window) - r for r in received]
    resyncs = sum(c["resyncs_after_first"] for c in per_client)
    gaps = sum(c["version_gaps"] for c in per_client)
    p99 = _pct(lags, 99)
    limit = float(TARGETS["live"]["max_p99_lag_ms"])  # type: ignore[arg-type]
    checks = {
        "all_clients_connected": connected == len(logs),
        "every_update_framed_by_the_hub": updates_framed == len(in_window) and bool(in_window),
        "no_client_missed_an_update": bool(in_window) and max(missed) == 0,
        "no_resync_full_frames": resyncs == 0,
        "p99_lag_below_interval": p99 is not None and p99 < limit,
    }
    writes = [u["write_ms"] for u in updates]
    measured = {
        "clients": len(logs),
        "clients_connected": connected,
        "window_s": round(window[1] - window[0], 1),
        "updates_written": len(in_window),
        "frames_produced": frames_produced,
        "updates_framed": updates_framed,
        "frames_received_per_client": {
            "min": min(frames),
            "median": statistics.median(frames),
            "max": max(frames),
        },
        "updates_missed_per_client": {
            "min": min(missed),
            "median": statistics.median(missed),
            "max": max(missed),
        },
        "clients_that_missed_updates": sum(1 for m in missed if m),
        "version_gaps_total": gaps,
        "resync_full_frames_total": resyncs,
        "lag_ms": {
            "p50": _pct(lags, 50),
            "p90": _pct(lags, 90),
            "p99": p99,
            "max": max(lags) if lags else None,
            "samples": len(lags),
        },
        "fanout_ms": {
            "note": "a client's receive time minus the first client's, for the same frame",
            "p50": _pct(fanout, 50),
            "p99": _pct(fanout, 99),
            "max": max(fanout) if fanout else None,
        },
        "worst_client_p99_lag_ms": max(
            (c["p99_lag_ms"] for c in per_client if c["p99_lag_ms"] is not None), default=None
        ),
        "rows_per_frame_median": statistics.median(
            [c["rows_median"] for c in per_client if c["frames"]] or [0]
        ),
        "writer_write_ms": {"median": _pct(writes, 50), "max": max(writes) if writes else None},
        **usage,
        "client_errors": sorted({c["error"] for c in per_client if c["error"]}),
    }
    met = all(checks.values())
    failed = [k for k, ok in checks.items() if not ok]
    return {
        "target": TARGETS["live"],
        "measured": measured,
        "checks": checks,
        "met": met,
        "margin": (
            f"p99 lag {p99:.0f} ms against {limit:.0f} ms" if p99 is not None else "no lag measured"
        )
        + ("" if met else f"; failed: {', '.join(failed)}"),
    }


# --------------------------------------------------------------------------- in-process parts
def _median_ms(fn: Any, n: int = 7) -> float:
    fn()
    ms = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        ms.append((time.perf_counter() - t0) * 1000)
    return statistics.median(ms)


def diagnose(track_mmsi: int, day: str, clients: int, token: str) -> dict[str, Any]:
    """The steps of each request timed in this process (no HTTP, no server)."""
    import orjson
    import pyarrow.parquet as pq

    from seawarden.db.engine import connect
    from seawarden.security import accounts
    from seawarden.tracks.json_rows import positions_json
    from seawarden.tracks.output import records
    from seawarden.tracks.query import TrackQuery, to_ms
    from seawarden.web.live import LiveHub, encode
    from seawarden.web.query_pool import TrackRequest, track_answer

    engine = connect(db_url())
    q = TrackQuery.open(DATA)
    table = q.latest()
    t0 = f"{day}T00:00:00Z"
    t1 = f"{day}T23:59:59.999Z"
    track_table = q.track(track_mmsi, t0, t1)
    request = TrackRequest(str(DATA), track_mmsi, to_ms(t0), to_ms(t1), None, None, 10_000)

    def session() -> Any:
        _session, u = accounts.resolve(engine, token)  # type: ignore[misc]
        return accounts.actor_for(engine, u, "127.0.0.1", None)

    latest = {
        "rows": table.num_rows,
        "session_and_actor_ms": _median_ms(session),
        "read_latest_parquet_ms": _median_ms(q.latest),
        "positions_json_ms": _median_ms(lambda: positions_json(table)),
        "compare_records_and_orjson_ms": _median_ms(
            lambda: orjson.dumps({"vessels": list(records(table))})
        ),
        "response_bytes": len(positions_json(table)),
    }
    track = {
        "mmsi": track_mmsi,
        "positions": track_table.num_rows,
        "session_and_actor_ms": latest["session_and_actor_ms"],
        "particulars_read_latest_ms": _median_ms(q.latest),
        "particulars_read_vessels_parquet_to_pylist_ms": _median_ms(
            lambda: pq.read_table(DATA / "vessels.parquet").to_pylist()
        ),
        "query_track_ms": _median_ms(lambda: q.track(track_mmsi, t0, t1)),
        "positions_json_ms": _median_ms(lambda: positions_json(track_table)),
        "compare_records_and_orjson_ms": _median_ms(
            lambda: orjson.dumps({"positions": list(records(track_table))})
        ),
        "track_answer_ms": _median_ms(lambda: track_answer(request)),
    }
    hub = LiveHub(DATA, engine)
    hub.poll()  # the first picture
    mover = Mover(DATA)
    polls = []
    for _ in range(5):
        mover.step(int(time.time() * 1000))
        hub._mtime = 0.0  # the file changed (a same-second mtime would hide it)
        t = time.perf_counter()
        hub.poll()
        polls.append((time.perf_counter() - t) * 1000)
    v = hub.version

    cells: frozenset[str] | None = None

    def allowed(item: Any) -> bool:  # the route's predicate, without a supervision grid
        if isinstance(item, dict):
            return True
        return cells is None or item[2] in cells

    def one_client() -> int:
        _full, rows, _alerts = hub.since(v - 1)
        rows = [r for r in rows if allowed(r)]
        return len(encode("vessels", {"v": v, "full": False, "rows": rows}))

    per_client = _median_ms(one_client)
    live = {
        "hub_poll_10000_changed_ms": statistics.median(polls),
        "per_client_since_filter_encode_ms": per_client,
        "per_update_all_clients_ms": per_client * clients,
        "frame_bytes": one_client(),
        "json_encode_only_ms": _median_ms(
            lambda: orjson.dumps({"v": v, "full": False, "rows": hub.since(v - 1)[1]})
        ),
    }
    hub.stop()
    engine.dispose()
    return {
        "note": (
            "Median of 7 calls in the bench process after the load, with the server stopped;"
            " the per-client live cost copies what stream() does for every client and frame"
            " (hub.since, a Python predicate per row as for any user with an organisation,"
            " orjson)."
        ),
        "latest": latest,
        "track": track,
        "live": live,
    }


# --------------------------------------------------------------------------- run
@contextlib.contextmanager
def _progress() -> Iterator[Any]:
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn()
    ) as p:
        yield p


def _step(progress: Any, text: str) -> Any:
    return progress.add_task(text, total=None)


def run(
    duration: int | None = None,
    connections: list[int] | None = None,
    clients: int | None = None,
    live_duration: int | None = None,
    wait_quiet: float = 0.0,
) -> dict[str, Any]:
    """Build the data directory, serve it, run the three loads; writes bench/results/web.json."""
    import httpx

    from seawarden.web.deps import COOKIE

    if duration:
        CONFIG["wrk_duration_s"] = duration
    if connections:
        CONFIG["wrk_connections"] = sorted(connections)
    if clients:
        CONFIG["live_clients"] = clients
    if live_duration:
        CONFIG["live_duration_s"] = live_duration
    CACHE.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {"machine": machine(), "config": dict(CONFIG)}
    load_before = os.getloadavg()[0]
    with _progress() as progress:
        task = _step(progress, "source store (bench/supervision_bench.py) ...")
        src, _ = source_store()
        progress.remove_task(task)
        task = _step(progress, f"data directory {DATA} ...")
        data = build_data(src)
        progress.remove_task(task)
        days = data["days"]
        results["data"] = {
            "source": f"{src.relative_to(HERE.parent)} (bench/supervision_bench.py)",
            "data_dir": str(DATA.relative_to(HERE.parent)),
            "vessels": data["latest_rows"],
            **data,
            "latest_built_from_last_hours": EXTRA_LAST_HOURS,
            "account": {"organisation": ORG[0], "level": ORG[2], "role": ROLE},
            "database": "SQLite in the data directory",
        }
        progress.console.print(
            f"data: {data['positions']:,} positions of {data['latest_rows']:,} vessels on"
            f" {', '.join(days)}, {data['bytes'] / 1e6:,.0f} MB"
        )
        task = _step(progress, "page cache ...")
        for rel in json.loads((DATA / "state" / "commit.json").read_text())["files"]:
            with open(DATA / rel, "rb") as fh:
                while fh.read(16 << 20):
                    pass
        progress.remove_task(task)
        wrk, why = ensure_wrk()
        results["machine"]["wrk"] = why
        results["machine"]["quiet_wait"] = wait_for_quiet(wait_quiet, progress)
        server = Server()
        task = _step(progress, "seawarden serve ...")
        server.start()
        progress.remove_task(task)
        try:
            cookie = login(server.base)
            hdr = {"Cookie": f"{COOKIE}={cookie}"}
            mmsi = pq_mmsi()
            rng = np.random.default_rng(int(CONFIG["seed"]))
            sample = rng.choice(mmsi, int(CONFIG["track_vessels"]), replace=False).tolist()
            day = days[-1]
            q = f"from={day}T00:00:00Z&to={day}T23:59:59.999Z"
            track_paths = [f"/api/vessels/{m}/track?{q}" for m in sample]
            r = httpx.get(server.base + "/api/vessels/latest", headers=hdr, timeout=60)
            r.raise_for_status()
            latest_info = {"vessels": r.json()["count"], "bytes": len(r.content)}
            counts = []
            for p in track_paths[:20]:
                r = httpx.get(server.base + p, headers=hdr, timeout=60)
                r.raise_for_status()
                counts.append(r.json()["count"])
            results["latest"] = {"request": "GET /api/vessels/latest", "response": latest_info}
            results["track"] = {
                "request": f"GET /api/vessels/{{mmsi}}/track?{q}",
                "vessels_cycled": len(track_paths),
                "response": {"positions_median_of_20": statistics.median(counts)},
            }
            if wrk is None:
                progress.console.print(f"[yellow]skipping the HTTP targets: {why}[/yellow]")
                for name in ("latest", "track"):
                    results[name].update(
                        {"target": TARGETS[name], "measured": None, "met": None, "skipped": why}
                    )
            else:
                conns = list(CONFIG["wrk_connections"])
                dur = int(CONFIG["wrk_duration_s"])
                results["latest"].update(
                    http_target(
                        "latest", wrk, server, cookie, ["/api/vessels/latest"], dur, conns, progress
                    )
                )
                results["track"].update(
                    http_target("track", wrk, server, cookie, track_paths, dur, conns, progress)
                )
            wlog = DATA / "writer.jsonl"
            writer_cmd = [sys.executable, str(Path(__file__).resolve()), "--writer", str(DATA)]
            writer_cmd += ["--writer-log", str(wlog)]
            live = asyncio.run(
                live_load(
                    server,
                    cookie,
                    int(CONFIG["live_clients"]),
                    writer_cmd,
                    wlog,
                    progress,
                )
            )
            results["live"] = {
                "request": "GET /api/live (server-sent events)",
                "writer": (
                    "a separate process: LatestPositions.update + atomic_write_table of all"
                    " vessels, dead-reckoned 1 s, on every whole second"
                ),
                **live,
            }
            m = live["measured"]
            progress.console.print(
                f"  live: {m['clients_connected']}/{m['clients']} clients,"
                f" {m['updates_written']} updates written, {m['frames_produced']} frames,"
                f" frames per client {m['frames_received_per_client']['min']}-"
                f"{m['frames_received_per_client']['max']}, lag p50"
                f" {m['lag_ms']['p50'] or 0:.0f} ms p99 {m['lag_ms']['p99'] or 0:.0f} ms,"
                f" resyncs {m['resync_full_frames_total']}"
            )
        finally:
            task = _step(progress, "stopping the server ...")
            server.stop()
            progress.remove_task(task)
        task = _step(progress, "timing the parts in-process ...")
        results["diagnosis"] = diagnose(
            int(sample[0]), days[-1], int(CONFIG["live_clients"]), cookie
        )
        progress.remove_task(task)
    results["machine"]["load_average_1min"] = [round(load_before, 2), round(os.getloadavg()[0], 2)]
    from seawarden.web.query_pool import default_workers

    results["machine"]["server"] = (
        "seawarden serve: uvicorn (uvloop, httptools), one serving process; track answers"
        f" built in {default_workers()} query worker processes (web.query_workers)"
    )
    for name in ("latest", "track", "live"):
        r = results.get(name, {})
        print(f"{name:7s} {'met' if r.get('met') else 'NOT met'}: {r.get('margin', '')}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "web.json").write_text(json.dumps(results, indent=2, ensure_ascii=False))
    return results


def wait_for_quiet(limit_s: float, progress: Any) -> dict[str, Any]:
    """Wait (at most ``limit_s``) for the 1-minute load average to fall below half the CPUs."""
    below = 0.5 * (os.cpu_count() or 1)
    t0 = time.monotonic()
    if limit_s > 0 and os.getloadavg()[0] >= below:
        task = progress.add_task(f"waiting for load average < {below:g}", total=limit_s)
        while time.monotonic() - t0 < limit_s and os.getloadavg()[0] >= below:
            progress.update(task, completed=time.monotonic() - t0)
            time.sleep(2)
        progress.remove_task(task)
    return {
        "limit_s": limit_s,
        "load_below": below,
        "waited_s": round(time.monotonic() - t0, 1),
        "load_average_1min_at_start": round(os.getloadavg()[0], 2),
    }


def pq_mmsi() -> list[int]:
    import pyarrow.parquet as pq

    col = pq.read_table(DATA / "latest.parquet", columns=["mmsi"]).column("mmsi")
    return [int(m) for m in col.to_pylist() if m is not None]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=int, help="seconds of each measured wrk run")
    ap.add_argument("--connections", help="comma-separated wrk connection counts, e.g. 1,4")
    ap.add_argument("--clients", type=int, help="live clients")
    ap.add_argument("--live-duration", type=int, help="seconds of the measured live window")
    ap.add_argument(
        "--wait-quiet",
        type=float,
        default=0.0,
        help="wait up to this many seconds for the load average to fall below half the CPUs",
    )
    ap.add_argument("--writer", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--writer-log", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.writer:
        writer_main(a.writer, a.writer_log, float(CONFIG["update_interval_s"]))
        return 0
    conns = [int(c) for c in a.connections.split(",")] if a.connections else None
    run(a.duration, conns, a.clients, a.live_duration, a.wait_quiet)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    raise SystemExit(main())
