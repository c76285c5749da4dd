"""`make bench`: run every benchmark, write JSON results, regenerate docs/performance.md.

``python bench/run.py`` runs every section in turn; ``python bench/run.py ledger dg`` runs
only the named ones; ``python bench/run.py report`` runs nothing and only regenerates
docs/performance.md from the JSON results there are (as ``python bench/report.py`` does).
``python bench/run.py --list`` lists the sections. A section that fails is reported and the
others still run; the exit status is then non-zero.

Sections (each writes ``bench/results/<name>.json``):

- ``decoder``: AIS decoder throughput against pyais and libais (one core).
- ``corpus``: every capture decoded by both paths and compared field by field with pyais.
- ``ingest``: end-to-end ingest against pyais + pandas (one core).
- ``tracks``: track store queries (one vessel's day, snapshot of the coast, latest).
- ``web``: ``seawarden serve`` under HTTP and live load (uses the supervision store).
- ``supervision``: the rule engine live and in batch, against GeoPandas (one core).
- ``collision``: pair search, CPA/TCPA and ``assess`` against naive and OpenCPN (one core).
- ``dg``: dangerous-goods bay plan and yard checks against naive code.
- ``registry``: 100,000-ship register import with bad rows (SQLite; PostgreSQL if named).
- ``ledger``: appends with a checkpoint per second, proofs in a 10M-leaf tree.
- ``segmenter``: identity segmenter against Global Fishing Watch's labels.
- ``gfw_behaviour``: reporting gaps and loitering against Global Fishing Watch's code.

The first runs of supervision (its track store) and ledger (its 10M-entry log) build data
under ``bench/.cache`` that later runs reuse.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import report  # noqa: E402


def _call(module: str, function: str = "run", *args: Any) -> Callable[[], int]:
    """Import ``module`` only when the section runs (some need optional packages)."""

    def go() -> int:
        out = getattr(importlib.import_module(module), function)(*args)
        return out if isinstance(out, int) else 0

    return go


def _num(x: float) -> str:
    return f"{x:,.0f}"


@dataclass(frozen=True)
class Section:
    """A benchmark: what it measures, how to run it, and its one-line outcome."""

    title: str
    run: Callable[[], int]
    result: str
    headline: Callable[[dict[str, Any]], str]


def _ledger_headline(r: dict[str, Any]) -> str:
    a, p = r["appends"], r["proofs"]
    return (
        f"{_num(a['appends_per_s'])} appends/s, {a['checkpoints_per_s']:g} checkpoints/s;"
        f" proof p99 {p['inclusion_ms_p99']:.2f} ms (inclusion),"
        f" {p['consistency_ms_p99']:.2f} ms (consistency) in {_num(p['tree_size'])} leaves"
    )


SECTIONS: dict[str, Section] = {
    "decoder": Section(
        "AIS decoder throughput vs pyais and libais",
        _call("decoder_bench"),
        "decoder.json",
        lambda r: f"batch {_num(r['runs']['seawarden_batch']['messages_per_second'])} msg/s",
    ),
    "corpus": Section(
        "corpus validation (both paths, field by field with pyais)",
        _call("validate_corpus", "main"),
        "corpus.json",
        lambda r: (
            "all captures balanced and agreeing"
            if all(c["balanced"] and c["paths_agree"] for c in r.values())
            else "SOME CAPTURES DISAGREE"
        ),
    ),
    "ingest": Section(
        "ingest end to end vs pyais + pandas",
        _call("ingest_bench"),
        "ingest.json",
        lambda r: (
            f"{_num(r['target']['measured'])} msg/s"
            f" (target {_num(r['target']['messages_per_second'])})"
        ),
    ),
    "tracks": Section(
        "track store queries",
        _call("tracks_bench"),
        "tracks.json",
        lambda r: (
            f"snapshot median {r['snapshot']['median_ms']:.0f} ms,"
            f" track median {r['track']['median_ms']:.0f} ms"
        ),
    ),
    "web": Section(
        "web platform under HTTP and live load",
        _call("web_bench"),
        "web.json",
        lambda r: (
            f"latest p99 {r['latest']['measured']['p99_ms']:,.0f} ms,"
            f" track p99 {r['track']['measured']['p99_ms']:,.0f} ms"
        ),
    ),
    "supervision": Section(
        "supervision rules, live and batch, vs GeoPandas",
        _call("supervision_bench"),
        "supervision.json",
        lambda r: (
            f"live {_num(r['live']['runs']['all_rules']['positions_per_second'])}"
            f" positions/s, batch day {r['batch']['seconds']:.0f} s"
        ),
    ),
    "collision": Section(
        "collision risk: pairs, CPA/TCPA, assess",
        _call("collision_bench"),
        "collision.json",
        lambda r: (
            f"pairs_within {r['targets']['pairs_within_ms']['measured']:.0f} ms,"
            f" CPA 100k {r['targets']['cpa_tcpa_100k_ms']['measured']:.1f} ms"
        ),
    ),
    "dg": Section(
        "dangerous goods: bay plan and yard vs naive",
        _call("dg_bench"),
        "dg.json",
        lambda r: (
            f"bay plan {r['bay_plan']['seconds']:.3f} s,"
            f" yard p99 {r['yard']['move_ms_p99']:.2f} ms/move"
        ),
    ),
    "registry": Section(
        "ship register import, 100,000 rows with bad rows",
        _call("registry_bench"),
        "registry.json",
        lambda r: f"CSV into SQLite {r['sqlite_csv']['seconds']:.1f} s",
    ),
    "ledger": Section(
        "ledger appends with checkpoints, proofs in a 10M-leaf tree",
        _call("ledger_bench"),
        "ledger.json",
        _ledger_headline,
    ),
    "segmenter": Section(
        "identity segmenter vs GFW's labels",
        _call("segmenter_bench"),
        "segmenter.json",
        lambda r: (
            f"{r['agreement']:.2%} agreement, {_num(r['kernel_positions_per_second'])} positions/s"
        ),
    ),
    "gfw_behaviour": Section(
        "reporting gaps and loitering vs GFW's code",
        _call("gfw_behaviour", "main", []),
        "gfw_behaviour.json",
        lambda r: (
            f"gaps F1 {r['gaps']['per_segment']['match_all']['agreement']['f1']:.2f},"
            f" loitering F1 {r['loitering']['match_gfw_like_vs_gfw_4h']['agreement']['f1']:.2f}"
        ),
    ),
}


def _headline(section: Section) -> str:
    path = report.RESULTS / section.result
    try:
        return section.headline(json.loads(path.read_text()))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return f"(no summary from {path.name}: {exc!r})"


def main(argv: list[str] | None = None) -> int:
    """Run the chosen sections, then regenerate the report; non-zero if any failed."""
    args = list(argv if argv is not None else sys.argv[1:])
    console = Console()
    if "--list" in args or "-h" in args or "--help" in args:
        for name, s in SECTIONS.items():
            print(f"{name:14} {s.title} -> bench/results/{s.result}")
        print(f"{'report':14} only regenerate {report.DOC.relative_to(HERE.parent)}")
        return 0
    chosen = [a for a in args if a != "report"] if args else list(SECTIONS)
    unknown = [s for s in chosen if s not in SECTIONS]
    if unknown:
        console.print(
            f"unknown section(s): {', '.join(unknown)}; choose from {', '.join(SECTIONS)} or report"
        )
        return 2
    failed: list[str] = []
    if not chosen:
        report.write()
        console.print(f"wrote {report.DOC}")
        return 0
    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]{task.description}"),
        BarColumn(bar_width=20),
        TextColumn("{task.completed}/{task.total} sections"),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("", total=len(chosen))
        for name in chosen:
            section = SECTIONS[name]
            progress.update(task, description=f"{name}: {section.title}")
            console.rule(f"[bold]{name}[/]: {section.title}")
            started = time.perf_counter()
            try:
                status = section.run()
            except Exception:  # report it and go on with the other sections
                console.print(traceback.format_exc(), markup=False, highlight=False)
                status = 1
            seconds = time.perf_counter() - started
            if status:
                failed.append(name)
                console.print(f"[red]✗ {name} failed[/] after {seconds:,.0f} s")
            else:
                console.print(
                    f"[green]✓ {name}[/] in {seconds:,.0f} s: {_headline(section)}",
                    highlight=False,
                )
            progress.advance(task)
    report.write()
    console.print(f"wrote {report.DOC}")
    if failed:
        console.print(f"[red]failed: {', '.join(failed)}[/]")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
