"""Track answers built in worker processes, so that concurrent requests use every core.

Reading a track from Parquet and encoding it as JSON takes a few milliseconds of CPU, much
of it holding Python's global interpreter lock; in the serving process, concurrent track
requests would queue behind one another on it. A :class:`QueryPool` hands that work to
worker processes (``web.query_workers``, default: one per CPU up to four) while the
serving process keeps authentication, authorisation and the rest of the API. With no
workers the same function runs in the request's own thread.

Only read-only work is sent: the workers open the track store read-only, and the caller
has already checked the vessel against the caller's jurisdiction.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from seawarden.tracks.json_rows import positions_json
from seawarden.tracks.query import TrackQuery

MAX_DEFAULT_WORKERS = 4


@dataclass(frozen=True, slots=True)
class TrackRequest:
    """One track answer to build: a vessel, a time range, thinning and a page size."""

    data_dir: str
    vessel: int | str
    t0: int | None
    t1: int | None
    simplify_m: float | None
    every_s: float | None
    limit: int


def track_answer(req: TrackRequest) -> bytes:
    """The JSON answer of a track request: count, truncated, positions (time order).

    Raises :class:`seawarden.tracks.query.QueryError` for a query the store refuses.
    """
    table = TrackQuery.current(Path(req.data_dir)).track(
        req.vessel, req.t0, req.t1, simplify_m=req.simplify_m, every_s=req.every_s
    )
    return b'{"count":%d,"truncated":%b,"positions":%b}' % (
        table.num_rows,
        b"true" if table.num_rows > req.limit else b"false",
        positions_json(table.slice(0, req.limit)),
    )


def default_workers() -> int:
    """One worker per CPU, at most :data:`MAX_DEFAULT_WORKERS`."""
    return max(1, min(MAX_DEFAULT_WORKERS, os.cpu_count() or 1))


def _ready() -> int:
    return os.getpid()


class QueryPool:
    """Worker processes for track answers (none: run them in the serving process)."""

    def __init__(self, workers: int) -> None:
        self.workers = workers
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._stopped = False

    def _pool(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._executor is None:
                # spawn: the serving process has threads, which fork would copy mid-state.
                self._executor = ProcessPoolExecutor(
                    self.workers, mp_context=multiprocessing.get_context("spawn")
                )
            return self._executor

    def start(self) -> None:
        """Start the workers now (otherwise they start with the first track request)."""
        if self.workers > 0:
            pool = self._pool()
            for future in [pool.submit(_ready) for _ in range(self.workers)]:
                future.result()

    async def track(self, req: TrackRequest) -> bytes:
        """Build a track answer in a worker (a broken pool is replaced once).

        Without workers, or once the pool is stopped (the application shutting down), the
        answer is built in a thread of the serving process.
        """
        if self.workers == 0 or self._stopped:
            return await run_in_threadpool(track_answer, req)
        for attempt in (1, 2):
            pool = self._pool()
            try:
                return await asyncio.wrap_future(pool.submit(track_answer, req))
            except BrokenProcessPool:
                self._discard(pool)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _discard(self, pool: ProcessPoolExecutor) -> None:
        with self._lock:
            if self._executor is pool:
                self._executor = None
        pool.shutdown(wait=False, cancel_futures=True)

    def stop(self) -> None:
        """Stop the workers."""
        with self._lock:
            self._stopped = True
            pool, self._executor = self._executor, None
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)
