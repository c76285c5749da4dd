"""The track store: a Parquet dataset partitioned by day and identity bucket, with atomic commits.

Layout under ``<data_dir>``::

    tracks/day=2026-11-22/bucket=07/<name>.parquet    sorted by vessel, then time
    picture/day=2026-11-22/bucket=all/<name>.parquet  the same rows sorted by time

The track layout serves a vessel's track (one identity bucket, row groups pruned by
vessel); the picture layout serves the whole-area picture at a time (row groups pruned by
time). Both are written in the same commit.

Files become part of the store only when a commit record (``<data_dir>/state/commit.json``,
written to a temporary file, flushed and renamed) lists them. A crash before the rename
leaves the previous commit in force; files it does not list are removed when the store is
next opened. Readers (DuckDB queries) read only the listed files, so they never see a
half-written batch or both sides of a compaction.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from seawarden.positions.batch import PositionBatch
from seawarden.positions.schema import POSITION_SCHEMA

DAY_MS = 86_400_000
DEFAULT_BUCKETS = 16
ROW_GROUP_ROWS = 16_384
PLAIN_COLUMNS = frozenset({"time", "rxtime", "lat", "lon", "fingerprint"})
"""Columns whose values are nearly all distinct: dictionary encoding would only cost time
(Parquet falls back to plain pages after trying) and size; every other column is
dictionary-encoded."""
TRACKS = "tracks"
PICTURE = "picture"


class StoreError(Exception):
    """The store cannot be written (full disk, unwritable directory, corrupt commit)."""


def fsync_dir(path: Path) -> None:
    """Flush a directory entry (after a rename) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file so that readers see either the old or the new content, never a mix."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        with open(tmp, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from exc


def day_of(time_ms: int) -> str:
    """Partition name of a UTC day."""
    return np.datetime_as_string(np.datetime64(time_ms // DAY_MS, "D"))


@dataclass
class Commit:
    """The committed state of a data directory."""

    seq: int = 0
    files: list[str] = field(default_factory=list)
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    state: str | None = None
    stats: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> bytes:
        """Serialised form."""
        return json.dumps(
            {
                "seq": self.seq,
                "files": self.files,
                "sources": self.sources,
                "state": self.state,
                "stats": self.stats,
            },
            indent=1,
        ).encode()

    @classmethod
    def from_json(cls, data: bytes) -> Commit:
        """Parse a serialised commit."""
        raw = json.loads(data)
        return cls(raw["seq"], raw["files"], raw["sources"], raw.get("state"), raw.get("stats", {}))


class TrackStore:
    """Writes and lists the position files of one data directory."""

    def __init__(self, data_dir: Path | str, buckets: int = DEFAULT_BUCKETS) -> None:
        self.root = Path(data_dir)
        self.tracks = self.root / TRACKS
        self.picture = self.root / PICTURE
        self.state_dir = self.root / "state"
        self.buckets = buckets
        try:
            self.tracks.mkdir(parents=True, exist_ok=True)
            self.state_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(
                f"cannot create the data directory {self.root}: {exc.strerror}"
            ) from exc
        if not os.access(self.root, os.W_OK):
            raise StoreError(f"the data directory {self.root} is not writable")
        self.commit_path = self.state_dir / "commit.json"
        self.commit = self._load()

    def _load(self) -> Commit:
        if not self.commit_path.exists():
            return Commit()
        try:
            return Commit.from_json(self.commit_path.read_bytes())
        except (ValueError, KeyError) as exc:
            raise StoreError(f"corrupt commit record {self.commit_path}: {exc}") from exc

    def recover(self) -> list[Path]:
        """Remove files that no commit lists (left by a crash); returns what was removed."""
        listed = set(self.commit.files)
        removed = []
        for top in (self.tracks, self.picture):
            if not top.exists():
                continue
            for path in top.rglob("*"):
                if path.is_file() and str(path.relative_to(self.root)) not in listed:
                    path.unlink()
                    removed.append(path)
        for path in self.state_dir.iterdir():
            name = str(path.relative_to(self.root))
            if path.name.startswith(".") or (
                path.name.startswith("state-") and name != self.commit.state
            ):
                path.unlink()
                removed.append(path)
        return removed

    def bucket_of(self, vessel_key: np.ndarray) -> np.ndarray:
        """Identity bucket of each vessel key."""
        return np.asarray(vessel_key % self.buckets, dtype=np.int64)

    def write_parts(self, batch: PositionBatch, tag: str) -> list[str]:
        """Write a batch as uncommitted part files; returns them.

        One track file per day and bucket, and one picture file per day.
        """
        if len(batch) == 0:
            return []
        day = batch.time // DAY_MS
        bucket = self.bucket_of(batch.vessel_key)
        order = np.lexsort((batch.time, batch.vessel_key, bucket, day))
        sorted_batch = batch.take(order)
        table = sorted_batch.to_arrow()
        d = day[order]
        b = bucket[order]
        key = d * self.buckets + b
        bounds = np.flatnonzero(np.diff(key)) + 1
        starts = np.concatenate([[0], bounds])
        ends = np.concatenate([bounds, [len(order)]])
        written = []
        for s, e in zip(starts.tolist(), ends.tolist(), strict=True):
            rel = (
                Path("tracks")
                / f"day={day_of(int(d[s]) * DAY_MS)}"
                / f"bucket={int(b[s]):02d}"
                / f"part-{tag}.parquet"
            )
            self._write_table(self.root / rel, table.slice(s, e - s))
            written.append(str(rel))
        by_time = np.lexsort((batch.vessel_key, batch.time))
        picture = batch.take(by_time).to_arrow()
        days = day[by_time]
        cuts = np.flatnonzero(np.diff(days)) + 1
        for s, e in zip(
            np.concatenate([[0], cuts]).tolist(),
            np.concatenate([cuts, [len(days)]]).tolist(),
            strict=True,
        ):
            rel = (
                Path(PICTURE)
                / f"day={day_of(int(days[s]) * DAY_MS)}"
                / "bucket=all"
                / f"part-{tag}.parquet"
            )
            self._write_table(self.root / rel, picture.slice(s, e - s))
            written.append(str(rel))
        return written

    def _write_table(self, path: Path, table: pa.Table) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.tmp")
            pq.write_table(
                table,
                tmp,
                compression="zstd",
                row_group_size=ROW_GROUP_ROWS,
                use_dictionary=[c for c in table.column_names if c not in PLAIN_COLUMNS],
            )
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            raise StoreError(f"cannot write {path}: {exc.strerror or exc}") from exc

    def publish(
        self,
        added: Iterable[str],
        removed: Iterable[str] = (),
        sources: dict[str, dict[str, Any]] | None = None,
        state: str | None = None,
        stats: dict[str, Any] | None = None,
    ) -> Commit:
        """Make written files part of the store (and record source offsets) in one step."""
        gone = set(removed)
        files = [f for f in self.commit.files if f not in gone]
        files += [f for f in added if f not in gone and f not in files]
        commit = Commit(
            seq=self.commit.seq + 1,
            files=files,
            sources=sources if sources is not None else self.commit.sources,
            state=state if state is not None else self.commit.state,
            stats=stats if stats is not None else self.commit.stats,
        )
        atomic_write(self.commit_path, commit.to_json())
        old_state = self.commit.state
        self.commit = commit
        for rel in gone:
            (self.root / rel).unlink(missing_ok=True)
        if old_state and old_state != commit.state:
            (self.root / old_state).unlink(missing_ok=True)
        return commit

    def files(
        self, days: tuple[str, str] | None = None, bucket: int | None = None, layout: str = TRACKS
    ) -> list[Path]:
        """Committed files, optionally only those of some days and of one bucket.

        ``days`` is ``(first, last)``, inclusive, as ``YYYY-MM-DD``.
        """
        out = []
        for rel in self.commit.files:
            parts = Path(rel).parts
            if parts[0] != layout:
                continue
            day = parts[1].removeprefix("day=")
            if days is not None and not days[0] <= day <= days[1]:
                continue
            if bucket is not None and parts[2] != f"bucket={bucket:02d}":
                continue
            out.append(self.root / rel)
        return out

    def compact(
        self, min_files: int = 8, tag: str | None = None, extra: Iterable[str] = ()
    ) -> tuple[list[str], list[str]]:
        """Merge the files of each (day, bucket) with at least ``min_files`` into one file.

        The merged file is sorted by vessel and time; ``extra`` written-but-unpublished
        files are counted and merged too.

        Returns (new files, replaced files); pass both to :meth:`publish` (the replaced
        ones as ``removed``), which commits the change and deletes the replaced files.
        """
        groups: dict[tuple[str, str, str], list[str]] = {}
        for rel in [*self.commit.files, *extra]:
            p = Path(rel)
            groups.setdefault((p.parts[0], p.parts[1], p.parts[2]), []).append(rel)
        added: list[str] = []
        replaced: list[str] = []
        for (layout, day, bucket), rels in groups.items():
            if len(rels) < min_files:
                continue
            table = pq.read_table([self.root / r for r in rels], schema=POSITION_SCHEMA)
            keys = ["vessel_key", "time"] if layout == TRACKS else ["time", "vessel_key"]
            table = table.sort_by([(k, "ascending") for k in keys])
            name = f"compact-{tag or uuid.uuid4().hex[:12]}.parquet"
            rel = str(Path(layout) / day / bucket / name)
            self._write_table(self.root / rel, table)
            added.append(rel)
            replaced += rels
        return added, replaced

    def rows(self) -> int:
        """Number of stored positions (from Parquet metadata)."""
        return sum(pq.read_metadata(p).num_rows for p in self.files())
