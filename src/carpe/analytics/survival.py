"""Retention rate, Kaplan-Meier survival curves and median lifetime of accounts.

All functions take an accounts table (pandas DataFrame or Arrow table) with the
columns ``account_id``, ``started_on``, ``ended_on`` (blank while the account is
active), optionally ``segment``, and an as-of date, either as the ``as_of``
argument or as an ``as_of`` column (one value for the whole table). Nothing after
the as-of date is used: an account that ends later counts as still active
(censored) on the as-of date, and accounts that start later are left out.

Results are frozen dataclasses whose fields are plain tuples, easy to chart or
to serialise; :func:`curves_to_frame` turns curves into one long table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
from lifelines import KaplanMeierFitter
from lifelines.utils import median_survival_times

from carpe.analytics.tables import day_timestamps as _dates
from carpe.analytics.tables import to_pandas as _to_pandas

__all__ = [
    "MedianLifetime",
    "RetentionRate",
    "SurvivalCurve",
    "account_lifetimes",
    "curves_to_frame",
    "kaplan_meier_curves",
    "median_lifetimes",
    "retention_rate",
    "retention_rates",
]

FloatArrayLike = Sequence[float] | np.ndarray | None

_DAYS_PER_UNIT: dict[str, float] = {"D": 1.0, "W": 7.0, "M": 365.25 / 12, "Y": 365.25}


@dataclass(frozen=True)
class RetentionRate:
    """Share of the accounts active at a period's start that were still active at its end.

    Attributes
    ----------
    period_start, period_end : pandas.Timestamp
        The period (both days inclusive).
    accounts_at_start : int
        Accounts active on ``period_start``.
    lost : int
        Of those, accounts that ended within the period.
    new : int
        Accounts that started within the period (not part of the rate).
    accounts_at_end : int
        Accounts active on ``period_end``.
    rate : float
        ``(accounts_at_start - lost) / accounts_at_start``; NaN without accounts.
    """

    period_start: pd.Timestamp
    period_end: pd.Timestamp
    accounts_at_start: int
    lost: int
    new: int
    accounts_at_end: int
    rate: float


@dataclass(frozen=True)
class SurvivalCurve:
    """A Kaplan-Meier curve of one group of accounts.

    Attributes
    ----------
    group : str
        The group's label (``"all"``, a segment, or a start cohort like ``"2024Q1"``).
    n_accounts, n_ended : int
        Accounts in the group, and how many of them ended by the as-of date.
    time : tuple of float
        Times since start (in the curve's unit) where the curve is evaluated.
    survival, ci_low, ci_high : tuple of float
        Share of accounts still active at each time, with its pointwise 95%
        confidence interval (exponential Greenwood).
    at_risk : tuple of int
        Accounts still observed at each time.
    median : float
        Median lifetime; ``inf`` when more than half the accounts are still active.
    unit : str
        Time unit: ``"D"``, ``"W"``, ``"M"`` (months) or ``"Y"``.
    """

    group: str
    n_accounts: int
    n_ended: int
    time: tuple[float, ...]
    survival: tuple[float, ...]
    ci_low: tuple[float, ...]
    ci_high: tuple[float, ...]
    at_risk: tuple[int, ...]
    median: float
    unit: str


@dataclass(frozen=True)
class MedianLifetime:
    """Median account lifetime of a group with its 95% confidence interval.

    Attributes
    ----------
    group : str
        The group's label.
    median, ci_low, ci_high : float
        Median lifetime and interval, in ``unit``; ``inf`` when not reached.
    n_accounts, n_ended : int
        Accounts in the group and how many ended.
    unit : str
        Time unit.
    """

    group: str
    median: float
    ci_low: float
    ci_high: float
    n_accounts: int
    n_ended: int
    unit: str


def _resolve_as_of(frame: pd.DataFrame, as_of: Any | None) -> pd.Timestamp:
    if as_of is not None:
        return pd.Timestamp(as_of).normalize()
    if "as_of" not in frame.columns:
        raise ValueError("give as_of, or an as_of column in the accounts table")
    values = _dates(frame["as_of"]).dropna().unique()
    if len(values) != 1:
        raise ValueError("the as_of column must hold exactly one date")
    return pd.Timestamp(values[0]).normalize()


def account_lifetimes(
    accounts: Any, as_of: Any | None = None, unit: Literal["D", "W", "M", "Y"] = "D"
) -> pd.DataFrame:
    """Each account's observed lifetime as of a date: the input of survival analysis.

    Parameters
    ----------
    accounts : pandas.DataFrame or pyarrow.Table
        Columns ``account_id``, ``started_on``, ``ended_on`` and optionally
        ``segment`` and ``as_of``.
    as_of : date-like, optional
        The as-of date; defaults to the table's ``as_of`` column.
    unit : {"D", "W", "M", "Y"}, default "D"
        Unit of ``duration``.

    Returns
    -------
    pandas.DataFrame
        One row per account started on or before ``as_of``: ``account_id``,
        ``started_on``, ``duration`` (start to end, or to ``as_of`` when still
        active), ``ended`` (bool), ``segment`` (``"unknown"`` when blank) and
        ``cohort`` (start quarter, e.g. ``"2024Q1"``).
    """
    if unit not in _DAYS_PER_UNIT:
        raise ValueError(f"unit must be one of {sorted(_DAYS_PER_UNIT)}, got {unit!r}")
    frame = _to_pandas(accounts)
    missing = {"account_id", "started_on", "ended_on"} - set(frame.columns)
    if missing:
        raise ValueError(f"accounts lack column(s): {', '.join(sorted(missing))}")
    day = _resolve_as_of(frame, as_of)
    started = _dates(frame["started_on"])
    ended_on = _dates(frame["ended_on"])
    if started.isna().any():
        raise ValueError("every account needs a started_on date")
    if (ended_on < started).any():
        bad = frame.loc[ended_on < started, "account_id"].iloc[0]
        raise ValueError(f"account {bad!r} ends before it starts")
    keep = (started <= day).to_numpy()
    ended = (ended_on.notna() & (ended_on <= day)).to_numpy()
    stop = np.where(ended, ended_on, day)
    duration = (pd.to_datetime(stop) - started).dt.days / _DAYS_PER_UNIT[unit]
    segment = (
        frame["segment"].astype(object).where(frame["segment"].notna(), "unknown").astype(str)
        if "segment" in frame.columns
        else pd.Series("unknown", index=frame.index)
    )
    out = pd.DataFrame(
        {
            "account_id": frame["account_id"].to_numpy(),
            "started_on": started.to_numpy(),
            "duration": duration.to_numpy(dtype=np.float64),
            "ended": ended,
            "segment": segment.to_numpy(),
            "cohort": started.dt.to_period("Q").astype(str).to_numpy(),
        }
    )
    return out[keep].reset_index(drop=True)


def retention_rate(accounts: Any, period_start: Any, period_end: Any) -> RetentionRate:
    """Retention rate over one period.

    Parameters
    ----------
    accounts : pandas.DataFrame or pyarrow.Table
        Columns ``account_id``, ``started_on``, ``ended_on``.
    period_start, period_end : date-like
        First and last day of the period.

    Returns
    -------
    RetentionRate
        Counts and the rate.

    Examples
    --------
    >>> accounts = pd.DataFrame({"account_id": ["a", "b", "c"],
    ...     "started_on": ["2024-01-01", "2024-01-01", "2024-02-01"],
    ...     "ended_on": [None, "2024-03-15", None]})
    >>> retention_rate(accounts, "2024-03-01", "2024-03-31").rate
    0.6666666666666666
    """
    frame = _to_pandas(accounts)
    start, end = pd.Timestamp(period_start).normalize(), pd.Timestamp(period_end).normalize()
    if end < start:
        raise ValueError("period_end must not be before period_start")
    started = _dates(frame["started_on"])
    ended = _dates(frame["ended_on"])
    active_at_start = (started <= start) & (ended.isna() | (ended > start))
    lost = active_at_start & ended.notna() & (ended <= end)
    new = (started > start) & (started <= end)
    active_at_end = (started <= end) & (ended.isna() | (ended > end))
    at_start = int(active_at_start.sum())
    n_lost = int(lost.sum())
    return RetentionRate(
        period_start=start,
        period_end=end,
        accounts_at_start=at_start,
        lost=n_lost,
        new=int(new.sum()),
        accounts_at_end=int(active_at_end.sum()),
        rate=(at_start - n_lost) / at_start if at_start else float("nan"),
    )


def retention_rates(accounts: Any, start: Any, end: Any, freq: str = "M") -> pd.DataFrame:
    """Retention rate for each consecutive period between two dates.

    Parameters
    ----------
    accounts : pandas.DataFrame or pyarrow.Table
        Columns ``account_id``, ``started_on``, ``ended_on``.
    start, end : date-like
        The first period starts on ``start``'s period; the last contains ``end``.
    freq : str, default "M"
        A pandas period frequency: ``"M"``, ``"Q"``, ``"Y"``, ``"W"``.

    Returns
    -------
    pandas.DataFrame
        One row per period with the fields of :class:`RetentionRate` and a
        ``period`` label.
    """
    periods = pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq=freq)
    rows = []
    for period in periods:
        result = retention_rate(accounts, period.start_time, period.end_time.normalize())
        rows.append({"period": str(period), **asdict(result)})
    return pd.DataFrame(rows)


def _fit_curve(
    group: str, data: pd.DataFrame, unit: str, timeline: FloatArrayLike
) -> SurvivalCurve:
    fitter = KaplanMeierFitter(label="survival")
    fitter.fit(data["duration"], event_observed=data["ended"], timeline=timeline)
    survival = fitter.survival_function_["survival"]
    bounds = fitter.confidence_interval_survival_function_
    durations = np.sort(data["duration"].to_numpy())
    times = survival.index.to_numpy(dtype=np.float64)
    at_risk = len(durations) - np.searchsorted(durations, times, side="left")
    return SurvivalCurve(
        group=group,
        n_accounts=len(data),
        n_ended=int(data["ended"].sum()),
        time=tuple(float(t) for t in survival.index),
        survival=tuple(float(v) for v in survival),
        ci_low=tuple(float(v) for v in bounds.iloc[:, 0]),
        ci_high=tuple(float(v) for v in bounds.iloc[:, 1]),
        at_risk=tuple(int(v) for v in at_risk),
        median=float(fitter.median_survival_time_),
        unit=unit,
    )


def kaplan_meier_curves(
    accounts: Any,
    as_of: Any | None = None,
    by: Literal["segment", "cohort"] | None = None,
    unit: Literal["D", "W", "M", "Y"] = "M",
    timeline: FloatArrayLike = None,
    min_accounts: int = 1,
) -> list[SurvivalCurve]:
    """Kaplan-Meier retention curves, overall or by segment or start cohort.

    Parameters
    ----------
    accounts : pandas.DataFrame or pyarrow.Table
        Columns ``account_id``, ``started_on``, ``ended_on``, optionally
        ``segment`` and ``as_of``.
    as_of : date-like, optional
        The as-of date; defaults to the table's ``as_of`` column.
    by : {"segment", "cohort"}, optional
        One curve per segment or per start quarter; one curve ``"all"`` if None.
    unit : {"D", "W", "M", "Y"}, default "M"
        Time unit of the curves.
    timeline : sequence of float, optional
        Times to evaluate every curve at (e.g. ``range(0, 37)``), so the curves
        share an axis; defaults to each group's own event times.
    min_accounts : int, default 1
        Groups with fewer accounts are left out.

    Returns
    -------
    list of SurvivalCurve
        Sorted by group label.
    """
    lifetimes = account_lifetimes(accounts, as_of=as_of, unit=unit)
    if lifetimes.empty:
        return []
    grid = None if timeline is None else np.asarray(timeline, dtype=np.float64)
    if by is None:
        groups: list[tuple[str, pd.DataFrame]] = [("all", lifetimes)]
    elif by in ("segment", "cohort"):
        groups = [(str(k), g) for k, g in lifetimes.groupby(by, sort=True)]
    else:
        raise ValueError(f"by must be 'segment', 'cohort' or None, got {by!r}")
    return [_fit_curve(k, g, unit, grid) for k, g in groups if len(g) >= min_accounts]


def median_lifetimes(
    accounts: Any,
    as_of: Any | None = None,
    by: Literal["segment", "cohort"] | None = None,
    unit: Literal["D", "W", "M", "Y"] = "M",
) -> list[MedianLifetime]:
    """Median account lifetime (Kaplan-Meier) with a 95% confidence interval.

    Parameters
    ----------
    accounts : pandas.DataFrame or pyarrow.Table
        As for :func:`kaplan_meier_curves`.
    as_of : date-like, optional
        The as-of date; defaults to the table's ``as_of`` column.
    by : {"segment", "cohort"}, optional
        One median per group; one ``"all"`` if None.
    unit : {"D", "W", "M", "Y"}, default "M"
        Time unit.

    Returns
    -------
    list of MedianLifetime
        Sorted by group label; ``inf`` where the median (or a bound) is not reached.
    """
    lifetimes = account_lifetimes(accounts, as_of=as_of, unit=unit)
    if by is None:
        groups: list[tuple[str, pd.DataFrame]] = [("all", lifetimes)]
    else:
        groups = [(str(k), g) for k, g in lifetimes.groupby(by, sort=True)]
    out = []
    for label, data in groups:
        if data.empty:
            continue
        fitter = KaplanMeierFitter().fit(data["duration"], event_observed=data["ended"])
        bounds = median_survival_times(fitter.confidence_interval_survival_function_)
        out.append(
            MedianLifetime(
                group=label,
                median=float(fitter.median_survival_time_),
                ci_low=float(bounds.iloc[0, 0]),
                ci_high=float(bounds.iloc[0, 1]),
                n_accounts=len(data),
                n_ended=int(data["ended"].sum()),
                unit=unit,
            )
        )
    return out


def curves_to_frame(curves: Sequence[SurvivalCurve]) -> pd.DataFrame:
    """Long table of curves for charting: one row per group and time.

    Parameters
    ----------
    curves : sequence of SurvivalCurve
        Curves from :func:`kaplan_meier_curves`.

    Returns
    -------
    pandas.DataFrame
        Columns ``group``, ``time``, ``survival``, ``ci_low``, ``ci_high``,
        ``at_risk``, ``unit``.
    """
    columns = ["group", "time", "survival", "ci_low", "ci_high", "at_risk", "unit"]
    frames = [
        pd.DataFrame(
            {
                "group": c.group,
                "time": c.time,
                "survival": c.survival,
                "ci_low": c.ci_low,
                "ci_high": c.ci_high,
                "at_risk": c.at_risk,
                "unit": c.unit,
            }
        )
        for c in curves
    ]
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)[columns]
