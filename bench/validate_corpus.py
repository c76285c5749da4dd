"""Validation over every real capture, including the testing-only ones kept outside the repo.

For each capture (bundled ones and, when present, ../shared/data/ais): decode with both
paths, check the line counters add up and the paths agree, and compare every field with
pyais where both decode the message. Writes bench/results/corpus.json. Optional: the
test suite covers the bundled captures; this adds the AMSA/exactEarth/Norwegian feeds.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from corpus import _read, capture_files

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from seawarden.ais import Decoder, decode_batch, iter_messages  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "results"


def validate(path: Path) -> dict[str, object]:
    """Decode one capture both ways and compare with pyais."""
    data = _read(path)
    decoder = Decoder()
    messages = list(iter_messages([data], decoder=decoder))
    stats = decoder.stats()
    tables = decode_batch(data)
    rows = sum(t.num_rows for t in tables.values())
    report: dict[str, object] = {
        "lines": stats.lines,
        "messages": stats.messages,
        "balanced": stats.balanced(),
        "paths_agree": rows == len(messages),
        "outcomes": {k: v for k, v in stats.outcomes.items() if v},
    }
    try:
        from tests.ais.gpsd_compare import align
        from tests.ais.test_pyais_agreement import _agree, _pyais_messages
    except ImportError:
        return report
    tmp = RESULTS / "_capture.txt"
    tmp.write_bytes(data)
    theirs = _pyais_messages(tmp)
    tmp.unlink()
    pairs, _, _ = align(messages, theirs)
    compared = 0
    disagreements = []
    for o, t in pairs:
        for key in t:
            if key not in o or (key in ("data", "radio") and o["type"] in (25, 26)):
                continue
            compared += 1
            if not _agree(key, o, t):
                disagreements.append([o["line"], o["type"], key, repr(o[key]), repr(t[key])])
    report["pyais"] = {
        "paired_messages": len(pairs),
        "fields_compared": compared,
        "disagreements": disagreements[:50],
        "disagreement_count": len(disagreements),
    }
    return report


def main() -> int:
    RESULTS.mkdir(exist_ok=True)
    results = {}
    ok = True
    for path in capture_files(include_shared=True):
        r = validate(path)
        results[path.name] = r
        bad = not r["balanced"] or not r["paths_agree"]
        pyais = r.get("pyais")
        if isinstance(pyais, dict) and pyais["disagreement_count"]:
            bad = True
        ok &= not bad
        verdict = "FAIL" if bad else "ok"
        print(f"{path.name:45s} {r['lines']:>7,} lines {r['messages']:>7,} msgs  {verdict}")
    (RESULTS / "corpus.json").write_text(json.dumps(results, indent=2))
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
