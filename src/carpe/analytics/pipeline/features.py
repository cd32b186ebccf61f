"""Per-account features as of a date: Ibis expressions that run unchanged on every engine.

Event-metric style: each feature counts, averages or dates events of one account
*strictly before* the as-of day (``occurred_at < as_of``), looking back at most
:data:`.windows.LOOKBACK_DAYS`. Many as-of dates are computed in one expression (an
account's row per as-of date), which is how the early-warning model gets its
monthly training snapshots. Nothing on or after an as-of date enters its row.

Two store columns hold only their final state, not when it was reached:
``orders.status`` (used to leave cancelled orders out of "overdue") and
``invoices.status`` (a dispute counts when the disputed invoice was issued
before the as-of day and not paid before it). Everything else is dated.

Every feature is a float column (NaN when undefined, e.g. no sentiment in the
window) rounded to :data:`DECIMALS` places, except the categorical ``segment``,
so two engines give bit-identical tables.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any, Final

import ibis
import pyarrow as pa

from carpe.analytics.pipeline import feature_library as library
from carpe.analytics.pipeline.feature_library import (
    LIBRARY_COUNTS,
    LIBRARY_OTHER,
    feedback_metrics,
    library_values,
    touch_columns,
    touch_metrics,
    touch_parts,
)
from carpe.analytics.pipeline.windows import KEYS, LOOKBACK_DAYS, tally, windowed
from carpe.vocabulary import PERSONAL_CHANNELS

DECIMALS: Final = 6
DETRACTOR_MAX: Final = 6
"""The highest NPS score that counts as a detractor's (0–6)."""
DIGITAL_CHANNELS: Final = ("email", "chat", "web", "app", "sms", "social", "letter")

NEEDS: Final[dict[str, tuple[str, ...]]] = {
    "accounts": ("account_id", "segment", "started_on", "ended_on", "annual_value"),
    "employees": ("employee_id", "department", "left_on"),
    "touchpoints": (
        "account_id",
        "employee_id",
        "contact_id",
        "occurred_at",
        "channel",
        "kind",
        "direction",
        "sentiment",
    ),
    "orders": ("account_id", "ordered_at", "promised_on", "delivered_on", "amount", "status"),
    "invoices": ("account_id", "issued_on", "due_on", "status", "paid_on"),
    "feedback": ("account_id", "received_at", "survey", "score"),
    "gestures": ("account_id", "given_on"),
    "follow_ups": ("account_id", "due_on", "status", "completed_on"),
}
"""The snapshot columns the features read, per table."""

COUNT_FEATURES: Final = (
    "touches_90d",
    "personal_touches_90d",
    "digital_touches_90d",
    "orders_90d",
    "late_deliveries_60d",
    "overdue_orders",
    "overdue_invoices",
    "open_disputes",
    "detractor_answers_365d",
    "gestures_365d",
    "follow_ups_done_180d",
    "follow_ups_missed_180d",
)
"""Counts of events (0 when none), before the per-department counts."""
OTHER_FEATURES: Final = (
    "touches_trend",
    "days_since_touch",
    "days_since_personal_touch",
    "days_since_order",
    "days_since_gesture",
    "sentiment_90d",
    "sentiment_trend",
    "nps_365d",
    "order_value_365d",
    "annual_value",
    "tenure_days",
)
"""Recencies, levels, trends and values, after the counts."""


def department_feature(department: str) -> str:
    """The feature name of a department's touchpoint count, e.g. ``touches_90d_field_service``.

    Parameters
    ----------
    department : str
        A department's name as the store spells it.

    Returns
    -------
    str
        ``touches_90d_`` followed by the name in lower snake case.
    """
    slug = re.sub(r"[^0-9a-z]+", "_", department.lower()).strip("_") or "unknown"
    return f"touches_90d_{slug}"


def as_of_grid(as_ofs: Sequence[date]) -> Any:
    """An Ibis table of as-of dates (one column ``as_of``).

    Parameters
    ----------
    as_ofs : sequence of date
        The as-of dates.

    Returns
    -------
    ibis.Table
        An in-memory table the engine ships with the query.
    """
    return ibis.memtable(pa.table({"as_of": pa.array(sorted(set(as_ofs)), pa.date32())}))


def active_accounts(accounts: Any, grid: Any) -> Any:
    """Accounts that started before each as-of day and had not left by it.

    Parameters
    ----------
    accounts : ibis.Table
        The ``accounts`` table.
    grid : ibis.Table
        As-of dates (:func:`as_of_grid`).

    Returns
    -------
    ibis.Table
        ``account_id``, ``as_of``, ``started_on``, ``ended_on``, ``segment``,
        ``annual_value``.
    """
    paired = accounts.cross_join(grid)
    alive = paired.ended_on.isnull() | (paired.ended_on >= paired.as_of)
    return paired.filter(paired.started_on < paired.as_of, alive).select(
        "account_id", "as_of", "started_on", "ended_on", "segment", "annual_value"
    )


def _touchpoint_features(
    tables: Mapping[str, Any], grid: Any, departments: Sequence[str]
) -> list[Any]:

    tp, staff = tables["touchpoints"], tables["employees"]
    joined = tp.left_join(staff, tp.employee_id == staff.employee_id)
    # Each touchpoint's channel and department tests are evaluated once, here,
    # not once per as-of date it is paired with below (same values: a NULL
    # channel or department stays NULL and counts nowhere).
    slugs = {department: f"_dept_{i}" for i, department in enumerate(departments)}
    tp = joined.select(
        tp.account_id,
        tp.sentiment,
        **touch_columns(tp),
        _day=tp.occurred_at.date(),
        _personal=tp.channel.isin(PERSONAL_CHANNELS),
        _digital=tp.channel.isin(DIGITAL_CHANNELS),
        **{slug: staff.department == department for department, slug in slugs.items()},
    )
    w = windowed(tp, tp._day, grid)
    recent, prior = w.age <= 90, (w.age > 90) & (w.age <= 180)
    personal = w._personal
    metrics: dict[str, Any] = {
        "touches_90d": tally(recent),
        "touches_prior_90d": tally(prior),
        "personal_touches_90d": tally(recent & personal),
        "digital_touches_90d": tally(recent & w._digital),
        "last_touch_age": w.age.min(),
        "last_personal_touch_age": w.age.min(where=personal),
        "sentiment_90d": w.sentiment.mean(where=recent),
        "sentiment_prior": w.sentiment.mean(where=w.age > 90),
    }
    for department, slug in slugs.items():
        metrics[department_feature(department)] = tally(recent & w[slug])
    metrics |= touch_metrics(w)
    return [w.group_by(KEYS).aggregate(**metrics), *touch_parts(tables["touchpoints"], staff, grid)]


def _order_features(orders: Any, grid: Any) -> Any:

    placed = windowed(orders, orders.ordered_at.date(), grid)
    by_order = placed.group_by(KEYS).aggregate(
        orders_90d=tally(placed.age <= 90),
        order_value_365d=placed.amount.sum(),
        last_order_age=placed.age.min(),
        **library.placed_metrics(placed),
    )
    delivered = windowed(orders, orders.delivered_on, grid)
    late = delivered.group_by(KEYS).aggregate(
        late_deliveries_60d=tally(
            (delivered.delivered_on > delivered.promised_on) & (delivered.age <= 60)
        ),
        **library.delivered_metrics(delivered),
    )
    promised = windowed(orders, orders.promised_on, grid, lookback=90)
    still_due = promised.delivered_on.isnull() | (promised.delivered_on >= promised.as_of)
    not_cancelled = promised.status.isnull() | (promised.status != "cancelled")
    overdue = promised.group_by(KEYS).aggregate(overdue_orders=tally(still_due & not_cancelled))
    return by_order, late, overdue


def _invoice_features(invoices: Any, grid: Any) -> Any:
    due = windowed(invoices, invoices.due_on, grid)
    unpaid = due.paid_on.isnull() | (due.paid_on >= due.as_of)
    not_void = due.status.isnull() | (due.status != "void")
    overdue = due.group_by(KEYS).aggregate(
        overdue_invoices=tally(unpaid & not_void & (due.age <= 180)),
        oldest_overdue_days=due.age.max(where=unpaid & not_void),
    )
    issued = windowed(invoices, invoices.issued_on, grid, lookback=180)
    open_dispute = (issued.status == "disputed") & (
        issued.paid_on.isnull() | (issued.paid_on >= issued.as_of)
    )
    disputes = issued.group_by(KEYS).aggregate(
        open_disputes=tally(open_dispute), disputes_180d=tally(issued.status == "disputed")
    )
    return overdue, disputes


def _feedback_features(feedback: Any, grid: Any) -> Any:

    w = windowed(feedback, feedback.received_at.date(), grid)
    nps = w.survey == "nps"
    return w.group_by(KEYS).aggregate(
        nps_365d=w.score.mean(where=nps),
        detractor_answers_365d=tally(nps & (w.score <= DETRACTOR_MAX)),
        **feedback_metrics(w),
    )


def _gesture_features(gestures: Any, grid: Any) -> Any:
    w = windowed(gestures, gestures.given_on, grid)
    return w.group_by(KEYS).aggregate(gestures_365d=w.count(), last_gesture_age=w.age.min())


def _follow_up_features(follow_ups: Any, grid: Any) -> Any:
    done = windowed(follow_ups, follow_ups.completed_on, grid, lookback=180)
    done_counts = done.group_by(KEYS).aggregate(follow_ups_done_180d=done.count())
    due = windowed(follow_ups, follow_ups.due_on, grid, lookback=180)
    missed = (
        (due.age > 14)
        & (due.completed_on.isnull() | (due.completed_on >= due.as_of))
        & (due.status != "dismissed")
    )
    missed_counts = due.group_by(KEYS).aggregate(follow_ups_missed_180d=tally(missed))
    return done_counts, missed_counts


def account_features(
    tables: Mapping[str, Any], as_ofs: Sequence[date], *, departments: Sequence[str] = ()
) -> Any:
    """Features of every account active at each as-of date, as one Ibis expression.

    Parameters
    ----------
    tables : mapping of str to ibis.Table
        The snapshot's tables by name, with at least the columns in :data:`NEEDS`.
    as_ofs : sequence of date
        As-of dates; an account gets a row for each date it was active on.
    departments : sequence of str, optional
        Departments that get their own touchpoint count (``touches_90d_<slug>``).

    Returns
    -------
    ibis.Table
        ``account_id``, ``as_of``, ``segment`` and the float features listed by
        :func:`feature_names`, one row per active account and as-of date.
    """
    grid = as_of_grid(as_ofs)
    base = active_accounts(tables["accounts"], grid)
    base = base.mutate(tenure_days=base.as_of.delta(base.started_on, unit="day"))
    parts = [
        *_touchpoint_features(tables, grid, departments),
        *_order_features(tables["orders"], grid),
        *_invoice_features(tables["invoices"], grid),
        _feedback_features(tables["feedback"], grid),
        _gesture_features(tables["gestures"], grid),
        *_follow_up_features(tables["follow_ups"], grid),
    ]
    joined = base
    for part in parts:
        joined = joined.left_join(
            part, [joined.account_id == part.account_id, joined.as_of == part.as_of]
        ).drop("account_id_right", "as_of_right")
    return _finish(joined, departments)


def _recency(age: Any, tenure: Any) -> Any:
    """Days since the last event, or since the start (at most a lookback and a day) if none."""
    return ibis.coalesce(age, ibis.least(tenure, LOOKBACK_DAYS + 1))


def _finish(t: Any, departments: Sequence[str]) -> Any:

    zero = ibis.literal(0)
    counts = [*COUNT_FEATURES, *(department_feature(d) for d in departments)]
    values: dict[str, Any] = {c: t[c].fill_null(zero) for c in counts}
    values |= {
        "touches_trend": t.touches_90d.fill_null(zero) - t.touches_prior_90d.fill_null(zero),
        "days_since_touch": _recency(t.last_touch_age, t.tenure_days),
        "days_since_personal_touch": _recency(t.last_personal_touch_age, t.tenure_days),
        "days_since_order": _recency(t.last_order_age, t.tenure_days),
        "days_since_gesture": _recency(t.last_gesture_age, t.tenure_days),
        "sentiment_90d": t.sentiment_90d,
        "sentiment_trend": t.sentiment_90d - t.sentiment_prior,
        "nps_365d": t.nps_365d,
        "order_value_365d": t.order_value_365d.fill_null(0.0),
        "annual_value": t.annual_value,
        "tenure_days": t.tenure_days,
    }
    values |= library_values(t, _recency)
    floats = {name: value.cast("float64").round(DECIMALS) for name, value in values.items()}
    return t.select("account_id", "as_of", "segment", **floats)


def feature_names(departments: Sequence[str] = ()) -> list[str]:
    """The model's feature columns, in the order :func:`account_features` returns them.

    Parameters
    ----------
    departments : sequence of str, optional
        The departments given to :func:`account_features`.

    Returns
    -------
    list of str
        ``segment`` followed by the float features.
    """

    counts = [*COUNT_FEATURES, *(department_feature(d) for d in departments)]
    return ["segment", *counts, *OTHER_FEATURES, *LIBRARY_COUNTS, *LIBRARY_OTHER]
