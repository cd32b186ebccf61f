"""Analysis orchestration: run the pipeline's steps on the store and store what they produce.

``analyze_store`` snapshots the columns the chosen steps read (streamed to
Parquet), opens the analytics engine unless one is handed in, and runs the
steps with :data:`carpe.analytics.pipeline.steps.PIPELINE` (the one runner).
An optional input whose step does not run is loaded from the store by its
declared loader (:data:`LOADERS`). ``run_analysis`` does that under a new
analysis run and stores each output with its declared writer
(:data:`WRITERS`), then marks the run finished; the bookkeeping is
:mod:`carpe.services.runs`. ``carpe analyze``, ``carpe conflicts --detect`` and
``carpe specialists --refresh`` all run steps this way.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from carpe.analytics.conflicts import ConflictReport, DetectorSettings
from carpe.analytics.payoff import PayoffResult
from carpe.analytics.pipeline import (
    ENGINES,
    AnalyticsEngine,
    Loader,
    Pipeline,
    PipelineResult,
    RiskResult,
    RunOptions,
    Snapshot,
    StoriesResult,
    open_engine,
    snapshot_tables,
)
from carpe.analytics.pipeline import steps as declared
from carpe.analytics.pipeline.alive_step import AliveResult
from carpe.analytics.specialists import SpecialistsResult
from carpe.errors import UsageError
from carpe.services.conflict_records import record_conflicts
from carpe.services.gesture_payoff import write_payoff
from carpe.services.retention import write_alive
from carpe.services.risk import load_stored_risk, write_risk
from carpe.services.runs import default_as_of, fail_run, finish_run, start_run
from carpe.services.specialist_records import write_specialists
from carpe.services.story_records import record_stories
from carpe.store.models import Base

Writer = Callable[[Session, int, Any], object]
"""``writer(session, run_id, output)``: stores a step's output; returns its run-summary entry."""


def _write_conflicts(session: Session, run_id: int, report: ConflictReport) -> object:
    record_conflicts(session=session, report=report)
    return report.by_type()


def _write_stories(session: Session, run_id: int, result: StoriesResult) -> object:
    return record_stories(session=session, stories=result.stories).found


WRITERS: Final[dict[type, Writer]] = {
    RiskResult: lambda session, run_id, out: write_risk(session=session, run_id=run_id, result=out),
    ConflictReport: _write_conflicts,
    StoriesResult: _write_stories,
    SpecialistsResult: lambda session, run_id, out: write_specialists(
        session=session, run_id=run_id, result=out
    ),
    AliveResult: lambda session, run_id, out: write_alive(
        session=session, run_id=run_id, result=out
    ),
    PayoffResult: lambda session, run_id, out: write_payoff(
        session=session, run_id=run_id, result=out
    ),
}
"""How each step's output is stored, by output type, in the order they are written.

A step without a writer runs and is timed, but stores nothing."""

LOADERS: Final[dict[type, Callable[[Session], object | None]]] = {
    RiskResult: lambda session: load_stored_risk(session=session),
}
"""How a stored output is read back, for a step that uses it when its own step does not run."""


def stored_outputs(engine: Engine) -> Loader:
    """The loader the runner asks for an optional input whose step does not run."""

    def load(kind: type) -> object | None:
        loader = LOADERS.get(kind)
        if loader is None:
            return None
        with Session(engine) as session:
            return loader(session)

    return load


@dataclass(frozen=True, slots=True)
class AnalysisReport:
    """What one ``carpe analyze`` did."""

    run_id: int
    as_of: date
    engine: str
    accounts_scored: int
    snapshot_rows: dict[str, int]
    seconds: dict[str, float]
    note: str
    steps: tuple[str, ...] = ()


def _pipeline(pipeline: Pipeline | None) -> Pipeline:
    """The pipeline to run: the one given, else carpe's (looked up now, so a test can swap it)."""
    return pipeline if pipeline is not None else declared.PIPELINE


def _check_engine(engine_name: str) -> None:
    if engine_name not in ENGINES:
        raise UsageError(f"unknown engine {engine_name!r}; choose one of {', '.join(ENGINES)}")


def analyze_store(
    *,
    engine: Engine,
    options: RunOptions,
    steps: Iterable[str] | None = None,
    analytics: AnalyticsEngine | None = None,
    engine_name: str = "duckdb",
    workdir: Path | None = None,
    keep_snapshot: bool = False,
    pipeline: Pipeline | None = None,
    on_step: Callable[[str, int, int], None] | None = None,
) -> tuple[PipelineResult, Snapshot]:
    """Snapshot what the chosen steps read and run them (stores nothing).

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store.
    options : RunOptions
        The run's options.
    steps : iterable of str, optional
        Steps to run (default: all; the steps whose outputs they need are added).
    analytics : AnalyticsEngine, optional
        An open analytics engine (its owner closes it); default: open ``engine_name``.
    engine_name : {"duckdb", "spark"}, default "duckdb"
        The engine to open when none is handed in.
    workdir : Path, optional
        Where the snapshot and the engine's scratch files go (a temporary folder
        by default, removed afterwards unless ``keep_snapshot``).
    keep_snapshot : bool, default False
        Keep the Parquet snapshot of a temporary folder.
    pipeline : Pipeline, optional
        Default :data:`carpe.analytics.pipeline.steps.PIPELINE`.
    on_step : callable, optional
        Told each step as it starts: (name, steps done, steps in all).

    Returns
    -------
    tuple of PipelineResult and Snapshot
        The steps' outputs, and the snapshot (its files gone unless kept).

    Raises
    ------
    UsageError
        For an unknown step or engine, or Spark without the ``carpe[spark]`` extra.
    """
    chosen = _pipeline(pipeline)
    if analytics is None:
        _check_engine(engine_name)
    columns = chosen.reads(steps)
    scratch = workdir or Path(tempfile.mkdtemp(prefix="carpe-analyze-"))
    opened: AnalyticsEngine | None = None
    try:
        tables = {name: Base.metadata.tables[name] for name in columns}
        with engine.connect() as connection:
            snapshot = snapshot_tables(connection, tables, scratch / "snapshot", columns=columns)
        if analytics is None:
            analytics = opened = open_engine(engine_name, workdir=scratch / "engine")
        result = chosen.run(
            engine=analytics,
            snapshot=snapshot,
            options=options,
            steps=steps,
            load=stored_outputs(engine),
            on_step=on_step,
        )
    finally:
        if opened is not None:
            opened.close()
        if workdir is None and not keep_snapshot:
            shutil.rmtree(scratch, ignore_errors=True)
    return result, snapshot


def run_analysis(
    *,
    engine: Engine,
    engine_name: str = "duckdb",
    analytics: AnalyticsEngine | None = None,
    as_of: date | None = None,
    today: date | None = None,
    workdir: Path | None = None,
    steps: Iterable[str] | None = None,
    horizon_days: int = 90,
    training_months: int = 12,
    seed: int = 0,
    keep_snapshot: bool = False,
    conflict_settings: DetectorSettings | None = None,
    pipeline: Pipeline | None = None,
    on_step: Callable[[str, int, int], None] | None = None,
) -> AnalysisReport:
    """Snapshot the store, run the steps, and store their outputs under a new run.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store.
    engine_name : {"duckdb", "spark"}, default "duckdb"
        The analytics engine to open (unless ``analytics`` is given).
    analytics : AnalyticsEngine, optional
        An open analytics engine to run on (its owner closes it).
    as_of : date, optional
        Score as of this day; default :func:`~carpe.services.runs.default_as_of`.
    today : date, optional
        Today (for the default as-of day); default the real today.
    workdir : Path, optional
        Where the snapshot and the engine's scratch files go (a temporary folder
        by default, removed afterwards unless ``keep_snapshot``).
    steps : iterable of str, optional
        Steps to run (default: all; ``carpe analyze --steps``). The steps whose
        outputs they need are added; a stored output stands in for an optional
        one whose step does not run (the latest risk, for conflict severity).
    horizon_days, training_months, seed : int
        Early-warning options (see :class:`~carpe.analytics.pipeline.RunOptions`).
    keep_snapshot : bool, default False
        Keep the Parquet snapshot in ``workdir``.
    conflict_settings : DetectorSettings, optional
        The conflict detectors' thresholds (see
        :func:`carpe.services.conflict_detection.detector_settings`).
    pipeline : Pipeline, optional
        Default :data:`carpe.analytics.pipeline.steps.PIPELINE`.
    on_step : callable, optional
        Told each pipeline step as it starts: (name, steps done, steps in all).

    Returns
    -------
    AnalysisReport
        The run's id and what it did.

    Raises
    ------
    UsageError
        For an unknown step or engine, or Spark without the ``carpe[spark]`` extra.
    """
    chosen = _pipeline(pipeline)
    names = [step.name for step in chosen.plan(steps)]  # an unknown name fails before the run
    if analytics is None:
        _check_engine(engine_name)
    day = as_of or default_as_of(engine=engine, today=today or date.today())
    options = RunOptions(
        as_of=day,
        horizon_days=horizon_days,
        training_months=training_months,
        seed=seed,
        conflicts=conflict_settings,
    )
    run_id, lock = start_run(
        engine=engine,
        as_of=day,
        engine_name=analytics.name if analytics is not None else engine_name,
        horizon_days=horizon_days if chosen.producer(RiskResult) in names else 0,
    )
    try:
        result, snapshot = analyze_store(
            engine=engine,
            options=options,
            steps=names,
            analytics=analytics,
            engine_name=engine_name,
            workdir=workdir,
            keep_snapshot=keep_snapshot,
            pipeline=chosen,
            on_step=on_step,
        )
        seconds = {"snapshot": snapshot.seconds, **result.seconds}
        summary: dict[str, Any] = {"rows": snapshot.rows, "seconds": seconds}
        summary["cpu_seconds"] = result.cpu_seconds
        with Session(engine) as session, session.begin():
            for kind, write in WRITERS.items():
                output = result.output(kind)
                if output is not None:
                    summary[chosen.producer(kind)] = write(session, run_id, output)
            finish_run(session=session, run_id=run_id, summary=summary)
    except BaseException:
        fail_run(engine=engine, run_id=run_id)
        raise
    finally:
        lock.release()
    risk = result.output(RiskResult)
    return AnalysisReport(
        run_id=run_id,
        as_of=day,
        engine=result.engine,
        accounts_scored=len(risk.accounts) if risk else 0,
        snapshot_rows=snapshot.rows,
        seconds=seconds,
        note=risk.note if risk else "",
        steps=result.steps,
    )
