"""The raw archive: every received chunk, appended before it is processed.

Files: ``<data_dir>/archive/<YYYY-MM-DD>/<source>.nmea.zst`` (UTC day of arrival), each a
series of Zstandard frames, one per chunk (the file is an ordinary ``.zst`` stream:
``zstd -dc`` prints it). A frame starts with a header line::

    #seawarden-chunk <arrival_ms|-> <offset> <nbytes> <kind> <source id, percent-encoded>

followed by exactly ``nbytes`` bytes as received. ``seawarden rebuild`` replays the archive
through the same pipeline. After a crash the file is cut back to the size recorded in the
last commit, so a half-written member never survives.
"""

from __future__ import annotations

import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

import pyarrow as pa

from seawarden.tracks.store import DAY_MS, StoreError, day_of

HEADER = b"#seawarden-chunk "
SUFFIX = ".nmea.zst"
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def source_file_name(source: str) -> str:
    """A file-system-safe name for a source id."""
    return _SAFE.sub("_", source).strip("_") or "source"


@dataclass(frozen=True, slots=True)
class ArchivedChunk:
    """One chunk read back from the archive."""

    source: str
    arrival_ms: int | None
    offset: int
    """Source offset of the chunk's first byte."""
    data: bytes
    kind: str = "nmea"


class _Readable(io.RawIOBase):
    """A pyarrow input stream seen as a Python raw stream (for buffered line reading)."""

    def __init__(self, stream: pa.NativeFile) -> None:
        self.stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self.stream.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


class RawArchive:
    """Appends chunks of raw input, one Zstandard file per source and UTC day."""

    def __init__(self, data_dir: Path, compresslevel: int = 1) -> None:
        self.root = Path(data_dir) / "archive"
        self.codec = pa.Codec("zstd", compression_level=compresslevel)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"cannot create {self.root}: {exc.strerror}") from exc

    def path_for(self, source: str, day_ms: int) -> Path:
        """Archive file of a source for the UTC day containing ``day_ms``."""
        return self.root / day_of(day_ms) / f"{source_file_name(source)}{SUFFIX}"

    def append(
        self,
        source: str,
        data: bytes,
        offset: int,
        arrival_ms: int | None,
        day_ms: int,
        kind: str = "nmea",
    ) -> tuple[str, int]:
        """Append one chunk; returns (file relative to the data directory, size after)."""
        path = self.path_for(source, day_ms)
        arrival = arrival_ms if arrival_ms is not None else "-"
        header = (
            HEADER + f"{arrival} {offset} {len(data)} {kind} {quote(source, safe='')}\n".encode()
        )
        member = self.codec.compress(header + data, asbytes=True)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "ab") as fh:
                fh.write(member)
                fh.flush()
                os.fsync(fh.fileno())
                size = fh.tell()
        except OSError as exc:
            raise StoreError(
                f"cannot append to the raw archive {path}: {exc.strerror or exc}"
            ) from exc
        return str(path.relative_to(self.root.parent)), size

    @staticmethod
    def truncate(data_dir: Path, relative: str, size: int) -> None:
        """Cut an archive file back to a committed size (crash recovery)."""
        path = Path(data_dir) / relative
        if path.exists() and path.stat().st_size > size:
            with open(path, "r+b") as fh:
                fh.truncate(size)
                os.fsync(fh.fileno())

    def files(self) -> list[Path]:
        """Every archive file, in day and name order."""
        return sorted(self.root.glob(f"*/*{SUFFIX}"))

    @staticmethod
    def read(path: Path) -> Iterator[ArchivedChunk]:
        """Chunks of one archive file, in the order they were appended."""
        source = path.name.removesuffix(SUFFIX)
        with (
            pa.CompressedInputStream(pa.OSFile(str(path), "rb"), "zstd") as raw,
            io.BufferedReader(_Readable(raw), buffer_size=1 << 20) as fh,
        ):
            while True:
                header = fh.readline()
                if not header:
                    return
                if not header.startswith(HEADER):
                    raise StoreError(f"{path}: not an archive chunk header: {header[:60]!r}")
                fields = header[len(HEADER) :].split()
                arrival, offset, nbytes = fields[:3]
                kind = fields[3].decode() if len(fields) > 3 else "nmea"
                origin = unquote(fields[4].decode()) if len(fields) > 4 else source
                data = fh.read(int(nbytes))
                yield ArchivedChunk(
                    origin, None if arrival == b"-" else int(arrival), int(offset), data, kind
                )


__all__ = ["DAY_MS", "ArchivedChunk", "RawArchive"]
