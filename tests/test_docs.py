"""Documented things exist, and existing things are documented."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from seawarden.ais import Outcome
from seawarden.ais.applications import APPLICATIONS
from seawarden.ais.messages import FAMILIES, SELECTORS

ROOT = Path(__file__).resolve().parents[1]
DECODER_DOC = (ROOT / "docs" / "ais" / "decoder.md").read_text()


def test_readme_opens_with_run_and_test() -> None:
    head = (ROOT / "README.md").read_text().split("\n\n")[1]
    assert "make run" in head and "make test" in head


def test_every_outcome_is_documented_with_its_code() -> None:
    for o in Outcome:
        assert f"| {int(o)} | `{o.name.lower()}` |" in DECODER_DOC, o


def test_every_family_and_type_is_documented() -> None:
    for family in FAMILIES:
        assert f"| `{family}` |" in DECODER_DOC
    assert sorted(SELECTORS) == list(range(1, 28))


def test_every_application_is_documented() -> None:
    for (mtype, dac, fid), layout in APPLICATIONS.items():
        assert f"| {mtype}/{dac}/{fid} | {layout.title} |" in DECODER_DOC


INGEST_DOC = (ROOT / "docs" / "ingest.md").read_text()
SIM_DOC = (ROOT / "docs" / "simulator.md").read_text()


def test_position_outcomes_and_flags_are_documented() -> None:
    from seawarden.positions.outcomes import PositionOutcome
    from seawarden.positions.schema import Flag

    for o in PositionOutcome:
        assert f"| {int(o)} | `{o.name.lower()}` |" in INGEST_DOC, o
    for f in Flag:
        if f is not Flag.NONE:
            assert f"| `{(f.name or '').lower()}` | {int(f)} |" in INGEST_DOC, f


def test_settings_and_scenarios_are_documented() -> None:
    from seawarden.settings import IngestSettings
    from seawarden.sim.scenarios import SCENARIOS

    for name in IngestSettings.model_fields:
        assert f"`SEAWARDEN_INGEST__{name.upper()}`" in INGEST_DOC, name
    for s in SCENARIOS:
        assert f"| `{s}` |" in SIM_DOC, s


SUPERVISION_DOC = (ROOT / "docs" / "supervision.md").read_text()


def test_zone_kinds_parameters_and_alert_kinds_are_documented() -> None:
    from seawarden.geo.zones import ZoneKind, ZoneParams
    from seawarden.supervision.events import AlertKind

    for k in ZoneKind:
        assert f"`{k.value}`" in SUPERVISION_DOC, k
    for name in ZoneParams.model_fields:
        if name != "radius_m":
            assert f"`{name}`" in SUPERVISION_DOC, name
    for a in AlertKind:
        assert f"`{a.value}`" in SUPERVISION_DOC, a


def test_collision_parameters_are_documented() -> None:
    from seawarden.collision.colregs import ColregsParams
    from seawarden.collision.watch import CollisionConfig

    doc = (ROOT / "docs" / "collision.md").read_text()
    for name in (
        "dcpa_nm",
        "tcpa_min",
        "alert_dcpa_nm",
        "alert_tcpa_min",
        "merchant_fishing_dcpa_nm",
        "merchant_fishing_tcpa_min",
        "confirm",
        "close_factor",
    ):
        assert name in CollisionConfig.__dataclass_fields__ and f"`{name}`" in doc, name
    for name in ColregsParams.__dataclass_fields__:
        assert f"`{name}`" in doc, name


def test_every_api_route_is_documented_with_its_method() -> None:
    from seawarden.web.policy import ROUTES

    web_doc = (ROOT / "docs" / "web.md").read_text()
    for method, path in ROUTES:
        assert f"| {method} | {path} |" in web_doc, (method, path)


def test_every_command_in_the_readme_exists_with_its_options() -> None:
    import shlex

    import typer.main

    from seawarden.cli import app

    root = typer.main.get_command(app)
    lines = [
        line.split("#")[0].strip()
        for line in (ROOT / "README.md").read_text().splitlines()
        if line.startswith(".venv/bin/seawarden ")
    ]
    assert len(lines) > 20
    for line in lines:
        words = shlex.split(line)[1:]
        command: Any = root
        while hasattr(command, "commands") and words and words[0] in command.commands:
            command = command.commands[words.pop(0)]
        assert not hasattr(command, "commands"), line
        known = {o for p in command.params for o in (*p.opts, *p.secondary_opts)} | {"--help"}
        used = {w.split("=")[0] for w in words if w.startswith("-") and w != "-"}
        assert used <= known, (line, used - known)
