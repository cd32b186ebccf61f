"""Engagement link: each employee's engagement trend beside their accounts' experience and churn.

Where ``engagement.csv`` was imported, an employee's *trend* is the mean of
their last three monthly answers minus the mean of the first three, over the
last 24 months before the as-of day. An employee is *declining* when the
trend is at most ``-decline`` points. Beside it: the mean sentiment of the
employee's touchpoints in the recent year and the churn of the accounts they
served (the retention cohort), each next to the company's. "Apathy spreads"
when a declining employee's accounts are colder and churn more than the rest.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
from numpy.typing import NDArray

DECLINE_POINTS: Final = 1.0
MIN_MONTHS: Final = 6


@dataclass(frozen=True, slots=True)
class EngagementLink:
    """One employee's engagement trend beside their accounts.

    Attributes
    ----------
    employee_id : str
        The employee.
    first, last : float
        Mean engagement of the first and last three months looked at (0..10).
    trend : float
        ``last - first``.
    declining : bool
        ``trend <= -DECLINE_POINTS``.
    accounts_sentiment, company_sentiment : float
        Mean sentiment of the employee's touchpoints and of everyone's (NaN when none).
    accounts_churn, company_churn : float
        Churn of the accounts they served and of all accounts in the retention cohort.
    apathy_spreads : bool
        Declining, and their accounts are colder and churn more than the company's.
    """

    employee_id: str
    first: float
    last: float
    trend: float
    declining: bool
    accounts_sentiment: float
    company_sentiment: float
    accounts_churn: float
    company_churn: float
    apathy_spreads: bool


def _mean_of_three(scores: NDArray[np.float64], starts: NDArray[np.int_]) -> list[float]:
    """The mean of ``scores[i:i + 3]`` for each ``i`` in ``starts``, blanks skipped (as pandas)."""
    three = scores[starts[:, None] + np.arange(3)]
    blank = np.isnan(three)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(blank, 0.0, three).sum(axis=1) / (~blank).sum(axis=1)
    return [float(m) for m in mean]


def link_engagement(
    engagement: pd.DataFrame,
    activity: pd.DataFrame,
    churn: dict[str, float],
    company_churn: float,
    *,
    decline: float = DECLINE_POINTS,
) -> list[EngagementLink]:
    """Engagement trends beside the accounts' experience and churn.

    Parameters
    ----------
    engagement : pandas.DataFrame
        ``employee_id``, ``period`` (``YYYY-MM``), ``score``.
    activity : pandas.DataFrame
        ``employee_id``, ``sentiment_sum``, ``sentiment_n`` (per account).
    churn : dict of str to float
        Churn rate of each employee's accounts.
    company_churn : float
        Churn rate of all accounts.
    decline : float, default 1.0
        Points of decline that make an employee "declining".

    Returns
    -------
    list of EngagementLink
        Employees with at least six months of answers, steepest decline first.
    """
    if engagement.empty:
        return []
    frame = engagement.dropna(subset=["score"]).copy()
    frame["score"] = pd.to_numeric(frame["score"], errors="coerce")
    frame["period"] = frame["period"].astype(str)
    sums = activity.groupby("employee_id")[["sentiment_sum", "sentiment_n"]].sum()
    overall = (
        float(sums["sentiment_sum"].sum() / sums["sentiment_n"].sum())
        if len(sums) and sums["sentiment_n"].sum() > 0
        else float("nan")
    )
    # each employee's last 24 answers, of which the first and the last three
    frame = frame.sort_values(["employee_id", "period"], kind="stable")
    frame = frame[frame.groupby("employee_id").cumcount(ascending=False).to_numpy() < 24]
    counts = frame.groupby("employee_id", sort=False)["score"].transform("size")
    frame = frame[counts.to_numpy() >= MIN_MONTHS]
    who = frame["employee_id"].to_numpy()
    starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]]) if len(who) else np.zeros(0, int)
    stops = np.append(starts[1:], len(who)) if len(who) else starts
    scores = frame["score"].to_numpy(dtype=np.float64)
    firsts = _mean_of_three(scores, starts)
    lasts = _mean_of_three(scores, stops - 3)
    ids = [str(e) for e in who[starts]]
    by_id = sums.set_axis(sums.index.astype(str))
    n = by_id["sentiment_n"]
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_sentiment = (by_id["sentiment_sum"] / n).where(n > 0)
    sentiment = mean_sentiment.reindex(ids).to_numpy(dtype=np.float64)
    found: list[EngagementLink] = []
    for key, first, last, mine in zip(ids, firsts, lasts, sentiment.tolist(), strict=True):
        trend = last - first
        lost = churn.get(key, float("nan"))
        declining = trend <= -decline
        spreads = bool(
            declining
            and np.isfinite(mine)
            and np.isfinite(lost)
            and mine < overall
            and lost > company_churn
        )
        found.append(
            EngagementLink(
                employee_id=key,
                first=round(first, 2),
                last=round(last, 2),
                trend=round(trend, 2),
                declining=declining,
                accounts_sentiment=round(mine, 4) if np.isfinite(mine) else float("nan"),
                company_sentiment=round(overall, 4) if np.isfinite(overall) else float("nan"),
                accounts_churn=round(lost, 4) if np.isfinite(lost) else float("nan"),
                company_churn=round(company_churn, 4),
                apathy_spreads=spreads,
            )
        )
    return sorted(found, key=lambda e: (e.trend, e.employee_id))
