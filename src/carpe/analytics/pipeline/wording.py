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


def _trend(what: str) -> Callable[[float], str]:
    def word(change: float) -> str:
        direction = "down" if change < 0 else "up"
        return f"{what} {direction} {abs(change):.2g} on the 90 days before"

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
        f"touchpoints {'down' if v < 0 else 'up'} by {abs(round(v))} on the 90 days before"
    ),
    "days_since_touch": _since("touchpoint"),
    "days_since_personal_touch": _since("personal touch"),
    "days_since_order": _since("order"),
    "days_since_gesture": _since("gesture"),
    "sentiment_90d": lambda v: f"sentiment {v:+.2f} in 90 days",
    "sentiment_trend": _trend("sentiment"),
    "nps_365d": lambda v: f"average NPS {v:.1f} in a year",
    "order_value_365d": lambda v: f"orders worth {v:,.0f} in a year",
    "annual_value": lambda v: f"annual value {v:,.0f}",
    "tenure_days": lambda v: f"customer for {_span(v)}",
}
"""Feature → wording of a known value."""

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
