"""Labels for backtesting and training: did an account leave within the horizon?

An account active at an as-of day ``T`` (see
:func:`carpe.analytics.pipeline.features.active_accounts`) *left within the
horizon* when its ``ended_on`` falls in ``[T, T + horizon)``. A label is only
known once ``T + horizon`` has passed, so a model scoring at day ``S`` may
train only on as-of dates with ``T + horizon <= S`` (:func:`training_dates`).
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Final

from carpe.analytics.pipeline.features import active_accounts, as_of_grid

HORIZON_DAYS: Final = 90


def churn_labels(accounts: Any, as_ofs: list[date], *, horizon_days: int = HORIZON_DAYS) -> Any:
    """Whether each account active at each as-of date left within the horizon.

    Parameters
    ----------
    accounts : ibis.Table
        The ``accounts`` table (``account_id``, ``started_on``, ``ended_on``, ...).
    as_ofs : list of date
        As-of dates.
    horizon_days : int, default 90
        The horizon in days.

    Returns
    -------
    ibis.Table
        ``account_id``, ``as_of``, ``left_within`` (int 0/1).
    """
    active = active_accounts(accounts, as_of_grid(as_ofs))
    days_left = active.ended_on.delta(active.as_of, unit="day")
    left = active.ended_on.notnull() & (days_left < horizon_days)
    return active.select("account_id", "as_of", left_within=left.ifelse(1, 0).cast("int64"))


def first_of_month(day: date) -> date:
    """The first day of ``day``'s month."""
    return day.replace(day=1)


def training_dates(
    scoring_day: date, *, horizon_days: int = HORIZON_DAYS, months: int = 12, earliest: date
) -> list[date]:
    """Monthly as-of dates whose labels are known by ``scoring_day``.

    Parameters
    ----------
    scoring_day : date
        The day the model scores (the run's as-of date, or a backtest's cut-off).
    horizon_days : int, default 90
        The label's horizon.
    months : int, default 12
        At most this many monthly dates, the most recent first.
    earliest : date
        No date before this one (e.g. a lookback after the history begins).

    Returns
    -------
    list of date
        First days of months ``T`` with ``T + horizon_days <= scoring_day``,
        oldest first.

    Examples
    --------
    >>> training_dates(date(2026, 10, 31), months=3, earliest=date(2025, 1, 1))
    [datetime.date(2026, 6, 1), datetime.date(2026, 7, 1), datetime.date(2026, 8, 1)]
    """
    latest = scoring_day - timedelta(days=horizon_days)
    day = first_of_month(latest)
    found: list[date] = []
    while len(found) < months and day >= earliest:
        found.append(day)
        day = first_of_month(day - timedelta(days=1))
    return sorted(found)
