"""More per-account features: problems, their age, people changing, scores, prices.

The second half of the early-warning feature library (the first is
:mod:`carpe.analytics.pipeline.features`), in the same event-metric style: every
feature of an as-of row reads only events strictly before the as-of day, and the
same Ibis expressions run on DuckDB and Spark.

* tickets (touchpoints of kind ``ticket``): how many in 30 and 90 days, the change
  on the 90 days before, days since the last one; inbound touches and negative
  touches (sentiment below zero) in 90 days;
* people at the customer: contacts in touch in 90 days, contacts new in 90 days
  (first touch), contacts gone quiet (in touch 90-365 days ago, not since);
* people on our side: employees who touched the account in the year before and
  left in the 180 days before (a hand-off);
* feedback per survey kind (``csat``, ``ces``, ``review``): mean and lowest score
  in 180 days;
* deliveries: late ones in a year, the worst slip in days; orders' mean amount in
  90 days over the year before (a price rise);
* billing: disputes raised in 180 days, the age in days of the oldest unpaid
  invoice past its due day.
"""

from __future__ import annotations

from typing import Any, Final

import ibis

from carpe.analytics.pipeline.windows import KEYS, tally, windowed

SURVEYS: Final = ("csat", "ces", "review")
LIBRARY_COUNTS: Final = (
    "tickets_30d",
    "tickets_90d",
    "inbound_touches_90d",
    "negative_touches_90d",
    "contacts_90d",
    "new_contacts_90d",
    "contacts_gone_quiet",
    "staff_left_180d",
    "late_deliveries_365d",
    "disputes_180d",
)
"""Counts (0 when none)."""
LIBRARY_OTHER: Final = (
    "tickets_trend",
    "days_since_ticket",
    *(f"{s}_{m}_180d" for s in SURVEYS for m in ("mean", "min")),
    "worst_slip_days_365d",
    "order_amount_change",
    "oldest_overdue_days",
)
"""Levels, ratios and ages (NaN when undefined, 0 for no slip or no overdue invoice)."""


def touch_columns(tp: Any) -> dict[str, Any]:
    """Per-touchpoint columns the library reads, evaluated once before the windowing."""
    return {
        "_ticket": tp.kind == "ticket",
        "_inbound": tp.direction == "inbound",
    }


def touch_metrics(w: Any) -> dict[str, Any]:
    """Aggregates over the windowed touchpoints ``w`` (see :func:`touch_columns`)."""
    recent, prior = w.age <= 90, (w.age > 90) & (w.age <= 180)
    ticket = w._ticket
    return {
        "tickets_30d": tally(ticket & (w.age <= 30)),
        "tickets_90d": tally(ticket & recent),
        "tickets_prior_90d": tally(ticket & prior),
        "last_ticket_age": w.age.min(where=ticket),
        "inbound_touches_90d": tally(w._inbound & recent),
        "negative_touches_90d": tally((w.sentiment < 0) & recent),
    }


def touch_parts(touchpoints: Any, employees: Any, grid: Any) -> list[Any]:
    """Per-person aggregates: contacts coming and going, and colleagues who left.

    Both first reduce the touchpoints to one row per person and day (or per
    person, for the leavers) before pairing them with the as-of dates.
    """
    tp = touchpoints.filter(touchpoints.contact_id.notnull())
    days = tp.select(tp.account_id, tp.contact_id, _day=tp.occurred_at.date()).distinct()
    w = windowed(days, days._day, grid)
    per_contact = w.group_by(["account_id", "as_of", "contact_id"]).aggregate(
        first_age=w.age.max(), last_age=w.age.min()
    )
    contacts = per_contact.group_by(KEYS).aggregate(
        contacts_90d=tally(per_contact.last_age <= 90),
        new_contacts_90d=tally(per_contact.first_age <= 90),
        contacts_gone_quiet=tally(per_contact.last_age > 90),
    )
    left = employees.filter(employees.left_on.notnull()).select(
        leaver_id=employees.employee_id, left_on=employees.left_on
    )
    served = touchpoints.join(left, touchpoints.employee_id == left.leaver_id)
    served = served.group_by(["account_id", "leaver_id", "left_on"]).aggregate(
        first_day=served.occurred_at.date().min(), last_day=served.occurred_at.date().max()
    )
    paired = served.cross_join(grid)
    gone = paired.as_of.delta(paired.left_on, unit="day")
    # served in the year before the as-of day (some touch in it) and left in its last 180 days
    paired = paired.filter(
        gone >= 1,
        gone <= 180,
        paired.first_day < paired.as_of,
        paired.as_of.delta(paired.last_day, unit="day") <= 365,
    )
    leavers = paired.group_by(KEYS).aggregate(staff_left_180d=paired.count())
    return [contacts, leavers]


def feedback_metrics(w: Any) -> dict[str, Any]:
    """Per survey kind, mean and lowest score in 180 days of the windowed feedback ``w``."""
    metrics: dict[str, Any] = {}
    for survey in SURVEYS:
        kind = (w.survey == survey) & (w.age <= 180)
        metrics[f"{survey}_mean_180d"] = w.score.mean(where=kind)
        metrics[f"{survey}_min_180d"] = w.score.min(where=kind)
    return metrics


def delivered_metrics(delivered: Any) -> dict[str, Any]:
    """Late deliveries in a year and the worst slip, from orders windowed on delivery."""
    slip = delivered.delivered_on.delta(delivered.promised_on, unit="day")
    return {
        "late_deliveries_365d": tally(slip > 0),
        "worst_slip_days_365d": ibis.greatest(slip, 0).max(),
    }


def placed_metrics(placed: Any) -> dict[str, Any]:
    """Mean order amount in 90 days and in the 275 before, from orders windowed on ordering."""
    return {
        "amount_90d": placed.amount.mean(where=placed.age <= 90),
        "amount_before": placed.amount.mean(where=placed.age > 90),
    }


def library_values(t: Any, recency: Any) -> dict[str, Any]:
    """The library's final columns from the joined table ``t`` (see :data:`LIBRARY_COUNTS`).

    Parameters
    ----------
    t : ibis.Table
        Active accounts left-joined with :func:`library_parts`.
    recency : callable
        ``recency(age, tenure)``: days since, or since the start when never.

    Returns
    -------
    dict of str to ibis.Value
        One expression per library feature.
    """
    zero = ibis.literal(0)
    values: dict[str, Any] = {c: t[c].fill_null(zero) for c in LIBRARY_COUNTS}
    values["tickets_trend"] = t.tickets_90d.fill_null(zero) - t.tickets_prior_90d.fill_null(zero)
    values["days_since_ticket"] = recency(t.last_ticket_age, t.tenure_days)
    for survey in SURVEYS:
        for measure in ("mean", "min"):
            values[f"{survey}_{measure}_180d"] = t[f"{survey}_{measure}_180d"]
    values["worst_slip_days_365d"] = t.worst_slip_days_365d.fill_null(zero)
    values["order_amount_change"] = (t.amount_90d / t.amount_before.nullif(0)) - 1
    values["oldest_overdue_days"] = t.oldest_overdue_days.fill_null(zero)
    return values
