"""The compiled kernels never index out of bounds, even on mutated input.

numba does not check array bounds in production builds; this test recompiles the
kernels with NUMBA_BOUNDSCHECK=1 in a subprocess (its own cache) and decodes real and
mutated captures, where any out-of-range index raises IndexError.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = r"""
import random, sys
from pathlib import Path
from seawarden.ais import Decoder
from seawarden.ais.arrow import chunk_tables
from seawarden.ais.records import chunk_messages
root = Path(sys.argv[1])
rng = random.Random(11)
blobs = [p.read_bytes() for p in sorted(root.iterdir()) if p.suffix not in (".chk", ".json", ".md")]
lines = [l for b in blobs for l in b.splitlines()]
mutated = []
for _ in range(20000):
    b = bytearray(rng.choice(lines))
    for _ in range(rng.randint(0, 5)):
        if b:
            op = rng.random()
            i = rng.randrange(len(b))
            if op < 0.5:
                b[i] = rng.randrange(256)
            elif op < 0.75:
                del b[i:]
            else:
                b.insert(i, rng.choice(b"!,*\\\\"))
    mutated.append(bytes(b))
for data in [b"\n".join(blobs), b"\n".join(mutated)]:
    d = Decoder()
    chunk = d.decode(data, final=True)
    chunk_tables(chunk)
    chunk_messages(chunk)
    assert d.stats().balanced()
print("ok", d.stats().lines)
"""


@pytest.mark.slow
def test_kernels_in_bounds(ais_data: Path, tmp_path: Path) -> None:
    env = dict(os.environ, NUMBA_BOUNDSCHECK="1", NUMBA_CACHE_DIR=str(tmp_path / "numba"))
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(ais_data)],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.startswith("ok ")
