"""Input sources: files (plain/gzip NMEA, BeiDou JSONL/CSV), TCP client, TCP server, UDP.

Every source produces :class:`Chunk` objects of complete lines. File sources know their
byte offset (of the decompressed stream), so ingestion resumes where it stopped; live
sources stamp each chunk with its arrival time. Sources are spelled as URLs:

- ``path/to/file.nmea`` or ``.gz`` (NMEA), ``*.jsonl`` / ``*.csv`` (BeiDou/VMS records),
  ``beidou:path`` to force the BeiDou reader;
- ``tcp://host:port`` connects to a receiver or feed (and reconnects);
- ``tcp-listen://:port`` accepts connections from receivers;
- ``udp://:port`` listens for datagrams.
"""

from __future__ import annotations

import queue
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from seawarden.ais.io import open_binary

NMEA = "nmea"
BEIDOU_JSONL = "beidou-jsonl"
BEIDOU_CSV = "beidou-csv"


@dataclass(frozen=True, slots=True)
class Chunk:
    """Complete lines from one source."""

    source: str
    kind: str
    data: bytes
    offset: int
    """Source offset after this chunk (bytes of a file; bytes received for live sources)."""
    arrival_ms: int | None
    """When a live source received the data; ``None`` for files (their lines carry time)."""
    final: bool = False
    """The last chunk of a finite source."""


def now_ms() -> int:
    """Wall-clock time, UTC epoch milliseconds."""
    return time.time_ns() // 1_000_000


def _split_lines(buffer: bytes) -> tuple[bytes, bytes]:
    cut = buffer.rfind(b"\n")
    if cut < 0:
        return b"", buffer
    return buffer[: cut + 1], buffer[cut + 1 :]


@dataclass
class FileSource:
    """A file read from a byte offset, in blocks cut at line ends."""

    path: Path
    kind: str = NMEA
    block_bytes: int = 8 << 20
    id: str = ""

    def __post_init__(self) -> None:
        self.path = Path(self.path)
        self.id = self.id or f"file:{self.path.resolve()}"

    def chunks(self, start_offset: int = 0) -> Iterator[Chunk]:
        """Chunks from ``start_offset`` to the end of the file (the last one ``final``)."""
        offset = start_offset
        with open_binary(self.path) as fh:
            skip = start_offset
            while skip > 0:
                got = fh.read(min(skip, 16 << 20))
                if not got:
                    break
                skip -= len(got)
            tail = b""
            while True:
                block = fh.read(self.block_bytes)
                if not block:
                    break
                lines, tail = _split_lines(tail + block)
                if lines:
                    offset += len(lines)
                    yield Chunk(self.id, self.kind, lines, offset, None)
            offset += len(tail)
            yield Chunk(self.id, self.kind, tail, offset, None, final=True)


@dataclass
class LiveSource:
    """Base of network sources: a thread that puts chunks on a bounded queue."""

    url: str
    out: queue.Queue[Chunk]
    stop: threading.Event
    received: int = 0
    dropped: int = 0
    errors: list[str] = field(default_factory=list)
    id: str = ""
    thread: threading.Thread | None = None
    ready: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.id = self.id or self.url

    def start(self) -> None:
        """Start receiving in a background thread."""
        self.thread = threading.Thread(target=self._run, name=self.id, daemon=True)
        self.thread.start()

    def _run(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _emit(self, data: bytes, block: bool = True) -> None:
        self.received += len(data)
        chunk = Chunk(self.id, NMEA, data, self.received, now_ms())
        if block:
            while not self.stop.is_set():
                try:
                    self.out.put(chunk, timeout=0.2)
                    return
                except queue.Full:
                    continue
        else:
            try:
                self.out.put_nowait(chunk)
            except queue.Full:
                self.dropped += data.count(b"\n")


@dataclass
class TcpClientSource(LiveSource):
    """Connects to ``tcp://host:port`` and reads lines, reconnecting after failures."""

    def _run(self) -> None:
        u = urlparse(self.url)
        backoff = 0.5
        while not self.stop.is_set():
            try:
                with socket.create_connection(
                    (u.hostname or "127.0.0.1", u.port or 0), timeout=5
                ) as s:
                    s.settimeout(0.5)
                    self.ready.set()
                    backoff = 0.5
                    tail = b""
                    while not self.stop.is_set():
                        try:
                            data = s.recv(1 << 16)
                        except TimeoutError:
                            continue
                        if not data:
                            break
                        lines, tail = _split_lines(tail + data)
                        if lines:
                            self._emit(lines)
            except OSError as exc:
                self.errors.append(f"{self.url}: {exc}")
                self.stop.wait(backoff)
                backoff = min(backoff * 2, 30.0)


@dataclass
class TcpServerSource(LiveSource):
    """Listens on ``tcp-listen://host:port``; every connected client is read."""

    port: int = 0

    def _run(self) -> None:
        u = urlparse(self.url)
        with socket.create_server((u.hostname or "0.0.0.0", u.port or 0), reuse_port=False) as srv:
            srv.settimeout(0.5)
            self.port = srv.getsockname()[1]
            self.ready.set()
            clients: list[threading.Thread] = []
            while not self.stop.is_set():
                try:
                    conn, _ = srv.accept()
                except TimeoutError:
                    continue
                t = threading.Thread(target=self._client, args=(conn,), daemon=True)
                t.start()
                clients.append(t)

    def _client(self, conn: socket.socket) -> None:
        with conn:
            conn.settimeout(0.5)
            tail = b""
            while not self.stop.is_set():
                try:
                    data = conn.recv(1 << 16)
                except TimeoutError:
                    continue
                except OSError:
                    break
                if not data:
                    break
                lines, tail = _split_lines(tail + data)
                if lines:
                    self._emit(lines)
            if tail:
                self._emit(tail + b"\n")


@dataclass
class UdpSource(LiveSource):
    """Listens for NMEA datagrams on ``udp://host:port``; drops are counted when full."""

    port: int = 0

    def _run(self) -> None:
        u = urlparse(self.url)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
            s.bind((u.hostname or "0.0.0.0", u.port or 0))
            s.settimeout(0.5)
            self.port = s.getsockname()[1]
            self.ready.set()
            while not self.stop.is_set():
                try:
                    data = s.recv(1 << 16)
                except TimeoutError:
                    continue
                if not data.endswith(b"\n"):
                    data += b"\n"
                self._emit(data, block=False)


def file_kind(spec: str) -> tuple[str, Path]:
    """The reader kind and path of a file source spelling."""
    if spec.startswith("beidou:"):
        path = Path(spec.removeprefix("beidou:"))
        return (BEIDOU_CSV if path.suffix == ".csv" else BEIDOU_JSONL), path
    path = Path(spec)
    name = path.name.removesuffix(".gz")
    if name.endswith(".jsonl"):
        return BEIDOU_JSONL, path
    if name.endswith(".csv"):
        return BEIDOU_CSV, path
    return NMEA, path


def is_live(spec: str) -> bool:
    """Whether a source spelling names a network source."""
    return spec.startswith(("tcp://", "tcp-listen://", "udp://"))


def live_source(spec: str, out: queue.Queue[Chunk], stop: threading.Event) -> LiveSource:
    """The network source for a URL."""
    if spec.startswith("tcp-listen://"):
        return TcpServerSource(spec, out, stop)
    if spec.startswith("tcp://"):
        return TcpClientSource(spec, out, stop)
    if spec.startswith("udp://"):
        return UdpSource(spec, out, stop)
    raise ValueError(f"not a network source: {spec}")
