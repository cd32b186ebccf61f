"""Experience conflicts inside the pipeline: Ibis narrows the tables, the detectors judge.

:class:`ConflictsStep` reads the snapshot's tables through Ibis (the same
expressions on DuckDB and Spark): every row it needs dated before the run's
day, and of the touchpoints only those the detectors look at (ticket threads,
orders placed from quotes, every touchpoint of a department someone left).
The pure detectors of :mod:`carpe.analytics.conflicts` then run on the engine's
output; the report's ledger holds the departments' KPIs (carpe's own signals
never make a conflict, and the pages build the full ledger per account).
Each account's churn risk (early warning's output, computed in the same run or
the latest stored) feeds severity when there is one.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any, Final

import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.conflicts import ConflictReport, DetectorSettings, detect_conflicts
from carpe.analytics.conflicts.handoffs import (
    ACCOUNT_COLUMNS,
    EMPLOYEE_COLUMNS,
    TOUCHPOINT_COLUMNS,
)
from carpe.analytics.pipeline.context import Context
from carpe.analytics.pipeline.risk import RiskResult

NEEDS: Final = {
    "accounts": ACCOUNT_COLUMNS,
    "employees": EMPLOYEE_COLUMNS,
    "touchpoints": TOUCHPOINT_COLUMNS,
    "orders": (
        "order_id",
        "account_id",
        "ordered_at",
        "promised_on",
        "delivered_on",
        "amount",
        "status",
    ),
    "quotes": (
        "quote_id",
        "account_id",
        "employee_id",
        "issued_at",
        "promised_lead_days",
        "price",
        "status",
    ),
    "invoices": (
        "invoice_id",
        "account_id",
        "order_id",
        "issued_on",
        "amount",
        "status",
        "paid_on",
    ),
    "kpis": ("department", "account_id", "period", "metric", "value"),
    "feedback": ("account_id", "received_at", "survey", "score"),
}
"""Snapshot columns the step reads (no note texts)."""


def churn_risk_of(context: Context) -> dict[str, float]:
    """Each account's churn risk from the early-warning output, if any (computed or stored)."""
    risk = context.optional_output(RiskResult)
    accounts = risk.accounts if risk is not None else []
    return {str(a.account_id): float(a.risk) for a in accounts}


def _touchpoints(context: Context, settings: DetectorSettings, cut: datetime) -> pd.DataFrame:
    """Ticket threads, orders placed from quotes, and every touchpoint of a department someone left.

    The hand-off detector judges a department by its own usual gaps between
    contacts, so it needs all of that department's touchpoints (no note texts).
    """
    tp = context.tables["touchpoints"]
    staff = context.tables["employees"]
    before = tp.filter(tp.occurred_at < cut)
    leavers = context.execute(
        staff.filter(staff.left_on.notnull() & (staff.left_on < cut.date())).select("department")
    )
    departments = sorted({str(d) for d in leavers["department"].dropna()})
    subject = before.subject.fill_null("")
    wanted = subject.startswith(settings.ticket_prefix) | subject.contains("(quote ")
    wanted = wanted | before.kind.fill_null("").isin(["ticket", "order"])
    if departments:
        theirs = staff.filter(staff.department.isin(departments)).select("employee_id")
        wanted = wanted | before.employee_id.isin(theirs.employee_id)
    return context.execute(before.filter(wanted).select(list(NEEDS["touchpoints"])))


class ConflictsStep:
    """Find experience conflicts and build the experience ledger as of the run's day.

    Parameters
    ----------
    settings : DetectorSettings, optional
        The detectors' thresholds and KPI mappings.
    """

    def __init__(self, settings: DetectorSettings | None = None) -> None:
        self.settings = settings

    def run(self, context: Context) -> ConflictReport:
        """Detect the conflicts (see :class:`~carpe.analytics.conflicts.ConflictReport`)."""
        settings = self.settings or context.options.conflicts or DetectorSettings()
        cut = datetime.combine(context.options.as_of, time())
        tables: dict[str, Any] = {
            name: context.execute(context.tables[name].select(list(columns)))
            for name, columns in NEEDS.items()
            if name != "touchpoints"
        }
        tables["touchpoints"] = _touchpoints(context, settings, cut)
        return detect_conflicts(
            tables,
            as_of=context.options.as_of,
            settings=settings,
            churn_risk=churn_risk_of(context),
            signals=False,  # the run keeps the conflicts; pages build the ledger per account
        )
