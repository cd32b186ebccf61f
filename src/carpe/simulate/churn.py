"""Churn driven by experiences: a monthly hazard per account, and its counterfactuals."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from carpe.simulate.timeline import Timeline

Array = npt.NDArray[Any]

COEFFICIENTS: Final = {
    "late_delivery": 0.45,
    "billing_error": 0.8,
    "conflict": 0.5,
    "neglect": 0.5,
    "declining_employee": 0.5,
    "personal_follow_up": -0.7,
    "genuine_gesture": -0.5,
    "templated_gesture": 0.0,
}
"""Log-odds change of the monthly churn hazard per unit of each experience.

Late deliveries, billing errors and other conflicts count with a decaying memory of three
months (weights 1, 0.6, 0.3 for one, two and three months back). Personal follow-ups and
genuine gestures act from the month after the first one onwards. Specialists add their
own (negative) effect in every month they serve the account.
"""


def recent(grid: Array) -> Array:
    """Decaying three-month memory of a per-month count (excludes the current month)."""
    out = np.zeros_like(grid, dtype=np.float64)
    for lag, weight in ((1, 1.0), (2, 0.6), (3, 0.3)):
        out[:, lag:] += weight * grid[:, :-lag]
    return out


def after(first_month: Array, n_months: int) -> Array:
    """Indicator grid: 1 in months strictly after ``first_month`` (-1 = never)."""
    months = np.arange(n_months)[None, :]
    return ((first_month[:, None] >= 0) & (months > first_month[:, None])).astype(np.float64)


def churn_probability(logit: Array, at_risk: Array) -> Array:
    """Probability of leaving within the window given monthly hazards."""
    hazard = 1.0 / (1.0 + np.exp(-logit))
    return np.asarray(1.0 - np.prod(np.where(at_risk, 1.0 - hazard, 1.0), axis=1))


@dataclass(frozen=True)
class ChurnDraw:
    """Outcome of the churn draw for a block."""

    end_day: Array
    churned: Array
    probability: Array
    """Probability of leaving within the window given the account's actual experiences."""


def draw_churn(
    logit: Array, at_risk: Array, start_day: Array, timeline: Timeline, rng: np.random.Generator
) -> ChurnDraw:
    """Draw each account's month of leaving (if any) and the day it ends."""
    n, m = logit.shape
    hazard = 1.0 / (1.0 + np.exp(-logit))
    hit = (rng.random((n, m)) < hazard) & at_risk
    churned = hit.any(axis=1)
    month = np.argmax(hit, axis=1)
    lo = np.maximum(timeline.month_start[month], np.maximum(start_day, -1) + 1)
    hi = np.minimum(timeline.month_start[month + 1], timeline.n_days - 1)
    day = lo + (rng.random(n) * np.maximum(hi - lo, 1)).astype(np.int64)
    end_day = np.where(churned & (day < timeline.n_days - 1), day, timeline.n_days - 1)
    return ChurnDraw(
        end_day=end_day,
        churned=end_day < timeline.n_days - 1,
        probability=churn_probability(logit, at_risk),
    )
