"""The experience ledger of one account and month: every department's view side by side.

Reads the account's KPIs and carpe's own signals for the month from the store,
maps them with :mod:`carpe.analytics.conflicts.ledger` (each metric's mapping
inferred from a sample of every account's values, or configured) and lists the
month's conflicts alongside.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Final

import pandas as pd  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session

from carpe.analytics.conflicts import build_ledger, carpe_signals, infer_mappings
from carpe.analytics.conflicts.ledger import period_month
from carpe.errors import NotFoundError, UsageError
from carpe.services.conflicts import ConflictView, list_conflicts
from carpe.services.permissions import Viewer, require_actor
from carpe.store.models import Account, Feedback, Invoice, Kpi, Order, Touchpoint

MAPPING_SAMPLE: Final = 50_000
"""KPI values read to infer each metric's mapping."""


@dataclass(frozen=True, slots=True)
class LedgerMetric:
    """One metric as a department reports it, and on the shared scale."""

    metric: str
    value: float
    score: float
    state: str


@dataclass(frozen=True, slots=True)
class LedgerColumn:
    """One department's view of an account in a month."""

    department: str
    score: float
    state: str
    metrics: list[LedgerMetric]


@dataclass(frozen=True, slots=True)
class LedgerView:
    """The experience ledger of one account and month: every department side by side."""

    account_id: str
    account_name: str
    period: str | None
    periods: list[str]
    columns: list[LedgerColumn]
    conflicts: list[ConflictView]


def _month_range(period: str) -> tuple[datetime, datetime]:
    start = datetime.strptime(period + "-01", "%Y-%m-%d")
    end = datetime(start.year + (start.month == 12), start.month % 12 + 1, 1)
    return start, end


def _frame(session: Session, query: Any) -> pd.DataFrame:
    result = session.execute(query)
    return pd.DataFrame(result.all(), columns=list(result.keys()))


def account_ledger(
    *,
    session: Session,
    account_id: str,
    period: str | None = None,
    viewer: Viewer,
) -> LedgerView:
    """Each department's view of an account in one month, on the experience ledger's scale.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session on the store.
    account_id : str
        The account.
    period : str, optional
        ``YYYY-MM``; default the latest month with KPIs.
    viewer : Viewer
        Who asks: the conflicts listed alongside are those they may see.

    Returns
    -------
    LedgerView
        Departments sorted by name, carpe's own signals last.

    Raises
    ------
    NotFoundError
        For an unknown account.
    UsageError
        For a period that is not ``YYYY-MM``.
    """
    require_actor(viewer)
    account = session.get(Account, account_id)
    if account is None:
        raise NotFoundError("account", account_id)
    kpis = _frame(
        session,
        select(Kpi.department, Kpi.account_id, Kpi.period, Kpi.metric, Kpi.value).where(
            Kpi.account_id == account_id
        ),
    )
    periods = sorted({period_month(p) for p in kpis["period"]}, reverse=True) if len(kpis) else []
    chosen = period or (periods[0] if periods else None)
    columns: list[LedgerColumn] = []
    if chosen is not None:
        try:
            start, end = _month_range(chosen)
        except ValueError:
            raise UsageError(f"period must be YYYY-MM, not {chosen!r}") from None
        metrics = sorted(set(kpis["metric"])) if len(kpis) else []
        sample = _frame(
            session,
            select(Kpi.metric, Kpi.value).where(Kpi.metric.in_(metrics)).limit(MAPPING_SAMPLE),
        )
        signals = carpe_signals(
            touchpoints=_frame(
                session,
                select(Touchpoint.account_id, Touchpoint.occurred_at, Touchpoint.sentiment).where(
                    Touchpoint.account_id == account_id,
                    Touchpoint.occurred_at >= start,
                    Touchpoint.occurred_at < end,
                ),
            ),
            orders=_frame(
                session,
                select(Order.account_id, Order.promised_on, Order.delivered_on).where(
                    Order.account_id == account_id,
                    Order.delivered_on >= start.date(),
                    Order.delivered_on < end.date(),
                ),
            ),
            invoices=_frame(
                session,
                select(Invoice.account_id, Invoice.issued_on, Invoice.status).where(
                    Invoice.account_id == account_id,
                    Invoice.issued_on >= start.date(),
                    Invoice.issued_on < end.date(),
                ),
            ),
            feedback=_frame(
                session,
                select(
                    Feedback.account_id, Feedback.received_at, Feedback.survey, Feedback.score
                ).where(
                    Feedback.account_id == account_id,
                    Feedback.received_at >= start,
                    Feedback.received_at < end,
                ),
            ),
        )
        in_month = kpis[kpis["period"].map(period_month) == chosen] if len(kpis) else kpis
        ledger = build_ledger(in_month, signals=signals, mappings=infer_mappings(sample))
        ledger = ledger[ledger["period"] == chosen]
        for department, group in ledger.groupby("department", sort=True):
            score = float(group["score"].mean())
            states = set(group["state"])
            state = (
                "trouble"
                if "trouble" in states
                else "healthy"
                if states == {"healthy"}
                else "watch"
            )
            columns.append(
                LedgerColumn(
                    str(department),
                    round(score, 1),
                    state,
                    [
                        LedgerMetric(str(r.metric), float(r.value), float(r.score), str(r.state))
                        for r in group.itertuples(index=False)
                    ],
                )
            )
        columns.sort(key=lambda c: (c.department == "carpe", c.department))
    found = list_conflicts(session=session, viewer=viewer, account_id=account_id)
    return LedgerView(
        account_id=account.account_id,
        account_name=account.name,
        period=chosen,
        periods=periods,
        columns=columns,
        conflicts=[c for c in found if chosen is None or c.period == chosen],
    )
