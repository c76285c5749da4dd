"""Every setting of the platform, from environment variables (``SEAWARDEN_*``) or a TOML file.

The file named by ``SEAWARDEN_CONFIG`` (if set) is read first; environment variables
override it. Nested sections use ``__`` in variable names, e.g. ``SEAWARDEN_AIS__STRICT=1``.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class AisSettings(BaseModel):
    """AIS decoder policy."""

    strict: bool = Field(False, description="Reject sentences with a bad or missing checksum.")
    window_lines: int = Field(
        1000, ge=1, description="Lines a fragment waits for the rest of its message."
    )
    max_age_s: float = Field(
        60.0, gt=0, description="Receive-time seconds a fragment waits for its message."
    )
    max_line_length: int = Field(2048, ge=82, description="Longest accepted input line (bytes).")


class IngestSettings(BaseModel):
    """Ingest pipeline policy."""

    strict: bool = Field(True, description="Reject AIS lines with a bad or missing checksum.")
    duplicate_window_s: float = Field(
        30.0,
        ge=0,
        description="Copies of one transmission within this many seconds are duplicates.",
    )
    commit_seconds: float = Field(2.0, gt=0, description="Longest time between commits.")
    commit_mb: float = Field(32.0, gt=0, description="Input megabytes between commits.")
    compact_files: int = Field(
        8, ge=2, description="Merge a day/bucket once it has this many files."
    )
    segment: bool = Field(True, description="Split identities into segments (shared MMSIs, gaps).")
    block_kb: int = Field(8192, ge=16, description="File sources are read in blocks of this size.")


class WebSettings(BaseModel):
    """The web platform."""

    tile_url: str | None = Field(
        None,
        pattern=r"^https?://[^\s'\"]+$",
        description="Raster tile server for the base map, e.g. "
        "https://tiles.example/{z}/{x}/{y}.png (default: the offline Natural Earth map).",
    )
    tile_attribution: str = Field("", max_length=200, description="Credit shown for the tiles.")
    password_policy: Literal["dengbao", "asvs"] = Field(
        "dengbao", description="Password policy profile: 等级保护 (dengbao) or OWASP ASVS."
    )
    query_workers: int | None = Field(
        None,
        ge=0,
        le=64,
        description="Worker processes that build track answers (default: one per CPU, at "
        "most 4; 0: in the serving process).",
    )


class LedgerSettings(BaseModel):
    """The platform's own ledger logs (dangerous-goods approvals, audit anchors, documents)."""

    key_dir: Path | None = Field(
        None,
        description="Directory of the platform's ledger signing keys, one file per key, mode "
        "0600 (default: ledger-keys in the data directory).",
    )
    origin: str = Field(
        "seawarden.local/ledger",
        pattern=r"^[A-Za-z0-9._/-]{1,200}$",
        description="Prefix of the origins of the platform's logs, e.g. msa.example.cn/ledger.",
    )
    algorithm: Literal["ed25519", "sm2"] = Field(
        "ed25519", description="Signature algorithm of keys the platform generates."
    )
    hash: Literal["sha256", "sm3"] = Field("sha256", description="Hash of logs it creates.")
    sign_approvals: bool = Field(
        True, description="Log every dangerous-goods decision and store its receipt."
    )
    anchor_every_s: float = Field(
        3600.0,
        ge=0,
        description="Seconds between anchors of the audit trail in `serve` (0: never).",
    )


class Settings(BaseSettings):
    """Platform settings."""

    model_config = SettingsConfigDict(
        env_prefix="SEAWARDEN_", env_nested_delimiter="__", extra="ignore"
    )

    data_dir: Path = Field(Path("var"), description="Where embedded stores keep their files.")
    database_url: str | None = Field(
        None, description="Operational database URL; default: SQLite in data_dir."
    )
    log_level: str = Field("INFO", description="Logging level.")
    ais: AisSettings = AisSettings()
    ingest: IngestSettings = IngestSettings()
    web: WebSettings = WebSettings()
    ledger: LedgerSettings = LedgerSettings()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Order of precedence: arguments, environment, TOML file named by SEAWARDEN_CONFIG."""
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        config = os.environ.get("SEAWARDEN_CONFIG")
        if config:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=Path(config)))
        return tuple(sources)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (read once; call ``get_settings.cache_clear()`` to reload)."""
    return Settings()
