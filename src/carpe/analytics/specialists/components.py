"""What they excel at: the experience components where an employee's accounts differ.

Each component is a rate over the recent year, compared between one employee
and the rest of their department (so a billing clerk is compared with billing
clerks), with a two-proportion (Poisson-rate, Welch) z-score. A component is listed for an
employee when it is better than their peers' with ``z >= min_z``. The two
that measure the employee's own working habits (:data:`HABITS`) also weight
their retention test (:func:`habit_scores`).

| component | rate | who it is measured on |
| --- | --- | --- |
| on-time delivery | deliveries on or before the promised day | the employee's accounts |
| billing accuracy | invoices not disputed | the employee's accounts |
| first-contact resolution | tickets solved with one reply | tickets the employee answered |
| proactive outreach | outbound calls, visits, meetings a month | the employee's accounts |
| personal follow-ups kept | follow-ups completed of those due | the employee's follow-ups |
| sentiment of their touchpoints | mean sentiment | the employee's touchpoints |
| resolution speed | mean ``log(1 + days)`` from a problem to their reply | problems given them |
| problems not back | replied problems not followed by another within 30 days | the same |
| own orders on time | their own orders delivered by the promised day (go-lives) | their orders |

(A problem is an inbound ticket touchpoint; lower resolution times are better.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.specialists.inputs import (
    HANDLING_COLUMNS,
    MONTH_DAYS,
    SpecialistInputs,
    involvement_starts,
)

COMPONENTS: Final = (
    "on-time delivery",
    "first-contact resolution",
    "billing accuracy",
    "proactive outreach",
    "personal follow-ups kept",
    "sentiment of their touchpoints",
    "resolution speed",
    "problems not back",
    "own orders on time",
)


@dataclass(frozen=True, slots=True)
class Component:
    """One component where an employee's accounts differ from their department's.

    Attributes
    ----------
    name : str
        One of :data:`COMPONENTS`.
    value, peers : float
        The employee's rate and their department peers' rate (a share; for
        proactive outreach, contacts per account and month).
    z : float
        How many standard errors apart (positive: better than peers).
    n : int
        What the employee's rate rests on (deliveries, tickets,
        touchpoints…; for proactive outreach, account-months).
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


def _rate_z(events: float, exposure: float, peer_events: float, peer_exposure: float) -> float:
    if exposure <= 0 or peer_exposure <= 0:
        return float("nan")
    pooled = (events + peer_events) / (exposure + peer_exposure)
    se = np.sqrt(pooled * (1 / exposure + 1 / peer_exposure))
    return float((events / exposure - peer_events / peer_exposure) / se) if se > 0 else 0.0


def _mean_z(total: float, n: float, peer_total: float, peer_n: float, sd: float) -> float:
    if n <= 0 or peer_n <= 0 or sd <= 0:
        return float("nan")
    return float((total / n - peer_total / peer_n) / (sd * np.sqrt(1 / n + 1 / peer_n)))


def involved_months(inputs: SpecialistInputs) -> pd.Series:
    """Per employee: months of the recent year involved with the accounts they worked with.

    For each account the employee had a touchpoint with in the recent year,
    the months from the later of the year's start and their first involvement
    with it to the earliest of ``T``, the account's last day and the
    employee's leaving day, summed. The denominator of a rate "per account
    and month": an account that leaves during the year counts only for its
    months, so a departure does not lower the rate.

    Parameters
    ----------
    inputs : SpecialistInputs
        The analysis's inputs (``activity``, ``first_involvement``, the
        accounts' ``ended_on`` and the employees' ``left_on``).

    Returns
    -------
    pandas.Series
        Account-months by ``employee_id`` (employees without recent touchpoints are absent).
    """
    w = inputs.windows
    act = inputs.activity
    touched = act[pd.to_numeric(act["touches"], errors="coerce").fillna(0).to_numpy() > 0]
    pairs = touched[["account_id", "employee_id"]].astype(str).drop_duplicates()
    if not len(pairs):
        return pd.Series(dtype=float)
    opened, closed = pd.Timestamp(w.recent_start), pd.Timestamp(w.as_of)
    first = involvement_starts(inputs).astype({"account_id": str, "employee_id": str})
    first = first.assign(first_at=pd.to_datetime(first["first_at"]).dt.floor("D"))
    first = first.groupby(["account_id", "employee_id"], as_index=False)["first_at"].min()
    pairs = pairs.merge(first, on=["account_id", "employee_id"], how="left")
    began = pairs["first_at"].fillna(opened).clip(lower=opened)

    def last_days(table: pd.DataFrame, key: str, column: str) -> pd.Series:
        if column not in table or key not in table:
            return pd.Series(pd.NaT, index=pairs.index, dtype="datetime64[ns]")
        unique = table.drop_duplicates(key)
        by_key = pd.Series(
            pd.to_datetime(unique[column]).dt.floor("D").to_numpy(),
            index=unique[key].astype(str).to_numpy(),
        )
        return pairs[key].map(by_key).astype("datetime64[ns]")

    ended = last_days(inputs.accounts, "account_id", "ended_on")
    left = last_days(inputs.employees, "employee_id", "left_on")
    until = pd.concat([ended, left], axis=1).min(axis=1).fillna(closed).clip(upper=closed)
    days = (until - began).dt.days.clip(lower=0).astype(float)
    return (days / MONTH_DAYS).groupby(pairs["employee_id"]).sum()


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
    per["months"] = involved_months(inputs).reindex(per.index).fillna(0.0)
    fu = inputs.follow_ups.set_index("employee_id")
    per["due"] = pd.to_numeric(per.index.map(fu["due"]) if len(fu) else 0.0, errors="coerce")
    per["kept"] = pd.to_numeric(per.index.map(fu["kept"]) if len(fu) else 0.0, errors="coerce")
    handling = inputs.handling.set_index(inputs.handling["employee_id"].astype(str))
    for column in HANDLING_COLUMNS[1:]:
        values = handling[column] if column in handling else pd.Series(dtype=float)
        per[column] = pd.to_numeric(per.index.map(values), errors="coerce")
    per = per.fillna({c: 0.0 for c in HANDLING_COLUMNS[1:]})
    department = inputs.employees.set_index("employee_id")["department"].astype(str)
    per["department"] = per.index.map(department).fillna("unknown")
    return per.fillna({"due": 0.0, "kept": 0.0})


PROPORTIONS: Final = (
    # name, events column, out-of column, whether the events are the bad outcome
    ("on-time delivery", "late", "delivered", True),
    ("first-contact resolution", "first_contact", "tickets", False),
    ("billing accuracy", "disputed", "invoices", True),
    ("personal follow-ups kept", "kept", "due", False),
    ("problems not back", "reopened", "replied", True),
    ("own orders on time", "own_late", "own_orders", True),
)
"""The components that are a share of good outcomes, compared as proportions."""

HABITS: Final = (
    "proactive outreach",
    "first-contact resolution",
    "resolution speed",
    "own orders on time",
)
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
    replied = float(per["replied"].sum())
    if replied > 1:
        mean = float(per["log_days_sum"].sum()) / replied
        speed_sd = float(np.sqrt(max(0.0, float(per["log_days_sq"].sum()) / replied - mean**2)))
    else:
        speed_sd = 0.0
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
                "proactive outreach",
                row["proactive"] / row["months"] if row["months"] else np.nan,
                peers["proactive"] / peers["months"] if peers["months"] else np.nan,
                _rate_z(row["proactive"], row["months"], peers["proactive"], peers["months"]),
                int(np.rint(row["months"])),
            ),
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
            _speed(row, peers, speed_sd),
        ]
    return found


def _speed(row: Mapping[str, Any], peers: Mapping[str, Any], sd: float) -> Component:
    """Resolution speed: their mean ``log(1 + days)`` to a reply against their peers' (lower wins).

    ``value`` and ``peers`` are shown as days (the geometric mean, minus one).
    """
    mine, theirs = row["replied"], peers["replied"]
    value = float(np.expm1(row["log_days_sum"] / mine)) if mine else np.nan
    peer = float(np.expm1(peers["log_days_sum"] / theirs)) if theirs else np.nan
    z = -_mean_z(row["log_days_sum"], mine, peers["log_days_sum"], theirs, sd)
    return Component("resolution speed", value, peer, z, int(mine))


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
