"""Retention for managers: curves, rates, median lifetime, and whether micro-experiences help."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import pandas as pd  # type: ignore[import-untyped]
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carpe.analytics.effects import EffectEstimate, estimate_effect
from carpe.analytics.survival import SurvivalCurve, kaplan_meier_curves, retention_rate
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


def retention_overview(*, session: Session, as_of: date) -> RetentionOverview:
    """Kaplan–Meier curves (overall, by segment, by start year) and 12-month retention."""
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


def gesture_effect(*, session: Session, as_of: date) -> EffectEstimate | None:
    """The effect of receiving gestures on leaving, adjusted for who receives them.

    One row per account that started at least a year before ``as_of``: treated
    when it received any gesture, outcome 1 when it left by ``as_of``;
    confounders are annual value, segment, start year and how often the account
    is touched (bigger, busier accounts get more gestures). Augmented inverse
    propensity weighting, effect on the treated, with a bootstrap interval.
    ``None`` when there are too few accounts on either side.
    """
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
