"""docs/registry.md documents every reason, conflict, event kind, list, dataset and command."""

from __future__ import annotations

import json
from pathlib import Path

from seawarden.credit.cli import credit_app
from seawarden.credit.rules import default_ruleset
from seawarden.registry.cli import registry_app
from seawarden.registry.lists import ListName
from seawarden.registry.matching import SOURCE_PRIORITY, ConflictKind
from seawarden.registry.public import Dataset, dataset_fields
from seawarden.registry.reasons import Reason
from seawarden.registry.schemas import EventKind, ShipType
from seawarden.risk.cli import risk_app
from seawarden.risk.srp import ShipFacts

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "registry.md").read_text(encoding="utf-8")


def test_closed_lists_are_documented() -> None:
    for reason in Reason:
        assert f"| `{reason.value}` |" in DOC, reason
    for c in ConflictKind:
        assert f"`{c.value}`" in DOC, c
    for k in EventKind:
        assert f"`{k.value}`" in DOC, k
    for t in ShipType:
        assert f"`{t.value}`" in DOC, t
    for name in ListName:
        assert f"`{name.value}`" in DOC, name
    for source, prio in SOURCE_PRIORITY.items():
        assert f"| `{source}` | {prio} |" in DOC
    for field in ShipFacts.model_fields:
        assert f"| `{field}` |" in DOC, field
    for kind in default_ruleset().events:
        assert f"`{kind}`" in DOC, kind


def test_datasets_are_documented_with_their_fields() -> None:
    for ds in Dataset:
        public = DOC.split("## Public data", 1)[1]
        row = next(line for line in public.splitlines() if line.startswith(f"| `{ds.value}` |"))
        for field in dataset_fields(ds):
            assert f"`{field}`" in row, (ds, field)


def test_commands_are_documented() -> None:
    for prefix, app in (("registry", registry_app), ("risk", risk_app), ("credit", credit_app)):
        names = [c.name for c in app.registered_commands] + [g.name for g in app.registered_groups]
        for name in names:
            assert f"| `{prefix} {name}` |" in DOC, (prefix, name)


def test_benchmark_figures_come_from_the_results() -> None:
    results = ROOT / "bench" / "results" / "registry.json"
    if not results.exists():
        return
    data = json.loads(results.read_text())
    for key in ("sqlite_csv", "postgresql_csv", "sqlite_xlsx"):
        if key in data:
            assert f"| {data[key]['seconds']:.2f} |" in DOC, key
