"""Retention for managers: curves, rates, median lifetime, and whether micro-experiences help."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carpe.analytics.effects import EffectEstimate, estimate_effect
from carpe.analytics.pipeline.alive_step import HORIZON_WEEKS, AliveResult
from carpe.analytics.survival import SurvivalCurve, kaplan_meier_curves, retention_rate
from carpe.services.permissions import TEAM, Resource, Viewer, require
from carpe.services.runs import write_outputs
from carpe.store.analysis import AnalysisOutput, AnalysisRun
from carpe.store.models import Account, Gesture, Touchpoint

MIN_GROUP = 20
"""Segments or cohorts with fewer accounts are left off the charts (their curves are noise)."""


@dataclass(frozen=True, slots=True)
class RetentionOverview:
    """What the retention page shows."""

    as_of: date
    accounts: int
    active: int
    rate_12m: float | None
    overall: SurvivalCurve | None
    by_segment: tuple[SurvivalCurve, ...]
    by_cohort: tuple[SurvivalCurve, ...]


def _accounts(session: Session, as_of: date) -> pd.DataFrame:
    rows = session.execute(
        select(Account.account_id, Account.started_on, Account.ended_on, Account.segment).where(
            Account.started_on <= as_of
        )
    ).all()
    frame = pd.DataFrame(rows, columns=["account_id", "started_on", "ended_on", "segment"])
    frame["segment"] = frame["segment"].fillna("(none)")
    return frame


def retention_overview(*, session: Session, viewer: Viewer, as_of: date) -> RetentionOverview:
    """Kaplan–Meier curves (overall, by segment, by start year) and 12-month retention."""
    require(viewer, "see", TEAM, why="the retention page is for managers")
    frame = _accounts(session, as_of)
    if frame.empty:
        return RetentionOverview(as_of, 0, 0, None, None, (), ())
    active = int((frame["ended_on"].isna() | (frame["ended_on"] > as_of)).sum())
    overall = kaplan_meier_curves(frame, as_of=as_of, unit="M")
    by_segment = kaplan_meier_curves(
        frame, as_of=as_of, by="segment", unit="M", min_accounts=MIN_GROUP
    )
    cohorts = frame.assign(segment=pd.to_datetime(frame["started_on"]).dt.year.astype(str))
    by_cohort = kaplan_meier_curves(
        cohorts, as_of=as_of, by="segment", unit="M", min_accounts=MIN_GROUP
    )
    start = as_of - timedelta(days=365)
    rate = retention_rate(frame, start, as_of) if (frame["started_on"] <= start).any() else None
    return RetentionOverview(
        as_of=as_of,
        accounts=len(frame),
        active=active,
        rate_12m=rate.rate if rate is not None else None,
        overall=overall[0] if overall else None,
        by_segment=tuple(by_segment),
        by_cohort=tuple(by_cohort),
    )


def gesture_effect(*, session: Session, viewer: Viewer, as_of: date) -> EffectEstimate | None:
    """The effect of receiving gestures on leaving, adjusted for who receives them.

    One row per account that started at least a year before ``as_of``: treated
    when it received any gesture, outcome 1 when it left by ``as_of``;
    confounders are annual value, segment, start year and how often the account
    is touched (bigger, busier accounts get more gestures). Augmented inverse
    propensity weighting, effect on the treated, with a bootstrap interval.
    ``None`` when there are too few accounts on either side.
    """
    require(viewer, "see", TEAM, why="the retention page is for managers")
    cutoff = as_of - timedelta(days=365)
    accounts = _accounts(session, as_of)
    accounts = accounts[accounts["started_on"] <= cutoff]
    value = dict(session.execute(select(Account.account_id, Account.annual_value)).all())
    touches = dict(
        session.execute(
            select(Touchpoint.account_id, func.count()).group_by(Touchpoint.account_id)
        ).all()
    )
    gifted = set(session.scalars(select(Gesture.account_id).distinct()))
    frame = accounts.assign(
        treated=accounts["account_id"].isin(gifted).astype(int),
        left=(accounts["ended_on"].notna() & (accounts["ended_on"] <= as_of)).astype(int),
        annual_value=accounts["account_id"].map(value).fillna(0.0).astype(float),
        touches=accounts["account_id"].map(touches).fillna(0).astype(float),
        start_year=pd.to_datetime(accounts["started_on"]).dt.year.astype(float),
    )
    if min(frame["treated"].sum(), (1 - frame["treated"]).sum()) < 10:
        return None
    return estimate_effect(
        frame,
        treatment="treated",
        outcome="left",
        confounders=("annual_value", "segment", "start_year", "touches"),
        method="aipw",
        estimand="att",
        n_bootstrap=100,
        random_state=0,
    )


ALIVE_STEP = "alive"


@dataclass(frozen=True, slots=True)
class AliveView:
    """A consumer account's chance of still being a customer (BG/NBD), as of an analysis."""

    account_id: str
    name: str
    p_alive: float
    expected: float
    purchases: int
    last_purchase: date
    as_of: date
    horizon_weeks: int


def write_alive(*, session: Session, run_id: int, result: AliveResult) -> dict[str, object]:
    """Store the alive step's scores under the run; returns the run summary's entry."""
    rows = (
        (
            "account",
            str(r.account_id),
            json.dumps(
                {
                    "p_alive": float(r.p_alive),
                    "expected": float(r.expected),
                    "purchases": int(r.purchases),
                    "last_purchase": r.last_purchase.isoformat(),
                }
            ),
        )
        for r in result.accounts.itertuples(index=False)
    )
    written = write_outputs(session=session, run_id=run_id, step=ALIVE_STEP, rows=rows)
    params = result.params
    return {
        "accounts": written,
        "horizon_weeks": HORIZON_WEEKS,
        "params": None if params is None else [params.r, params.alpha, params.a, params.b],
        "note": result.note,
    }


def _alive_run(session: Session) -> AnalysisRun | None:
    return session.scalars(
        select(AnalysisRun)
        .join(AnalysisOutput, AnalysisOutput.run_id == AnalysisRun.id)
        .where(AnalysisRun.status == "finished", AnalysisOutput.step == ALIVE_STEP)
        .order_by(AnalysisRun.finished_at.desc(), AnalysisRun.id.desc())
        .limit(1)
    ).first()


def _alive_views(
    session: Session, run: AnalysisRun, rows: list[tuple[str, str, str]]
) -> list[AliveView]:
    views = []
    for account_id, name, payload in rows:
        found = json.loads(payload)
        views.append(
            AliveView(
                account_id=account_id,
                name=name,
                p_alive=found["p_alive"],
                expected=found["expected"],
                purchases=found["purchases"],
                last_purchase=date.fromisoformat(found["last_purchase"]),
                as_of=run.as_of,
                horizon_weeks=HORIZON_WEEKS,
            )
        )
    return views


def list_alive(*, session: Session, viewer: Viewer, top: int | None = None) -> list[AliveView]:
    """Consumer accounts least likely to still be customers first (the latest analysis).

    Empty when no analysis scored consumer accounts (a business without them, or
    ``carpe analyze`` not run yet).
    """
    require(viewer, "see", TEAM, why="the probability-alive list is for managers")
    run = _alive_run(session)
    if run is None:
        return []
    query = (
        select(AnalysisOutput.subject_id, Account.name, AnalysisOutput.payload)
        .join(Account, Account.account_id == AnalysisOutput.subject_id)
        .where(AnalysisOutput.run_id == run.id, AnalysisOutput.step == ALIVE_STEP)
        .order_by(AnalysisOutput.id)
    )
    if top is not None:
        query = query.limit(top)
    return _alive_views(session, run, [tuple(r) for r in session.execute(query)])  # type: ignore[misc]


def account_alive(*, session: Session, viewer: Viewer, account_id: str) -> AliveView | None:
    """One consumer account's probability alive and expected purchases, or ``None``."""
    require(viewer, "see", Resource("account"))
    run = _alive_run(session)
    if run is None:
        return None
    row = session.execute(
        select(AnalysisOutput.subject_id, Account.name, AnalysisOutput.payload)
        .join(Account, Account.account_id == AnalysisOutput.subject_id)
        .where(
            AnalysisOutput.run_id == run.id,
            AnalysisOutput.step == ALIVE_STEP,
            AnalysisOutput.subject_id == account_id,
        )
    ).first()
    return None if row is None else _alive_views(session, run, [tuple(row)])[0]  # type: ignore[list-item]
