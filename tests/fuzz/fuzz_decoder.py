"""atheris fuzz target for the NMEA framer, reassembler and bit decoder.

Run: ``make fuzz`` (60 s) or ``python tests/fuzz/fuzz_decoder.py -max_total_time=600``.
Seeds are the bundled real captures. Any exception other than the decoder's own
``AisError`` is a crash; a run also fails if the line counters stop adding up.

By default the numba kernels run as plain Python (``NUMBA_DISABLE_JIT=1``) so that
atheris sees coverage inside the framer and bit decoder. ``SEAWARDEN_FUZZ_JIT=1``
fuzzes the compiled kernels instead (crash detection, no coverage inside them).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import atheris

COMPILED = os.environ.get("SEAWARDEN_FUZZ_JIT") == "1"
if not COMPILED:
    os.environ["NUMBA_DISABLE_JIT"] = "1"

with atheris.instrument_imports(include=["seawarden"], enable_loader_override=False):
    if COMPILED:
        import seawarden.ais.bitkernel
        import seawarden.ais.framer  # noqa: F401
    from seawarden.ais import AisError, Decoder
    from seawarden.ais.arrow import chunk_tables
    from seawarden.ais.records import chunk_messages

SEEDS = Path(__file__).resolve().parents[1] / "data" / "ais"


def test_one_input(data: bytes) -> None:
    """Decode arbitrary bytes through both output paths."""
    decoder = Decoder()
    try:
        chunk = decoder.decode(data, final=True)
        tables = chunk_tables(chunk)
        messages = chunk_messages(chunk)
    except AisError:
        return
    stats = decoder.stats()
    if not stats.balanced():
        raise RuntimeError(f"counters do not add up: {stats.as_dict()}")
    if sum(t.num_rows for t in tables.values()) != len(messages):
        raise RuntimeError("batch and streaming paths disagree on the message count")


def seed_corpus(directory: Path) -> None:
    """Write one seed file per bundled capture slice into ``directory``."""
    directory.mkdir(parents=True, exist_ok=True)
    for path in sorted(SEEDS.iterdir()):
        if path.suffix in (".chk", ".json", ".md"):
            continue
        lines = path.read_bytes().splitlines()
        for i in range(0, min(len(lines), 200), 20):
            (directory / f"{path.stem}-{i}").write_bytes(b"\n".join(lines[i : i + 20]))


if __name__ == "__main__":
    args = list(sys.argv)
    if not any(not a.startswith("-") for a in args[1:]):
        corpus_dir = Path(__file__).resolve().parent / "corpus"
        seed_corpus(corpus_dir)
        args.append(str(corpus_dir))
    atheris.Setup(args, test_one_input)
    atheris.Fuzz()
