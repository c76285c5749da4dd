"""Optional check: the bundled reference tables are unchanged copies of the shared reference set.

``python bench/validate_reference.py [SHARED_REFERENCE_DIR]`` (default: ``../shared/reference``
beside the repository) compares every table that the dangerous-goods manifest says was copied
unchanged, and the registry test fixtures, byte for byte. Exit status 1 on any difference.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from seawarden.dangerous_goods.reference import reference

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = {
    "paris_mou_srp.csv": ROOT / "tests" / "data" / "registry" / "paris_mou_srp.csv",
    "paris_mou_company_performance.csv": ROOT
    / "tests"
    / "data"
    / "registry"
    / "paris_mou_company_performance.csv",
    "gb18218_worked_examples.csv": ROOT
    / "tests"
    / "data"
    / "dangerous_goods"
    / "gb18218_worked_examples.csv",
}


def main(argv: list[str] | None = None) -> int:
    """Compare the copies; print one line per file; return 1 if any differs."""
    args = sys.argv[1:] if argv is None else argv
    shared = Path(args[0]) if args else ROOT.parent / "shared" / "reference"
    if not shared.is_dir():
        print(f"no shared reference set at {shared}")
        return 2
    bad = 0
    for name, meta in reference().manifest["files"].items():
        if "copied unchanged" in meta["source"]:
            digest = hashlib.sha256((shared / name).read_bytes()).hexdigest()
            ok = digest == meta["sha256"]
            bad += not ok
            print(f"{'ok ' if ok else 'DIFF'} {name}")
    for name, copy in FIXTURES.items():
        ok = (shared / name).read_bytes() == copy.read_bytes()
        bad += not ok
        print(f"{'ok ' if ok else 'DIFF'} {copy.relative_to(ROOT)}")
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
