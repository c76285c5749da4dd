"""Reference tables: versioned, hashed, row counts and sampled cells pinned."""

from __future__ import annotations

import csv
import hashlib
import io
from importlib import resources

import pytest

from seawarden.dangerous_goods.reference import read_csv, read_text, reference

ROWS = {
    "dg_list.csv": 2905,
    "imdg_segregation_table.csv": 17,
    "imdg_segregation_pairs.csv": 289,
    "imdg_container_ship_segregation.csv": 49,
    "segregation_distances.csv": 13,
    "gb18218_table1.csv": 85,
    "gb18218_table2.csv": 24,
    "gb18218_beta.csv": 38,
    "gb18218_alpha.csv": 5,
    "gb18218_grade.csv": 4,
    "gb18218_2009_table2_transport_class.csv": 18,
    "cn_port_dg_rules.csv": 13,
    "cn_port_dg_major_hidden_danger.csv": 30,
    "gb18218_un_map.csv": 86,
    "gb18218_default_category.csv": 46,
    "transport_class_bridge.csv": 32,
}


def test_manifest_lists_every_file_with_source_and_hash() -> None:
    ref = reference()
    assert ref.version == "2026.1"
    files = ref.manifest["files"]
    data = resources.files("seawarden.dangerous_goods.data")
    shipped = {
        p.name
        for p in data.iterdir()
        if p.name.endswith((".csv", ".json")) and p.name != "manifest.json"
    }
    assert shipped == set(files)
    for name, meta in files.items():
        assert meta["source"] and meta["licence"] and meta["what"], name
        raw = data.joinpath(name).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == meta["sha256"], (
            f"{name} changed: update the manifest"
        )


@pytest.mark.parametrize(("name", "rows"), sorted(ROWS.items()))
def test_row_counts(name: str, rows: int) -> None:
    assert len(read_csv(name)) == rows
    assert reference().manifest["files"][name]["rows"] == rows


def test_notice_and_readme_name_the_sources() -> None:
    notice = read_text("NOTICE.md")
    readme = read_text("README.md")
    assert "49 CFR 172.101" in notice and "public domain" in notice
    for name in ROWS:
        assert f"`{name}`" in readme, name


def test_sampled_cells() -> None:
    ref = reference()
    codes = ref.segregation_codes
    assert codes[("3", "5.1")] == "2"
    assert codes[("1.1/1.2/1.5", "2.1")] == "4"
    assert codes[("6.2", "3")] == "3"
    assert codes[("1.4", "6.1")] == "X"
    assert codes[("9", "1.1/1.2/1.5")] == "X"
    assert codes[("1.3/1.6", "1.4")] == "*"
    assert all(codes[(a, b)] == codes[(b, a)] for a, b in codes)
    t1 = ref.table1
    assert (t1["12"]["name_cn"], t1["12"]["critical_quantity_t"], t1["12"]["beta_table3"]) == (
        "氯",
        "5",
        "4",
    )
    assert (t1["65"]["name_cn"], t1["65"]["critical_quantity_t"]) == ("甲醇", "500")
    assert t1["6"]["critical_quantity_t"] == "0.3"
    assert ref.table2["W5.4"]["critical_quantity_t"] == "5000"
    assert ref.table2["J1"]["beta_table4"] == "4"
    assert [r["alpha"] for r in ref.alpha] == ["2.0", "1.5", "1.2", "1.0", "0.5"]
    assert [r["r_min_inclusive"] for r in ref.grade] == ["100", "50", "10", "0"]
    methanol = ref.dg_list["1230"]
    assert [(e.hazard_class, e.subsidiary, e.packing_group, e.name_cn) for e in methanol] == [
        ("3", ("6.1",), "II", "甲醇")
    ]
    chlorine = ref.dg_list["1017"][0]
    assert (chlorine.division, chlorine.subsidiary) == ("2.3", ("5.1", "8"))
    an = ref.dg_list["0222"][0]
    assert (an.division, an.compatibility_group) == ("1.1", "D")
    assert ref.un_to_table1["1942"] == "44"


def test_disputed_cells_are_flagged() -> None:
    ref = reference()
    assert ref.segregation_verify == {
        ("2.1", "4.3"): "X",
        ("3", "4.3"): "1",
        ("4.3", "2.1"): "X",
        ("4.3", "3"): "1",
    }
    assert ref.segregation_codes[("2.1", "4.3")] == "2"
    assert ref.segregation_codes[("3", "4.3")] == "2"


def test_dg_list_rows_are_well_formed() -> None:
    from seawarden.dangerous_goods.classes import parse_class

    reader = csv.DictReader(io.StringIO(read_text("dg_list.csv")))
    for row in reader:
        assert len(row["un_number"]) == 4 and row["un_number"].isdigit()
        parse_class(row["hazard_class"])
        for s in filter(None, row["subsidiary"].split(";")):
            parse_class(s, allow_class_only=True)
        assert row["packing_group"] in ("", "I", "II", "III")
