from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from seawarden.cli import app
from seawarden.settings import Settings, get_settings


def test_defaults() -> None:
    s = Settings()
    assert s.ais.strict is False and s.ais.window_lines == 1000


def test_environment_and_toml(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg = tmp_path / "seawarden.toml"
    cfg.write_text('log_level = "DEBUG"\n[ais]\nwindow_lines = 50\nstrict = true\n')
    monkeypatch.setenv("SEAWARDEN_CONFIG", str(cfg))
    monkeypatch.setenv("SEAWARDEN_AIS__WINDOW_LINES", "75")
    s = Settings()
    assert s.log_level == "DEBUG"
    assert s.ais.strict is True
    assert s.ais.window_lines == 75  # the environment overrides the file


def test_decode_uses_the_strict_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "in.nmea"
    src.write_text("!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4B\n")
    runner = CliRunner()
    get_settings.cache_clear()
    assert len(runner.invoke(app, ["decode", str(src), "-q"]).stdout.splitlines()) == 1
    monkeypatch.setenv("SEAWARDEN_AIS__STRICT", "1")
    get_settings.cache_clear()
    try:
        assert runner.invoke(app, ["decode", str(src), "-q"]).stdout == ""
    finally:
        get_settings.cache_clear()
