"""``risk`` and ``credit`` commands as acceptance checks use them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seawarden.credit.cli import credit_app
from seawarden.registry.cli import registry_app
from seawarden.risk.cli import risk_app

runner = CliRunner()
DATA = Path(__file__).resolve().parents[1] / "data" / "registry"


def test_srp_json_worked_example() -> None:
    r = runner.invoke(risk_app, ["srp", str(DATA / "srp_worked_example.json"), "--format", "json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert set(out) == {"points", "profile", "window_months", "lines"}
    assert (out["points"], out["profile"], out["window_months"]) == (7, "HRS", [5, 6])
    assert len(out["lines"]) >= 9 and all(isinstance(x, str) for x in out["lines"])
    r = runner.invoke(
        risk_app,
        ["srp", str(DATA / "srp_worked_example.json"), "--format", "json", "--regime", "tokyo"],
    )
    assert json.loads(r.stdout)["window_months"] == [2, 4]
    r = runner.invoke(risk_app, ["srp", str(DATA / "srp_worked_example.json")])
    assert r.exit_code == 0 and "High Risk Ship" in r.stdout


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{", "not valid JSON"),
        ("[]", "input"),
        ('{"ship_type": "bulk_carrier"}', "age_years"),
        (
            '{"ship_type": "x", "age_years": 1, "flag_performance": "purple", "imo_audit": true, "ro_performance": "high", '
            '"ro_eu_recognised": true, "company_performance": "high", "inspections_36m": [], "detentions_36m": 0}',
            "flag_performance",
        ),
    ],
)
def test_srp_bad_input_is_reported_not_crashed(tmp_path: Path, content: str, message: str) -> None:
    f = tmp_path / "ship.json"
    f.write_text(content)
    r = runner.invoke(risk_app, ["srp", str(f), "--format", "json"])
    assert r.exit_code == 2 and message in r.output
    r = runner.invoke(risk_app, ["srp", str(tmp_path / "missing.json")])
    assert r.exit_code == 2 and "cannot read" in r.output


def test_srp_custom_weights(tmp_path: Path) -> None:
    cfg = tmp_path / "weights.toml"
    cfg.write_text('base = "paris"\nhrs_threshold = 8\n[points]\ncompany_low = 3\n')
    r = runner.invoke(
        risk_app,
        ["srp", str(DATA / "srp_worked_example.json"), "--format", "json", "--config", str(cfg)],
    )
    out = json.loads(r.stdout)
    assert (out["points"], out["profile"]) == (8, "HRS")
    cfg.write_text('hrs_threshold = "many"')
    r = runner.invoke(
        risk_app, ["srp", str(DATA / "srp_worked_example.json"), "--config", str(cfg)]
    )
    assert r.exit_code == 2


def test_profile_due_points_and_credit_commands(tmp_path: Path) -> None:
    d = ["--data-dir", str(tmp_path / "data")]
    ships = tmp_path / "ships.csv"
    ships.write_text(
        "name,imo,mmsi,ship_type,flag,build_year,class_society,port_of_registry,organisation\n"
        "HAI XING,9074729,413000001,bulk_carrier,PA,2008,CCS,Ningbo,ZJ\n"
    )
    assert runner.invoke(registry_app, ["import", str(ships), "--kind", "ships", *d]).exit_code == 0
    flags = tmp_path / "flags.csv"
    flags.write_text("flag,performance,imo_audit,year\nPA,black_medium_high,false,2025\n")
    r = runner.invoke(risk_app, ["lists", "load", "flags", str(flags), *d])
    assert r.exit_code == 0 and "loaded 1" in r.stdout
    r = runner.invoke(
        risk_app, ["profile", "9074729", "--format", "json", "--on", "2026-06-01", *d]
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    # bulk carrier 2 + 18 years 1 + Black list (medium to high) 2; RO not listed; no company
    assert (out["profile"], out["points"]) == ("HRS", 5)
    assert out["priority"] == "priority_I" and len(out["parameters"]) == 9
    r = runner.invoke(risk_app, ["profile", "9074729", "--on", "2026-06-01", *d])
    assert r.exit_code == 0 and "3a flag: black_medium_high" in r.stdout
    assert runner.invoke(risk_app, ["profile", "0000000", *d]).exit_code == 2
    r = runner.invoke(
        risk_app, ["due", "--port", "Ningbo", "--format", "json", "--on", "2026-06-01", *d]
    )
    assert r.exit_code == 0, r.output
    assert [x["name"] for x in json.loads(r.stdout)] == ["HAI XING"]
    r = runner.invoke(
        risk_app, ["due", "--port", "Ningbo", "--out", str(tmp_path / "due.xlsx"), *d]
    )
    assert r.exit_code == 0 and (tmp_path / "due.xlsx").exists()
    assert runner.invoke(risk_app, ["due", "--port", "Ningbo", "--on", "June", *d]).exit_code == 2

    r = runner.invoke(
        risk_app,
        [
            "points",
            "add",
            "--name",
            "berth 3",
            "--location",
            "Daxie",
            "--hazard",
            "spill",
            "--likelihood",
            "4",
            "--consequence",
            "5",
            "--owner",
            "safety officer",
            "--measure",
            "booms",
            "--organisation",
            "ZJ",
            *d,
        ],
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(risk_app, ["points", "list", "--format", "json", *d])
    assert json.loads(r.stdout)[0]["level"] == "major"
    r = runner.invoke(
        risk_app,
        ["points", "review", "1", "--likelihood", "2", "--consequence", "2", "--reviewer", "x", *d],
    )
    assert r.exit_code == 0 and "low" in r.stdout
    assert (
        runner.invoke(
            risk_app,
            [
                "points",
                "add",
                "--name",
                "n",
                "--location",
                "l",
                "--hazard",
                "h",
                "--likelihood",
                "9",
                "--consequence",
                "1",
                "--owner",
                "o",
                "--organisation",
                "ZJ",
                *d,
            ],
        ).exit_code
        == 2
    )

    r = runner.invoke(
        credit_app,
        [
            "record",
            "9074729",
            "--event",
            "detention",
            "--date",
            "2026-03-01",
            "--source",
            "PSC-1",
            *d,
        ],
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(credit_app, ["show", "9074729", "--format", "json", *d])
    assert r.exit_code == 0, r.output
    shown = json.loads(r.stdout)
    assert shown["grade"] in ("A", "AA") and shown["lines"]
    r = runner.invoke(credit_app, ["recompute", str(shown["id"]), *d])
    assert r.exit_code == 0 and "same" in r.stdout
    r = runner.invoke(credit_app, ["appeal", "1", "--reason", "wrong ship", *d])
    assert r.exit_code == 0
    r = runner.invoke(credit_app, ["decide", "1", "--uphold", "--decision", "agreed", *d])
    assert r.exit_code == 0 and "upheld" in r.stdout
    r = runner.invoke(credit_app, ["show", "9074729", "--recompute", *d])
    assert r.exit_code == 0 and "grade AA" in r.stdout
    assert runner.invoke(
        credit_app, ["events", "9074729", "--format", "csv", *d]
    ).stdout.startswith("id,on_date")
    assert runner.invoke(credit_app, ["rules", "list", *d]).exit_code == 0
    r = runner.invoke(credit_app, ["rules", "show", *d])
    body = json.loads(r.stdout)
    body["version"] = "custom-1"
    (tmp_path / "rules.json").write_text(json.dumps(body))
    r = runner.invoke(
        credit_app, ["rules", "install", str(tmp_path / "rules.json"), "--activate", *d]
    )
    assert r.exit_code == 0 and "installed" in r.stdout
    assert runner.invoke(credit_app, ["feed", *d]).exit_code == 0
    assert runner.invoke(credit_app, ["list", "--format", "json", *d]).exit_code == 0
    assert runner.invoke(credit_app, ["show", "nobody", *d]).exit_code == 2
    assert runner.invoke(credit_app, ["repair", "99", "--basis", "x", *d]).exit_code == 2


def test_every_command_has_help() -> None:
    for app in (risk_app, credit_app, registry_app):
        r = runner.invoke(app, ["--help"])
        assert r.exit_code == 0
        for group in app.registered_groups:
            assert runner.invoke(app, [str(group.name), "--help"]).exit_code == 0
            assert group.typer_instance is not None
            for cmd in group.typer_instance.registered_commands:
                r = runner.invoke(app, [str(group.name), str(cmd.name), "--help"])
                summary = ((cmd.callback and cmd.callback.__doc__) or "").split("\n")[0][:20]
                assert r.exit_code == 0 and summary and summary in " ".join(r.output.split())
        for cmd in app.registered_commands:
            r = runner.invoke(app, [str(cmd.name), "--help"])
            assert r.exit_code == 0, cmd.name
            assert cmd.callback is not None and cmd.callback.__doc__
