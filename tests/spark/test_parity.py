"""The same pipeline on DuckDB and on Spark: identical features, identical risk ranks.

Marked ``spark``; skipped unless pyspark (the ``carpe[spark]`` extra) is installed.
One local Spark session serves the whole test run.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pandas as pd
import pytest

pytest.importorskip("pyspark")

from carpe.analytics.conflicts import ConflictReport
from carpe.analytics.pipeline import (
    PIPELINE,
    AnalyticsEngine,
    Features,
    PipelineResult,
    RiskResult,
    RunOptions,
    Snapshot,
    open_engine,
    snapshot_tables,
)
from carpe.analytics.specialists import SpecialistsResult
from carpe.ingest import import_folder
from carpe.store import Base, create_store_engine, migrate

pytestmark = [
    pytest.mark.spark,
    pytest.mark.filterwarnings("ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning"),
    # pyspark's own deprecations and resource warnings are not carpe's to fix
    pytest.mark.filterwarnings("ignore::DeprecationWarning:pyspark"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]

SEED = 5
OPTIONS = RunOptions(as_of=date(2026, 10, 1), seed=SEED)


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    """A simulated business (100 accounts, seed 5) imported to SQLite and snapshotted."""
    from carpe.simulate import simulate_business

    root = tmp_path_factory.mktemp("parity")
    simulate_business(
        root / "business", kind="b2b", accounts=100, months=24, seed=SEED, end=date(2026, 10, 31)
    )
    store = create_store_engine(f"sqlite:///{root / 'carpe.db'}")
    migrate(store)
    import_folder(root / "business", engine=store)
    needs = PIPELINE.reads()
    with store.connect() as connection:
        tables = {name: Base.metadata.tables[name] for name in needs}
        taken = snapshot_tables(connection, tables, root / "snapshot", columns=needs)
    store.dispose()
    return taken


@pytest.fixture(scope="module")
def spark_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AnalyticsEngine]:
    """The test run's one local Spark session."""
    engine = open_engine(
        "spark", workdir=tmp_path_factory.mktemp("spark"), threads=2, stop_spark=True
    )
    yield engine
    engine.close()


def _run(engine: AnalyticsEngine, snapshot: Snapshot) -> PipelineResult:
    return PIPELINE.run(engine=engine, snapshot=snapshot, options=OPTIONS)


def _output(result: PipelineResult, kind: type[Any]) -> Any:
    found = result.output(kind)
    assert found is not None, f"{kind.__name__} missing from the {result.engine} run"
    return found


def test_pipeline_gives_identical_features_and_risk_ranks_on_duckdb_and_spark(
    snapshot: Snapshot, spark_engine: AnalyticsEngine
) -> None:
    duck = open_engine("duckdb")
    try:
        on_duckdb = _run(duck, snapshot)
    finally:
        duck.close()
    on_spark = _run(spark_engine, snapshot)
    assert (on_duckdb.engine, on_spark.engine) == ("duckdb", "spark")

    features = _output(on_duckdb, Features).frame
    assert len(features) > 50
    pd.testing.assert_frame_equal(features, _output(on_spark, Features).frame)

    risk_duckdb = _output(on_duckdb, RiskResult)
    risk_spark = _output(on_spark, RiskResult)
    assert risk_duckdb.note == "" and risk_duckdb.training_rows == risk_spark.training_rows
    assert [a.account_id for a in risk_duckdb.accounts] == [
        a.account_id for a in risk_spark.accounts
    ]
    assert [a.risk for a in risk_duckdb.accounts] == pytest.approx(
        [a.risk for a in risk_spark.accounts], rel=1e-9
    )
    assert [[d.text for d in a.drivers] for a in risk_duckdb.accounts] == [
        [d.text for d in a.drivers] for a in risk_spark.accounts
    ]

    specialists_duckdb = _output(on_duckdb, SpecialistsResult).specialists
    specialists_spark = _output(on_spark, SpecialistsResult).specialists
    assert [(s.employee_id, s.verdict, s.components) for s in specialists_duckdb] == [
        (s.employee_id, s.verdict, s.components) for s in specialists_spark
    ]

    conflicts_duckdb = _output(on_duckdb, ConflictReport)
    conflicts_spark = _output(on_spark, ConflictReport)
    assert conflicts_duckdb.conflicts, "the simulated business plants conflicts"
    assert [c.conflict_id for c in conflicts_duckdb.conflicts] == [
        c.conflict_id for c in conflicts_spark.conflicts
    ]
    assert conflicts_duckdb.conflicts == conflicts_spark.conflicts
    pd.testing.assert_frame_equal(conflicts_duckdb.ledger, conflicts_spark.ledger)
