"""The benchmark corpus: every real capture bundled in tests/data, plus the testing-only
captures from a local ../shared/data/ais copy when present (never committed)."""

from __future__ import annotations

import gzip
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "tests" / "data" / "ais"
SHARED = ROOT.parent / "shared" / "data" / "ais"
CAPTURE_SUFFIXES = (".aivdm", ".log", ".txt", ".nmea", ".ais", ".raw", ".gz")


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    return data.rstrip(b"\n") + b"\n"


def capture_files(include_shared: bool = True) -> list[Path]:
    """Real captures (not expected-output files), bundled first."""
    files = sorted(p for p in BUNDLED.iterdir() if p.name.endswith(CAPTURE_SUFFIXES))
    if include_shared and SHARED.is_dir():
        bundled = {p.name for p in files}
        files += sorted(
            p
            for p in SHARED.iterdir()
            if p.name.endswith(CAPTURE_SUFFIXES) and p.name not in bundled
        )
    return files


def corpus(include_shared: bool = True) -> tuple[bytes, list[str]]:
    """All captures concatenated, and their names."""
    files = capture_files(include_shared)
    return b"".join(_read(p) for p in files), [p.name for p in files]
