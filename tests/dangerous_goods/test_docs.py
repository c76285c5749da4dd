"""Everything the domain defines is documented in docs/dangerous-goods.md, and its figures come from the bench."""

from __future__ import annotations

import json
from pathlib import Path

from seawarden.dangerous_goods import errors
from seawarden.dangerous_goods.cli import app
from seawarden.dangerous_goods.findings import RULES
from seawarden.dangerous_goods.portrules import PortRules

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "dangerous-goods.md").read_text(encoding="utf-8")


def test_rules_errors_settings_and_commands_are_documented() -> None:
    for rule in RULES.values():
        assert f"| `{rule.rule_id}` |" in DOC, rule.rule_id
    codes = {
        c.code
        for c in vars(errors).values()
        if isinstance(c, type) and issubclass(c, errors.DGError)
    }
    for code in codes - {"dg_error"}:
        assert f"| `{code}` |" in DOC, code
    for name in PortRules.model_fields:
        assert f"| `{name}` |" in DOC, name
    for command in app.registered_commands:
        assert f"`{command.name}" in DOC, command.name


def test_performance_figures_come_from_the_bench_results() -> None:
    result = json.loads((ROOT / "bench" / "results" / "dg.json").read_text())
    bay, yard = result["bay_plan"], result["yard"]
    for text in (
        f"{bay['seconds']:.3f} s",
        f"{bay['naive_seconds']:.1f} s",
        f"×{bay['speedup']:.1f}",
        f"{bay['findings']:,} findings",
        f"{yard['move_ms_mean']:.2f} ms mean",
        f"{yard['move_ms_p99']:.2f} ms p99",
        f"{yard['full_recheck_ms']:,.0f} ms",
        f"×{yard['speedup_mean']:,.0f} (mean)",
        f"{yard['dg_units']:,} DG",
    ):
        assert text in DOC, text
    assert bay["same_findings_as_naive"] and bay["meets_target"] and yard["meets_target"]
