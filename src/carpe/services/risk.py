"""The risk list: early warning's scores stored under a run, read back with their reasons.

:func:`write_risk` stores the early-warning output of a run (one row per
account, its reasons as JSON); :func:`list_risk` and :func:`account_risk` read
the latest finished run's list, with each reason's records on request;
:func:`load_stored_risk` gives the stored scores back as the step's output, for
a run that needs them without running early warning (conflict severity).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, select
from sqlalchemy.orm import Session

from carpe.analytics.pipeline import AccountRisk as ScoredAccount
from carpe.analytics.pipeline import Driver, RiskResult
from carpe.errors import NotFoundError, UsageError
from carpe.services.risk_evidence import Evidence, reason_evidence
from carpe.services.runs import INSERT_BATCH
from carpe.store.analysis import AnalysisRun, StoredRisk
from carpe.store.models import Account


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


def _drivers_json(drivers: Iterable[Driver]) -> str:
    """An account's drivers as stored: the fields of :class:`Driver` (``asdict`` deep-copies)."""
    return json.dumps(
        [{"feature": d.feature, "contribution": d.contribution, "text": d.text} for d in drivers],
        ensure_ascii=False,
    )


def write_risk(*, session: Session, run_id: int, result: RiskResult) -> dict[str, Any]:
    """Store early warning's scores under a run (replacing any); return its summary entry.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The caller's session (the caller commits).
    run_id : int
        The analysis run.
    result : RiskResult
        The early-warning step's output.

    Returns
    -------
    dict
        Training dates and counts, the note and the model (the run summary's
        ``early_warning``, read by :func:`risk_model`).
    """
    session.execute(delete(StoredRisk).where(StoredRisk.run_id == run_id))
    rows = [
        {
            "run_id": run_id,
            "account_id": a.account_id,
            "risk": a.risk,
            "rank": a.rank,
            "drivers": _drivers_json(a.drivers),
        }
        for a in result.accounts
    ]
    for start in range(0, len(rows), INSERT_BATCH):
        session.execute(insert(StoredRisk), rows[start : start + INSERT_BATCH])
    return {
        "training_dates": [d.isoformat() for d in result.training_dates],
        "training_rows": result.training_rows,
        "training_positives": result.training_positives,
        "note": result.note,
        "model": result.model.as_dict() if result.model else None,
    }


def load_stored_risk(*, session: Session) -> RiskResult | None:
    """The latest risk run's scores as early warning's output (``None`` without one).

    Only each account's risk is kept (no ranks, reasons or training figures):
    what a step reading the risk of a run that did not score needs.
    """
    run = latest_risk_run(session=session)
    if run is None:
        return None
    rows = session.execute(
        select(StoredRisk.account_id, StoredRisk.risk).where(StoredRisk.run_id == run.id)
    )
    risk = {a: float(r) for a, r in rows}
    return RiskResult([ScoredAccount(a, r, 0, []) for a, r in sorted(risk.items())], [], 0, 0)


_LATEST_RISK_RUN = (
    select(AnalysisRun)
    .where(AnalysisRun.status == "finished", AnalysisRun.horizon_days > 0)
    .order_by(AnalysisRun.finished_at.desc(), AnalysisRun.id.desc())
    .limit(1)
)


def latest_risk_run(*, session: Session) -> AnalysisRun | None:
    """The latest finished run that ran early warning (its risk list is the one shown).

    A run of other steps only (``carpe analyze --steps conflicts``, ``carpe
    specialists --refresh``) is stored with ``horizon_days`` 0 and leaves the
    risk list as it was.
    """
    return session.scalars(_LATEST_RISK_RUN).first()


_ACCOUNT_RISK = (  # the account page asks on every view: built once, one query
    select(StoredRisk, Account.name)
    .join(Account, Account.account_id == StoredRisk.account_id)
    .where(
        StoredRisk.run_id == _LATEST_RISK_RUN.with_only_columns(AnalysisRun.id).scalar_subquery(),
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
        A particular run; default the latest that ran early warning (:func:`latest_risk_run`).
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
    run = (
        session.get(AnalysisRun, run_id) if run_id is not None else latest_risk_run(session=session)
    )
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
