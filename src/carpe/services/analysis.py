"""Analysis use cases: run the analytics pipeline on the store, and list risk with reasons.

``run_analysis`` snapshots the store's tables to Parquet (streamed), opens the
engine, runs the pipeline's steps and writes the results back to the store
under a new analysis run (its id, as-of date and engine). ``list_risk`` reads
the latest finished run's risk list.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from carpe.analytics.conflicts import DetectorSettings
from carpe.analytics.pipeline import (
    Driver,
    RiskResult,
    RunOptions,
    close_engine,
    connect_engine,
    run_pipeline,
    snapshot_tables,
    steps_needs,
)
from carpe.analytics.pipeline.engines import ENGINES
from carpe.errors import NotFoundError, UsageError
from carpe.services.risk_evidence import Evidence, reason_evidence
from carpe.services.runs import begin_run
from carpe.store.analysis import AnalysisOutput, AnalysisRun, StoredRisk
from carpe.store.locks import HeldLock
from carpe.store.models import Account, Base, Touchpoint, utc_now

INSERT_BATCH = 10_000


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


@dataclass(frozen=True, slots=True)
class DriverView(Driver):
    """A reason behind an account's risk, with the records behind it (when looked up)."""

    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class RiskView:
    """An account on the risk list.

    ``band`` places the risk against the book's typical risk (the run's mean):
    ``high`` at three times it or more, ``raised`` at 1.5 times, ``usual`` around
    it, ``low`` under half of it.
    """

    account_id: str
    name: str
    risk: float
    rank: int
    drivers: list[DriverView]
    band: str = "usual"


BANDS: tuple[tuple[float, str], ...] = ((3.0, "high"), (1.5, "raised"), (0.5, "usual"))
"""Risk over the run's mean risk → band (below the last: ``low``)."""


def risk_band(risk: float, typical: float) -> str:
    """The band of ``risk`` against the book's ``typical`` risk (see :class:`RiskView`).

    Examples
    --------
    >>> risk_band(0.2, 0.05), risk_band(0.05, 0.05), risk_band(0.01, 0.05)
    ('high', 'usual', 'low')
    """
    ratio = risk / typical if typical > 0 else 1.0
    return next((band for floor, band in BANDS if ratio >= floor), "low")


def default_as_of(*, engine: Engine, today: date) -> date:
    """The day after the store's last touchpoint, or ``today`` if earlier (or no touchpoints)."""
    with engine.connect() as connection:
        last = connection.execute(select(func.max(Touchpoint.occurred_at))).scalar_one()
    if last is None:
        return today
    if not isinstance(last, datetime):
        last = datetime.fromisoformat(str(last))
    return min(today, last.date() + timedelta(days=1))


def run_analysis(
    *,
    engine: Engine,
    engine_name: str = "duckdb",
    as_of: date | None = None,
    today: date | None = None,
    workdir: Path | None = None,
    steps: Iterable[str] | None = None,
    horizon_days: int = 90,
    training_months: int = 12,
    seed: int = 0,
    keep_snapshot: bool = False,
    conflict_settings: DetectorSettings | None = None,
    on_step: Callable[[str, int, int], None] | None = None,
) -> AnalysisReport:
    """Snapshot the store, run the pipeline, and write its results back under a new run.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store.
    engine_name : {"duckdb", "spark"}, default "duckdb"
        The analytics engine.
    as_of : date, optional
        Score as of this day; default :func:`default_as_of`.
    today : date, optional
        Today (for the default as-of day); default the real today.
    workdir : Path, optional
        Where the snapshot and the engine's scratch files go (a temporary folder
        by default, removed afterwards unless ``keep_snapshot``).
    steps : iterable of str, optional
        Pipeline steps to run (default: all registered).
    horizon_days, training_months, seed : int
        Early-warning options (see :class:`~carpe.analytics.pipeline.RunOptions`).
    keep_snapshot : bool, default False
        Keep the Parquet snapshot in ``workdir``.
    conflict_settings : DetectorSettings, optional
        The conflict detectors' thresholds (see :func:`carpe.services.conflicts.detector_settings`).
    on_step : callable, optional
        Told each pipeline step as it starts: (name, steps done, steps in all).

    Returns
    -------
    AnalysisReport
        The run's id and what it did.

    Raises
    ------
    UsageError
        For an unknown engine, or Spark without the ``carpe[spark]`` extra.
    """
    if engine_name not in ENGINES:
        raise UsageError(f"unknown engine {engine_name!r}; choose one of {', '.join(ENGINES)}")
    day = as_of or default_as_of(engine=engine, today=today or date.today())
    options = RunOptions(
        as_of=day,
        horizon_days=horizon_days,
        training_months=training_months,
        seed=seed,
        conflicts=conflict_settings,
    )
    scratch = workdir or Path(tempfile.mkdtemp(prefix="carpe-analyze-"))
    run_id, lock = _start_run(engine, options, engine_name)
    backend = None
    try:
        needs = steps_needs(steps)
        tables = {name: Base.metadata.tables[name] for name in needs}
        with engine.connect() as connection:
            snapshot = snapshot_tables(connection, tables, scratch / "snapshot", columns=needs)
        backend = connect_engine(engine_name, workdir=scratch / "engine")
        result = run_pipeline(
            backend=backend,
            engine=engine_name,
            snapshot=snapshot,
            options=options,
            steps=steps,
            on_step=on_step,
        )
        risk: RiskResult | None = result.results.get("early_warning")
        seconds = {"snapshot": snapshot.seconds, **result.seconds}
        summary: dict[str, Any] = {"rows": snapshot.rows, "seconds": seconds}
        summary["cpu_seconds"] = result.cpu_seconds
        if risk is not None:
            summary["early_warning"] = {
                "training_dates": [d.isoformat() for d in risk.training_dates],
                "training_rows": risk.training_rows,
                "training_positives": risk.training_positives,
                "note": risk.note,
                "model": risk.model.as_dict() if risk.model else None,
            }
        _record_step_results(engine, run_id, result.results, summary)
        _finish_run(engine, run_id, risk, summary)
    except BaseException:
        _fail_run(engine, run_id)
        raise
    finally:
        lock.release()
        if backend is not None:
            close_engine(backend)
        if workdir is None and not keep_snapshot:
            shutil.rmtree(scratch, ignore_errors=True)
    return AnalysisReport(
        run_id=run_id,
        as_of=day,
        engine=engine_name,
        accounts_scored=len(risk.accounts) if risk else 0,
        snapshot_rows=snapshot.rows,
        seconds=seconds,
        note=risk.note if risk else "",
    )


def _record_step_results(
    engine: Engine, run_id: int, results: dict[str, Any], summary: dict[str, Any]
) -> None:
    """Write what later steps found: conflicts (with their workflow) and specialists."""
    # Both services import this module; importing them at the top would cycle.
    from carpe.services import conflicts, gesture_payoff, specialists

    with Session(engine) as session, session.begin():
        found = results.get("conflicts")
        if found is not None:
            conflicts.record_conflicts(session=session, report=found)
            summary["conflicts"] = found.by_type()
        told = results.get("stories")
        if told is not None:
            from carpe.services.story_records import record_stories

            summary["stories"] = record_stories(session=session, stories=told).found
        people = results.get("specialists")
        if people is not None:
            summary["specialists"] = specialists.write_specialists(
                session=session, run_id=run_id, result=people
            )
        alive = results.get("alive")
        if alive is not None:
            from carpe.services.retention import write_alive

            summary["alive"] = write_alive(session=session, run_id=run_id, result=alive)
        payoff = results.get("gestures")
        if payoff is not None:
            summary["gestures"] = gesture_payoff.write_payoff(
                session=session, run_id=run_id, result=payoff
            )


def write_outputs(
    *,
    session: Session,
    run_id: int,
    step: str,
    rows: Iterable[tuple[str, str, str]],
) -> int:
    """Store a step's results under a run as :class:`AnalysisOutput` rows, replacing earlier ones.

    Written in batches of plain inserts (no ORM object per row: a run at
    100,000 accounts writes one row per account).

    Parameters
    ----------
    session, run_id, step
        Where the rows go (the caller commits) and under which run and step name.
    rows : iterable of (str, str, str)
        ``(subject_type, subject_id, payload JSON)``.

    Returns
    -------
    int
        Rows written.
    """
    session.execute(
        delete(AnalysisOutput).where(AnalysisOutput.run_id == run_id, AnalysisOutput.step == step)
    )
    values = [
        {
            "run_id": run_id,
            "step": step,
            "subject_type": kind,
            "subject_id": subject,
            "payload": payload,
        }
        for kind, subject, payload in rows
    ]
    for start in range(0, len(values), INSERT_BATCH):
        session.execute(insert(AnalysisOutput), values[start : start + INSERT_BATCH])
    return len(values)


def _start_run(engine: Engine, options: RunOptions, engine_name: str) -> tuple[int, HeldLock]:
    run = AnalysisRun(
        as_of=options.as_of,
        engine=engine_name,
        horizon_days=options.horizon_days,
        started_at=utc_now(),
    )
    return begin_run(engine=engine, run=run)


def _fail_run(engine: Engine, run_id: int) -> None:
    with Session(engine) as session, session.begin():
        run = session.get(AnalysisRun, run_id)
        if run is not None:
            run.status = "failed"
            run.finished_at = utc_now()


def _drivers_json(drivers: Iterable[Driver]) -> str:
    """An account's drivers as stored: the fields of :class:`Driver` (``asdict`` deep-copies)."""
    return json.dumps(
        [{"feature": d.feature, "contribution": d.contribution, "text": d.text} for d in drivers],
        ensure_ascii=False,
    )


def _finish_run(
    engine: Engine, run_id: int, risk: RiskResult | None, summary: dict[str, Any]
) -> None:
    """Write the risk list and mark the run finished, in one transaction."""
    with Session(engine) as session, session.begin():
        session.execute(delete(StoredRisk).where(StoredRisk.run_id == run_id))
        rows = [
            {
                "run_id": run_id,
                "account_id": a.account_id,
                "risk": a.risk,
                "rank": a.rank,
                "drivers": _drivers_json(a.drivers),
            }
            for a in (risk.accounts if risk else [])
        ]
        for start in range(0, len(rows), INSERT_BATCH):
            session.execute(insert(StoredRisk), rows[start : start + INSERT_BATCH])
        run = session.get(AnalysisRun, run_id)
        assert run is not None
        run.status = "finished"
        run.finished_at = utc_now()
        run.summary = json.dumps(summary, default=str)


_LATEST_RUN = (
    select(AnalysisRun)
    .where(AnalysisRun.status == "finished")
    .order_by(AnalysisRun.finished_at.desc(), AnalysisRun.id.desc())
    .limit(1)
)
_ACCOUNT_RISK = (  # the account page asks on every view: built once, one query
    select(StoredRisk, Account.name)
    .join(Account, Account.account_id == StoredRisk.account_id)
    .where(
        StoredRisk.run_id == _LATEST_RUN.with_only_columns(AnalysisRun.id).scalar_subquery(),
        StoredRisk.account_id == bindparam("account_id"),
    )
)


def risk_model(run: AnalysisRun | None) -> dict[str, Any] | None:
    """The early-warning model in use in ``run`` and its backtest (see ``ModelChoice.as_dict``)."""
    if run is None or not run.summary:
        return None
    found = json.loads(run.summary).get("early_warning") or {}
    model = found.get("model")
    return model if isinstance(model, dict) else None


def latest_run(*, session: Session) -> AnalysisRun | None:
    """The most recent finished analysis run, if any."""
    return session.scalars(_LATEST_RUN).first()


def list_risk(
    *,
    session: Session,
    top: int | None = None,
    run_id: int | None = None,
    evidence: bool = False,
) -> list[RiskView]:
    """Accounts by risk of leaving, riskiest first, with the reasons in words.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session on the store.
    top : int, optional
        At most this many accounts.
    run_id : int, optional
        A particular run; default the latest finished one.
    evidence : bool, default False
        Also look up the records behind each reason (a few queries per account).

    Returns
    -------
    list of RiskView
        Empty when the run scored nobody.

    Raises
    ------
    NotFoundError
        When ``run_id`` names no run.
    UsageError
        When no run has finished yet (run ``carpe analyze``).
    """
    run = session.get(AnalysisRun, run_id) if run_id is not None else latest_run(session=session)
    if run is None and run_id is not None:
        raise NotFoundError("analysis run", str(run_id))
    if run is None:
        raise UsageError("no finished analysis run yet; run 'carpe analyze' first")
    query = (
        select(StoredRisk, Account.name)
        .join(Account, Account.account_id == StoredRisk.account_id)
        .where(StoredRisk.run_id == run.id)
        .order_by(StoredRisk.rank)
    )
    if top is not None:
        query = query.limit(top)
    typical = _typical_risk(session, run.id)
    as_of = run.as_of if evidence else None
    return [_risk_view(session, row, name, typical, as_of) for row, name in session.execute(query)]


def _typical_risk(session: Session, run_id: int) -> float:
    mean = session.execute(
        select(func.avg(StoredRisk.risk)).where(StoredRisk.run_id == run_id)
    ).scalar_one()
    return float(mean or 0.0)


def _risk_view(
    session: Session, row: StoredRisk, name: str, typical: float, as_of: date | None
) -> RiskView:
    drivers = [DriverView(**d) for d in json.loads(row.drivers)]
    if as_of is not None and drivers:
        found = reason_evidence(
            session=session,
            account_id=row.account_id,
            features=[d.feature for d in drivers],
            as_of=as_of,
        )
        drivers = [replace(d, evidence=tuple(found[d.feature])) for d in drivers]
    return RiskView(
        account_id=row.account_id,
        name=name,
        risk=row.risk,
        rank=row.rank,
        drivers=drivers,
        band=risk_band(row.risk, typical),
    )


def account_risk(*, session: Session, account_id: str) -> RiskView | None:
    """The account's place on the latest risk list with each reason's records, or ``None``."""
    found = session.execute(_ACCOUNT_RISK, {"account_id": account_id}).first()
    if found is None:
        return None
    run = session.get(AnalysisRun, found[0].run_id)
    assert run is not None
    return _risk_view(session, found[0], found[1], _typical_risk(session, run.id), run.as_of)
