"""Drivers in words: each feature's value as a reason a manager can read.

``describe("late_deliveries_60d", 3)`` → ``"3 late deliveries in 60 days"``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Final

from carpe.analytics.pipeline.features import department_feature


def _plural(n: float, one: str, many: str | None = None) -> str:
    count = round(n)
    if count == 0:
        return f"no {many or one + 's'}"
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _span(days: float) -> str:
    if days >= 60:
        return _plural(days / 30.44, "month")
    return _plural(days, "day")


def _since(what: str) -> Callable[[float], str]:
    def word(days: float) -> str:
        if days > 365:
            return f"no {what} in over a year"
        return f"no {what} in {_span(days)}"

    return word


WORDS: Final[dict[str, Callable[[float], str]]] = {
    "touches_90d": lambda v: f"{_plural(v, 'touchpoint')} in 90 days",
    "personal_touches_90d": lambda v: (
        f"{_plural(v, 'personal touch', 'personal touches')} in 90 days"
    ),
    "digital_touches_90d": lambda v: f"{_plural(v, 'digital touch', 'digital touches')} in 90 days",
    "orders_90d": lambda v: f"{_plural(v, 'order')} in 90 days",
    "late_deliveries_60d": lambda v: f"{_plural(v, 'late delivery', 'late deliveries')} in 60 days",
    "overdue_orders": lambda v: f"{_plural(v, 'order')} past the promised date",
    "overdue_invoices": lambda v: f"{_plural(v, 'invoice')} overdue",
    "open_disputes": lambda v: (
        "billing dispute open" if round(v) == 1 else f"{_plural(v, 'billing dispute')} open"
    ),
    "detractor_answers_365d": lambda v: f"{_plural(v, 'detractor NPS answer')} in a year",
    "gestures_365d": lambda v: f"{_plural(v, 'gesture')} in a year",
    "follow_ups_done_180d": lambda v: f"{_plural(v, 'follow-up')} done in 6 months",
    "follow_ups_missed_180d": lambda v: f"{_plural(v, 'follow-up')} missed in 6 months",
    "touches_trend": lambda v: (
        f"we talk less: {abs(round(v))} fewer touchpoints than the 90 days before"
        if v < 0
        else f"{round(v)} more touchpoints than the 90 days before"
    ),
    "days_since_touch": _since("touchpoint"),
    "days_since_personal_touch": _since("personal touch"),
    "days_since_order": _since("order"),
    "days_since_gesture": _since("gesture"),
    "sentiment_90d": lambda v: (
        f"conversations cooler than with most customers (tone {v:+.2f} on −1 to +1, 90 days)"
    ),
    "sentiment_trend": lambda v: f"conversations cooling: sentiment down {abs(v):.2f} on before",
    "nps_365d": lambda v: f"average NPS {v:.1f} in a year",
    "order_value_365d": lambda v: f"orders worth {v:,.0f} in a year",
    "annual_value": lambda v: f"annual value {v:,.0f}",
    "tenure_days": lambda v: f"customer for {_span(v)}",
    "tickets_30d": lambda v: f"{_plural(v, 'support ticket')} in the last 30 days",
    "tickets_90d": lambda v: f"{_plural(v, 'support ticket')} in 90 days",
    "tickets_trend": lambda v: f"{abs(round(v))} more support tickets than the 90 days before",
    "days_since_ticket": _since("support ticket"),
    "inbound_touches_90d": lambda v: f"{_plural(v, 'inbound contact')} in 90 days",
    "negative_touches_90d": lambda v: f"{_plural(v, 'unhappy conversation')} in 90 days",
    "contacts_90d": lambda v: f"{_plural(v, 'contact')} in touch in 90 days",
    "new_contacts_90d": lambda v: f"{_plural(v, 'new contact')} in 90 days",
    "contacts_gone_quiet": lambda v: (
        f"{_plural(v, 'contact')} at the customer gone quiet for over 3 months"
    ),
    "staff_left_180d": lambda v: (
        f"{_plural(v, 'colleague')} who served them left us in the last 6 months"
    ),
    "late_deliveries_365d": lambda v: f"{_plural(v, 'late delivery', 'late deliveries')} in a year",
    "disputes_180d": lambda v: f"{_plural(v, 'billing dispute')} raised in 6 months",
    "csat_mean_180d": lambda v: f"CSAT averaging {v:.1f} in 6 months",
    "csat_min_180d": lambda v: f"a CSAT as low as {v:.0f} in 6 months",
    "ces_mean_180d": lambda v: f"customer effort averaging {v:.1f} in 6 months",
    "ces_min_180d": lambda v: f"customer effort as low as {v:.0f} in 6 months",
    "review_mean_180d": lambda v: f"reviews averaging {v:.1f} in 6 months",
    "review_min_180d": lambda v: f"a {v:.0f}-star review in 6 months",
    "worst_slip_days_365d": lambda v: f"a delivery {_span(v)} late in the last year",
    "order_amount_change": lambda v: (
        f"order amounts {'up' if v >= 0 else 'down'} {abs(v):.0%} on the year before"
    ),
    "oldest_overdue_days": lambda v: f"an invoice unpaid {_span(v)} past due",
}
"""Feature → wording of a known value."""

WORSE_WHEN: Final[dict[str, int]] = {
    # +1: more is worse; -1: less is worse
    "touches_90d": -1,
    "personal_touches_90d": -1,
    "orders_90d": -1,
    "late_deliveries_60d": 1,
    "overdue_orders": 1,
    "overdue_invoices": 1,
    "open_disputes": 1,
    "detractor_answers_365d": 1,
    "follow_ups_missed_180d": 1,
    "touches_trend": -1,
    "days_since_touch": 1,
    "days_since_personal_touch": 1,
    "days_since_order": 1,
    "sentiment_90d": -1,
    "sentiment_trend": -1,
    "nps_365d": -1,
    "tickets_30d": 1,
    "tickets_90d": 1,
    "tickets_trend": 1,
    "negative_touches_90d": 1,
    "contacts_gone_quiet": 1,
    "staff_left_180d": 1,
    "late_deliveries_365d": 1,
    "disputes_180d": 1,
    "csat_mean_180d": -1,
    "csat_min_180d": -1,
    "review_mean_180d": -1,
    "review_min_180d": -1,
    "worst_slip_days_365d": 1,
    "order_amount_change": 1,
    "oldest_overdue_days": 1,
}
"""Which side of typical is a problem, per feature that can be a reason.

A feature may be a reason only when it pushes the risk up *and* the account's
value is on its problem side of the typical account's. Features missing here
(tenure, value, segment, per-department counts, gestures, new contacts, CES,
whose direction depends on the business) describe an account but are never
reasons: a long tenure or a big contract is not why anyone leaves.
"""

MISSING: Final[dict[str, str]] = {
    "sentiment_90d": "no sentiment recorded in 90 days",
    "sentiment_trend": "no sentiment to compare with the months before",
    "nps_365d": "no NPS answer in a year",
    "annual_value": "annual value unknown",
}
"""Feature → wording when the value is missing."""


@functools.lru_cache(maxsize=8)
def _department_features(departments: tuple[str, ...]) -> Mapping[str, str]:
    return {department_feature(d): d for d in departments}


def describe(feature: str, value: Any, departments: Sequence[str] = ()) -> str:
    """One feature's value as a reason in words.

    Parameters
    ----------
    feature : str
        The feature's name (see :func:`~carpe.analytics.pipeline.features.feature_names`).
    value : object
        Its value for the account (a number, a category, or missing).
    departments : sequence of str, optional
        The departments behind the ``touches_90d_<slug>`` features.

    Returns
    -------
    str
        E.g. ``"3 late deliveries in 60 days"``, ``"billing dispute open"``,
        ``"no personal touch in 5 months"``.
    """
    missing = value is None or (isinstance(value, float) and math.isnan(value))
    if feature == "segment":
        return "segment unknown" if missing or value == "" else f"segment {value}"
    by_department = _department_features(tuple(departments))
    if feature in by_department:
        count = 0.0 if missing else float(value)
        return f"{_plural(count, 'touchpoint')} with {by_department[feature]} in 90 days"
    if missing:
        return MISSING.get(feature, f"{feature} unknown")
    word = WORDS.get(feature)
    if word is None:
        return f"{feature} = {value}"
    return word(float(value))
