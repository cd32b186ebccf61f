"""Hidden-specialists use cases: run the analysis on the store, store it, read it back.

``analyze_specialists`` snapshots the tables the specialists step needs, runs
that step on the engine and writes its result under a new analysis run, in the
generic ``analysis_outputs`` table (``step = "specialists"``; one row per
employee, per account with a key person, per engagement link, and one summary).
``write_specialists`` is the writer the general ``carpe analyze`` can call for
the same step. ``load_specialists`` reads the latest stored result.
"""

from __future__ import annotations

import json
import math
import shutil
import tempfile
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from carpe.analytics.pipeline import (
    RunOptions,
    close_engine,
    connect_engine,
    run_pipeline,
    snapshot_tables,
    steps_needs,
)
from carpe.analytics.specialists import SpecialistsResult
from carpe.services.analysis import default_as_of, write_outputs
from carpe.services.permissions import TEAM, Viewer, require
from carpe.services.runs import begin_run
from carpe.store.analysis import AnalysisOutput, AnalysisRun
from carpe.store.models import Base, Employee, utc_now

STEP: Final = "specialists"
SUBJECT_EMPLOYEE: Final = "employee"
SUBJECT_ACCOUNT: Final = "account"
SUBJECT_ENGAGEMENT: Final = "engagement"
SUBJECT_SUMMARY: Final = "summary"
BOARD_SIZE: Final = 50


@dataclass(frozen=True, slots=True)
class SpecialistsView:
    """A stored specialists result, ready for the page, the API and the CLI.

    Attributes
    ----------
    run_id : int or None
        The analysis run (None when nothing is stored yet).
    summary : dict
        Windows, FDR, cohort size and retention.
    specialists : list of dict
        One per employee, largest effect first (fields of
        :class:`~carpe.analytics.specialists.Specialist`, NaN as None).
    board : list of dict
        Key-person board: accounts by concentration of positive experience.
    engagement : list of dict
        Engagement links.
    """

    run_id: int | None
    summary: dict[str, Any] = field(default_factory=dict)
    specialists: list[dict[str, Any]] = field(default_factory=list)
    board: list[dict[str, Any]] = field(default_factory=list)
    engagement: list[dict[str, Any]] = field(default_factory=list)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def write_specialists(*, session: Session, run_id: int, result: SpecialistsResult) -> int:
    """Store a specialists result under an analysis run (replacing one stored before).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session; the caller commits.
    run_id : int
        The analysis run.
    result : SpecialistsResult
        The step's output.

    Returns
    -------
    int
        Rows written.
    """
    w = result.windows
    summary = {
        "as_of": w.as_of,
        "outcome_start": w.outcome_start,
        "exposure_start": w.exposure_start,
        "recent_start": w.recent_start,
        "outcome_days": w.outcome_days,
        "fdr": result.fdr,
        "cohort_accounts": result.cohort_accounts,
        "cohort_retention": result.cohort_retention,
        "mentions": len(result.mentions),
    }
    rows = [(SUBJECT_SUMMARY, "all", summary)]
    rows += [(SUBJECT_EMPLOYEE, s.employee_id, asdict(s)) for s in result.specialists]
    rows += [(SUBJECT_ACCOUNT, d.account_id, asdict(d)) for d in result.dependences]
    rows += [(SUBJECT_ENGAGEMENT, e.employee_id, asdict(e)) for e in result.engagement]
    return write_outputs(
        session=session,
        run_id=run_id,
        step=STEP,
        rows=(
            (kind, subject, json.dumps(_clean(payload), ensure_ascii=False))
            for kind, subject, payload in rows
        ),
    )


def analyze_specialists(
    *,
    engine: Engine,
    engine_name: str = "duckdb",
    as_of: date | None = None,
    today: date | None = None,
    seed: int = 0,
    workdir: Path | None = None,
) -> int:
    """Run the specialists step on the store and store its result under a new run.

    Parameters
    ----------
    engine : sqlalchemy.Engine
        The store.
    engine_name : {"duckdb", "spark"}, default "duckdb"
        The analytics engine.
    as_of : date, optional
        As of this day (default: the day after the last touchpoint).
    today : date, optional
        Today, for the default as-of day.
    seed : int, default 0
        Seed of the estimates.
    workdir : Path, optional
        Scratch folder (a temporary one by default, removed afterwards).

    Returns
    -------
    int
        The analysis run's id.
    """
    day = as_of or default_as_of(engine=engine, today=today or date.today())
    options = RunOptions(as_of=day, seed=seed)
    scratch = workdir or Path(tempfile.mkdtemp(prefix="carpe-specialists-"))
    run_id, lock = begin_run(
        engine=engine,
        run=AnalysisRun(as_of=day, engine=engine_name, horizon_days=0, started_at=utc_now()),
    )
    backend = None
    try:
        needs = steps_needs([STEP])
        tables = {name: Base.metadata.tables[name] for name in needs}
        with engine.connect() as connection:
            snapshot = snapshot_tables(connection, tables, scratch / "snapshot", columns=needs)
        backend = connect_engine(engine_name, workdir=scratch / "engine")
        result = run_pipeline(
            backend=backend, engine=engine_name, snapshot=snapshot, options=options, steps=[STEP]
        )
        with Session(engine) as session, session.begin():
            write_specialists(session=session, run_id=run_id, result=result.results[STEP])
            stored = session.get(AnalysisRun, run_id)
            assert stored is not None
            stored.status = "finished"
            stored.finished_at = utc_now()
            stored.summary = json.dumps(
                {"steps": [STEP], "rows": snapshot.rows, "seconds": result.seconds}, default=str
            )
    except BaseException:
        with Session(engine) as session, session.begin():
            failed = session.get(AnalysisRun, run_id)
            if failed is not None:
                failed.status = "failed"
                failed.finished_at = utc_now()
        raise
    finally:
        lock.release()
        if backend is not None:
            close_engine(backend)
        if workdir is None:
            shutil.rmtree(scratch, ignore_errors=True)
    return run_id


def latest_specialists_run(*, session: Session) -> int | None:
    """The id of the latest finished run that stored a specialists result."""
    return session.scalars(
        select(AnalysisRun.id)
        .join(AnalysisOutput, AnalysisOutput.run_id == AnalysisRun.id)
        .where(AnalysisRun.status == "finished", AnalysisOutput.step == STEP)
        .order_by(AnalysisRun.finished_at.desc(), AnalysisRun.id.desc())
        .limit(1)
    ).first()


def load_specialists(
    *, session: Session, viewer: Viewer, run_id: int | None = None, board: int = BOARD_SIZE
) -> SpecialistsView:
    """The latest stored specialists result (managers and admins only).

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session on the store.
    viewer : Viewer
        Who asks.
    run_id : int, optional
        A particular run; default the latest with a specialists result.
    board : int, default 50
        Accounts on the key-person board.

    Returns
    -------
    SpecialistsView
        ``run_id`` None when nothing is stored yet.

    Raises
    ------
    ForbiddenError
        For a frontline viewer.
    """
    require(viewer, "see", TEAM, why="the specialists analysis is for managers")
    chosen = run_id if run_id is not None else latest_specialists_run(session=session)
    if chosen is None:
        return SpecialistsView(run_id=None)
    rows = session.execute(
        select(AnalysisOutput.subject_type, AnalysisOutput.payload)
        .where(AnalysisOutput.run_id == chosen, AnalysisOutput.step == STEP)
        .order_by(AnalysisOutput.id)
    ).all()
    found: dict[str, list[dict[str, Any]]] = {}
    for kind, payload in rows:
        found.setdefault(kind, []).append(json.loads(payload))
    names = {s["employee_id"]: s["name"] for s in found.get(SUBJECT_EMPLOYEE, [])}
    accounts = found.get(SUBJECT_ACCOUNT, [])
    accounts.sort(key=lambda d: (-d["share"] * (d["annual_value"] or 0.0), d["account_id"]))
    owners = {d.get("owner_employee_id") for d in accounts[:board]} - {None}
    owner_names = dict(
        session.execute(
            select(Employee.employee_id, Employee.name).where(
                Employee.employee_id.in_(sorted(owners))
            )
        ).all()
    )
    for d in accounts:
        d["employee_name"] = names.get(d["employee_id"], d["employee_id"])
        d["owner_name"] = owner_names.get(d.get("owner_employee_id") or "")
        d["value_resting"] = round(d["share"] * (d["annual_value"] or 0.0), 2)
    summary = (found.get(SUBJECT_SUMMARY) or [{}])[0]
    return SpecialistsView(
        run_id=chosen,
        summary=summary,
        specialists=found.get(SUBJECT_EMPLOYEE, []),
        board=accounts[:board],
        engagement=[
            dict(e, name=names.get(e["employee_id"], "")) for e in found.get(SUBJECT_ENGAGEMENT, [])
        ],
    )


def ensure_specialists(*, engine: Engine, session: Session, viewer: Viewer) -> SpecialistsView:
    """The stored result, computing it first when there is none (the CLI's default)."""
    require(viewer, "see", TEAM, why="the specialists analysis is for managers")
    if latest_specialists_run(session=session) is None:
        analyze_specialists(engine=engine)
        session.rollback()  # end the read transaction so the new run is visible
    return load_specialists(session=session, viewer=viewer)
