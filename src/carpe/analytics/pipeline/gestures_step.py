"""Gestures inside the pipeline: does it pay, by kind and cost band.

:class:`GesturesStep` reduces the snapshot with Ibis (the same expressions on
DuckDB and Spark) to one row per eligible account — outcome after the landmark,
confounders before it — and the gestures of the exposure window, then hands them
to :func:`carpe.analytics.payoff.estimate_payoff`. The step is declared in
:mod:`carpe.analytics.pipeline.steps`.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any, Final

import ibis
import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.payoff import PayoffResult, PayoffWindows, estimate_payoff
from carpe.analytics.pipeline.context import Context

NEEDS: Final[dict[str, tuple[str, ...]]] = {
    "accounts": ("account_id", "segment", "started_on", "ended_on", "annual_value"),
    "gestures": ("gesture_id", "account_id", "employee_id", "given_on", "kind", "cost"),
    "touchpoints": ("account_id", "occurred_at", "sentiment"),
    "moments": ("account_id", "noted_on"),
}
"""The snapshot columns the step reads, per table (no note texts)."""
BASELINE_DAYS: Final = 365
"""Sentiment before the exposure window is averaged over this many days."""


def _ts(day: date) -> Any:
    return ibis.literal(datetime.combine(day, time()))


def _accounts(context: Context, w: PayoffWindows) -> Any:
    t = context.tables
    accounts, tp, gestures, moments = t["accounts"], t["touchpoints"], t["gestures"], t["moments"]
    eligible = accounts.filter(
        accounts.started_on < ibis.literal(w.exposure_start),
        accounts.ended_on.isnull() | (accounts.ended_on >= ibis.literal(w.landmark)),
    )
    exposure = tp.filter(tp.occurred_at >= _ts(w.exposure_start), tp.occurred_at < _ts(w.landmark))
    touches = exposure.group_by("account_id").aggregate(touches_pre=exposure.count())
    baseline_start = w.exposure_start - timedelta(days=BASELINE_DAYS)
    before = tp.filter(
        tp.occurred_at >= _ts(baseline_start),
        tp.occurred_at < _ts(w.exposure_start),
        tp.sentiment.notnull(),
    )
    prior = before.group_by("account_id").aggregate(sentiment_pre=before.sentiment.mean())
    after = tp.filter(
        tp.occurred_at >= _ts(w.landmark), tp.occurred_at < _ts(w.as_of), tp.sentiment.notnull()
    )
    later = after.group_by("account_id").aggregate(sentiment_after=after.sentiment.mean())
    noted = moments.filter(
        moments.noted_on >= ibis.literal(w.exposure_start),
        moments.noted_on < ibis.literal(w.landmark),
    )
    told = noted.group_by("account_id").aggregate(moments_pre=noted.count())
    early = gestures.filter(gestures.given_on < ibis.literal(w.exposure_start))
    gifted = early.group_by("account_id").aggregate(gifted_before=early.count())
    out = eligible.select(
        "account_id",
        "segment",
        "started_on",
        "annual_value",
        stayed=(eligible.ended_on.isnull() | (eligible.ended_on >= ibis.literal(w.as_of))).cast(
            "int64"
        ),
    )
    for part in (touches, prior, later, told, gifted):
        out = out.left_join(part, "account_id").drop("account_id_right")
    return out


def gather_payoff_inputs(context: Context, w: PayoffWindows) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The eligible accounts (outcomes, confounders) and the exposure window's gestures.

    Parameters
    ----------
    context : Context
        The run's context, with the tables of :data:`NEEDS`.
    w : PayoffWindows
        The design's days.

    Returns
    -------
    tuple of pandas.DataFrame
        Accounts as :func:`~carpe.analytics.payoff.estimate_payoff` takes them, and
        the gestures (``account_id``, ``kind``, ``cost``).
    """
    frame = context.execute(_accounts(context, w)).reset_index(drop=True)
    gestures = context.tables["gestures"]
    window = gestures.filter(
        gestures.given_on >= ibis.literal(w.exposure_start),
        gestures.given_on < ibis.literal(w.landmark),
    ).select("gesture_id", "account_id", "employee_id", "kind", "cost")
    gifts = context.execute(window).reset_index(drop=True)
    started = pd.to_datetime(frame["started_on"])
    frame["tenure_days"] = (pd.Timestamp(w.landmark) - started).dt.days.astype(float)
    frame["segment"] = frame["segment"].fillna("(none)").astype(str)
    for column in ("annual_value", "touches_pre", "moments_pre"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").fillna(0.0).astype(float)
    frame["moment_noted"] = (frame["moments_pre"] > 0).astype(float)
    frame["sentiment_pre"] = pd.to_numeric(frame["sentiment_pre"], errors="coerce").astype(float)
    after = pd.to_numeric(frame["sentiment_after"], errors="coerce").astype(float)
    both = frame["sentiment_pre"].notna() & after.notna()
    frame["warmer"] = np.where(both, (after > frame["sentiment_pre"]).astype(float), np.nan)
    gifted = pd.to_numeric(frame["gifted_before"], errors="coerce")
    frame["gifted_before"] = (gifted > 0).astype(int)
    frame["stayed"] = frame["stayed"].astype(int)
    gifts["cost"] = pd.to_numeric(gifts["cost"], errors="coerce").astype(float)
    return frame, gifts


class GesturesStep:
    """Does it pay? Gesture effects on retention and sentiment (issue 8)."""

    def __init__(self, *, outcome_days: int = 180, exposure_days: int = 180) -> None:
        self.outcome_days = outcome_days
        self.exposure_days = exposure_days

    def run(self, context: Context) -> PayoffResult:
        """Gather the inputs on the engine and estimate (see :func:`estimate_payoff`)."""
        w = PayoffWindows.ending(
            context.options.as_of,
            outcome_days=self.outcome_days,
            exposure_days=self.exposure_days,
        )
        accounts, gifts = gather_payoff_inputs(context, w)
        if accounts.empty:
            return PayoffResult(w, 0, (), "no account was active through the windows")
        return estimate_payoff(accounts, gifts, w, random_state=context.options.seed)
