"""Experience conflicts on a store: detection inside the pipeline, recording, status workflow.

Runs on SQLite and (with CARPE_TEST_POSTGRES_URL) PostgreSQL, on a small
simulated business (seed 5).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from carpe.analytics.pipeline import PIPELINE, RiskResult
from carpe.errors import ForbiddenError, NotFoundError, UsageError
from carpe.ingest import import_folder
from carpe.services import conflict_detection, conflict_ledger, conflicts
from carpe.services.analysis import run_analysis
from carpe.services.permissions import SYSTEM, Viewer
from carpe.store.access import WebhookDelivery
from carpe.store.conflicts import StoredConflict
from carpe.store.models import Account
from carpe.vocabulary import CONFLICT_TYPES
from tests.factories import simulated_business

pytestmark = pytest.mark.filterwarnings(
    "ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning"
)

SEED = 5
END = date(2026, 3, 31)
AS_OF = date(2026, 4, 1)


@pytest.fixture(scope="module")
def business(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulated B2B business (200 accounts, 24 months, seed 5)."""
    return simulated_business(tmp_path_factory.mktemp("business"), accounts=200, seed=SEED, end=END)


@pytest.fixture
def loaded(engine: Engine, business: Path) -> Engine:
    """The store with the business imported."""
    import_folder(business, engine=engine)
    return engine


def _truth(folder: Path) -> set[tuple[str, str]]:
    truth = json.loads((folder / "ground_truth.json").read_text())
    return {(c["type"], c["account_id"]) for c in truth["conflicts"]}


def test_conflicts_step_is_declared_with_risk_as_an_optional_input() -> None:
    assert "conflicts" in PIPELINE.names
    assert PIPELINE["conflicts"].optional_inputs == (RiskResult,)
    assert [step.name for step in PIPELINE.plan(["conflicts"])] == ["conflicts"]


def test_detect_and_record_finds_every_planted_conflict_type(
    loaded: Engine, business: Path, tmp_path: Path
) -> None:
    report, summary = conflict_detection.detect_and_record(
        engine=loaded, as_of=AS_OF, workdir=tmp_path
    )
    found = {(c.type, c.account_id) for c in report.conflicts}
    assert _truth(business) <= found
    assert {t for t, _ in found} == set(CONFLICT_TYPES)
    assert summary.new == len(report.conflicts) == summary.found
    with Session(loaded) as session:
        stored = session.scalar(select(func.count()).select_from(StoredConflict))
        events = session.scalar(
            select(func.count())
            .select_from(WebhookDelivery)
            .where(WebhookDelivery.event == "conflict.detected")
        )
    assert stored == len(report.conflicts)
    assert events == len(report.conflicts)


def test_rerunning_detection_keeps_status_and_does_not_duplicate(
    loaded: Engine, tmp_path: Path
) -> None:
    first, _ = conflict_detection.detect_and_record(
        engine=loaded, as_of=AS_OF, workdir=tmp_path / "a"
    )
    target = first.conflicts[0].conflict_id
    with Session(loaded) as session, session.begin():
        conflicts.act_on_conflict(
            viewer=SYSTEM,
            session=session,
            conflict_id=target,
            action="acknowledge",
            notes="Calling them.",
        )
    again, summary = conflict_detection.detect_and_record(
        engine=loaded, as_of=AS_OF, workdir=tmp_path / "b"
    )
    assert summary.new == 0
    assert summary.updated == len(again.conflicts)
    with Session(loaded) as session:
        row = session.get(StoredConflict, target)
        total = session.scalar(select(func.count()).select_from(StoredConflict))
    assert row is not None and row.status == "acknowledged"
    assert row.notes is not None and "Calling them." in row.notes
    assert total == len(first.conflicts)


def test_full_analysis_run_includes_the_conflicts_step(loaded: Engine, tmp_path: Path) -> None:
    report = run_analysis(engine=loaded, as_of=AS_OF, workdir=tmp_path, steps=["conflicts"])
    assert "conflicts" in report.seconds


def test_frontline_sees_only_their_accounts_and_acts_only_on_their_own(
    loaded: Engine, tmp_path: Path
) -> None:
    conflict_detection.detect_and_record(engine=loaded, as_of=AS_OF, workdir=tmp_path)
    with Session(loaded) as session:
        every = conflicts.list_conflicts(viewer=SYSTEM, session=session)
        mine = every[0]
        owner = session.scalar(
            select(Account.owner_employee_id).where(Account.account_id == mine.account_id)
        )
        assert owner is not None
        rep = Viewer(user_id=9, username="rep", role="frontline", employee_id=owner)
        stranger = Viewer(user_id=8, username="x", role="frontline", employee_id="E-nobody")
        seen = conflicts.list_conflicts(session=session, viewer=rep)
        assert seen and all(c.owner == owner for c in seen)
        assert conflicts.list_conflicts(session=session, viewer=stranger) == []
        with pytest.raises(NotFoundError):
            conflicts.get_conflict(session=session, conflict_id=mine.conflict_id, viewer=stranger)
        done = conflicts.act_on_conflict(
            session=session, conflict_id=mine.conflict_id, action="resolve", viewer=rep
        )
        assert done.status == "resolved"
        with pytest.raises(UsageError):
            conflicts.act_on_conflict(
                session=session, conflict_id=mine.conflict_id, action="acknowledge", viewer=rep
            )
        with pytest.raises(ForbiddenError):
            conflicts.act_on_conflict(
                session=session,
                conflict_id=mine.conflict_id,
                action="reopen",
                viewer=rep,
                owner="E-someone-else",
            )


def test_radar_and_ledger_show_departments_side_by_side(loaded: Engine, tmp_path: Path) -> None:
    report, _ = conflict_detection.detect_and_record(engine=loaded, as_of=AS_OF, workdir=tmp_path)
    with Session(loaded) as session:
        radar = conflicts.conflict_radar(viewer=SYSTEM, session=session)
        assert radar.total == len(report.conflicts)
        assert {r.key for r in radar.by_type} == set(CONFLICT_TYPES)
        assert any("Billing" in r.key for r in radar.by_department_pair)
        case = next(c for c in report.conflicts if c.type == "kpi_disagreement")
        ledger = conflict_ledger.account_ledger(
            viewer=SYSTEM, session=session, account_id=case.account_id, period=case.evidence.period
        )
    states = {c.department: c.state for c in ledger.columns}
    assert states["Billing"] == "trouble"
    assert "healthy" in states.values()
    assert [c.conflict_id for c in ledger.conflicts if c.type == "kpi_disagreement"] == [
        case.conflict_id
    ]


@pytest.mark.spark
@pytest.mark.filterwarnings("ignore::DeprecationWarning:pyspark")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_conflicts_step_finds_the_same_conflicts_on_duckdb_and_spark(
    loaded: Engine, tmp_path: Path
) -> None:
    pytest.importorskip("pyspark")
    from carpe.analytics.conflicts import ConflictReport
    from carpe.analytics.pipeline import PIPELINE, RunOptions, open_engine, snapshot_tables
    from carpe.analytics.pipeline.conflicts_step import NEEDS
    from carpe.store import Base

    if loaded.dialect.name != "sqlite":
        pytest.skip("one store is enough to compare the engines")
    with loaded.connect() as connection:
        tables = {name: Base.metadata.tables[name] for name in NEEDS}
        snapshot = snapshot_tables(connection, tables, tmp_path / "snap", columns=NEEDS)
    found = {}
    for name in ("duckdb", "spark"):
        engine = open_engine(name, workdir=tmp_path / name, stop_spark=name == "spark")
        try:
            result = PIPELINE.run(
                engine=engine,
                snapshot=snapshot,
                options=RunOptions(as_of=AS_OF),
                steps=["conflicts"],
            )
        finally:
            engine.close()
        report = result.output(ConflictReport)
        assert report is not None
        found[name] = [(c.conflict_id, c.severity) for c in report.conflicts]
    assert found["duckdb"] and found["duckdb"] == found["spark"]
