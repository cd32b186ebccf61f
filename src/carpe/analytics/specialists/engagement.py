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
    found: list[EngagementLink] = []
    for employee, rows in frame.groupby("employee_id", sort=True):
        rows = rows.sort_values("period").tail(24)
        if len(rows) < MIN_MONTHS:
            continue
        first = float(rows["score"].head(3).mean())
        last = float(rows["score"].tail(3).mean())
        trend = last - first
        key = str(employee)
        mine = (
            float(sums.at[key, "sentiment_sum"] / sums.at[key, "sentiment_n"])
            if key in sums.index and sums.at[key, "sentiment_n"] > 0
            else float("nan")
        )
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
