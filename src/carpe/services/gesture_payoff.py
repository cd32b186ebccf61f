"""Does it pay? The pipeline's gesture effects, stored under an analysis run and read back.

The ``gestures`` pipeline step (:mod:`carpe.analytics.pipeline.gestures_step`)
estimates retention and sentiment after gestures against comparable accounts
without them, by gesture kind and cost band; ``carpe analyze`` stores its result
in ``analysis_outputs`` (``step = "gestures"``: one summary row and one row per
group and outcome) through :func:`write_payoff`; :func:`load_payoff` reads the
latest. Managers and admins only.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from carpe.analytics.payoff import PayoffResult
from carpe.services.permissions import TEAM, Viewer, require
from carpe.services.runs import write_outputs
from carpe.store.analysis import AnalysisOutput, AnalysisRun

STEP: Final = "gestures"
SUBJECT_SUMMARY: Final = "summary"
SUBJECT_EFFECT: Final = "effect"


@dataclass(frozen=True, slots=True)
class PayoffView:
    """The latest stored "does it pay" result (``run_id`` None when none is stored)."""

    run_id: int | None
    as_of: date | None = None
    landmark: date | None = None
    exposure_start: date | None = None
    accounts: int = 0
    note: str = ""
    effects: list[dict[str, Any]] = field(default_factory=list)
    """One per (dimension, group, outcome): fields of ``PayoffRow``."""


def write_payoff(*, session: Session, run_id: int, result: PayoffResult) -> int:
    """Store a gestures-step result under an analysis run (replacing one stored before).

    Returns
    -------
    int
        Rows written.
    """
    w = result.windows
    summary = {
        "as_of": w.as_of.isoformat(),
        "landmark": w.landmark.isoformat(),
        "exposure_start": w.exposure_start.isoformat(),
        "accounts": result.accounts,
        "note": result.note,
    }
    rows = [(SUBJECT_SUMMARY, "all", summary)]
    rows += [
        (SUBJECT_EFFECT, f"{r.dimension}:{r.group}:{r.outcome}", asdict(r)) for r in result.rows
    ]
    return write_outputs(
        session=session,
        run_id=run_id,
        step=STEP,
        rows=(
            (kind, subject[:200], json.dumps(payload, ensure_ascii=False))
            for kind, subject, payload in rows
        ),
    )


def load_payoff(*, session: Session, viewer: Viewer) -> PayoffView:
    """The latest stored gesture effects (managers and admins).

    Raises
    ------
    ForbiddenError
        For a frontline viewer.
    """
    require(viewer, "see", TEAM, why="whether gestures pay is for managers")
    run_id = session.scalars(
        select(AnalysisRun.id)
        .join(AnalysisOutput, AnalysisOutput.run_id == AnalysisRun.id)
        .where(AnalysisRun.status == "finished", AnalysisOutput.step == STEP)
        .order_by(AnalysisRun.finished_at.desc(), AnalysisRun.id.desc())
        .limit(1)
    ).first()
    if run_id is None:
        return PayoffView(run_id=None)
    rows = session.execute(
        select(AnalysisOutput.subject_type, AnalysisOutput.payload)
        .where(AnalysisOutput.run_id == run_id, AnalysisOutput.step == STEP)
        .order_by(AnalysisOutput.id)
    ).all()
    summary: dict[str, Any] = {}
    effects: list[dict[str, Any]] = []
    for kind, payload in rows:
        if kind == SUBJECT_SUMMARY:
            summary = json.loads(payload)
        else:
            effects.append(json.loads(payload))
    return PayoffView(
        run_id=run_id,
        as_of=date.fromisoformat(summary["as_of"]) if summary.get("as_of") else None,
        landmark=date.fromisoformat(summary["landmark"]) if summary.get("landmark") else None,
        exposure_start=(
            date.fromisoformat(summary["exposure_start"]) if summary.get("exposure_start") else None
        ),
        accounts=int(summary.get("accounts", 0)),
        note=str(summary.get("note", "")),
        effects=effects,
    )
