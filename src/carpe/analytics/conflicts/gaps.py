"""Departments that disagree about the same account and month, each by its own yardstick."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.conflicts.billing import INVOICE_COLUMNS, _make
from carpe.analytics.conflicts.frames import as_frame, ids, month
from carpe.analytics.conflicts.handoffs import ACCOUNT_COLUMNS, EMPLOYEE_COLUMNS
from carpe.analytics.conflicts.ledger import CARPE
from carpe.analytics.conflicts.model import Conflict, DetectorSettings, Evidence, MetricMapping


def _owner_departments(accounts: Any, employees: Any) -> dict[str, str]:
    acc = as_frame(accounts, ACCOUNT_COLUMNS)
    staff = as_frame(employees, EMPLOYEE_COLUMNS)
    dept = dict(zip(staff["employee_id"].astype(str), staff["department"], strict=True))
    return {
        str(a): str(dept[str(o)])
        for a, o in zip(acc["account_id"], acc["owner_employee_id"], strict=True)
        if pd.notna(o) and str(o) in dept
    }


def _monthly_value(accounts: Any) -> dict[str, float]:
    acc = as_frame(accounts, ACCOUNT_COLUMNS)
    return {
        str(a): float(v) / 12.0 if pd.notna(v) else 0.0
        for a, v in zip(acc["account_id"], acc["annual_value"], strict=True)
    }


def goodness(
    ledger: pd.DataFrame, mappings: Mapping[str, MetricMapping], *, strict: bool = False
) -> np.ndarray[Any, Any]:
    """Each ledger row's place among its own metric's reports: the share it is at least as good as.

    1.0 is as good as any report of that metric, 0.03 worse than 97 % of them;
    ties count for the value (a month with no dispute, like most, is 1.0).
    With ``strict``, the share of reports it is strictly better than (a month
    with no dispute, like most, is then near 0: it says nothing good). The
    direction comes from the metric's mapping; the unit never matters.
    """
    out = np.full(len(ledger), np.nan)
    values = pd.to_numeric(ledger["value"], errors="coerce")
    for metric, rows in ledger.groupby("metric", sort=False).indices.items():
        mapping = mappings.get(str(metric))
        lower = mapping is not None and mapping.direction == "lower"
        column = values.iloc[rows]
        column = -column if lower else column
        if strict:
            ranks = column.rank(method="min").to_numpy()
            out[rows] = (ranks - 1) / max(int(column.notna().sum()), 1)
        else:
            out[rows] = column.rank(method="max", pct=True).to_numpy()
    return out


def _months(period: str) -> int:
    return int(period[:4]) * 12 + int(period[5:7])


def detect_kpi_disagreements(
    ledger: pd.DataFrame,
    *,
    accounts: Any,
    employees: Any,
    invoices: Any = None,
    mappings: Mapping[str, MetricMapping] | None = None,
    settings: DetectorSettings | None = None,
) -> list[Conflict]:
    """``kpi_disagreement``: one department sees the account well while others see trouble.

    Every metric is judged against its own reports (:func:`goodness`), so any
    name, unit or direction compares; a department's view of an account and
    month is the mean over its metrics. A month disagrees when at least
    ``kpi_min_departments`` departments are each in their own worst
    ``kpi_tail`` while another reports the account better than at least
    half of its own reports (a count of bad events at zero, like most months,
    says nothing good). One department in trouble alone is its own news (a dispute), and
    months where every department dips are agreement. Runs of at least
    ``kpi_min_months`` consecutive disagreeing months make one conflict, dated
    by its first month.

    Parameters
    ----------
    ledger : pandas.DataFrame
        From :func:`~carpe.analytics.conflicts.ledger.build_ledger`.
    accounts : table
        ``account_id, owner_employee_id, annual_value``.
    employees : table
        ``employee_id, department``.
    invoices : table, optional
        Disputed invoices of the months become evidence and money at stake.
    mappings : mapping of str to MetricMapping, optional
        Each metric's direction (default: higher is better).
    settings : DetectorSettings, optional
        ``kpi_tail``, ``kpi_min_departments``, ``kpi_min_months``, ``owner_only``
        (the department reporting the account well must be its owner's).

    Returns
    -------
    list of Conflict
        Amount at risk: the disputed invoices, else a month of the account's value per month.
    """
    settings = settings or DetectorSettings()
    kpis = ledger[ledger["department"] != CARPE] if not ledger.empty else ledger
    if kpis.empty:
        return []
    kpis = kpis.assign(
        good=goodness(kpis, mappings or {}), above=goodness(kpis, mappings or {}, strict=True)
    )
    views = kpis.groupby(["account_id", "period", "department"], as_index=False, sort=True).agg(
        good=("good", "mean"),
        above=("above", "mean"),
        metric=("metric", "first"),
        value=("value", "first"),
    )
    owners = _owner_departments(accounts, employees)
    views["owner"] = views["department"] == views["account_id"].astype(str).map(owners)
    views["trouble"] = views["good"] <= settings.kpi_tail
    views["well"] = (views["above"] >= 0.5) & (views["owner"] | (not settings.owner_only))
    by_month = views.groupby(["account_id", "period"], sort=False)
    views["troubled"] = by_month["trouble"].transform("sum")
    views["any_well"] = by_month["well"].transform("any")
    bad = views[(views["troubled"] >= settings.kpi_min_departments) & views["any_well"]]
    if bad.empty:
        return []
    monthly = _monthly_value(accounts)
    bills = as_frame(invoices, INVOICE_COLUMNS)
    bills = bills[bills["status"].isin(["disputed"])]
    bills = bills.assign(
        period=month(bills["issued_on"]), account_id=bills["account_id"].astype(str)
    )
    found = []
    for account_id, rows in bad.groupby("account_id", sort=True):
        periods = sorted(set(rows["period"].astype(str)))
        runs: list[list[str]] = []
        for p in periods:
            if runs and _months(p) - _months(runs[-1][-1]) == 1:
                runs[-1].append(p)
            else:
                runs.append([p])
        for run in runs:
            if len(run) < settings.kpi_min_months:
                continue
            these = rows[rows["period"].astype(str).isin(run)]
            owner = these[these["well"]].sort_values("good").iloc[-1]
            trouble = these[these["trouble"]].sort_values("good").drop_duplicates("department")
            words = "; ".join(
                f"{t.department} reports trouble ({t.metric} {t.value:g}, worse than "
                f"{100 * (1 - t.good):.0f} % of its reports)"
                for t in trouble.itertuples(index=False)
            )
            money = bills[(bills["account_id"] == str(account_id)) & bills["period"].isin(run)]
            amount = (
                float(money["amount"].sum())
                if len(money)
                else monthly.get(str(account_id), 0.0) * len(run)
            )
            span = run[0] if len(run) == 1 else f"{run[0]} to {run[-1]}"
            evidence = Evidence(
                invoice_ids=ids(money["invoice_id"]),
                period=run[0],
                detail=(
                    f"{span}: {owner.department} reports the account well "
                    f"({owner.metric} {owner.value:g}); {words}."
                ),
            )
            departments = tuple(sorted({str(owner.department), *map(str, trouble["department"])}))
            found.append(_make("kpi_disagreement", str(account_id), departments, evidence, amount))
    return found
