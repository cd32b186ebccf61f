"""Billing forensics: duplicate invoices, over-billing, back-billing, billing returned goods."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.conflicts.frames import as_frame, day, ids, month_of
from carpe.analytics.conflicts.model import Conflict, DetectorSettings, Evidence, conflict_id

INVOICE_COLUMNS: Final = (
    "invoice_id",
    "account_id",
    "order_id",
    "issued_on",
    "amount",
    "status",
    "paid_on",
)
ORDER_COLUMNS: Final = (
    "order_id",
    "account_id",
    "ordered_at",
    "promised_on",
    "delivered_on",
    "amount",
    "status",
)


def _make(
    kind: str, account_id: str, departments: tuple[str, ...], evidence: Evidence, amount: float
) -> Conflict:
    return Conflict(
        conflict_id=conflict_id(kind, account_id, evidence),
        type=kind,
        account_id=account_id,
        departments=tuple(sorted(departments)),
        evidence=evidence,
        amount_at_risk=round(float(amount), 2),
    )


def _billed(invoices: Any) -> pd.DataFrame:
    """Invoices that are not void, with their ``issued`` and ``paid`` days, in the table's order."""
    frame = as_frame(invoices, INVOICE_COLUMNS)
    frame = frame[frame["status"].fillna("open") != "void"].copy()
    frame["issued"] = day(frame["issued_on"])
    frame["paid"] = day(frame["paid_on"])
    return frame


def _in_issue_order(frame: pd.DataFrame) -> pd.DataFrame:
    # A stable sort: any subset of the invoices keeps the order it has in the sorted
    # whole, so sorting only the rows a detector keeps gives the same order, for less.
    return frame.sort_values(["issued", "invoice_id"], kind="stable")


def detect_repeat_billing(
    invoices: Any, settings: DetectorSettings | None = None
) -> list[Conflict]:
    """``duplicate_invoice`` and ``backbilling``: one order invoiced more than once.

    For each order with two or more invoices (void ones ignored), every later
    invoice is compared with the first: issued after the first was paid, it is
    back-billing; issued within ``duplicate_window_days`` (and before any
    payment), a duplicate. Invoices without an order count as duplicates when
    the same account gets the same amount twice within a week.

    Parameters
    ----------
    invoices : table
        :data:`INVOICE_COLUMNS`.
    settings : DetectorSettings, optional
        ``duplicate_window_days``.

    Returns
    -------
    list of Conflict
        Amount at risk: the repeated invoice's amount.
    """
    settings = settings or DetectorSettings()
    billed = _billed(invoices)
    found: list[Conflict] = []
    with_order = billed[billed["order_id"].notna()]
    codes, _ = pd.factorize(with_order["order_id"].to_numpy())
    repeated = _in_issue_order(with_order[np.bincount(codes)[codes] > 1])  # orders billed twice
    for order_id, group in repeated.groupby("order_id", sort=True):
        first, *rest = group.itertuples(index=False)
        for later in rest:
            evidence_ids = ids([first.invoice_id, later.invoice_id])
            paid_before = pd.notna(first.paid) and first.paid < later.issued
            gap = (later.issued - first.issued).days
            if paid_before:
                kind, detail = "backbilling", "An order billed again after it was paid."
            elif gap <= settings.duplicate_window_days:
                kind, detail = (
                    "duplicate_invoice",
                    f"The same order invoiced twice {gap} days apart.",
                )
            else:
                continue
            evidence = Evidence(
                invoice_ids=evidence_ids,
                order_ids=(str(order_id),),
                period=month_of(later.issued),
                detail=detail,
            )
            found.append(_make(kind, str(first.account_id), ("Billing",), evidence, later.amount))
    loose = _in_issue_order(billed[billed["order_id"].isna()])
    for (account_id, amount), group in loose.groupby(["account_id", "amount"], sort=True):
        issued = group["issued"].tolist()
        for i in range(1, len(group)):
            if (issued[i] - issued[i - 1]).days <= 7:
                evidence = Evidence(
                    invoice_ids=ids(group["invoice_id"].iloc[i - 1 : i + 1]),
                    period=month_of(issued[i]),
                    detail="The same amount invoiced twice within a week.",
                )
                found.append(
                    _make("duplicate_invoice", str(account_id), ("Billing",), evidence, amount)
                )
    return found


def detect_overbilling(
    invoices: Any, orders: Any, settings: DetectorSettings | None = None
) -> list[Conflict]:
    """``overbilling``: an invoice above its order's amount.

    Parameters
    ----------
    invoices : table
        :data:`INVOICE_COLUMNS`.
    orders : table
        :data:`ORDER_COLUMNS`.
    settings : DetectorSettings, optional
        ``amount_tolerance`` (rounding).

    Returns
    -------
    list of Conflict
        Amount at risk: the excess.
    """
    settings = settings or DetectorSettings()
    billed = _billed(invoices)
    order_frame = as_frame(orders, ORDER_COLUMNS)[["order_id", "amount"]]
    joined = billed.merge(order_frame, on="order_id", suffixes=("", "_order"))
    limit = joined["amount_order"] * (1 + settings.amount_tolerance) + 0.01
    over = _in_issue_order(joined[joined["amount"] > limit])
    found = []
    for row in over.itertuples(index=False):
        excess = float(row.amount) - float(row.amount_order)
        evidence = Evidence(
            invoice_ids=(str(row.invoice_id),),
            order_ids=(str(row.order_id),),
            period=month_of(row.issued),
            detail=f"Invoiced {row.amount:,.2f} for an order of {row.amount_order:,.2f}.",
        )
        found.append(
            _make("overbilling", str(row.account_id), ("Billing", "Operations"), evidence, excess)
        )
    return found


def detect_billing_returned(invoices: Any, orders: Any) -> list[Conflict]:
    """``billing_returned``: an invoice (not void) for a returned or cancelled order.

    Parameters
    ----------
    invoices : table
        :data:`INVOICE_COLUMNS`.
    orders : table
        :data:`ORDER_COLUMNS`.

    Returns
    -------
    list of Conflict
        Amount at risk: the invoice's amount.
    """
    billed = _billed(invoices)
    order_frame = as_frame(orders, ORDER_COLUMNS)
    gone = order_frame[order_frame["status"].isin(["returned", "cancelled"])]
    joined = billed.merge(gone[["order_id", "status"]], on="order_id", suffixes=("", "_order"))
    joined = _in_issue_order(joined)
    found = []
    for row in joined.itertuples(index=False):
        evidence = Evidence(
            invoice_ids=(str(row.invoice_id),),
            order_ids=(str(row.order_id),),
            period=month_of(row.issued),
            detail=f"An order {row.status_order} was billed {row.amount:,.2f}.",
        )
        found.append(
            _make(
                "billing_returned",
                str(row.account_id),
                ("Billing", "Operations"),
                evidence,
                row.amount,
            )
        )
    return found
