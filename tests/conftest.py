"""Fixtures shared by every test: stores on SQLite and, when configured, PostgreSQL."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from carpe.config import Settings, load_settings
from carpe.context import Carpe

POSTGRES_URL = os.environ.get("CARPE_TEST_POSTGRES_URL", "")

STORES = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


def _postgres_url(base: str) -> str:
    if base.startswith("postgresql://"):
        base = "postgresql+psycopg://" + base.removeprefix("postgresql://")
    return base


@pytest.fixture(params=STORES)
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty store URL: a SQLite file, or a throwaway PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'carpe.db'}"
        return
    if not POSTGRES_URL:
        pytest.skip("CARPE_TEST_POSTGRES_URL is not set")
    base = _postgres_url(POSTGRES_URL)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    separator = "&" if "?" in base else "?"
    try:
        yield f"{base}{separator}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def settings(store_url: str) -> Settings:
    """Settings pointing at the fresh store."""
    return load_settings(database_url=store_url, environment="test")


@pytest.fixture
def carpe(settings: Settings) -> Iterator[Carpe]:
    """A running carpe on a migrated, empty store."""
    running = Carpe(settings)
    running.migrate()
    yield running
    running.close()


@pytest.fixture
def engine(carpe: Carpe) -> Engine:
    """The migrated store's engine."""
    return carpe.engine


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """Tests hash with argon2's cheapest parameters; production keeps the library's defaults."""
    from argon2 import PasswordHasher

    from carpe.services import users

    original = users._hasher
    users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    users._hasher = original
