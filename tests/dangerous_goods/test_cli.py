"""The ``dg`` command group through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from seawarden.dangerous_goods.cli import app

from .helpers import BERTH_POLY

BAPLIE = (
    Path(__file__).resolve().parents[1]
    / "data"
    / "dangerous_goods"
    / "synthetic_baplie_d95b_smdg22_dg.edi"
)
runner = CliRunner()

COMMANDS = [
    "segregation",
    "segregation-code",
    "hazard",
    "lookup",
    "load",
    "declare",
    "declaration",
    "declarations",
    "approve",
    "reject",
    "observe",
    "alarms",
    "dashboard",
    "sensors-listen",
    "sensors-simulate",
]


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, list(args))
    return r.exit_code, r.stdout, r.stderr


def test_every_command_has_help() -> None:
    code, out, _ = run("--help")
    assert code == 0
    for name in COMMANDS:
        assert name in out
        c, text, _ = run(name, "--help")
        assert c == 0 and "Usage" in text, name


def test_segregation_on_the_synthetic_baplie() -> None:
    code, out, _ = run("segregation", str(BAPLIE))
    assert code == 0
    assert "bay list: 3 units, 3 with dangerous goods, 2 findings" in out
    assert "IMDG 7.2.4 [3, 5.1] = 2" in out
    code, out, _ = run("segregation", str(BAPLIE), "--format", "json")
    data = json.loads(out)
    assert data["kind"] == "bay" and {tuple(f["subjects"]) for f in data["findings"]} == {
        ("TSTU1234568", "TSTU7654320"),
        ("TSTU7654320", "TSTU5555550"),
    }


def test_segregation_on_json_and_csv_yards(tmp_path: Path) -> None:
    yard = {
        "kind": "yard",
        "blocks": [{"name": "A"}],
        "containers": [
            {"id": "C1", "block": "A", "bay": 1, "row": 1, "tier": 1, "un_number": "1263"},
            {"id": "C2", "block": "A", "bay": 3, "row": 1, "tier": 1, "un_number": "1495"},
            {"id": "C3", "block": "A", "bay": 21, "row": 1, "tier": 1, "un_number": "0222"},
        ],
    }
    f = tmp_path / "yard.json"
    f.write_text(json.dumps(yard))
    code, out, _ = run("segregation", str(f), "--format", "json")
    rules = sorted(x["rule_id"] for x in json.loads(out)["findings"])
    assert code == 0 and rules == ["YARD-DIRECT", "YARD-SEG"]
    csv_file = tmp_path / "bay.csv"
    csv_file.write_text("id,position,un_number,class\nA,0130282,1263,3\nB,0150282,1942,5.1\n")
    code, out, _ = run("segregation", str(csv_file))
    assert code == 0 and "1 findings" in out


def test_segregation_bad_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    for text in (
        "{not json",
        json.dumps(
            {"kind": "bay", "containers": [{"id": "A", "position": "xx", "un_number": "1263"}]}
        ),
        json.dumps(
            {"kind": "bay", "containers": [{"id": "A", "position": "0010282", "un_number": "9999"}]}
        ),
    ):
        bad.write_text(text)
        code, _, err = run("segregation", str(bad))
        assert code == 2 and err.startswith("error [")
    code, _, err = run("segregation", str(tmp_path / "missing.json"))
    assert code == 2


def test_segregation_code() -> None:
    assert run("segregation-code", "3", "5.1")[:2] == (0, "2\n")
    assert run("segregation-code", "1.1", "1.4")[:2] == (0, "*\n")
    assert run("segregation-code", "9", "8")[:2] == (0, "X\n")
    code, out, err = run("segregation-code", "2.1", "4.3")
    assert (code, out) == (0, "2\n") and "VERIFY" in err
    code, out, _ = run("segregation-code", "3", "4.3", "--format", "json")
    assert json.loads(out) == {
        "code": "2",
        "meaning": "separated from",
        "cell": ["3", "4.3"],
        "verify": True,
        "older_edition_value": "1",
    }
    assert run("segregation-code", "3", "11")[0] == 2


def test_hazard_json_interface(tmp_path: Path) -> None:
    f = tmp_path / "unit.json"
    f.write_text(
        json.dumps(
            {
                "people_within_500m": 120,
                "items": [
                    {"substance": "氯", "quantity_t": 20},
                    {"substance": "UN1005", "quantity_t": 100},
                ],
            }
        )
    )
    code, out, _ = run("hazard", str(f), "--format", "json")
    data = json.loads(out)
    assert code == 0
    assert (data["S"], data["is_major_hazard"], data["R"], data["grade"]) == (14.0, True, 72.0, 2)
    assert len(data["lines"]) == 2
    code, out, _ = run("hazard", str(f))
    assert "R = 2 × 36 = 72 → grade 2 (table 6)" in out
    f.write_text(
        json.dumps({"people_within_500m": 5, "items": [{"substance": "LPG", "quantity_t": 20}]})
    )
    data = json.loads(run("hazard", str(f), "--format", "json")[1])
    assert data["is_major_hazard"] is False and data["R"] is None and data["grade"] is None
    f.write_text(json.dumps({"items": [{"substance": "methanol", "quantity_t": -3}]}))
    code, _, err = run("hazard", str(f))
    assert code == 2 and "invalid_quantity" in err


def test_lookup() -> None:
    code, out, _ = run("lookup", "UN1230")
    assert code == 0 and "class 3 (6.1) PG II  Methanol / 甲醇" in out
    data = json.loads(run("lookup", "1017", "--format", "json")[1])
    assert data[0]["class"] == "2.3" and data[0]["subsidiary"] == ["5.1", "8"]
    code, _, err = run("lookup", "9999")
    assert code == 2 and "unknown_un_number" in err


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    facilities = {
        "organisations": [
            {"code": "ZJ", "name": "Province", "level": "province"},
            {"code": "ZJ-NB", "name": "Ningbo", "parent": "ZJ", "level": "city"},
            {"code": "ENT-A", "name": "Company A", "parent": "ZJ-NB", "level": "enterprise"},
        ],
        "companies": [
            {
                "key": "a",
                "organisation": "ENT-A",
                "name": "Company A",
                "terminals": [
                    {
                        "key": "term",
                        "name": "Terminal A",
                        "lat": 29.9,
                        "lon": 121.8,
                        "berths": [
                            {
                                "key": "b1",
                                "name": "Berth A1",
                                "geometry": BERTH_POLY,
                                "dg_only": True,
                            }
                        ],
                        "storage_units": [
                            {
                                "key": "farm",
                                "kind": "tank_farm",
                                "name": "Bund 1",
                                "capacity_t": 20000,
                                "tanks": [
                                    {
                                        "key": "t101",
                                        "name": "T-101",
                                        "capacity_t": 8000,
                                        "tank": {"temperature_max_c": 40, "height_m": 20},
                                        "substances": [
                                            {
                                                "substance": "methanol",
                                                "un_number": "1230",
                                                "max_quantity_t": 8000,
                                            }
                                        ],
                                    }
                                ],
                            }
                        ],
                    }
                ],
                "personnel": [
                    {
                        "key": "li",
                        "name": "Li Wei",
                        "qualifications": [
                            {
                                "kind": "DG handling",
                                "valid_from": "2025-01-01",
                                "valid_to": "2100-01-01",
                            }
                        ],
                    }
                ],
                "licences": [
                    {
                        "number": "L-1",
                        "valid_from": "2025-01-01",
                        "valid_to": "2100-01-01",
                        "annexes": [
                            {"modes": ["discharging"], "un_numbers": ["1230"], "site": "berth:b1"}
                        ],
                    }
                ],
            }
        ],
        "port_rules": {"ZJ": {"decision_hours": 12}},
    }
    f = tmp_path / "facilities.json"
    f.write_text(json.dumps(facilities))
    d = tmp_path / "data"
    code, out, err = run("load", str(f), "--data-dir", str(d))
    assert code == 0, err
    ids = json.loads(out)
    assert set(ids) >= {"a", "term", "b1", "farm", "t101", "li"}
    return d


def test_declaration_flow(data_dir: Path, tmp_path: Path) -> None:
    decl = {
        "terminal_id": 1,
        "berth_id": 1,
        "mode": "discharging",
        "ship_name": "SEA STAR",
        "mmsi": 413000001,
        "start": "2099-01-02T08:00:00Z",
        "end": "2099-01-02T20:00:00Z",
        "personnel": [1],
        "lines": [{"un_number": "1230", "quantity_t": 500}],
    }
    f = tmp_path / "decl.json"
    f.write_text(json.dumps(decl))
    dd = ["--data-dir", str(data_dir)]
    code, out, err = run("declare", str(f), *dd)
    assert code == 0, err
    assert "declaration 1: submitted (comparison pass)" in out
    decl["lines"] = [{"un_number": "1942", "quantity_t": 10}]
    f.write_text(json.dumps(decl))
    code, out, _ = run("declare", str(f), *dd, "--format", "json")
    blocked = json.loads(out)
    assert blocked["status"] == "blocked"
    code, _, err = run("approve", str(blocked["id"]), *dd)
    assert code == 2 and "declaration_blocked" in err
    assert run("reject", str(blocked["id"]), "--comment", "outside the annex", *dd)[0] == 0
    code, out, _ = run("approve", "1", "--comment", "ok", *dd)
    assert code == 0 and "approved" in out and "decided by" in out
    code, out, _ = run("declarations", *dd)
    assert "approved" in out and "rejected" in out
    code, out, _ = run("declaration", "1", *dd, "--format", "json")
    assert json.loads(out)["decision_comment"] == "ok"
    code, out, _ = run("observe", "1", "--mmsi", "413000001", "--at", "2099-01-02T09:00:00Z", *dd)
    assert json.loads(out)["approved"] is True
    code, out, _ = run("observe", "1", "--mmsi", "413000009", "--at", "2099-01-02T09:00:00Z", *dd)
    assert json.loads(out)["alarm_id"] == 1
    alarms = json.loads(run("alarms", *dd)[1])
    assert [a["kind"] for a in alarms] == ["unapproved_operation"]
    board = json.loads(run("dashboard", "ZJ", *dd)[1])
    assert board["totals"]["declarations_pending"] == 0 and board["children"][0]["code"] == "ZJ-NB"
    assert run("declaration", "99", *dd)[0] == 2
    f.write_text("[]")
    assert run("declare", str(f), *dd)[0] == 2


def test_port_rules_option_and_bad_facilities(tmp_path: Path) -> None:
    yard = {
        "kind": "yard",
        "blocks": [{"name": "A"}],
        "containers": [
            {"id": "C1", "block": "A", "bay": 1, "row": 1, "tier": 1, "un_number": "1263"},
            {"id": "C2", "block": "A", "bay": 5, "row": 1, "tier": 1, "un_number": "1495"},
        ],
    }
    f = tmp_path / "yard.json"
    f.write_text(json.dumps(yard))
    assert json.loads(run("segregation", str(f), "--format", "json")[1])["findings"] == []
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"yard_distance_m": {"1": 0, "2": 12, "3": 24, "4": 48}}))
    out = json.loads(run("segregation", str(f), "--rules", str(rules), "--format", "json")[1])
    assert [x["rule_id"] for x in out["findings"]] == ["YARD-SEG"]
    rules.write_text(json.dumps({"yard_distance_m": {"1": -1}}))
    assert run("segregation", str(f), "--rules", str(rules))[0] == 2
    bad = tmp_path / "facilities.json"
    for data in (
        {"companies": [{"organisation": "X"}]},
        {
            "companies": [
                {
                    "organisation": "X",
                    "name": "n",
                    "terminals": [
                        {
                            "name": "t",
                            "storage_units": [
                                {
                                    "kind": "tank_farm",
                                    "name": "f",
                                    "tanks": [{"name": "t1", "tank": {"colour": "red"}}],
                                }
                            ],
                        }
                    ],
                }
            ]
        },
        ["not", "an", "object"],
    ):
        bad.write_text(json.dumps(data))
        code, _, err = run("load", str(bad), "--data-dir", str(tmp_path / "d"))
        assert code == 2 and err.startswith("error [invalid_input]"), err
