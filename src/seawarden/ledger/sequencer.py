"""The single writer of a log: integrates submitted entries in batches, checkpoints on a clock.

Many producers (API requests, the weighbridge feed, the dangerous-goods module) call
:meth:`Sequencer.submit` and get a future; one thread takes whatever is queued (up to
``max_batch`` entries), appends it in one transaction, resolves the futures with the
indices, and signs a checkpoint when ``checkpoint_every`` seconds have passed. This is how
the log reaches its append rate: a transaction per batch, not per entry.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future

from sqlalchemy import Engine

from seawarden.ledger import service
from seawarden.ledger.keys import PrivateKey
from seawarden.ledger.store import Appended, NewEntry
from seawarden.security.actor import Actor

_STOP = object()
log = logging.getLogger(__name__)


class Sequencer:
    """Batches submitted entries into one append transaction at a time (a context manager)."""

    def __init__(
        self,
        engine: Engine,
        actor: Actor,
        log_name: str,
        keys: Sequence[PrivateKey] = (),
        checkpoint_every: float = 1.0,
        max_batch: int = 10_000,
    ) -> None:
        self.engine, self.actor, self.log_name = engine, actor, log_name
        self.keys = list(keys)
        self.checkpoint_every = checkpoint_every
        self.max_batch = max_batch
        self.checkpoints = 0
        self.batches = 0
        self.checkpoint_error: Exception | None = None
        """The last checkpoint failure (appends go on; the next checkpoint is retried)."""
        self._queue: queue.SimpleQueue[object] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name=f"ledger-{log_name}", daemon=True)
        self._due = time.monotonic() + checkpoint_every
        """When the next checkpoint is due: on a fixed clock, so lateness does not add up."""
        self._unsigned = False
        """Entries integrated since the last checkpoint."""
        self._thread.start()

    def submit(self, entry: NewEntry) -> Future[Appended]:
        """Queue an entry; the future gives its index once the batch is committed."""
        fut: Future[Appended] = Future()
        self._queue.put((entry, fut))
        return fut

    def close(self) -> None:
        """Integrate what is queued, sign a last checkpoint, and stop the writer thread."""
        self._queue.put(_STOP)
        self._thread.join()

    def __enter__(self) -> Sequencer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _run(self) -> None:
        stop = False
        while not stop:
            batch: list[tuple[NewEntry, Future[Appended]]] = []
            try:
                # with entries to sign, wake up when the checkpoint is due even if idle
                wait = max(0.0, self._due - time.monotonic()) if self._unsigned else None
                item = self._queue.get(timeout=wait)
            except queue.Empty:
                item = None
            while item is not None:
                if item is _STOP:
                    stop = True
                    break
                batch.append(item)  # type: ignore[arg-type]
                if len(batch) >= self.max_batch:
                    break
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
            if batch:
                self._integrate(batch)
            now = time.monotonic()
            if self.keys and (stop or (self._unsigned and now >= self._due)):
                self._checkpoint()
                self._due += self.checkpoint_every
                if self._due <= now:  # fell a whole period behind: restart the clock
                    self._due = now + self.checkpoint_every
            elif now >= self._due + self.checkpoint_every:
                self._due = now  # idle with nothing to sign: start the clock afresh

    def _integrate(self, batch: list[tuple[NewEntry, Future[Appended]]]) -> None:
        try:
            done = service.append_entries(
                self.engine, self.actor, self.log_name, [e for e, _ in batch]
            )
        except Exception as exc:
            for _, fut in batch:
                fut.set_exception(exc)
            return
        self.batches += 1
        self._unsigned = True
        for (_, fut), appended in zip(batch, done, strict=True):
            fut.set_result(appended)

    def _checkpoint(self) -> None:
        try:
            service.make_checkpoint(self.engine, self.actor, self.log_name, self.keys)
        except Exception as exc:  # keep integrating; the failure is logged and kept
            self.checkpoint_error = exc
            log.exception("ledger %s: checkpoint failed", self.log_name)
            return
        self.checkpoints += 1
        self._unsigned = False
