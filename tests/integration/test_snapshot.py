"""The snapshot's two ways (DuckDB reading the store, Python through the driver) write the same files.

Runs on SQLite and (with CARPE_TEST_POSTGRES_URL) PostgreSQL, on a small
simulated business.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, create_engine

import carpe.analytics.pipeline.snapshot as snapshot_module
from carpe.analytics.pipeline import PIPELINE, snapshot_tables
from carpe.analytics.pipeline.snapshot import duckdb_snapshot_available
from carpe.ingest import import_folder
from carpe.store import Base
from tests.factories import simulated_business

END = date(2026, 10, 31)


@pytest.fixture(scope="module")
def business(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulated B2B business (60 accounts, 24 months, seed 3)."""
    return simulated_business(tmp_path_factory.mktemp("business"), accounts=60, seed=3, end=END)


@pytest.fixture
def loaded(engine: Engine, business: Path) -> Engine:
    """The store with the business imported."""
    import_folder(business, engine=engine)
    return engine


def test_duckdb_and_python_snapshots_hold_the_same_tables(loaded: Engine, tmp_path: Path) -> None:
    with loaded.connect() as connection:
        if not duckdb_snapshot_available(connection):
            pytest.skip("the DuckDB scanner extension wheel for this store is not installed")
    needs = PIPELINE.reads()
    # Every column of the tables the steps read, so every column type is compared.
    every = {name: "*" for name in needs}
    tables = {name: Base.metadata.tables[name] for name in needs}
    taken = {}
    for method in ("duckdb", "python"):
        with loaded.connect() as connection:
            taken[method] = snapshot_tables(
                connection, tables, tmp_path / method, columns=every, method=method, batch_rows=500
            )
        assert taken[method].method == method
    assert taken["duckdb"].rows == taken["python"].rows
    assert taken["python"].rows["touchpoints"] > 1000
    for name in tables:
        fast = pq.read_table(taken["duckdb"].files[name])
        slow = pq.read_table(taken["python"].files[name])
        assert fast.schema == slow.schema, name
        assert fast.equals(slow), name


def test_auto_falls_back_to_python_without_the_extension(
    loaded: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(snapshot_module, "duckdb_extension_file", lambda name: None)
    tables = {"accounts": Base.metadata.tables["accounts"]}
    with loaded.connect() as connection:
        assert not duckdb_snapshot_available(connection)
        taken = snapshot_tables(connection, tables, tmp_path / "auto")
        assert taken.method == "python"
        assert taken.rows["accounts"] == 60
        with pytest.raises(LookupError):
            snapshot_tables(connection, tables, tmp_path / "forced", method="duckdb")


def test_an_in_memory_store_is_read_with_python(tmp_path: Path) -> None:
    memory = create_engine("sqlite://")
    Base.metadata.create_all(memory)
    with memory.connect() as connection:
        assert not duckdb_snapshot_available(connection)
        taken = snapshot_tables(
            connection, {"accounts": Base.metadata.tables["accounts"]}, tmp_path
        )
    memory.dispose()
    assert taken.method == "python"
    assert taken.rows == {"accounts": 0}
    assert pq.read_table(taken.files["accounts"]).num_rows == 0


def test_an_unknown_method_is_refused(loaded: Engine, tmp_path: Path) -> None:
    with loaded.connect() as connection, pytest.raises(ValueError, match="unknown snapshot"):
        snapshot_tables(connection, {}, tmp_path, method="csv")  # type: ignore[arg-type]


def test_auto_reads_with_python_when_duckdb_fails(
    loaded: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> dict[str, int]:
        raise RuntimeError("scanner failed")

    monkeypatch.setattr(snapshot_module, "duckdb_snapshot_available", lambda connection: True)
    monkeypatch.setattr(snapshot_module, "_copy_with_duckdb", broken)
    tables = {"accounts": Base.metadata.tables["accounts"]}
    with loaded.connect() as connection:
        taken = snapshot_tables(connection, tables, tmp_path / "auto")
        assert taken.method == "python"
        assert taken.rows["accounts"] == 60
        with pytest.raises(RuntimeError, match="scanner failed"):
            snapshot_tables(connection, tables, tmp_path / "forced", method="duckdb")
