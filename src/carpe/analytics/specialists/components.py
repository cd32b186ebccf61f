"""What they excel at: the experience components where an employee's accounts differ.

Each component is a rate over the recent year, compared between one employee
and the rest of their department (so a billing clerk is compared with billing
clerks), with a two-proportion (or Welch) z-score. A component is listed for an
employee when it is better than their peers' with ``z >= min_z``. The two
that measure the employee's own working habits (:data:`HABITS`) also weight
their retention test (:func:`habit_scores`).

| component | rate | who it is measured on |
| --- | --- | --- |
| on-time delivery | deliveries on or before the promised day | the employee's accounts |
| billing accuracy | invoices not disputed | the employee's accounts |
| first-contact resolution | tickets solved with one reply | tickets the employee answered |
| proactive outreach | outbound calls, visits, meetings | the employee's touchpoints |
| personal follow-ups kept | follow-ups completed of those due | the employee's follow-ups |
| sentiment of their touchpoints | mean sentiment | the employee's touchpoints |
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.specialists.inputs import SpecialistInputs

COMPONENTS: Final = (
    "on-time delivery",
    "first-contact resolution",
    "billing accuracy",
    "proactive outreach",
    "personal follow-ups kept",
    "sentiment of their touchpoints",
)


@dataclass(frozen=True, slots=True)
class Component:
    """One component where an employee's accounts differ from their department's.

    Attributes
    ----------
    name : str
        One of :data:`COMPONENTS`.
    value, peers : float
        The employee's rate and their department peers' rate.
    z : float
        How many standard errors apart (positive: better than peers).
    n : int
        Events behind the employee's rate (deliveries, tickets, touchpoints…).
    """

    name: str
    value: float
    peers: float
    z: float
    n: int


def _proportion_z(hits: float, n: float, peer_hits: float, peer_n: float) -> float:
    if n <= 0 or peer_n <= 0:
        return float("nan")
    pooled = (hits + peer_hits) / (n + peer_n)
    se = np.sqrt(pooled * (1 - pooled) * (1 / n + 1 / peer_n))
    return float((hits / n - peer_hits / peer_n) / se) if se > 0 else 0.0


def _mean_z(total: float, n: float, peer_total: float, peer_n: float, sd: float) -> float:
    if n <= 0 or peer_n <= 0 or sd <= 0:
        return float("nan")
    return float((total / n - peer_total / peer_n) / (sd * np.sqrt(1 / n + 1 / peer_n)))


def _rates(inputs: SpecialistInputs) -> pd.DataFrame:
    """Per employee: the counts behind every component."""
    act = inputs.activity.copy()
    for column in act.columns[2:]:
        act[column] = pd.to_numeric(act[column], errors="coerce").fillna(0.0)
    stats = inputs.account_stats.set_index("account_id")
    for column in ("delivered", "late", "invoices", "disputed"):
        values = pd.to_numeric(act["account_id"].map(stats[column]), errors="coerce")
        act[column] = values.fillna(0.0).to_numpy(dtype=float)
    per = act.groupby("employee_id").agg(
        accounts=("account_id", "nunique"),
        touches=("touches", "sum"),
        proactive=("proactive", "sum"),
        sentiment_sum=("sentiment_sum", "sum"),
        sentiment_n=("sentiment_n", "sum"),
        tickets=("tickets", "sum"),
        first_contact=("first_contact", "sum"),
        delivered=("delivered", "sum"),
        late=("late", "sum"),
        invoices=("invoices", "sum"),
        disputed=("disputed", "sum"),
    )
    fu = inputs.follow_ups.set_index("employee_id")
    per["due"] = pd.to_numeric(per.index.map(fu["due"]) if len(fu) else 0.0, errors="coerce")
    per["kept"] = pd.to_numeric(per.index.map(fu["kept"]) if len(fu) else 0.0, errors="coerce")
    department = inputs.employees.set_index("employee_id")["department"].astype(str)
    per["department"] = per.index.map(department).fillna("unknown")
    return per.fillna({"due": 0.0, "kept": 0.0})


PROPORTIONS: Final = (
    # name, events column, out-of column, whether the events are the bad outcome
    ("on-time delivery", "late", "delivered", True),
    ("first-contact resolution", "first_contact", "tickets", False),
    ("billing accuracy", "disputed", "invoices", True),
    ("proactive outreach", "proactive", "touches", False),
    ("personal follow-ups kept", "kept", "due", False),
)
"""The components that are a share of good outcomes, compared as proportions."""

HABITS: Final = ("proactive outreach", "first-contact resolution")
"""The components that measure the employee's own working habits, not their customers.

They weight the retention test (:func:`habit_scores`). The others are left
out on purpose: on-time delivery and billing accuracy are measured on the
employee's *accounts* (only the person who delivers or bills does the work,
and late deliveries and disputes make accounts leave whoever serves them);
follow-ups kept are counted over every follow-up due before the run, outcome
months included, without the account, so an account that leaves can take its
open follow-ups with it; the sentiment of their touchpoints mostly follows
how friendly their customers are (and an owner is credited with their
accounts' survey answers).
"""


def _share(counts: Mapping[str, Any], events: str, total: str, bad: bool) -> float:
    if not counts[total]:
        return float("nan")
    share = counts[events] / counts[total]
    return float(1 - share if bad else share)


def _proportion(
    name: str,
    row: Mapping[str, Any],
    peers: Mapping[str, Any],
    events: str,
    total: str,
    bad: bool,
) -> Component:
    """A share of good outcomes, the employee's against their peers'."""

    def good(counts: Mapping[str, Any]) -> float:
        return float(counts[total] - counts[events] if bad else counts[events])

    return Component(
        name,
        _share(row, events, total, bad),
        _share(peers, events, total, bad),
        _proportion_z(good(row), row[total], good(peers), peers[total]),
        int(row[total]),
    )


def component_candidates(inputs: SpecialistInputs) -> dict[str, list[Component]]:
    """Every employee's components against their department peers, whatever the z-score.

    :func:`compare_components` and :func:`habit_scores` read them (pass them
    to both to compute them once).
    """
    per = _rates(inputs)
    act = inputs.activity
    sentiment = pd.to_numeric(act["sentiment_sum"], errors="coerce") / pd.to_numeric(
        act["sentiment_n"], errors="coerce"
    ).replace(0, np.nan)
    sd = float(np.nanstd(sentiment)) if sentiment.notna().sum() > 1 else 0.0
    found: dict[str, list[Component]] = {}
    numeric = per.select_dtypes("number").fillna(0.0)
    # each one's peers: their department's totals minus their own
    totals = numeric.groupby(per["department"]).transform("sum")
    others = (totals - numeric).to_dict("index")  # plain dicts: no Series per employee
    for employee, row in per.to_dict("index").items():
        peers = others[employee]
        found[str(employee)] = [
            *(_proportion(name, row, peers, ev, tot, bad) for name, ev, tot, bad in PROPORTIONS),
            Component(
                "sentiment of their touchpoints",
                row["sentiment_sum"] / row["sentiment_n"] if row["sentiment_n"] else np.nan,
                peers["sentiment_sum"] / peers["sentiment_n"] if peers["sentiment_n"] else np.nan,
                _mean_z(
                    row["sentiment_sum"],
                    row["sentiment_n"],
                    peers["sentiment_sum"],
                    peers["sentiment_n"],
                    sd,
                ),
                int(row["sentiment_n"]),
            ),
        ]
    return found


def compare_components(
    inputs: SpecialistInputs,
    *,
    min_z: float = 2.0,
    candidates: Mapping[str, list[Component]] | None = None,
) -> dict[str, list[Component]]:
    """Every employee's components that are better than their department peers'.

    Parameters
    ----------
    inputs : SpecialistInputs
        The analysis's inputs.
    min_z : float, default 2.0
        How clearly better a component must be to be listed.
    candidates : dict of str to list of Component, optional
        :func:`component_candidates` of ``inputs``, when already computed.

    Returns
    -------
    dict of str to list of Component
        By employee id, strongest first (employees with none are absent).
    """
    found: dict[str, list[Component]] = {}
    if candidates is None:
        candidates = component_candidates(inputs)
    for employee, listed in candidates.items():
        good = [
            Component(
                c.name, round(float(c.value), 4), round(float(c.peers), 4), round(c.z, 2), c.n
            )
            for c in listed
            if np.isfinite(c.z) and c.z >= min_z
        ]
        if good:
            found[employee] = sorted(good, key=lambda c: -c.z)
    return found


def habit_scores(
    inputs: SpecialistInputs,
    *,
    habits: tuple[str, ...] = HABITS,
    candidates: Mapping[str, list[Component]] | None = None,
) -> dict[str, float]:
    """Each employee's strongest working habit against their department peers, as a z-score.

    The largest z of the :data:`HABITS` components that can be measured for
    the employee (NaN when none can: no touchpoints, no tickets). Computed
    from the recent year's process data only, never from whether accounts
    stayed, so it can weight the retention test
    (:func:`~carpe.analytics.specialists.attribution.habit_weights`).

    Parameters
    ----------
    inputs : SpecialistInputs
        The analysis's inputs.
    habits : tuple of str, default :data:`HABITS`
        The components that count.
    candidates : dict of str to list of Component, optional
        :func:`component_candidates` of ``inputs``, when already computed.

    Returns
    -------
    dict of str to float
        By employee id (employees without recent activity are absent).
    """
    found: dict[str, float] = {}
    if candidates is None:
        candidates = component_candidates(inputs)
    for employee, listed in candidates.items():
        z = [c.z for c in listed if c.name in habits and np.isfinite(c.z)]
        found[employee] = float(max(z)) if z else float("nan")
    return found
