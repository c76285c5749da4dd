"""Opening NMEA sources: plain or gzip files, or standard input (``-``)."""

from __future__ import annotations

import gzip
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, cast

GZIP_MAGIC = b"\x1f\x8b"


@contextmanager
def open_binary(path: str | Path) -> Iterator[BinaryIO]:
    """Open ``path`` for binary reading, gunzipping when needed; ``-`` is stdin (not closed)."""
    if str(path) == "-":
        yield sys.stdin.buffer
        return
    with open(path, "rb") as probe:
        gzipped = probe.read(2) == GZIP_MAGIC
    if gzipped:
        with gzip.open(path, "rb") as fh:
            yield cast(BinaryIO, fh)
    else:
        with open(path, "rb") as fh:
            yield fh


def file_size(path: str | Path) -> int | None:
    """Size in bytes of a regular file (``None`` for stdin)."""
    if str(path) == "-":
        return None
    return Path(path).stat().st_size
