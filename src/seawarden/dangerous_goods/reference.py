"""The shipped reference tables (``data/``), loaded once, each with its source in the manifest.

Every table is a CSV file listed in ``data/manifest.json`` with its source, licence or
provenance, row count and SHA-256; :func:`reference` checks nothing at run time (the tests
pin counts, hashes and sampled cells) and simply reads the files.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

DATA_PACKAGE = "seawarden.dangerous_goods.data"


def read_text(name: str) -> str:
    """The text of one data file."""
    return resources.files(DATA_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def read_csv(name: str) -> list[dict[str, str]]:
    """Rows of one CSV data file as dictionaries (values stripped)."""
    reader = csv.DictReader(io.StringIO(read_text(name)))
    return [{k.strip(): (v or "").strip() for k, v in row.items()} for row in reader]


@dataclass(frozen=True)
class DGEntry:
    """One entry of the dangerous goods list (one UN number may have several)."""

    un_number: str
    name_en: str
    name_cn: str
    hazard_class: str
    subsidiary: tuple[str, ...]
    packing_group: str
    segregation_group: str
    stowage_category: str
    stowage_codes: tuple[str, ...]
    symbols: str
    gb18218_seq: str

    @property
    def division(self) -> str:
        """Class or division without the compatibility group (``1.1D`` → ``1.1``)."""
        return self.hazard_class.rstrip("ABCDEFGHJKLNS")

    @property
    def compatibility_group(self) -> str:
        """The class 1 compatibility group letter, or ``""``."""
        return self.hazard_class[len(self.division) :]

    def as_dict(self) -> dict[str, Any]:
        """Plain data."""
        return {
            "un_number": self.un_number,
            "name_en": self.name_en,
            "name_cn": self.name_cn,
            "class": self.hazard_class,
            "subsidiary": list(self.subsidiary),
            "packing_group": self.packing_group,
            "segregation_group": self.segregation_group,
            "stowage_category": self.stowage_category,
            "stowage_codes": list(self.stowage_codes),
            "gb18218_seq": self.gb18218_seq,
        }


@dataclass(frozen=True)
class Reference:
    """All reference tables."""

    version: str
    manifest: dict[str, Any]
    dg_list: dict[str, tuple[DGEntry, ...]]
    segregation_labels: tuple[str, ...]
    segregation_codes: dict[tuple[str, str], str]
    segregation_verify: dict[tuple[str, str], str]
    container_ship_rules: tuple[dict[str, str], ...]
    segregation_distances: tuple[dict[str, str], ...]
    table1: dict[str, dict[str, str]]
    table2: dict[str, dict[str, str]]
    beta: tuple[dict[str, str], ...]
    alpha: tuple[dict[str, str], ...]
    grade: tuple[dict[str, str], ...]
    table2_2009: tuple[dict[str, str], ...]
    un_to_table1: dict[str, str]
    default_categories: dict[str, tuple[str, ...]]
    class_bridge: dict[tuple[str, str], dict[str, str]]
    port_rules: tuple[dict[str, str], ...]
    hidden_danger_criteria: tuple[dict[str, str], ...]
    port_rules_default: dict[str, Any]


def _dg_list() -> dict[str, tuple[DGEntry, ...]]:
    out: dict[str, list[DGEntry]] = {}
    for r in read_csv("dg_list.csv"):
        e = DGEntry(
            un_number=r["un_number"],
            name_en=r["name_en"],
            name_cn=r["name_cn"],
            hazard_class=r["hazard_class"],
            subsidiary=tuple(s for s in r["subsidiary"].split(";") if s),
            packing_group=r["packing_group"],
            segregation_group=r["segregation_group"],
            stowage_category=r["stowage_category"],
            stowage_codes=tuple(s for s in r["stowage_codes"].split(";") if s),
            symbols=r["hmt_symbols"],
            gb18218_seq=r["gb18218_seq"],
        )
        out.setdefault(e.un_number, []).append(e)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def reference() -> Reference:
    """The reference tables (read once per process)."""
    manifest = json.loads(read_text("manifest.json"))
    matrix = read_csv("imdg_segregation_table.csv")
    labels = tuple(k for k in matrix[0] if k != "class")
    codes = {(row["class"], col): row[col] for row in matrix for col in labels}
    verify = {
        (r["class_a"], r["class_b"]): r["older_edition_value"]
        for r in read_csv("imdg_segregation_pairs.csv")
        if r["verify_flag"] == "VERIFY"
    }
    beta_rows = tuple(read_csv("gb18218_beta.csv"))
    defaults: dict[str, tuple[str, ...]] = {
        r["gb18218_seq"]: tuple(c for c in r["categories"].split(";") if c)
        for r in read_csv("gb18218_default_category.csv")
    }
    return Reference(
        version=manifest["version"],
        manifest=manifest,
        dg_list=_dg_list(),
        segregation_labels=labels,
        segregation_codes=codes,
        segregation_verify=verify,
        container_ship_rules=tuple(read_csv("imdg_container_ship_segregation.csv")),
        segregation_distances=tuple(read_csv("segregation_distances.csv")),
        table1={r["seq"]: r for r in read_csv("gb18218_table1.csv")},
        table2={r["symbol"]: r for r in read_csv("gb18218_table2.csv")},
        beta=beta_rows,
        alpha=tuple(read_csv("gb18218_alpha.csv")),
        grade=tuple(read_csv("gb18218_grade.csv")),
        table2_2009=tuple(read_csv("gb18218_2009_table2_transport_class.csv")),
        un_to_table1={r["un_number"]: r["gb18218_seq"] for r in read_csv("gb18218_un_map.csv")},
        default_categories=defaults,
        class_bridge={
            (r["division"], r["packing_group"]): r for r in read_csv("transport_class_bridge.csv")
        },
        port_rules=tuple(read_csv("cn_port_dg_rules.csv")),
        hidden_danger_criteria=tuple(read_csv("cn_port_dg_major_hidden_danger.csv")),
        port_rules_default=json.loads(read_text("port_rules_default.json")),
    )
