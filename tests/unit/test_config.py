"""Settings: declared once, validated, documented."""

from __future__ import annotations

from pathlib import Path

import pytest

from carpe.config import DEVELOPMENT_SECRET, Settings, load_settings
from carpe.errors import ConfigError

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_load_settings_defaults_to_a_sqlite_file_in_the_working_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("CARPE_DATABASE_URL", raising=False)
    assert load_settings().database_url == "sqlite:///carpe.db"


def test_load_settings_accepts_a_plain_postgresql_url() -> None:
    settings = load_settings(database_url="postgresql://u@db:5432/carpe")
    assert settings.database_url == "postgresql+psycopg://u@db:5432/carpe"


def test_load_settings_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARPE_PAGE_SIZE", "25")
    assert load_settings().page_size == 25


def test_load_settings_refuses_an_unknown_database() -> None:
    with pytest.raises(ConfigError, match="database_url"):
        load_settings(database_url="mysql://x")


def test_load_settings_refuses_the_development_secret_in_production() -> None:
    with pytest.raises(ConfigError, match="CARPE_SECRET_KEY"):
        load_settings(environment="production", secret_key=DEVELOPMENT_SECRET)
    ok = load_settings(environment="production", secret_key="s" * 40)
    assert ok.environment == "production"


def test_every_setting_is_documented() -> None:
    text = DOCS.read_text()
    for name, field in Settings.model_fields.items():
        assert f"CARPE_{name.upper()}" in text, name
        assert field.description, name
