"""Ship risk profile configurations: the bundled Paris and Tokyo MoU profiles, or your own.

A configuration file (TOML or JSON) names a ``base`` profile and overrides any of its
values, e.g. ``{"base": "paris", "points": {"company_low": 3}, "hrs_threshold": 6}``.
"""

from __future__ import annotations

import csv
import tomllib
from enum import StrEnum
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError


class RiskClass(StrEnum):
    """Ship risk profile classes."""

    HRS = "HRS"
    SRS = "SRS"
    LRS = "LRS"


class Points(BaseModel):
    """Weighting points of the generic and historic parameters."""

    model_config = ConfigDict(extra="forbid")

    type: Annotated[int, Field(ge=0, le=100)] = 2
    age: Annotated[int, Field(ge=0, le=100)] = 1
    flag_black_high: Annotated[int, Field(ge=0, le=100)] = 2
    flag_black_medium: Annotated[int, Field(ge=0, le=100)] = 1
    ro_low: Annotated[int, Field(ge=0, le=100)] = 1
    company_low: Annotated[int, Field(ge=0, le=100)] = 2
    detentions: Annotated[int, Field(ge=0, le=100)] = 1


Window = tuple[Annotated[int, Field(ge=0, le=120)], Annotated[int, Field(ge=0, le=120)]]


class SrpConfig(BaseModel):
    """One ship risk profile regime: parameters, points, threshold and windows."""

    model_config = ConfigDict(extra="forbid")

    name: str
    title: str
    source: str
    points_verified: bool
    high_risk_types: list[str]
    age_over_years: Annotated[float, Field(ge=0)]
    detentions_min: Annotated[int, Field(ge=1)]
    lrs_max_deficiencies: Annotated[int, Field(ge=0)]
    hrs_threshold: Annotated[int, Field(ge=1)]
    lookback_months: Annotated[int, Field(ge=1, le=120)]
    points: Points
    windows: dict[RiskClass, Window]


class ConfigError(ValueError):
    """A profile configuration cannot be used."""


@lru_cache(maxsize=1)
def _bundled() -> dict[str, Any]:
    text = resources.files("seawarden.risk.data").joinpath("srp_profiles.toml").read_text("utf-8")
    return tomllib.loads(text)


def profile_names() -> list[str]:
    """Names of the bundled profiles."""
    return sorted(_bundled())


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def build_config(data: dict[str, Any]) -> SrpConfig:
    """A configuration from a bundled ``base`` profile (default ``paris``) and overrides."""
    data = dict(data)
    base_name = str(data.pop("base", "paris"))
    bundled = _bundled()
    if base_name not in bundled:
        raise ConfigError(f"unknown base profile {base_name!r}; choose from {', '.join(bundled)}")
    name = str(data.pop("name", base_name if not data else f"{base_name}+custom"))
    try:
        return SrpConfig.model_validate({**_merge(bundled[base_name], data), "name": name})
    except ValidationError as exc:
        raise ConfigError(f"invalid risk profile configuration: {exc}") from None


def load_config(name: str = "paris") -> SrpConfig:
    """A bundled profile by name (``paris`` or ``tokyo``)."""
    return build_config({"base": name})


def read_config(path: Path) -> SrpConfig:
    """A configuration from a TOML or JSON file (see the module docstring)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    try:
        data = tomllib.loads(raw.decode()) if path.suffix.lower() == ".toml" else orjson.loads(raw)
    except (tomllib.TOMLDecodeError, orjson.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"{path.name} is not valid {path.suffix.lstrip('.') or 'JSON'}: {exc}"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name} must hold an object")
    return build_config(data)


@lru_cache(maxsize=1)
def company_matrix() -> dict[tuple[str, str], str]:
    """Company performance by (detention index, deficiency index)."""
    text = (
        resources.files("seawarden.risk.data")
        .joinpath("company_performance.csv")
        .read_text("utf-8")
    )
    return {
        (r["detention_index"], r["deficiency_index"]): r["company_performance"]
        for r in csv.DictReader(text.splitlines())
    }
