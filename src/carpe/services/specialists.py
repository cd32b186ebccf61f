"""Hidden-specialists use cases: run the analysis on the store, read its result back.

``analyze_specialists`` runs the specialists step through the pipeline runner
under a new analysis run (:func:`carpe.services.analysis.run_analysis`), which
stores it with :func:`carpe.services.specialist_records.write_specialists`.
``load_specialists`` reads the latest stored result.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from carpe.services.analysis import run_analysis
from carpe.services.permissions import TEAM, Viewer, require
from carpe.services.specialist_records import (
    STEP,
    SUBJECT_ACCOUNT,
    SUBJECT_EMPLOYEE,
    SUBJECT_ENGAGEMENT,
    SUBJECT_SUMMARY,
    latest_specialists_run,
)
from carpe.store.analysis import AnalysisOutput
from carpe.store.models import Employee

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

    The same as ``carpe analyze --steps specialists`` (see
    :func:`carpe.services.analysis.run_analysis`).

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
    report = run_analysis(
        engine=engine,
        engine_name=engine_name,
        as_of=as_of,
        today=today,
        seed=seed,
        workdir=workdir,
        steps=[STEP],
    )
    return report.run_id


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
