"""``registry`` commands as acceptance checks use them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from typer.testing import CliRunner

from seawarden.registry.cli import registry_app

from .test_identity import _write_observations

runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data" / "registry"


def test_import_export_show_identity_and_opendata(tmp_path: Path) -> None:
    d = ["--data-dir", str(tmp_path / "data")]
    r = runner.invoke(
        registry_app, ["import", str(DATA / "ships_bad_rows.csv"), "--kind", "ships", *d]
    )
    assert r.exit_code == 0, r.output
    # the command-line operator sees every organisation, so the FJ row is imported too
    assert "3 created" in r.stdout and "7 rejected" in r.stdout and "line 3: bad_imo" in r.stdout
    r = runner.invoke(
        registry_app,
        [
            "import",
            str(DATA / "ships_bad_rows.csv"),
            "--kind",
            "ships",
            "--format",
            "json",
            "--strict",
            "--errors",
            str(tmp_path / "errors.csv"),
            *d,
        ],
    )
    assert r.exit_code == 1
    report = json.loads(r.stdout)
    assert (report["created"], report["updated"], report["rejected"]) == (0, 0, 7)
    with (tmp_path / "errors.csv").open() as f:
        assert next(csv.reader(f)) == ["line", "reason", "field", "message"]
    assert (
        runner.invoke(
            registry_app, ["import", str(tmp_path / "nope.csv"), "--kind", "ships", *d]
        ).exit_code
        == 2
    )
    assert (
        runner.invoke(
            registry_app, ["import", str(DATA / "ships_bad_rows.csv"), "--kind", "boats", *d]
        ).exit_code
        == 2
    )

    for ext in ("csv", "xlsx", "json", "jsonl"):
        out = tmp_path / f"ships.{ext}"
        r = runner.invoke(registry_app, ["export", "ships", str(out), *d])
        assert r.exit_code == 0 and "wrote 3 row(s)" in r.stdout, r.output
    for name in (
        "companies",
        "crews",
        "inspections",
        "events",
        "identities",
        "links",
        "conflicts",
        "imports",
        "licences",
        "quotas",
        "permits",
        "certificates",
    ):
        assert (
            runner.invoke(
                registry_app, ["export", name, str(tmp_path / f"{name}.csv"), *d]
            ).exit_code
            == 0
        ), name
    r = runner.invoke(registry_app, ["list", "ships", "--format", "json", *d])
    assert len(json.loads(r.stdout)) == 3

    r = runner.invoke(
        registry_app,
        [
            "event",
            "9074729",
            "inspection",
            "--date",
            "2025-09-01",
            "--port",
            "Ningbo",
            "--deficiencies",
            "9",
            "--detained",
            *d,
        ],
    )
    assert r.exit_code == 0, r.output
    assert (
        runner.invoke(
            registry_app, ["event", "9074729", "inspection", "--date", "yesterday", *d]
        ).exit_code
        == 2
    )
    assert (
        runner.invoke(
            registry_app,
            ["event", "9074729", "accident", "--date", "2025-09-01", "--detail", "{", *d],
        ).exit_code
        == 2
    )
    r = runner.invoke(registry_app, ["show", "9074729", "--format", "json", *d])
    shown = json.loads(r.stdout)
    assert shown["ship"]["name"] == "GOOD ONE" and "inspection" in [
        h["what"] for h in shown["history"]
    ]
    assert runner.invoke(registry_app, ["show", "9074729", *d]).exit_code == 0
    assert runner.invoke(registry_app, ["show", "1234567", *d]).exit_code == 2

    _write_observations(tmp_path / "data")
    r = runner.invoke(registry_app, ["identity", "resolve", *d])
    assert r.exit_code == 0 and "1 link(s)" in r.stdout, r.output
    r = runner.invoke(registry_app, ["identity", "conflicts", "--format", "json", *d])
    conflicts = {c["conflict"]: c for c in json.loads(r.stdout)}
    assert set(conflicts) == {"ship_two_mmsis", "name_mismatch"}
    r = runner.invoke(
        registry_app,
        [
            "identity",
            "decide",
            str(conflicts["ship_two_mmsis"]["id"]),
            "--note",
            "checked",
            "--ship",
            "9074729",
            *d,
        ],
    )
    assert r.exit_code == 0
    assert runner.invoke(registry_app, ["identity", "links", *d]).exit_code == 0

    r = runner.invoke(registry_app, ["opendata", "inspections", str(tmp_path / "open.json"), *d])
    assert (
        r.exit_code == 0 and json.loads((tmp_path / "open.json").read_text())[0]["detained"] is True
    )
    assert (
        runner.invoke(
            registry_app, ["opendata", "inspections", str(tmp_path / "open.xlsx"), *d]
        ).exit_code
        == 2
    )


def test_crew_points_and_company_commands(tmp_path: Path) -> None:
    d = ["--data-dir", str(tmp_path / "data")]
    crews = tmp_path / "crews.csv"
    crews.write_text(
        "name,id_number,certificate_no,certificate_grade,organisation\n王海生,11010519491231002X,C-1,master,ZJ\n"
    )
    assert runner.invoke(registry_app, ["import", str(crews), "--kind", "crews", *d]).exit_code == 0
    for pts in (10, 5):
        r = runner.invoke(
            registry_app,
            [
                "points",
                "11010519491231002X",
                "--points",
                str(pts),
                "--reason",
                "x",
                "--date",
                "2026-01-02",
                *d,
            ],
        )
        assert r.exit_code == 0, r.output
    assert "withheld" in r.stdout
    r = runner.invoke(registry_app, ["crew", "11010519491231002X", *d])
    assert json.loads(r.stdout)["certificates"][0]["state"] == "withheld"
    assert (
        runner.invoke(
            registry_app,
            [
                "points",
                "11010519491231002X",
                "--points",
                "99",
                "--reason",
                "x",
                "--date",
                "2026-01-02",
                *d,
            ],
        ).exit_code
        == 2
    )
    companies = tmp_path / "companies.csv"
    companies.write_text("name,uscc,organisation\nZhoushan Shipping,91350100M000100Y43,ZJ\n")
    assert (
        runner.invoke(registry_app, ["import", str(companies), "--kind", "companies", *d]).exit_code
        == 0
    )
    r = runner.invoke(registry_app, ["company", "91350100M000100Y43", *d])
    assert json.loads(r.stdout)["company"]["name"] == "Zhoushan Shipping"
