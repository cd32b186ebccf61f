"""A specialists result as stored: rows of ``analysis_outputs`` under a run.

The specialists step's writer (:func:`write_specialists`) stores one row per
employee, per account with a key person, per engagement link, and one summary,
in the generic ``analysis_outputs`` table (``step = "specialists"``).
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from datetime import date
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from carpe.analytics.specialists import SpecialistsResult
from carpe.services.runs import write_outputs
from carpe.store.analysis import AnalysisOutput, AnalysisRun

STEP: Final = "specialists"
SUBJECT_EMPLOYEE: Final = "employee"
SUBJECT_ACCOUNT: Final = "account"
SUBJECT_ENGAGEMENT: Final = "engagement"
SUBJECT_SUMMARY: Final = "summary"


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


def latest_specialists_run(*, session: Session) -> int | None:
    """The id of the latest finished run that stored a specialists result."""
    return session.scalars(
        select(AnalysisRun.id)
        .join(AnalysisOutput, AnalysisOutput.run_id == AnalysisRun.id)
        .where(AnalysisRun.status == "finished", AnalysisOutput.step == STEP)
        .order_by(AnalysisRun.finished_at.desc(), AnalysisRun.id.desc())
        .limit(1)
    ).first()
