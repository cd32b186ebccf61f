"""Does it pay? Retention and sentiment after gestures, against comparable accounts without.

A landmark design, so that an account's later fate cannot decide whether it got a
gesture: with ``landmark = as_of - outcome_days``,

* the **exposure window** is the ``exposure_days`` before the landmark: an account
  is *treated* for a group (a gesture kind, a cost band, or any gesture) when it
  received at least one gesture of that group in the window;
* **controls** are accounts that received no gesture at all, in the window or
  before it (accounts gifted only before the window are left out of both arms);
* the **outcomes** are measured after the landmark: ``stayed`` (the account had
  not left by ``as_of``) and ``warmer`` (its mean touchpoint sentiment after the
  landmark is above its mean before the exposure window; accounts without
  sentiment on both sides are left out of that estimate);
* only accounts that started before the window and had not left by the landmark
  take part.

Each effect is :func:`carpe.analytics.effects.estimate_effect` (augmented inverse
propensity weighting, effect on the treated) adjusted for the confounders the
caller names (size, segment, tenure, how busy the account was, prior sentiment,
whether a moment was noted): a positive effect on ``stayed`` is retention in percentage points
gained by the accounts that received that kind of gesture.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.effects import estimate_effect

OUTCOMES: Final = ("stayed", "warmer")
"""Outcome columns: retained to ``as_of``; sentiment after above sentiment before."""
COST_BANDS: Final = ("free", "under 10", "10 to 30", "over 30")
"""Cost bands: nothing, under 10, 10 up to and including 30, over 30 (in the budget's money)."""
CONFOUNDERS: Final = (
    "annual_value",
    "segment",
    "tenure_days",
    "touches_pre",
    "sentiment_pre",
    "moment_noted",
)
"""Measured before the landmark; they drive both who gets gestures and who stays.

``moment_noted`` (0/1: the customer told us something in the exposure window) is
a flag, not a count: genuine gestures follow moments almost surely, and a count
leaves too few comparable accounts (extreme propensity weights)."""


@dataclass(frozen=True, slots=True)
class PayoffWindows:
    """The landmark design's days."""

    as_of: date
    landmark: date
    exposure_start: date

    @classmethod
    def ending(
        cls, as_of: date, *, outcome_days: int = 180, exposure_days: int = 180
    ) -> PayoffWindows:
        """The windows ending at ``as_of``."""
        landmark = as_of - timedelta(days=outcome_days)
        return cls(as_of, landmark, landmark - timedelta(days=exposure_days))


@dataclass(frozen=True, slots=True)
class PayoffRow:
    """One group's effect on one outcome (effect None when too few accounts to say)."""

    dimension: str
    """``"all"``, ``"kind"`` or ``"cost band"``."""
    group: str
    outcome: str
    effect: float | None
    ci_low: float | None
    ci_high: float | None
    naive: float | None
    n_treated: int
    n_control: int
    treated_rate: float | None
    """The outcome's rate among the treated accounts (for reading the effect)."""


@dataclass(frozen=True, slots=True)
class PayoffResult:
    """Effects of gestures by kind and cost band, with the design's windows."""

    windows: PayoffWindows
    accounts: int
    rows: tuple[PayoffRow, ...] = field(default_factory=tuple)
    note: str = ""


def cost_band(cost: float | None) -> str:
    """The cost band of a gesture's cost.

    Examples
    --------
    >>> [cost_band(c) for c in (None, 0.0, 4.5, 25.0, 60.0)]
    ['free', 'free', 'under 10', '10 to 30', 'over 30']
    """
    value = 0.0 if cost is None or math.isnan(cost) else cost
    if value <= 0:
        return "free"
    if value < 10:
        return "under 10"
    return "10 to 30" if value <= 30 else "over 30"


def _groups(gifts: pd.DataFrame) -> list[tuple[str, str, set[str]]]:
    bands = gifts["cost"].map(cost_band)
    found = [("all", "any gesture", set(gifts["account_id"]))]
    for kind, part in sorted(gifts.groupby(gifts["kind"].fillna("").str.lower())):
        if kind:
            found.append(("kind", str(kind), set(part["account_id"])))
    for band in COST_BANDS:
        members = set(gifts.loc[bands == band, "account_id"])
        if members:
            found.append(("cost band", band, members))
    return found


def estimate_payoff(
    accounts: pd.DataFrame,
    gifts: pd.DataFrame,
    windows: PayoffWindows,
    *,
    confounders: Sequence[str] = CONFOUNDERS,
    min_treated: int = 10,
    random_state: int = 0,
) -> PayoffResult:
    """Retention and sentiment effects of gestures by kind and cost band.

    Parameters
    ----------
    accounts : pandas.DataFrame
        One row per eligible account: ``account_id``, ``stayed`` (0/1), ``warmer``
        (0/1 or NaN), ``gifted_before`` (0/1: a gesture before the exposure window)
        and the confounder columns.
    gifts : pandas.DataFrame
        Gestures in the exposure window: ``account_id``, ``kind``, ``cost``.
    windows : PayoffWindows
        The design's days (recorded with the result).
    confounders : sequence of str
        Columns of ``accounts`` to adjust for.
    min_treated : int, default 10
        Groups with fewer treated accounts (or controls) get no estimate.
    random_state : int, default 0
        Seed of the cross-fitting folds.

    Returns
    -------
    PayoffResult
        One row per (group, outcome): overall, by kind, by cost band.
    """
    # engines return rows in any order; the cross-fitting folds depend on it
    frame = accounts.sort_values("account_id", kind="stable").reset_index(drop=True)
    gifts = gifts[gifts["account_id"].isin(set(frame["account_id"]))]
    treated_any = set(gifts["account_id"])
    controls = frame[(frame["gifted_before"] == 0) & ~frame["account_id"].isin(treated_any)]
    rows: list[PayoffRow] = []
    if gifts.empty:
        return PayoffResult(windows, len(frame), (), "no gestures in the exposure window")
    for dimension, group, members in _groups(gifts):
        treated = frame[frame["account_id"].isin(members)]
        data = pd.concat([treated.assign(_t=1), controls.assign(_t=0)], ignore_index=True)
        for outcome in OUTCOMES:
            usable = data[data[outcome].notna()].copy()
            usable[outcome] = usable[outcome].astype(int)
            n_t = int(usable["_t"].sum())
            n_c = len(usable) - n_t
            rate = float(usable.loc[usable["_t"] == 1, outcome].mean()) if n_t else None
            estimate = None
            if min(n_t, n_c) >= min_treated and usable[outcome].nunique() > 1:
                try:
                    with warnings.catch_warnings():
                        # few leavers among the treated: the folds still stratify, sklearn warns
                        warnings.filterwarnings("ignore", "The least populated class", UserWarning)
                        estimate = estimate_effect(
                            usable,
                            "_t",
                            outcome,
                            list(confounders),
                            method="aipw",
                            estimand="att",
                            random_state=random_state,
                        )
                except ValueError:
                    estimate = None
            rows.append(
                PayoffRow(
                    dimension=dimension,
                    group=group,
                    outcome=outcome,
                    effect=_num(estimate.effect) if estimate else None,
                    ci_low=_num(estimate.ci_low) if estimate else None,
                    ci_high=_num(estimate.ci_high) if estimate else None,
                    naive=_num(estimate.naive) if estimate else None,
                    n_treated=n_t,
                    n_control=n_c,
                    treated_rate=_num(rate),
                )
            )
    return PayoffResult(windows, len(frame), tuple(rows))


def _num(value: float | None) -> float | None:
    if value is None or not np.isfinite(value):
        return None
    return round(float(value), 4)
