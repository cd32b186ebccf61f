"""What a conflict is: its evidence, money, severity and stable id; the detectors' settings."""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass, field
from typing import Final

COUNT_KEEP: Final = 0.35
"""Share of the ledger score a ``count`` metric keeps per bad event."""
SEVERITY_LABELS: Final = (("high", 0.6), ("medium", 0.3), ("low", 0.0))


@dataclass(frozen=True, slots=True)
class Evidence:
    """What proves a conflict: the rows involved and the period it happened in.

    Attributes
    ----------
    invoice_ids, order_ids, quote_ids, touchpoint_ids, employee_ids : tuple of str
        Ids of the rows involved (sorted).
    period : str or None
        Month of the conflict, ``YYYY-MM``.
    detail : str
        One sentence saying what is wrong.
    """

    invoice_ids: tuple[str, ...] = ()
    order_ids: tuple[str, ...] = ()
    quote_ids: tuple[str, ...] = ()
    touchpoint_ids: tuple[str, ...] = ()
    employee_ids: tuple[str, ...] = ()
    period: str | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        """The evidence as JSON-ready data."""
        return {
            "invoice_ids": list(self.invoice_ids),
            "order_ids": list(self.order_ids),
            "quote_ids": list(self.quote_ids),
            "touchpoint_ids": list(self.touchpoint_ids),
            "employee_ids": list(self.employee_ids),
            "period": self.period,
            "detail": self.detail,
        }


@dataclass(frozen=True, slots=True)
class Conflict:
    """One experience conflict found by a detector.

    Attributes
    ----------
    conflict_id : str
        Stable across re-runs: derived from the type, the account and the evidence ids.
    type : str
        One of :data:`carpe.vocabulary.CONFLICT_TYPES`.
    account_id : str
        The account it concerns.
    departments : tuple of str
        Departments involved (sorted).
    evidence : Evidence
        Rows that prove it.
    amount_at_risk : float
        Money wrongly billed, or revenue at stake.
    severity : float
        0..1, combining the money at stake and the account's churn risk.
    """

    conflict_id: str
    type: str
    account_id: str
    departments: tuple[str, ...]
    evidence: Evidence
    amount_at_risk: float
    severity: float = 0.0

    @property
    def severity_label(self) -> str:
        """``high``, ``medium`` or ``low``."""
        return severity_label(self.severity)


def severity_label(severity: float) -> str:
    """Word for a severity score.

    Parameters
    ----------
    severity : float
        A score in 0..1.

    Returns
    -------
    str
        ``high`` (≥ 0.6), ``medium`` (≥ 0.3) or ``low``.
    """
    for label, floor in SEVERITY_LABELS:
        if severity >= floor:
            return label
    return "low"


def conflict_id(kind: str, account_id: str, evidence: Evidence) -> str:
    """A stable id for a conflict: the same type, account and evidence ids give the same id.

    Parameters
    ----------
    kind : str
        The conflict type.
    account_id : str
        The account.
    evidence : Evidence
        Its evidence (ids and period; the detail text is ignored).

    Returns
    -------
    str
        ``CF`` and 16 hex digits.

    Examples
    --------
    >>> conflict_id("overbilling", "A1", Evidence(invoice_ids=("I1",)))[:2]
    'CF'
    """
    key = "|".join(
        [
            kind,
            account_id,
            ",".join(evidence.invoice_ids),
            ",".join(evidence.order_ids),
            ",".join(evidence.quote_ids),
            ",".join(evidence.touchpoint_ids),
            ",".join(evidence.employee_ids),
            evidence.period or "",
        ]
    )
    return "CF" + hashlib.sha256(key.encode()).hexdigest()[:16].upper()


def score_severity(amount: float, annual_value: float | None, churn_risk: float | None) -> float:
    """Severity in 0..1 from the money at stake and the account's churn risk.

    The money part is the amount against a month of the account's value (or
    against 10,000 when the value is unknown), on a log scale; the two parts
    combine like independent chances: ``1 - (1 - money) * (1 - risk)``.

    Parameters
    ----------
    amount : float
        Money at stake.
    annual_value : float or None
        The account's annual value.
    churn_risk : float or None
        Probability of leaving within the horizon (0.1 when unknown).

    Returns
    -------
    float
        Rounded to 4 decimals.

    Examples
    --------
    >>> score_severity(0.0, 12000.0, 0.0)
    0.0
    """
    month = (annual_value / 12.0) if annual_value and annual_value > 0 else 10_000.0 / 12.0
    money = min(1.0, math.log1p(max(amount, 0.0) / month) / math.log(4.0))
    risk = 0.1 if churn_risk is None or math.isnan(churn_risk) else min(max(churn_risk, 0.0), 1.0)
    return round(1.0 - (1.0 - 0.8 * money) * (1.0 - risk), 4)


@dataclass(frozen=True, slots=True)
class MetricMapping:
    """How one department metric maps onto the experience ledger's 0..100 scale.

    Attributes
    ----------
    metric : str
        The metric's name as the department reports it.
    direction : {"higher", "lower"}
        Whether a higher value means a healthier account.
    low, high : float
        The metric's range: ``low`` maps to 0 (``higher``) or 100 (``lower``).
    transform : {"linear", "count"}
        ``linear`` scales between ``low`` and ``high``; ``count`` (for counts of
        bad events) halves the score with every event: 1 → 50, 2 → 25.
    inferred : bool
        Whether carpe guessed it from the data (False when configured).
    """

    metric: str
    direction: str = "higher"
    low: float = 0.0
    high: float = 100.0
    transform: str = "linear"
    inferred: bool = False

    def score(self, value: float) -> float:
        """The value on the 0..100 scale (100 = as healthy as it gets)."""
        if self.transform == "count":
            usual = self.high if self.direction == "lower" else self.low
            bad = max(value - usual, 0.0) if self.direction == "lower" else max(usual - value, 0.0)
            return round(100.0 * float(COUNT_KEEP**bad), 4)
        span = self.high - self.low
        if span <= 0:
            return 50.0
        share = (value - self.low) / span
        if self.direction == "lower":
            share = 1.0 - share
        return round(100.0 * min(max(share, 0.0), 1.0), 4)


@dataclass(frozen=True, slots=True)
class DetectorSettings:
    """Thresholds of the detectors (defaults suit most businesses).

    Attributes
    ----------
    duplicate_days : int
        The same amount invoiced again for one order within this many days is
        a duplicate, paid or not (a clerical repeat under a new number).
    duplicate_window_days : int
        ... and up to this many days when the first was not paid yet.
    amount_tolerance : float
        Relative tolerance before an amount counts as above another (rounding).
    lead_time_ratio : float
        A quote promising less than this share of the delivered lead time is a
        broken promise.
    lead_time_min_gap_days : float
        ... and by at least this many days.
    price_spread_z : float
        ``promise_price``: an invoice above its quote by more than the
        business's usual band (the median excess of invoiced over quoted plus
        this many robust standard deviations, 1.4826 × MAD; at least
        ``amount_tolerance``) breaks the quote; estimates within it do not.
    lead_time_slip_z : float
        A won quote's own orders delivered later than promised by more than
        the median slip of the business's quotes plus this many robust
        standard deviations (1.4826 × MAD) broke the promise ...
    lead_time_keep_z : float
        ... while own orders that slipped no more than the median plus this
        many robust standard deviations kept it (the account's usual lead
        time notwithstanding).
    lead_time_min_orders : int
        Delivered orders needed to know an account's lead time (else: everyone's).
    ticket_prefix : str
        Subject prefix of support-ticket threads (touchpoints of kind ``ticket``
        are tickets whatever their subject).
    handoff_min_days : int
        After an account owner leaves, the new side (the account's owner now, or
        anyone of their department) has at least this many days to contact the
        customer.
    handoff_usual_quantile : float
        ... or longer: this quantile of the owner department's own gaps between
        two contacts with an account (a customer notices silence longer than the
        silence they are used to).
    reopen_min_days : int
        A ticket the customer reopens or complains about after it was answered
        is a ``handoff_gap`` when it is left unanswered at least this long ...
    reopen_usual_quantile : float
        ... and longer than this quantile of the business's own waits between a
        customer's ticket message and the next answer.
    kpi_tail : float
        ``kpi_disagreement``: a department reports trouble when its metric is
        worse than all but this share of its own reports (each metric judged
        against itself: any name, unit or direction).
    kpi_min_departments : int
        ... at least this many departments at once, while another reports
        the account at or above its own median.
    kpi_min_months : int
        ... in at least this many consecutive months.
    healthy_at, trouble_at : float
        Bands on the experience ledger's 0..100 scale: healthy at or above
        ``healthy_at``, in trouble below ``trouble_at``.
    owner_only : bool
        ``kpi_disagreement`` only when the account owner's department is the
        one reporting the account well (default: any department).
    """

    duplicate_days: int = 14
    duplicate_window_days: int = 45
    amount_tolerance: float = 0.01
    lead_time_ratio: float = 0.7
    lead_time_min_gap_days: float = 0.5
    lead_time_min_orders: int = 2
    lead_time_slip_z: float = 5.0
    lead_time_keep_z: float = 3.0
    price_spread_z: float = 3.0
    ticket_prefix: str = "Ticket "
    handoff_min_days: int = 30
    handoff_usual_quantile: float = 0.5
    reopen_min_days: int = 14
    reopen_usual_quantile: float = 0.99
    kpi_tail: float = 0.05
    kpi_min_departments: int = 2
    kpi_min_months: int = 2
    healthy_at: float = 70.0
    trouble_at: float = 40.0
    owner_only: bool = False
    mappings: dict[str, MetricMapping] = field(default_factory=dict)
