"""Departments that disagree about an account, and hand-offs that drop the customer."""

from __future__ import annotations

from collections import Counter
from datetime import date
from itertools import groupby
from operator import attrgetter
from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.conflicts.billing import INVOICE_COLUMNS, _make
from carpe.analytics.conflicts.frames import (
    as_frame,
    combined_key,
    day,
    ids,
    key_runs,
    month,
    sorted_codes,
)
from carpe.analytics.conflicts.ledger import CARPE
from carpe.analytics.conflicts.model import Conflict, DetectorSettings, Evidence

ACCOUNT_COLUMNS: Final = (
    "account_id",
    "owner_employee_id",
    "started_on",
    "ended_on",
    "annual_value",
)
EMPLOYEE_COLUMNS: Final = ("employee_id", "department", "left_on")
TOUCHPOINT_COLUMNS: Final = (
    "touchpoint_id",
    "account_id",
    "employee_id",
    "occurred_at",
    "kind",
    "direction",
    "subject",
)


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


def _department_views(ledger: pd.DataFrame, accounts: Any, employees: Any) -> pd.DataFrame:
    """Each department's view of an account and month: its metrics' mean score, its first metric.

    Returns ``account_id, period, department, score, metric, value`` sorted by
    the first three (carpe's own signals left out), with ``owner`` (the account
    owner's department) and ``pair`` (an integer per account and month, in the
    same order). The keys are numbered in their sorted order, so grouping
    works on integers; a department with one metric is its own view.
    """
    kpi = np.flatnonzero(ledger["department"].to_numpy() != CARPE)
    columns = ("account_id", "period", "department")
    coded = [sorted_codes(ledger[c].to_numpy()[kpi]) for c in columns]
    sizes = tuple(len(names) for _, names in coded)
    key = combined_key(tuple(codes for codes, _ in coded), sizes)
    kept = np.flatnonzero(key >= 0)
    order, starts, group = key_runs(key[kept])
    rows = kpi[kept[order]]
    fields = ledger[["score", "metric", "value"]]
    views = fields.iloc[rows[starts]].reset_index(drop=True)
    several = np.flatnonzero(np.diff(np.r_[starts, len(rows)]) > 1)
    if len(several):
        shared = np.isin(group, several)
        means = (
            fields.iloc[rows[shared]]
            .groupby(group[shared])
            .agg(score=("score", "mean"), metric=("metric", "first"), value=("value", "first"))
        )
        for column in ("score", "metric", "value"):
            views.loc[several, column] = means[column].to_numpy()
    account, period, department = np.unravel_index(
        key[kept[order][starts]], tuple(max(n, 1) for n in sizes)
    )
    (_, account_ids), (_, periods), (_, departments) = coded
    owners = _owner_departments(accounts, employees)
    numbers = {d: i for i, d in enumerate(departments.tolist())}
    owner_of = np.array(
        [numbers.get(owners.get(str(a)), -1) for a in account_ids.tolist()], dtype=np.int64
    )
    return views.assign(
        account_id=account_ids[account],
        period=periods[period],
        department=departments[department],
        owner=department == owner_of[account],
        pair=account * max(sizes[1], 1) + period,
    )


def detect_kpi_disagreements(
    ledger: pd.DataFrame,
    *,
    accounts: Any,
    employees: Any,
    invoices: Any = None,
    settings: DetectorSettings | None = None,
) -> list[Conflict]:
    """``kpi_disagreement``: in one account and month, one department healthy, another in trouble.

    By default the healthy one must be the account owner's department (the one
    that believes it knows the account); ``owner_only=False`` accepts any pair.
    carpe's own signals are shown in the ledger but never make a disagreement.

    Parameters
    ----------
    ledger : pandas.DataFrame
        From :func:`~carpe.analytics.conflicts.ledger.build_ledger`.
    accounts : table
        ``account_id, owner_employee_id, annual_value``.
    employees : table
        ``employee_id, department``.
    invoices : table, optional
        Disputed or open invoices of the month become evidence and money at stake.
    settings : DetectorSettings, optional
        ``healthy_at``, ``trouble_at``, ``owner_only``.

    Returns
    -------
    list of Conflict
        Amount at risk: the month's disputed invoices, else a month of the account's value.
    """
    settings = settings or DetectorSettings()
    if ledger.empty:
        return []
    views = _department_views(ledger, accounts, employees)
    healthy = views["score"].to_numpy() >= settings.healthy_at
    if settings.owner_only:
        healthy &= views["owner"].to_numpy()
    trouble = views["score"].to_numpy() < settings.trouble_at
    pairs = views["pair"].to_numpy()
    views = views[np.isin(pairs, np.intersect1d(pairs[healthy], pairs[trouble]))]
    monthly = _monthly_value(accounts)
    pair = ["account_id", "period"]
    bills = as_frame(invoices, INVOICE_COLUMNS)
    bills = bills[bills["status"].isin(["disputed"])]
    bills = bills.assign(period=month(bills["issued_on"]))
    # Only the candidates' months need their disputed invoices.
    candidates = views[pair].drop_duplicates()
    wanted = pd.MultiIndex.from_frame(bills[pair]).isin(pd.MultiIndex.from_frame(candidates))
    disputed = {k: g for k, g in bills[wanted].groupby(pair, sort=False)}
    found = []
    columns = ["pair", "account_id", "period", "department", "score", "metric", "value", "owner"]
    for _, run in groupby(views[columns].itertuples(index=False), key=attrgetter("pair")):
        group = list(run)  # one account and month, by department
        healthy = [
            v
            for v in group
            if v.score >= settings.healthy_at and (v.owner or not settings.owner_only)
        ]
        if not healthy:
            continue
        good = healthy[0]
        bad = [
            v for v in group if v.score < settings.trouble_at and v.department != good.department
        ]
        if not bad:
            continue
        account_id, period = good.account_id, good.period
        money = disputed.get((account_id, period))
        amount = (
            float(money["amount"].sum())
            if money is not None and len(money)
            else monthly.get(str(account_id), 0.0)
        )
        words = "; ".join(f"{b.department} reports trouble ({b.metric} {b.value:g})" for b in bad)
        evidence = Evidence(
            invoice_ids=ids(money["invoice_id"]) if money is not None else (),
            period=str(period),
            detail=f"{good.department} reports healthy ({good.metric} {good.value:g}); "
            + words
            + ".",
        )
        departments = tuple(sorted({str(good.department), *(str(b.department) for b in bad)}))
        found.append(_make("kpi_disagreement", str(account_id), departments, evidence, amount))
    return found


def _thread_order(tp: pd.DataFrame) -> Any:
    """Row positions sorted by ``account_id, subject, at, touchpoint_id`` (blanks last, stable).

    The keys are numbered in their sorted order; touchpoint ids only break
    ties, so only the tied rows' ids are numbered.
    """
    keys = []
    for column in ("account_id", "subject"):
        codes, names = sorted_codes(tp[column])
        keys.append(np.where(codes < 0, len(names), codes))
    at = tp["at"].to_numpy()
    keys.append(np.where(np.isnat(at), np.iinfo(np.int64).max, at.view(np.int64)))
    order = np.lexsort(keys[::-1])
    tie = np.ones(len(order) - 1, dtype=bool) if len(order) else np.zeros(0, dtype=bool)
    for key in keys:
        ranked = key[order]
        tie &= ranked[1:] == ranked[:-1]
    if not tie.any():
        return order
    tied = order[np.r_[False, tie] | np.r_[tie, False]]
    codes, names = sorted_codes(tp["touchpoint_id"].to_numpy()[tied])
    touchpoint = np.zeros(len(tp), dtype=np.int64)
    touchpoint[tied] = np.where(codes < 0, len(names), codes)
    return np.lexsort([touchpoint, *keys[::-1]])


def detect_ticket_gaps(
    touchpoints: Any,
    *,
    accounts: Any,
    employees: Any,
    as_of: date,
    settings: DetectorSettings | None = None,
) -> list[Conflict]:
    """``handoff_gap``: a support ticket closed with no confirmation from the customer.

    A ticket is a thread of touchpoints sharing a subject that starts with
    ``ticket_prefix``. It is closed when its last touchpoint is internal, or
    when it has been quiet for ``ticket_quiet_days``; confirmed when the
    customer wrote (inbound) after the first answer.

    Parameters
    ----------
    touchpoints : table
        :data:`TOUCHPOINT_COLUMNS`, before ``as_of``.
    accounts : table
        ``account_id, ended_on, annual_value``.
    employees : table
        ``employee_id, department``.
    as_of : date
        The run's day.
    settings : DetectorSettings, optional
        ``ticket_prefix``, ``ticket_quiet_days``.

    Returns
    -------
    list of Conflict
        Amount at risk: a month of the account's value.
    """
    settings = settings or DetectorSettings()
    tp = as_frame(touchpoints, TOUCHPOINT_COLUMNS)
    tp = tp[tp["subject"].fillna("").astype(str).str.startswith(settings.ticket_prefix)]
    if tp.empty:
        return []
    # Rows without an account belong to no thread; each thread becomes a run of rows.
    tp = tp[tp["account_id"].notna()]
    tp = tp.assign(at=pd.to_datetime(tp["occurred_at"]))
    tp = tp.iloc[_thread_order(tp)].reset_index(drop=True)
    acc = as_frame(accounts, ACCOUNT_COLUMNS)
    ended = dict(zip(acc["account_id"].astype(str), day(acc["ended_on"]), strict=True))
    staff = as_frame(employees, EMPLOYEE_COLUMNS)
    dept = dict(zip(staff["employee_id"].astype(str), staff["department"], strict=True))
    monthly = _monthly_value(accounts)
    quiet = pd.Timestamp(as_of) - pd.Timedelta(days=settings.ticket_quiet_days)
    account_of, subject_of = tp["account_id"].to_numpy(), tp["subject"].to_numpy()
    new_thread = np.ones(len(tp), dtype=bool)
    new_thread[1:] = (account_of[1:] != account_of[:-1]) | (subject_of[1:] != subject_of[:-1])
    starts = np.flatnonzero(new_thread)
    stops = np.r_[starts[1:], len(tp)]
    group = np.cumsum(new_thread) - 1
    position = np.arange(len(tp)) - starts[group]
    answered = tp["direction"].isin(["outbound", "internal"]).to_numpy()
    first_answer = np.minimum.reduceat(np.where(answered, position, len(tp)), starts)
    after = (tp["direction"] == "inbound").to_numpy() & (position > first_answer[group])
    at = tp["at"].to_numpy()
    # NaT is the smallest int64: the latest time of a thread is NaT only if all of them are.
    last = np.maximum.reduceat(at.view(np.int64), starts).view(at.dtype)
    quiet_since = ~np.isnat(last) & (last < quiet.to_datetime64())
    closed = (tp["direction"].to_numpy()[stops - 1] == "internal") | quiet_since
    threads = np.logical_or.reduceat(answered, starts) & ~np.logical_or.reduceat(after, starts)
    gaps = np.flatnonzero(threads & closed)
    found = []
    for code in sorted(gaps, key=lambda c: (account_of[starts[c]], subject_of[starts[c]])):
        account_id = account_of[starts[code]]
        thread = tp.iloc[starts[code] : stops[code]]
        end = ended.get(str(account_id))
        if (
            end is not None
            and pd.notna(end)
            and end <= pd.Timestamp(last[code]) + pd.Timedelta(days=settings.ticket_quiet_days)
        ):
            continue  # the customer left before they could confirm
        departments = {
            str(dept[str(e)]) for e in thread["employee_id"].dropna() if str(e) in dept
        } or {"Support"}
        evidence = Evidence(
            touchpoint_ids=ids(thread["touchpoint_id"]),
            period=f"{thread['at'].iloc[0]:%Y-%m}",
            detail="Ticket closed with no confirmation from the customer.",
        )
        found.append(
            _make(
                "handoff_gap",
                str(account_id),
                tuple(sorted(departments)),
                evidence,
                monthly.get(str(account_id), 0.0),
            )
        )
    return found


def detect_owner_gaps(
    touchpoints: Any,
    *,
    accounts: Any,
    employees: Any,
    as_of: date,
    settings: DetectorSettings | None = None,
) -> list[Conflict]:
    """``handoff_gap``: an account owner left and the successor never introduced themself.

    For every employee who left (at least ``introduction_days`` before
    ``as_of``), the accounts they served most in their last 180 days, now owned
    by a colleague of the same department, need a touchpoint from that
    successor whose subject has an ``introduction_words`` fragment within
    ``introduction_days`` of the leaving day.

    Parameters
    ----------
    touchpoints : table
        :data:`TOUCHPOINT_COLUMNS`.
    accounts : table
        :data:`ACCOUNT_COLUMNS`.
    employees : table
        :data:`EMPLOYEE_COLUMNS`.
    as_of : date
        The run's day.
    settings : DetectorSettings, optional
        ``introduction_words``, ``introduction_days``.

    Returns
    -------
    list of Conflict
        Amount at risk: the account's annual value (the relationship).
    """
    settings = settings or DetectorSettings()
    staff = as_frame(employees, EMPLOYEE_COLUMNS)
    staff = staff.assign(left=day(staff["left_on"]))
    window = pd.Timedelta(days=settings.introduction_days)
    leavers = staff[staff["left"].notna() & (staff["left"] + window <= pd.Timestamp(as_of))]
    if leavers.empty:
        return []
    dept = dict(zip(staff["employee_id"].astype(str), staff["department"], strict=True))
    acc = as_frame(accounts, ACCOUNT_COLUMNS)
    acc = acc.assign(start=day(acc["started_on"]), end=day(acc["ended_on"]))
    tp = as_frame(touchpoints, TOUCHPOINT_COLUMNS)
    tp = tp.assign(
        at=pd.to_datetime(tp["occurred_at"]),
        employee_id=tp["employee_id"].astype(str),
        account_id=tp["account_id"].astype(str),
    )
    # Row positions per account and employee, and per employee: set-based, no sub-frames.
    at = tp["at"].to_numpy(dtype="datetime64[ns]")
    account_of = tp["account_id"].to_numpy()
    subject_of = tp["subject"].to_numpy()
    by_pair = tp.groupby(["account_id", "employee_id"], sort=False).indices
    by_employee = tp.groupby("employee_id", sort=False).indices
    nothing = np.zeros(0, dtype=np.intp)
    acc = acc.assign(account_id=acc["account_id"].astype(str)).drop_duplicates("account_id")
    acc = acc.set_index("account_id", drop=False)
    words = tuple(w.lower() for w in settings.introduction_words)

    def within(rows: np.ndarray[Any, Any], start: pd.Timestamp, stop: pd.Timestamp) -> Any:
        when = at[rows]
        return rows[(when >= start.to_datetime64()) & (when < stop.to_datetime64())]

    found = []
    for leaver in leavers.itertuples(index=False):
        left = leaver.left
        lookback = left - pd.Timedelta(days=180)
        mine = within(by_employee.get(str(leaver.employee_id), nothing), lookback, left)
        served_by_leaver = Counter(account_of[mine].tolist())
        for account_id in sorted(served_by_leaver):
            if account_id not in acc.index:
                continue
            info = acc.loc[account_id]
            owner = str(info["owner_employee_id"])
            if owner in ("None", "nan", str(leaver.employee_id)):
                continue
            if dept.get(owner) != leaver.department or not info["start"] < left:
                continue
            if pd.notna(info["end"]) and info["end"] <= left + window:
                continue
            theirs = by_pair.get((account_id, owner), nothing)
            if len(within(theirs, lookback, left)) >= served_by_leaver[account_id]:
                continue  # the successor already served the account more than the leaver
            near = within(theirs, left - pd.Timedelta(days=7), left + window)
            subjects = ["" if pd.isna(v) else str(v).lower() for v in subject_of[near].tolist()]
            if any(any(w in s for w in words) for s in subjects):
                continue
            evidence = Evidence(
                employee_ids=(str(leaver.employee_id), owner),
                period=f"{left:%Y-%m}",
                detail=(
                    f"Account owner {leaver.employee_id} left on {left:%Y-%m-%d}; no "
                    f"introduction from {owner} within {settings.introduction_days} days."
                ),
            )
            value = float(info["annual_value"]) if pd.notna(info["annual_value"]) else 0.0
            found.append(
                _make("handoff_gap", account_id, (str(leaver.department),), evidence, value)
            )
    return found
