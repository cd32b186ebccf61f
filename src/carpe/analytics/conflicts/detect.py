"""Run every detector on a business's tables as of a day, and rank what they find."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.conflicts.billing import (
    INVOICE_COLUMNS,
    ORDER_COLUMNS,
    detect_billing_returned,
    detect_overbilling,
    detect_repeat_billing,
)
from carpe.analytics.conflicts.frames import as_frame, day
from carpe.analytics.conflicts.gaps import detect_kpi_disagreements
from carpe.analytics.conflicts.handoffs import (
    ACCOUNT_COLUMNS,
    EMPLOYEE_COLUMNS,
    TOUCHPOINT_COLUMNS,
    detect_dropped_reopens,
    detect_owner_gaps,
)
from carpe.analytics.conflicts.ledger import build_ledger, carpe_signals, infer_mappings
from carpe.analytics.conflicts.model import (
    Conflict,
    DetectorSettings,
    MetricMapping,
    score_severity,
)
from carpe.analytics.conflicts.promises import (
    QUOTE_COLUMNS,
    detect_lead_time_promises,
    detect_price_promises,
)
from carpe.vocabulary import CONFLICT_TYPES


@dataclass(frozen=True, slots=True)
class ConflictReport:
    """What the detectors found.

    Attributes
    ----------
    as_of : date
        Only what happened before this day was used.
    conflicts : list of Conflict
        Most severe first (ties by id), one per ``conflict_id``.
    ledger : pandas.DataFrame
        The experience ledger (see :func:`~carpe.analytics.conflicts.ledger.build_ledger`).
    mappings : dict of str to MetricMapping
        How each department metric was mapped onto the ledger's scale.
    """

    as_of: date
    conflicts: list[Conflict]
    ledger: pd.DataFrame
    mappings: dict[str, MetricMapping] = field(default_factory=dict)

    def by_type(self) -> dict[str, int]:
        """Conflicts per type (every type, zeros included)."""
        counts: dict[str, int] = dict.fromkeys(CONFLICT_TYPES, 0)
        for c in self.conflicts:
            counts[c.type] = counts.get(c.type, 0) + 1
        return counts


def _before(frame: pd.DataFrame, column: str, as_of: pd.Timestamp) -> pd.DataFrame:
    if frame.empty or column not in frame.columns:
        return frame
    return frame[pd.to_datetime(frame[column], errors="coerce") < as_of]


def _unknown_after(frame: pd.DataFrame, column: str, as_of: pd.Timestamp) -> pd.DataFrame:
    if frame.empty or column not in frame.columns:
        return frame
    later = day(frame[column]) >= as_of
    if not bool(later.any()):
        return frame
    frame = frame.copy()
    if pd.api.types.is_datetime64_any_dtype(frame[column]):
        frame[column] = frame[column].where(~later)  # NaT: stays a datetime column
    else:
        frame[column] = frame[column].astype(object).where(~later, None)
    return frame


def as_of_tables(tables: Mapping[str, Any], as_of: date) -> dict[str, pd.DataFrame]:
    """The tables as known at the start of ``as_of``: later rows dropped, later dates blanked.

    Parameters
    ----------
    tables : mapping of str to table
        ``accounts, employees, touchpoints, orders, quotes, invoices, kpis, feedback``
        (pandas, Arrow or Ibis; missing ones are empty).
    as_of : date
        The day.

    Returns
    -------
    dict of str to pandas.DataFrame
        The same names.
    """
    cut = pd.Timestamp(as_of)
    columns = {
        "accounts": ACCOUNT_COLUMNS,
        "employees": EMPLOYEE_COLUMNS,
        "touchpoints": TOUCHPOINT_COLUMNS,
        "orders": ORDER_COLUMNS,
        "quotes": QUOTE_COLUMNS,
        "invoices": INVOICE_COLUMNS,
        "kpis": ("department", "account_id", "period", "metric", "value"),
        "feedback": ("account_id", "received_at", "survey", "score"),
    }
    known = {name: as_frame(tables.get(name), cols) for name, cols in columns.items()}
    known["accounts"] = _unknown_after(
        _before(known["accounts"], "started_on", cut), "ended_on", cut
    )
    known["employees"] = _unknown_after(known["employees"], "left_on", cut)
    known["touchpoints"] = _before(known["touchpoints"], "occurred_at", cut)
    known["orders"] = _unknown_after(
        _before(known["orders"], "ordered_at", cut), "delivered_on", cut
    )
    known["quotes"] = _before(known["quotes"], "issued_at", cut)
    known["invoices"] = _unknown_after(_before(known["invoices"], "issued_on", cut), "paid_on", cut)
    known["feedback"] = _before(known["feedback"], "received_at", cut)
    kpis = known["kpis"]
    if not kpis.empty:
        periods = kpis["period"].astype(str)
        # Few distinct periods (months, weeks): parse each once.
        start_of = {p: pd.to_datetime(p[:7] + "-01", errors="coerce") for p in periods.unique()}
        known["kpis"] = kpis[(periods.map(start_of) < cut).to_numpy()]
    return known


def _signals(t: Mapping[str, pd.DataFrame], sentiment: pd.DataFrame | None) -> pd.DataFrame:
    signals = carpe_signals(
        touchpoints=t["touchpoints"] if sentiment is None else None,
        orders=t["orders"],
        invoices=t["invoices"],
        feedback=t["feedback"],
    )
    if sentiment is None or sentiment.empty:
        return signals
    extra = sentiment.assign(department="carpe", metric="sentiment")
    columns = ["account_id", "period", "department", "metric", "value"]
    return pd.concat([extra[columns], signals[columns]], ignore_index=True)


def detect_conflicts(
    tables: Mapping[str, Any],
    *,
    as_of: date,
    settings: DetectorSettings | None = None,
    churn_risk: Mapping[str, float] | None = None,
    types: Iterable[str] | None = None,
    sentiment: pd.DataFrame | None = None,
    signals: bool = True,
) -> ConflictReport:
    """Find every experience conflict in a business's tables as of a day.

    Parameters
    ----------
    tables : mapping of str to table
        See :func:`as_of_tables`.
    as_of : date
        Use only what happened before this day.
    settings : DetectorSettings, optional
        Thresholds and KPI mappings.
    churn_risk : mapping of str to float, optional
        Each account's probability of leaving (from early warning), for severity.
    types : iterable of str, optional
        Run only these detectors (default: all of :data:`CONFLICT_TYPES`).
    sentiment : pandas.DataFrame, optional
        carpe's monthly sentiment per account already aggregated (``account_id,
        period, value``); by default it is computed from the touchpoints.
    signals : bool, default True
        Put carpe's own signals (sentiment, late deliveries, disputes, survey
        answers) in the report's ledger beside the departments' KPIs. They never
        make a conflict: leave them out when only the conflicts are wanted.

    Returns
    -------
    ConflictReport
        Conflicts, most severe first, and the experience ledger.

    Examples
    --------
    >>> report = detect_conflicts({}, as_of=date(2026, 1, 1))
    >>> report.conflicts
    []
    """
    settings = settings or DetectorSettings()
    wanted = set(CONFLICT_TYPES if types is None else types)
    unknown = wanted - set(CONFLICT_TYPES)
    if unknown:
        raise ValueError(f"unknown conflict type(s): {', '.join(sorted(unknown))}")
    t = as_of_tables(tables, as_of)
    mappings = infer_mappings(t["kpis"], settings.mappings)
    ledger = build_ledger(
        t["kpis"],
        signals=_signals(t, sentiment) if signals else None,
        mappings=mappings,
        settings=settings,
    )
    found: list[Conflict] = []
    if wanted & {"duplicate_invoice", "backbilling"}:
        found += detect_repeat_billing(t["invoices"], settings, t["orders"])
    if "overbilling" in wanted:
        found += detect_overbilling(t["invoices"], t["orders"], settings)
    if "billing_returned" in wanted:
        found += detect_billing_returned(t["invoices"], t["orders"], settings)
    if "promise_lead_time" in wanted:
        found += detect_lead_time_promises(
            t["quotes"], t["orders"], t["touchpoints"], t["employees"], settings
        )
    if "promise_price" in wanted:
        found += detect_price_promises(
            t["quotes"], t["invoices"], t["touchpoints"], t["orders"], t["employees"], settings
        )
    if "kpi_disagreement" in wanted:
        found += detect_kpi_disagreements(
            ledger,
            accounts=t["accounts"],
            employees=t["employees"],
            invoices=t["invoices"],
            mappings=mappings,
            settings=settings,
        )
    if "handoff_gap" in wanted:
        common = {"accounts": t["accounts"], "employees": t["employees"], "as_of": as_of}
        found += detect_dropped_reopens(t["touchpoints"], settings=settings, **common)
        found += detect_owner_gaps(t["touchpoints"], settings=settings, **common)
    accounts = t["accounts"]
    values = dict(zip(accounts["account_id"].astype(str), accounts["annual_value"], strict=True))
    risk = dict(churn_risk or {})
    unique: dict[str, Conflict] = {}
    for c in found:
        if c.type not in wanted or c.conflict_id in unique:
            continue
        value = values.get(c.account_id)
        severity = score_severity(
            c.amount_at_risk,
            float(value) if value is not None and pd.notna(value) else None,
            risk.get(c.account_id),
        )
        unique[c.conflict_id] = replace(c, severity=severity)
    ranked = sorted(unique.values(), key=lambda c: (-c.severity, c.conflict_id))
    return ConflictReport(as_of, ranked, ledger, mappings)
