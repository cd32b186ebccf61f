"""What the specialists analysis reads: the windows it looks at and its input tables.

The pipeline step (:mod:`carpe.analytics.pipeline.specialists_step`) builds a
:class:`SpecialistInputs` with Ibis aggregations on the engine; tests and
benchmarks can build one from pandas frames directly. Every frame is small: one
row per account, per employee, or per (account, employee) pair, except the
texts searched for praise, which are already filtered to those naming an
employee (and, for notes, praising).

Windows, as of the start of day ``T``::

    exposure_start ........ outcome_start (T0) ........ T
    |-- who was involved --||-- did the account stay? --|
                             |------ recent year (components, key people) --|

An employee's *involvement* with an account is measured before ``T0``, and the
outcome is whether the account, active at ``T0``, was still a customer at ``T``
(12-month retention when the history allows it). Measuring involvement before
the outcome window avoids crediting people for accounts that merely lived long
enough to meet them. That cohort only gives the naive view; the effects come
from the monthly hazard model (:mod:`.hazard`), which reads every month of
``[exposure_start, T)``. ``exposure_start`` is a year before ``T0`` or, when the
history is longer, its first day, up to :data:`HISTORY_DAYS` (four years)
before ``T``: each extra year adds departures to every employee's accounts,
which is what limits how many true specialists can be told apart.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

import pandas as pd  # type: ignore[import-untyped]

OUTCOME_DAYS: Final = 365
"""Length of the retention window when the history is long enough (12 months)."""
MIN_OUTCOME_DAYS: Final = 90
EXPOSURE_DAYS: Final = 365
MIN_EXPOSURE_DAYS: Final = 180
HISTORY_DAYS: Final = 4 * 365 + 1
"""How far back the monthly hazard model reads, history permitting (four years)."""
RECENT_DAYS: Final = 365
MONTH_DAYS: Final = 365.25 / 12
"""Days in an average month (rates per month, retention over months)."""

ACCOUNT_COLUMNS: Final = (
    "account_id",
    "name",
    "segment",
    "owner_employee_id",
    "started_on",
    "ended_on",
    "annual_value",
)
EMPLOYEE_COLUMNS: Final = ("employee_id", "name", "department", "role", "left_on")
INVOLVEMENT_COLUMNS: Final = ("account_id", "employee_id", "n")
ACTIVITY_COLUMNS: Final = (
    "account_id",
    "employee_id",
    "touches",
    "personal",
    "proactive",
    "sentiment_sum",
    "sentiment_n",
    "positive",
    "tickets",
    "first_contact",
)
ACCOUNT_STATS_COLUMNS: Final = (
    "account_id",
    "touches_pre",
    "late_pre",
    "nps_pre",
    "delivered",
    "late",
    "invoices",
    "disputed",
    "gestures_pre",
)
FIRST_INVOLVEMENT_COLUMNS: Final = ("account_id", "employee_id", "first_at")
INVOLVEMENT_MONTH_COLUMNS: Final = ("account_id", "employee_id", "month", "n")
HANDLING_COLUMNS: Final = (
    "employee_id",
    "problems",
    "replied",
    "log_days_sum",
    "log_days_sq",
    "reopened",
    "own_orders",
    "own_late",
)
REOPEN_DAYS: Final = 30
"""A new problem from the same account this soon after a reply counts as the problem back."""
ACCOUNT_MONTH_COLUMNS: Final = ("account_id", "month", "touches", "nps_sum", "nps_n", "gestures")
ACCOUNT_KPI_COLUMNS: Final = ("account_id", "month", "metric", "value_sum", "value_n")
TEXT_COLUMNS: Final = ("source", "source_id", "account_id", "employee_id", "at", "text")
FOLLOW_UP_COLUMNS: Final = ("employee_id", "due", "kept")
ENGAGEMENT_COLUMNS: Final = ("employee_id", "period", "score")


@dataclass(frozen=True, slots=True)
class Windows:
    """The days the analysis looks at.

    Attributes
    ----------
    as_of : date
        ``T``: nothing on or after it is used.
    outcome_start : date
        ``T0``: accounts active on it form the retention cohort.
    exposure_start : date
        Involvement counts from this day up to ``T0``.
    recent_start : date
        Components, key people and praise look at ``[recent_start, T)``.
    """

    as_of: date
    outcome_start: date
    exposure_start: date
    recent_start: date

    @property
    def outcome_days(self) -> int:
        """Length of the retention window in days (365 = 12-month retention)."""
        return (self.as_of - self.outcome_start).days


def choose_windows(
    as_of: date,
    history_start: date | None,
    *,
    outcome_days: int = OUTCOME_DAYS,
    history_days: int = HISTORY_DAYS,
) -> Windows:
    """The windows for a run as of ``as_of`` on a history starting on ``history_start``.

    Parameters
    ----------
    as_of : date
        The run's day.
    history_start : date or None
        The first touchpoint's day (None: assume two years of history).
    outcome_days : int, default 365
        Length of the retention window when the history allows it.
    history_days : int, default :data:`HISTORY_DAYS`
        At most this much history is read (``exposure_start`` is no earlier
        than ``as_of - history_days``): the monthly hazard model uses every
        month in ``[exposure_start, as_of)``, and more months mean more
        departures per employee, hence more power.

    Returns
    -------
    Windows
        12-month retention after at least a year of involvement when the
        history holds two years (involvement from the history's start, up to
        ``history_days`` back); otherwise the history is split in halves (at
        least 90 days of outcome).

    Examples
    --------
    >>> choose_windows(date(2026, 4, 1), date(2024, 4, 1)).outcome_days
    365
    >>> choose_windows(date(2026, 4, 1), date(2022, 4, 1)).exposure_start
    datetime.date(2022, 4, 1)
    >>> choose_windows(date(2026, 4, 1), date(2012, 1, 1)).exposure_start
    datetime.date(2022, 4, 1)
    """
    span = (as_of - history_start).days if history_start is not None else 2 * OUTCOME_DAYS
    outcome = min(outcome_days, max(MIN_OUTCOME_DAYS, span - MIN_EXPOSURE_DAYS, span // 2))
    outcome_start = as_of - timedelta(days=outcome)
    exposure_start = outcome_start - timedelta(days=EXPOSURE_DAYS)
    if history_start is not None:
        earliest = as_of - timedelta(days=max(history_days, (as_of - exposure_start).days))
        exposure_start = max(earliest, min(history_start, outcome_start))
    return Windows(as_of, outcome_start, exposure_start, as_of - timedelta(days=RECENT_DAYS))


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: [] for c in columns})


@dataclass(frozen=True, slots=True)
class SpecialistInputs:
    """The tables the analysis reads (pandas, small).

    Attributes
    ----------
    windows : Windows
        The days looked at.
    accounts : pandas.DataFrame
        :data:`ACCOUNT_COLUMNS`, one row per account.
    employees : pandas.DataFrame
        :data:`EMPLOYEE_COLUMNS`, one row per employee.
    involvement : pandas.DataFrame
        :data:`INVOLVEMENT_COLUMNS`: touchpoints, orders and quotes of each
        employee with each account in ``[exposure_start, outcome_start)``.
    activity : pandas.DataFrame
        :data:`ACTIVITY_COLUMNS`: each employee's touchpoints with each account
        in the recent year (personal channels, proactive outreach, sentiment,
        support tickets and those resolved with a single reply).
    account_stats : pandas.DataFrame
        :data:`ACCOUNT_STATS_COLUMNS`: per account, touchpoints, late deliveries,
        mean NPS and gestures received before ``T0``; deliveries, late deliveries, invoices and
        disputed invoices in the recent year.
    texts : pandas.DataFrame
        :data:`TEXT_COLUMNS`: feedback comments and touchpoint notes that may
        name an employee (``source`` is ``"feedback"`` or ``"note"``;
        ``employee_id`` is the note's author). The pipeline step leaves out
        the notes without a word of praise (:data:`~.praise.PRAISE_HINT`),
        which :func:`~.praise.find_praise` would skip.
    follow_ups : pandas.DataFrame
        :data:`FOLLOW_UP_COLUMNS`: follow-ups due before ``T`` per employee and
        how many were completed.
    engagement : pandas.DataFrame
        :data:`ENGAGEMENT_COLUMNS`: monthly engagement answers before ``T``.
    first_involvement : pandas.DataFrame
        :data:`FIRST_INVOLVEMENT_COLUMNS`: the first day in ``[exposure_start, T)``
        of each employee's touchpoints, orders or quotes with each account (the
        monthly hazard model's exposures). Empty: derived from ``involvement``
        as if every pair had started on ``exposure_start``.
    involvement_months : pandas.DataFrame
        :data:`INVOLVEMENT_MONTH_COLUMNS`: per account, employee and calendar
        month (as in ``account_months``) in ``[exposure_start, T)``, their
        touchpoints, orders and quotes (the hazard model's *recent*
        exposures: who worked on the account in the months just before).
        Empty: the model has no recent exposures (only involvement since the
        first day).
    handling : pandas.DataFrame
        :data:`HANDLING_COLUMNS`, per employee over the recent year: the
        problems (inbound ticket touchpoints) they were given, how many they
        replied to (an outbound ticket touchpoint of theirs on the same
        account afterwards), the sum and sum of squares of ``log(1 + days)``
        to that reply, how many came back (another problem from the account
        within :data:`REOPEN_DAYS` days of the reply), and their own orders
        delivered with a promised day, of which late.
    account_months : pandas.DataFrame
        :data:`ACCOUNT_MONTH_COLUMNS`: per account and calendar month
        (``month`` = year * 12 + month - 1) in ``[exposure_start, T)``:
        touchpoints, the sum and count of NPS scores, and gestures received
        (the hazard model's time-varying confounders; months without any are absent).
    account_kpis : pandas.DataFrame
        :data:`ACCOUNT_KPI_COLUMNS`: per account, calendar month (as in
        ``account_months``; a weekly period counts in its Thursday's month) and
        metric in ``[exposure_start, T)``, the sum and count of the values the
        account owner's department reported (its health score, e.g. Sales'
        ``pipeline_health``): the hazard model's lagged health confounder.
    """

    windows: Windows
    accounts: pd.DataFrame
    employees: pd.DataFrame
    involvement: pd.DataFrame = field(default_factory=lambda: _empty(INVOLVEMENT_COLUMNS))
    activity: pd.DataFrame = field(default_factory=lambda: _empty(ACTIVITY_COLUMNS))
    account_stats: pd.DataFrame = field(default_factory=lambda: _empty(ACCOUNT_STATS_COLUMNS))
    texts: pd.DataFrame = field(default_factory=lambda: _empty(TEXT_COLUMNS))
    follow_ups: pd.DataFrame = field(default_factory=lambda: _empty(FOLLOW_UP_COLUMNS))
    engagement: pd.DataFrame = field(default_factory=lambda: _empty(ENGAGEMENT_COLUMNS))
    first_involvement: pd.DataFrame = field(
        default_factory=lambda: _empty(FIRST_INVOLVEMENT_COLUMNS)
    )
    involvement_months: pd.DataFrame = field(
        default_factory=lambda: _empty(INVOLVEMENT_MONTH_COLUMNS)
    )
    handling: pd.DataFrame = field(default_factory=lambda: _empty(HANDLING_COLUMNS))
    account_months: pd.DataFrame = field(default_factory=lambda: _empty(ACCOUNT_MONTH_COLUMNS))
    account_kpis: pd.DataFrame = field(default_factory=lambda: _empty(ACCOUNT_KPI_COLUMNS))


def involvement_starts(inputs: SpecialistInputs) -> pd.DataFrame:
    """When each employee was first involved with each account.

    Columns ``account_id``, ``employee_id``, ``first_at``.

    From ``first_involvement``; when that is empty (inputs built by hand), every
    pair of ``involvement`` counts as involved from ``exposure_start``.
    """
    first = inputs.first_involvement
    if len(first):
        return first[["account_id", "employee_id", "first_at"]].dropna()
    links = inputs.involvement
    links = links[pd.to_numeric(links["n"], errors="coerce").fillna(0) > 0]
    return links[["account_id", "employee_id"]].assign(first_at=inputs.windows.exposure_start)
