"""The ingest pipeline: archive, decode, clean, deduplicate, segment, store; crash-safe.

For every chunk from a source: the raw bytes are appended to the archive, decoded (one
stateful decoder per source), turned into positions, filtered for duplicates across
stations, segmented by identity and added to the latest-position table; static reports
update the vessel particulars. Every ``commit_bytes`` of input or ``commit_seconds`` the
rows released so far are written as Parquet parts and everything is committed in one
atomic step together with the processing state and the source offsets. After a crash
(even ``kill -9``) the next run cuts the archive back, drops uncommitted files, restores
the state and resumes each file source at its committed offset: every message is stored
exactly once.
"""

from __future__ import annotations

import heapq
import os
import pickle
import queue
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from seawarden.ais import Decoder, DecoderConfig
from seawarden.ais.arrow import chunk_tables
from seawarden.ais.decoder import DecodeStats
from seawarden.ingest.archive import ArchivedChunk, RawArchive
from seawarden.ingest.sources import (
    BEIDOU_CSV,
    BEIDOU_JSONL,
    Chunk,
    FileSource,
    LiveSource,
    file_kind,
    is_live,
    live_source,
    now_ms,
)
from seawarden.positions import beidou
from seawarden.positions.ais import positions_from_ais
from seawarden.positions.batch import PositionBatch
from seawarden.positions.dedupe import DEFAULT_WINDOW_MS, DuplicateFilter
from seawarden.positions.outcomes import PositionOutcome, PositionStats, outcome_key
from seawarden.positions.particulars import Particulars
from seawarden.positions.schema import Flag
from seawarden.positions.segment_kernel import SegmentBank
from seawarden.tracks.latest import LatestPositions
from seawarden.tracks.store import StoreError, TrackStore, atomic_write


@dataclass
class IngestConfig:
    """Pipeline settings."""

    decoder: DecoderConfig = field(default_factory=lambda: DecoderConfig(strict=True))
    """Ingest is strict by default: a line with a bad or missing checksum is never stored."""
    duplicate_window_ms: int = DEFAULT_WINDOW_MS
    segment: bool = True
    commit_bytes: int = 32 << 20
    commit_seconds: float = 2.0
    compact_files: int = 8
    block_bytes: int = 8 << 20
    speed: float | None = None
    """Replay files at this multiple of their recorded speed (``None``: as fast as possible)."""

    @classmethod
    def from_settings(cls, speed: float | None = None) -> IngestConfig:
        """The configuration from the platform settings."""
        from seawarden.settings import get_settings

        s = get_settings()
        return cls(
            decoder=DecoderConfig(
                strict=s.ingest.strict,
                window_lines=s.ais.window_lines,
                max_age_s=s.ais.max_age_s,
                max_line_length=s.ais.max_line_length,
            ),
            duplicate_window_ms=int(s.ingest.duplicate_window_s * 1000),
            segment=s.ingest.segment,
            commit_bytes=int(s.ingest.commit_mb * (1 << 20)),
            commit_seconds=s.ingest.commit_seconds,
            compact_files=s.ingest.compact_files,
            block_bytes=s.ingest.block_kb * 1024,
            speed=speed,
        )


_STATE_CODEC = pa.Codec("zstd", compression_level=1)


@dataclass
class IngestState:
    """Everything needed to continue exactly where the last commit left off."""

    decoders: dict[str, Decoder] = field(default_factory=dict)
    dedupe: DuplicateFilter = field(default_factory=DuplicateFilter)
    segments: SegmentBank = field(default_factory=SegmentBank)
    next_row_id: int = 0
    latest: LatestPositions = field(default_factory=LatestPositions)
    particulars: Particulars = field(default_factory=Particulars)
    decode_stats: dict[str, dict[str, Any]] = field(default_factory=dict)
    positions: PositionStats = field(default_factory=PositionStats)
    history_written: int = 0
    """Changes at the head of ``particulars.history`` already on disk (states of earlier
    versions kept the whole history; it is cleared once written)."""
    supervisor: Any = None
    """Rule engine state (``seawarden.supervision``), when supervision runs live."""

    def dumps(self) -> bytes:
        """Serialised, compressed state."""
        return bytes(_STATE_CODEC.compress(pickle.dumps(self, protocol=5), asbytes=True))

    @staticmethod
    def loads(data: bytes) -> IngestState:
        """Restore a serialised state."""
        raw = pa.BufferReader(data)
        with pa.CompressedInputStream(raw, "zstd") as fh:
            state = pickle.loads(fh.read())
        assert isinstance(state, IngestState)
        return state


@dataclass
class IngestSummary:
    """What a run did."""

    chunks: int = 0
    bytes: int = 0
    messages: int = 0
    stored: int = 0
    commits: int = 0
    seconds: float = 0.0
    decode: dict[str, Any] = field(default_factory=dict)
    positions: dict[str, Any] = field(default_factory=dict)
    dropped_udp_lines: int = 0


class Ingester:
    """Runs sources through the pipeline into one data directory."""

    def __init__(self, data_dir: Path | str, config: IngestConfig | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.config = config or IngestConfig()
        finish_rebuild(self.data_dir)
        self.store = TrackStore(self.data_dir)
        self.archive = RawArchive(self.data_dir)
        self._recover()
        self._to_write: list[PositionBatch] = []
        self._since_commit = 0
        self._last_commit = time.monotonic()
        self._archive_marks: dict[str, tuple[str, int]] = {}
        self._offsets: dict[str, int] = {
            src: int(info.get("offset", 0)) for src, info in self.store.commit.sources.items()
        }
        self.summary = IngestSummary()
        self.on_commit: Callable[[Ingester], None] | None = None
        self.supervision: Any = None

    def supervise(self, **kwargs: Any) -> Any:
        """Evaluate the supervision rules live over released positions.

        Zones come from the data directory's database; the rule state is saved with each
        commit.
        """
        from seawarden.supervision.driver import LiveSupervision, particulars_lookup

        live = LiveSupervision(self.data_dir, self.state.particulars.current, **kwargs)
        saved = self.state.supervisor
        if saved is not None and saved.zone_signature() == live.supervisor.zone_signature():
            saved.vessel_info = particulars_lookup(self.state.particulars.current)
            live.supervisor = saved
        self.state.supervisor = live.supervisor
        self.supervision = live
        return live

    # ---------------------------------------------------------------- recovery / state
    def _recover(self) -> None:
        commit = self.store.commit
        self.state: IngestState
        for info in commit.sources.values():
            archive = info.get("archive")
            if archive:
                RawArchive.truncate(self.data_dir, archive[0], archive[1])
        self.store.recover()
        if commit.state and (self.data_dir / commit.state).exists():
            self.state = IngestState.loads((self.data_dir / commit.state).read_bytes())
        else:
            self.state = IngestState(dedupe=DuplicateFilter(self.config.duplicate_window_ms))
        history = self.data_dir / "history"
        if history.exists():
            for part in history.glob("part-*.parquet"):
                if int(part.stem.split("-")[1]) > commit.seq:
                    part.unlink()

    def committed_offset(self, source_id: str) -> int:
        """Bytes of a source already committed."""
        return self._offsets.get(source_id, 0)

    # ---------------------------------------------------------------- processing
    def process(self, chunk: Chunk, archive: bool = True) -> None:
        """Run one chunk through the pipeline (commits when due).

        ``archive=False`` when the chunk comes from the archive itself (rebuild).
        """
        self.summary.chunks += 1
        self.summary.bytes += len(chunk.data)
        if chunk.data and archive:
            day = chunk.arrival_ms if chunk.arrival_ms is not None else now_ms()
            self._archive_marks[chunk.source] = self.archive.append(
                chunk.source,
                chunk.data,
                chunk.offset - len(chunk.data),
                chunk.arrival_ms,
                day,
                chunk.kind,
            )
        if chunk.kind in (BEIDOU_JSONL, BEIDOU_CSV):
            reader = beidou.read_csv if chunk.kind == BEIDOU_CSV else beidou.read_jsonl
            batch, pstats = reader(chunk.data)
        else:
            decoder = self.state.decoders.get(chunk.source)
            if decoder is None:
                decoder = Decoder(self.config.decoder, reject_log=1000)
                self.state.decoders[chunk.source] = decoder
            decoded = decoder.decode(chunk.data, final=chunk.final and chunk.arrival_ms is None)
            decoder.rejects.clear()
            tables = chunk_tables(decoded)
            self.summary.messages += sum(t.num_rows for t in tables.values())
            self.state.particulars.update(tables, chunk.arrival_ms)
            reference = chunk.arrival_ms if chunk.arrival_ms is not None else now_ms()
            batch, pstats = positions_from_ais(tables["position"], chunk.arrival_ms, reference)
        duplicates = self.state.dedupe.add(batch)
        pstats.outcomes[outcome_key(PositionOutcome.STORED)] -= duplicates
        pstats.outcomes[outcome_key(PositionOutcome.DUPLICATE)] += duplicates
        self.state.positions.add(pstats)
        self._release(self.state.dedupe.release())
        self._offsets[chunk.source] = chunk.offset
        self._since_commit += len(chunk.data)
        due = self._since_commit >= self.config.commit_bytes or (
            time.monotonic() - self._last_commit >= self.config.commit_seconds
        )
        if due:
            self.commit()

    def _release(self, rows: PositionBatch) -> None:
        if len(rows) == 0:
            return
        if self.config.segment:
            self._segment(rows)
        self.state.latest.update(rows)
        self._to_write.append(rows)
        if self.supervision is not None:
            self.supervision.on_rows(rows)

    def _segment(self, rows: PositionBatch) -> None:
        order = np.lexsort((rows.time, rows.vessel_key))
        base = self.state.next_row_id
        self.state.next_row_id += len(rows)
        sorted_rows = rows.take(order)
        heading = sorted_rows.heading.astype(np.float64)
        heading[sorted_rows.heading < 0] = np.nan
        number, new, jump, dropped = self.state.segments.assign(
            sorted_rows.vessel_key,
            sorted_rows.time / 3_600_000,
            sorted_rows.msg_type,
            sorted_rows.lat,
            sorted_rows.lon,
            sorted_rows.sog.astype(np.float64),
            sorted_rows.cog.astype(np.float64),
            heading,
            base + order.astype(np.int64),
        )
        segment = np.empty(len(rows), dtype=np.int32)
        segment[order] = number
        flags = rows.flags.copy()
        flags[order[new]] |= Flag.NEW_SEGMENT
        flags[order[jump]] |= Flag.JUMP
        local = dropped - base
        local = local[(local >= 0) & (local < len(rows))]
        flags[local] |= Flag.JUMP
        rows.segment = segment
        rows.flags = flags

    # ---------------------------------------------------------------- committing
    def commit(self, final: bool = False) -> None:
        """Write released rows and commit them with state and offsets, atomically."""
        if final:
            self._release(self.state.dedupe.release(everything=True))
        if self.supervision is not None:
            # Alerts first: they are idempotent per occurrence, so a crash before the commit
            # below re-derives the same ones instead of losing them.
            self.supervision.on_commit()
        seq = self.store.commit.seq + 1
        rows = PositionBatch.concat(self._to_write)
        parts = self.store.write_parts(rows, f"{seq:08d}")
        added, removed = parts, []
        if self.config.compact_files:
            compacted, replaced = self._compact_candidates(parts, seq)
            added += compacted
            removed += replaced
        for flag in Flag:
            if flag.name and flag is not Flag.NONE:
                self.state.positions.flags[flag.name.lower()] += int(
                    ((rows.flags & flag) != 0).sum()
                )
        if len(rows):
            self.state.segments.prune(float(rows.time.max()) / 3_600_000)
        history = self.state.particulars.history[self.state.history_written :]
        if history:
            hist_dir = self.data_dir / "history"
            hist_dir.mkdir(exist_ok=True)
            part = Particulars(history=list(history)).history_arrow()
            pq.write_table(part, hist_dir / f"part-{seq:08d}.parquet")
        # Written changes leave the state, so that it does not grow with the feed's age.
        self.state.particulars.history.clear()
        self.state.history_written = 0
        for src, decoder in self.state.decoders.items():
            self.state.decode_stats[src] = decoder.stats().as_dict()
        state_rel = f"state/state-{seq:08d}.bin"
        atomic_write(self.data_dir / state_rel, self.state.dumps())
        sources = dict(self.store.commit.sources)
        for src, offset in self._offsets.items():
            entry = dict(sources.get(src, {}))
            entry["offset"] = offset
            if src in self._archive_marks:
                entry["archive"] = list(self._archive_marks[src])
            sources[src] = entry
        stats = {"positions": self.state.positions.as_dict(), "decode": self.state.decode_stats}
        self.store.publish(added, removed, sources=sources, state=state_rel, stats=stats)
        self._write_derived()
        self._to_write = []
        self._since_commit = 0
        self._last_commit = time.monotonic()
        self.summary.commits += 1
        self.summary.stored += len(rows)
        if self.on_commit is not None:
            self.on_commit(self)

    def _compact_candidates(self, new_parts: list[str], seq: int) -> tuple[list[str], list[str]]:
        counts: dict[str, int] = {}
        for rel in [*self.store.commit.files, *new_parts]:
            key = str(Path(rel).parent)
            counts[key] = counts.get(key, 0) + 1
        if max(counts.values(), default=0) < self.config.compact_files:
            return [], []
        return self.store.compact(self.config.compact_files, tag=f"{seq:08d}", extra=new_parts)

    def _write_derived(self) -> None:
        atomic_write_table(self.data_dir / "latest.parquet", self.state.latest.rows.to_arrow())
        atomic_write_table(self.data_dir / "vessels.parquet", self.state.particulars.to_arrow())

    # ---------------------------------------------------------------- running sources
    def run_files(
        self, specs: Iterable[str], progress: Callable[[int], None] | None = None
    ) -> IngestSummary:
        """Ingest files to their end (resuming at committed offsets); commits at the end."""
        started = time.monotonic()
        for spec in specs:
            kind, path = file_kind(spec)
            source = FileSource(path, kind, self.config.block_bytes)
            for chunk in self._paced(source.chunks(self.committed_offset(source.id))):
                self.process(chunk)
                if progress is not None:
                    progress(len(chunk.data))
        self.commit(final=True)
        return self._finish(started)

    def _paced(self, chunks: Iterator[Chunk]) -> Iterator[Chunk]:
        if not self.config.speed:
            yield from chunks
            return
        start_wall: float | None = None
        start_data: int | None = None
        for chunk in chunks:
            yield chunk
            latest = self.state.dedupe.max_time
            if latest <= 0:
                continue
            if start_wall is None or start_data is None:
                start_wall, start_data = time.monotonic(), latest
                continue
            target = start_wall + (latest - start_data) / 1000 / self.config.speed
            delay = target - time.monotonic()
            if delay > 0:
                time.sleep(min(delay, 5.0))

    def run_live(
        self,
        specs: Iterable[str],
        stop: threading.Event,
        max_seconds: float | None = None,
        started: Callable[[list[LiveSource]], None] | None = None,
    ) -> IngestSummary:
        """Ingest network sources until ``stop`` is set (or ``max_seconds`` pass)."""
        t0 = time.monotonic()
        chunks: queue.Queue[Chunk] = queue.Queue(maxsize=256)
        sources = [live_source(s, chunks, stop) for s in specs if is_live(s)]
        for s in sources:
            s.start()
        for s in sources:
            s.ready.wait(5)
        if started is not None:
            started(sources)
        while not stop.is_set():
            if max_seconds is not None and time.monotonic() - t0 > max_seconds:
                break
            try:
                chunk = chunks.get(timeout=0.2)
            except queue.Empty:
                if time.monotonic() - self._last_commit >= self.config.commit_seconds and (
                    self._to_write or len(self.state.dedupe.pending)
                ):
                    self._release(self.state.dedupe.release())
                    self.commit()
                continue
            self.process(chunk)
        stop.set()
        while True:
            try:
                self.process(chunks.get_nowait())
            except queue.Empty:
                break
        self.commit(final=True)
        self.summary.dropped_udp_lines = sum(s.dropped for s in sources)
        return self._finish(t0)

    def _finish(self, started: float) -> IngestSummary:
        self.summary.seconds = time.monotonic() - started
        self.summary.positions = self.state.positions.as_dict()
        total = DecodeStats()
        for st in self.state.decoders.values():
            s = st.stats()
            total.lines += s.lines
            total.pending += s.pending
            total.messages += s.messages
            for k, v in s.outcomes.items():
                total.outcomes[k] += v
        self.summary.decode = total.as_dict()
        return self.summary


def atomic_write_table(path: Path, table: Any) -> None:
    """Write a Parquet file atomically."""
    import io

    buf = io.BytesIO()
    pq.write_table(table, buf, compression="zstd")
    try:
        atomic_write(path, buf.getvalue())
    except StoreError:
        raise


#: What ``rebuild`` replaces: everything derived from the raw archive.
DERIVED = ("tracks", "state", "history", "latest.parquet", "vessels.parquet")
REBUILD_DIR = ".rebuild"
READY = "READY"


def finish_rebuild(data_dir: Path) -> None:
    """Complete (or discard) a rebuild interrupted by a crash."""
    staging = data_dir / REBUILD_DIR
    if not staging.exists():
        return
    if (staging / READY).exists():
        for name in DERIVED:
            new = staging / name
            old = data_dir / name
            if not new.exists():
                continue
            if old.is_dir():
                shutil.rmtree(old)
            elif old.exists():
                old.unlink()
            os.replace(new, old)
    shutil.rmtree(staging)


def _first_arrival(path: Path) -> int:
    """When the first chunk of an archive file arrived (epoch ms; 0 when not recorded)."""
    for chunk in RawArchive.read(path):
        return chunk.arrival_ms or 0
    return 0


def rebuild(
    data_dir: Path | str,
    config: IngestConfig | None = None,
    progress: Callable[[int], None] | None = None,
) -> IngestSummary:
    """Rebuild every derived store of a data directory from its raw archive.

    The new stores are built beside the old ones and swapped in only when complete; a
    crash at any point leaves either the old stores or the new ones.
    """
    started = time.monotonic()
    data_dir = Path(data_dir)
    finish_rebuild(data_dir)
    archive = RawArchive(data_dir)
    staging = data_dir / REBUILD_DIR
    ingester = Ingester(staging, config)
    files = archive.files()
    # File sources were ingested one after another: replay them by their first chunk's
    # arrival where it was recorded, else by day and name; live sources interleave by
    # arrival.
    replays = sorted(
        (f for f in files if f.name.startswith("file_")), key=lambda f: (_first_arrival(f), f)
    )
    live = [f for f in files if not f.name.startswith("file_")]
    for path in replays:
        for item in RawArchive.read(path):
            ingester.process(_chunk(item), archive=False)
            if progress is not None:
                progress(len(item.data))
    merged = heapq.merge(*(RawArchive.read(p) for p in live), key=lambda c: c.arrival_ms or 0)
    for item in merged:
        ingester.process(_chunk(item), archive=False)
        if progress is not None:
            progress(len(item.data))
    ingester.commit(final=True)
    summary = ingester._finish(started)
    shutil.rmtree(staging / "archive", ignore_errors=True)
    (staging / READY).write_bytes(b"")
    finish_rebuild(data_dir)
    return summary


def _chunk(item: ArchivedChunk) -> Chunk:
    return Chunk(item.source, item.kind, item.data, item.offset + len(item.data), item.arrival_ms)
