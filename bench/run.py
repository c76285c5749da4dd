"""`make bench`: run every benchmark, write JSON results, regenerate docs/performance.md.

``python bench/run.py`` runs everything; ``python bench/run.py ingest tracks`` runs only the
named sections (decoder, corpus, ingest, tracks, web). The report is regenerated from whatever
JSON results exist.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import decoder_bench  # noqa: E402
import report  # noqa: E402
import validate_corpus  # noqa: E402

SECTIONS = ("decoder", "corpus", "ingest", "tracks", "web")


def main(argv: list[str] | None = None) -> int:
    """Run benchmarks and the corpus validation; return non-zero if validation fails."""
    chosen = list(argv if argv is not None else sys.argv[1:]) or list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        print(f"unknown section(s): {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
        return 2
    status = 0
    if "decoder" in chosen:
        print("== decoder throughput ==", flush=True)
        decoder_bench.run()
    if "corpus" in chosen:
        print("== corpus validation ==", flush=True)
        status = validate_corpus.main()
    if "ingest" in chosen:
        import ingest_bench

        print("== ingest: Seawarden vs pyais + pandas ==", flush=True)
        ingest_bench.run()
    if "tracks" in chosen:
        import tracks_bench

        print("== track store queries ==", flush=True)
        tracks_bench.run()
    if "web" in chosen:
        import web_bench

        print("== web platform under load ==", flush=True)
        web_bench.run()
    report.write()
    print(f"wrote {report.DOC}")
    return status


if __name__ == "__main__":
    raise SystemExit(main())
