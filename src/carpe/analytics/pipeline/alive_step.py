"""Probability alive and expected purchases of every consumer account (BG/NBD), in the pipeline.

Consumer accounts (``accounts.kind == "consumer"``: households, patients, shoppers)
never announce that they leave; their purchases just stop. The step reduces the
orders to each such account's repeat purchases, recency and age with Ibis (the
same expression on DuckDB and Spark: distinct purchase days before the as-of day,
cancelled orders left out), fits :class:`carpe.analytics.bgnbd.BetaGeoFitter`
on them, and gives each account still on the books its probability of still
being a customer and its expected purchases over :data:`HORIZON_WEEKS`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.bgnbd import BetaGeoFitter, BetaGeoParams
from carpe.analytics.pipeline.context import Context

HORIZON_WEEKS: Final = 13
"""Expected purchases over this many weeks (a quarter)."""
MIN_CUSTOMERS: Final = 30
MIN_REPEATERS: Final = 10
NEEDS: Final[dict[str, tuple[str, ...]]] = {
    "accounts": ("account_id", "kind", "ended_on"),
    "orders": ("account_id", "ordered_at", "status"),
}


@dataclass(frozen=True, slots=True)
class AliveResult:
    """The step's output.

    Attributes
    ----------
    as_of : date
        The day.
    params : BetaGeoParams or None
        The fitted population parameters (None when not fitted).
    accounts : pandas.DataFrame
        One row per consumer account still on the books with a purchase:
        ``account_id``, ``purchases`` (distinct purchase days), ``last_purchase``
        (date), ``p_alive``, ``expected`` (purchases in the next
        :data:`HORIZON_WEEKS` weeks); sorted by ``p_alive`` then id.
    note : str
        Why nothing was fitted, when nothing was.
    """

    as_of: date
    params: BetaGeoParams | None
    accounts: pd.DataFrame
    note: str = ""


def rfm(context: Context) -> pd.DataFrame:
    """Each consumer account's purchase days before the as-of day, summarised on the engine.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``ended_on``, ``first_day``, ``last_day``, ``days`` (distinct
        purchase days).
    """
    accounts, orders = context.tables["accounts"], context.tables["orders"]
    as_of = context.options.as_of
    people = accounts.filter(accounts.kind == "consumer").select("account_id", "ended_on")
    placed = orders.filter(
        orders.ordered_at.date() < as_of, orders.status.isnull() | (orders.status != "cancelled")
    )
    days = placed.select(placed.account_id, day=placed.ordered_at.date()).distinct()
    days = days.join(people, "account_id")
    summary = days.group_by(["account_id", "ended_on"]).aggregate(
        first_day=days.day.min(), last_day=days.day.max(), days=days.count()
    )
    frame = context.execute(summary.order_by("account_id"))
    for column in ("first_day", "last_day", "ended_on"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


def probability_alive(frame: pd.DataFrame, as_of: date) -> AliveResult:
    """Fit BG/NBD on the purchase summaries and score the accounts still on the books.

    Parameters
    ----------
    frame : pandas.DataFrame
        :func:`rfm`'s table.
    as_of : date
        The day (the observation ends the day before).

    Returns
    -------
    AliveResult
        Empty with a note when there are too few customers or repeat buyers.
    """
    empty = pd.DataFrame(
        columns=["account_id", "purchases", "last_purchase", "p_alive", "expected"]
    )
    if len(frame) < MIN_CUSTOMERS:
        return AliveResult(as_of, None, empty, f"{len(frame)} consumer accounts with a purchase")
    first = pd.to_datetime(frame["first_day"])
    end = pd.Timestamp(as_of)
    x = frame["days"].to_numpy(dtype=float) - 1
    t_x = (pd.to_datetime(frame["last_day"]) - first).dt.days.to_numpy(dtype=float) / 7
    big_t = (end - first).dt.days.to_numpy(dtype=float) / 7
    if int((x > 0).sum()) < MIN_REPEATERS:
        return AliveResult(as_of, None, empty, "too few repeat purchases to fit BG/NBD")
    model = BetaGeoFitter(penalizer_coef=0.001).fit(x, t_x, big_t)
    alive = model.probability_alive(x, t_x, big_t)
    expected = model.conditional_expected_purchases(HORIZON_WEEKS, x, t_x, big_t)
    on_books = (
        frame["ended_on"].isna().to_numpy() | (pd.to_datetime(frame["ended_on"]) >= end).to_numpy()
    )
    out = pd.DataFrame(
        {
            "account_id": frame["account_id"].astype(str),
            "purchases": frame["days"].astype(int),
            "last_purchase": frame["last_day"],
            "p_alive": np.round(alive, 6),
            "expected": np.round(expected, 4),
        }
    )[on_books]
    out = out.sort_values(["p_alive", "account_id"], kind="stable").reset_index(drop=True)
    return AliveResult(as_of, model.params_, out)


class AliveStep:
    """Probability alive and expected purchases of consumer accounts."""

    def run(self, context: Context) -> AliveResult:
        """Summarise on the engine, fit and score (see :class:`AliveResult`)."""
        return probability_alive(rfm(context), context.options.as_of)
