"""The analytics pipeline on a store: snapshot, features, early warning, results written back.

Runs on SQLite and (with CARPE_TEST_POSTGRES_URL) PostgreSQL, on a small
simulated business (seed printed in the test ids).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from carpe.analytics.pipeline import (
    PIPELINE,
    Features,
    RiskResult,
    RunOptions,
    open_engine,
    open_tables,
    snapshot_from_folder,
    snapshot_tables,
)
from carpe.analytics.pipeline.features import NEEDS, account_features
from carpe.analytics.pipeline.labels import training_dates
from carpe.analytics.pipeline.wording import WORSE_WHEN
from carpe.errors import NotFoundError, UsageError
from carpe.ingest import import_folder
from carpe.services.analysis import run_analysis
from carpe.services.risk import list_risk
from carpe.store import Base
from carpe.store.analysis import AnalysisRun
from tests.factories import simulated_business

pytestmark = pytest.mark.filterwarnings(
    # ibis 12 calls DuckDB 1.5's deprecated fetch_arrow_table (see STACK.md)
    "ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning"
)

SEED = 11
END = date(2026, 10, 31)
AS_OF = date(2026, 10, 1)


@pytest.fixture(scope="module")
def business(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulated B2B business (120 accounts, 24 months, seed 11)."""
    return simulated_business(tmp_path_factory.mktemp("business"), accounts=120, seed=SEED, end=END)


@pytest.fixture
def loaded(engine: Engine, business: Path) -> Engine:
    """The store with the business imported (no note extraction, to stay fast)."""
    import_folder(business, engine=engine)
    return engine


def _active_at(folder: Path, day: date) -> int:
    accounts = pa.csv.read_csv(folder / "accounts.csv")
    started = pc.less(accounts["started_on"], pa.scalar(day))
    ended = accounts["ended_on"]
    alive = pc.or_kleene(pc.is_null(ended), pc.greater_equal(ended, pa.scalar(day)))
    return int(pc.sum(pc.and_kleene(started, alive)).as_py())


def test_run_analysis_writes_a_ranked_risk_list_with_reasons(
    loaded: Engine, business: Path, tmp_path: Path
) -> None:
    report = run_analysis(engine=loaded, as_of=AS_OF, workdir=tmp_path / "work")
    assert report.note == ""
    assert report.accounts_scored == _active_at(business, AS_OF)
    assert report.snapshot_rows["touchpoints"] > 1000
    with Session(loaded) as session:
        run = session.get(AnalysisRun, report.run_id)
        assert run is not None and run.status == "finished" and run.engine == "duckdb"
        assert run.as_of == AS_OF and run.finished_at is not None
        assert json.loads(run.summary or "{}")["early_warning"]["training_positives"] >= 2
        rows = list_risk(session=session)
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
    assert all(0.0 <= r.risk <= 1.0 for r in rows)
    assert [r.risk for r in rows] == sorted((r.risk for r in rows), reverse=True)
    assert any(r.drivers for r in rows[:10])
    for driver in (d for r in rows for d in r.drivers):
        assert driver.contribution > 0 and driver.text and "=" not in driver.text


def test_list_risk_top_n_and_latest_run(loaded: Engine, tmp_path: Path) -> None:
    run_analysis(engine=loaded, as_of=date(2026, 9, 1), workdir=tmp_path / "a")
    second = run_analysis(engine=loaded, as_of=AS_OF, workdir=tmp_path / "b")
    with Session(loaded) as session:
        top = list_risk(session=session, top=5)
        assert len(top) == 5
        assert session.scalar(select(func.count()).select_from(AnalysisRun)) == 2
        assert top == list_risk(session=session, run_id=second.run_id, top=5)


def test_list_risk_before_any_run_says_to_analyze(engine: Engine) -> None:
    with Session(engine) as session:
        with pytest.raises(UsageError, match="carpe analyze"):
            list_risk(session=session)
        with pytest.raises(NotFoundError, match="analysis run"):
            list_risk(session=session, run_id=42)


def test_analyze_and_risk_commands_print_json(loaded: Engine, tmp_path: Path) -> None:
    from carpe.cli import app

    db = ["--db", loaded.url.render_as_string(hide_password=False)]
    runner = CliRunner()
    done = runner.invoke(app, [*db, "analyze", "--as-of", AS_OF.isoformat()])
    assert done.exit_code == 0, done.output
    assert "account(s) scored" in done.stdout
    shown = runner.invoke(app, [*db, "risk", "--top", "3", "--json"])
    assert shown.exit_code == 0, shown.output
    payload = json.loads(shown.stdout)
    assert len(payload) == 3
    assert set(payload[0]) >= {"account_id", "risk", "drivers"}
    drivers = [d for p in payload for d in p["drivers"]]
    assert all(set(d) == {"feature", "contribution", "text", "evidence"} for d in drivers)
    assert {p["band"] for p in payload} <= {"high", "raised", "usual", "low"}
    # a reason is only ever a problem pushing risk up: never tenure, size or segment
    assert all(d["feature"] in WORSE_WHEN and d["contribution"] > 0 for d in drivers)
    evidence = [e for d in drivers for e in d["evidence"]]
    assert all(set(e) == {"label", "href"} and e["href"].startswith("/") for e in evidence)


def _cut(table: pa.Table, column: str, day: date) -> pa.Table:
    """Drop rows dated on or after ``day`` (as if the snapshot were taken that morning)."""
    values = table[column]
    if pa.types.is_timestamp(values.type):
        values = pc.cast(values, pa.date32())
    return table.filter(pc.less(values, pa.scalar(day)))


def _blank_after(table: pa.Table, column: str, day: date) -> pa.Table:
    """Blank a date that lies on or after ``day`` (it had not happened yet)."""
    values = table[column]
    later = pc.fill_null(pc.greater_equal(values, pa.scalar(day)), False)
    blank = pc.if_else(later, pa.scalar(None, values.type), values)
    return table.set_column(table.schema.get_field_index(column), column, blank)


def test_features_use_nothing_on_or_after_the_as_of_day(loaded: Engine, tmp_path: Path) -> None:
    day = date(2026, 6, 1)
    with loaded.connect() as connection:
        tables = {name: Base.metadata.tables[name] for name in NEEDS}
        full = snapshot_tables(connection, tables, tmp_path / "full", columns=NEEDS)
    past = tmp_path / "past"
    past.mkdir()
    dated = {"touchpoints": "occurred_at", "orders": "ordered_at", "invoices": "issued_on",
             "feedback": "received_at", "gestures": "given_on", "accounts": "started_on"}  # fmt: skip
    later = {"accounts": ["ended_on"], "orders": ["delivered_on"],
             "invoices": ["paid_on"], "follow_ups": ["completed_on"]}  # fmt: skip
    for name, path in full.files.items():
        table = pq.read_table(path)
        if name in dated:
            table = _cut(table, dated[name], day)
        for column in later.get(name, []):
            table = _blank_after(table, column, day)
        pq.write_table(table, past / f"{name}.parquet")
    engine = open_engine("duckdb")
    try:
        frames = []
        for snapshot in (full, snapshot_from_folder(past)):
            opened = open_tables(engine, snapshot, NEEDS)
            expression = account_features(opened, [day], departments=["Billing", "Sales"])
            frame = engine.execute(expression).sort_values("account_id").reset_index(drop=True)
            frames.append(frame)
    finally:
        engine.close()
    assert len(frames[0]) > 50
    assert frames[0].equals(frames[1])


def test_training_dates_have_labels_known_on_the_scoring_day() -> None:
    dates = training_dates(AS_OF, horizon_days=90, months=12, earliest=date(2025, 6, 1))
    assert (dates[0], dates[-1], len(dates)) == (date(2025, 8, 1), date(2026, 7, 1), 12)
    assert all((AS_OF - d).days >= 90 for d in dates)
    short = training_dates(AS_OF, horizon_days=90, months=12, earliest=date(2026, 3, 15))
    assert short == [date(2026, 4, 1), date(2026, 5, 1), date(2026, 6, 1), date(2026, 7, 1)]


def test_pipeline_notes_when_history_is_too_short(loaded: Engine, tmp_path: Path) -> None:
    with loaded.connect() as connection:
        needs = PIPELINE.reads()
        tables = {name: Base.metadata.tables[name] for name in needs}
        snapshot = snapshot_tables(connection, tables, tmp_path, columns=needs)
    engine = open_engine("duckdb")
    try:
        early = RunOptions(as_of=date(2025, 2, 1))
        result = PIPELINE.run(engine=engine, snapshot=snapshot, options=early)
    finally:
        engine.close()
    risk = result.output(RiskResult)
    features = result.output(Features)
    assert risk is not None and features is not None
    assert risk.accounts == [] and "not enough history" in risk.note
    assert len(features.frame) > 0
