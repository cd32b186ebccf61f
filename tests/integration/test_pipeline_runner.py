"""The one pipeline runner: a step declared here runs alone, through the runner and the CLI.

``ACCOUNT_COUNT`` is a toy analysis declared in this test module the way carpe's
own steps are declared in ``carpe.analytics.pipeline.steps``: one function, one
output type, one declaration. Nothing else in carpe is told about it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from carpe.analytics.conflicts import ConflictReport
from carpe.analytics.pipeline import (
    PIPELINE,
    Context,
    Pipeline,
    RiskResult,
    RunOptions,
    Step,
    open_engine,
    snapshot_tables,
    steps,
)
from carpe.cli import app
from carpe.errors import UsageError
from carpe.ingest import import_folder
from carpe.services import analysis
from carpe.services.analysis import run_analysis
from carpe.services.conflict_detection import detect_and_record
from carpe.services.risk import list_risk
from carpe.store import Base
from carpe.store.analysis import AnalysisRun, StoredRisk
from carpe.store.conflicts import StoredConflict
from carpe.store.models import Account
from tests.factories import simulated_business

pytestmark = pytest.mark.filterwarnings(
    "ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning"
)

SEED = 11
END = date(2026, 10, 31)
AS_OF = date(2026, 10, 1)


@dataclass(frozen=True, slots=True)
class AccountCount:
    """The toy step's output."""

    accounts: int
    segments: tuple[str, ...]


def count_accounts(context: Context) -> AccountCount:
    """Count the snapshot's accounts and name their segments."""
    accounts = context.tables["accounts"]
    frame = context.execute(accounts.select("account_id", "segment"))
    return AccountCount(len(frame), tuple(sorted({str(s) for s in frame["segment"].dropna()})))


ACCOUNT_COUNT = Step(
    "account_count",
    reads={"accounts": ("account_id", "segment")},
    produces=AccountCount,
    run=count_accounts,
)


@pytest.fixture(scope="module")
def business(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulated B2B business (120 accounts, 24 months, seed 11)."""
    return simulated_business(tmp_path_factory.mktemp("business"), accounts=120, seed=SEED, end=END)


@pytest.fixture
def loaded(engine: Engine, business: Path) -> Engine:
    """The store with the business imported."""
    import_folder(business, engine=engine)
    return engine


def _accounts(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Account)) or 0)


def test_a_step_declared_in_a_test_module_runs_alone_through_the_runner(
    loaded: Engine, tmp_path: Path
) -> None:
    pipeline = PIPELINE.with_step(ACCOUNT_COUNT)
    columns = pipeline.reads(["account_count"])
    assert columns == {"accounts": ["account_id", "segment"]}  # only what it declared
    with loaded.connect() as connection:
        tables = {name: Base.metadata.tables[name] for name in columns}
        snapshot = snapshot_tables(connection, tables, tmp_path / "snap", columns=columns)
    engine = open_engine("duckdb", workdir=tmp_path / "engine")
    try:
        result = pipeline.run(
            engine=engine,
            snapshot=snapshot,
            options=RunOptions(as_of=AS_OF),
            steps=["account_count"],
        )
    finally:
        engine.close()
    assert result.steps == ("account_count",)
    counted = result.output(AccountCount)
    assert counted is not None and counted.accounts == _accounts(loaded) > 0
    assert result.output(RiskResult) is None  # nothing else ran
    assert "account_count" not in PIPELINE.names  # carpe's own pipeline is untouched


def _cli(database: Engine, args: list[str]) -> tuple[int, str]:
    url = database.url.render_as_string(hide_password=False)
    done = CliRunner().invoke(app, ["--db", url, *args])
    return done.exit_code, done.output


def test_carpe_analyze_steps_runs_a_declared_step_alone(
    loaded: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(steps, "PIPELINE", PIPELINE.with_step(ACCOUNT_COUNT))
    code, output = _cli(
        loaded, ["analyze", "--as-of", AS_OF.isoformat(), "--steps", "account_count"]
    )
    assert code == 0, output
    assert "steps: account_count" in output
    with Session(loaded) as session:
        run = session.scalars(select(AnalysisRun)).one()
        scored = session.scalar(select(func.count()).select_from(StoredRisk))
    summary = json.loads(run.summary or "{}")
    assert run.status == "finished" and set(summary["seconds"]) == {"snapshot", "account_count"}
    assert summary["rows"] == {"accounts": _accounts(loaded)}
    assert scored == 0


def test_carpe_analyze_steps_refuses_an_unknown_step_listing_the_known_ones(
    loaded: Engine,
) -> None:
    code, output = _cli(loaded, ["analyze", "--steps", "risk,conflicts"])
    assert code != 0
    assert "no analysis step named 'risk'" in output
    assert "known: features, early_warning, conflicts" in output
    assert "Traceback" not in output
    with Session(loaded) as session:
        assert session.scalars(select(AnalysisRun)).first() is None  # refused before any run


def test_conflicts_alone_weigh_severity_with_the_stored_risk(
    loaded: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    full = run_analysis(engine=loaded, as_of=AS_OF, workdir=tmp_path / "full")
    assert full.accounts_scored > 0 and "conflicts" in full.steps
    with Session(loaded) as session:
        found = session.execute(select(StoredConflict.conflict_id, StoredConflict.severity))
        weighed = {conflict_id: severity for conflict_id, severity in found}
    assert weighed
    report, summary = detect_and_record(engine=loaded, as_of=AS_OF, workdir=tmp_path / "alone")
    assert summary.new == 0  # the full run recorded them already
    assert {c.conflict_id: c.severity for c in report.conflicts} == pytest.approx(weighed)

    again = run_analysis(engine=loaded, as_of=AS_OF, steps=["conflicts"], workdir=tmp_path / "b")
    assert again.steps == ("conflicts",) and again.accounts_scored == 0
    with Session(loaded) as session:
        last = session.scalars(select(AnalysisRun).order_by(AnalysisRun.id.desc())).first()
    assert last is not None and last.horizon_days == 0  # no risk computed in it
    assert json.loads(last.summary or "{}")["conflicts"] == report.by_type()
    with Session(loaded) as session:  # ... and the risk list is still the full run's
        shown = list_risk(session=session, top=3)
        assert [r.rank for r in shown] == [1, 2, 3]
        assert shown == list_risk(session=session, run_id=full.run_id, top=3)

    monkeypatch.delitem(analysis.LOADERS, RiskResult)  # without the stored risk ...
    unweighed, _ = detect_and_record(engine=loaded, as_of=AS_OF, workdir=tmp_path / "bare")
    assert {c.conflict_id: c.severity for c in unweighed.conflicts} != pytest.approx(weighed)


def test_pipeline_declarations_are_checked_when_the_pipeline_is_built() -> None:
    with pytest.raises(ValueError, match="two pipeline steps are named 'conflicts'"):
        PIPELINE.with_step(Step("conflicts", reads={}, produces=AccountCount, run=count_accounts))
    with pytest.raises(ValueError, match="both produce ConflictReport"):
        PIPELINE.with_step(
            Step("again", reads={}, produces=ConflictReport, run=lambda c: c.output(ConflictReport))
        )

    @dataclass(frozen=True, slots=True)
    class Unproduced:
        n: int

    lonely = Step(
        "lonely", reads={}, inputs=(Unproduced,), produces=AccountCount, run=count_accounts
    )
    with pytest.raises(ValueError, match="reads Unproduced, which no step produces"):
        Pipeline([lonely])
    with pytest.raises(UsageError, match="known: features, early_warning"):
        PIPELINE.plan(["nope"])


def test_a_step_is_pulled_in_for_the_output_another_one_needs() -> None:
    needing = Step(
        "segments",
        reads={},
        inputs=(AccountCount,),
        produces=Missing,
        run=lambda context: Missing(len(context.output(AccountCount).segments)),
    )
    pipeline = PIPELINE.with_step(ACCOUNT_COUNT).with_step(needing)
    assert [s.name for s in pipeline.plan(["segments"])] == ["account_count", "segments"]
    assert [s.name for s in PIPELINE.plan(["early_warning"])] == ["features", "early_warning"]
    assert [s.name for s in PIPELINE.plan(["stories", "early_warning"])] == [
        "features",
        "early_warning",
        "conflicts",
        "stories",
    ]


@dataclass(frozen=True, slots=True)
class Missing:
    """A second toy output."""

    n: int
