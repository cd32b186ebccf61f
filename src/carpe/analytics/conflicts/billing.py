"""Billing forensics: duplicate invoices, over-billing, back-billing, billing returned goods."""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.conflicts.frames import as_frame, day, ids, month_of
from carpe.analytics.conflicts.model import Conflict, DetectorSettings, Evidence, conflict_id
from carpe.vocabulary import BILLING_DEPARTMENT, OPERATIONS_DEPARTMENT

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


def _order_amounts(orders: Any) -> dict[str, float]:
    frame = as_frame(orders, ORDER_COLUMNS)
    amounts = pd.to_numeric(frame["amount"], errors="coerce")
    return {
        str(o): float(v)
        for o, v in zip(frame["order_id"], amounts, strict=True)
        if pd.notna(o) and pd.notna(v)
    }


def detect_repeat_billing(
    invoices: Any, settings: DetectorSettings | None = None, orders: Any = None
) -> list[Conflict]:
    """``duplicate_invoice`` and ``backbilling``: one order billed more than once.

    For each order with two or more invoices (void ones ignored), the order
    must be billed more than its amount in all (credit notes, negative
    invoices, count against it; partial invoices that add up to the order are
    no conflict). Then every later invoice of the same amount as an earlier
    one (within ``amount_tolerance``) is a repeat: within ``duplicate_days``
    of it, a duplicate (a new number, a shifted date), paid or not; later,
    after the earlier one was paid, back-billing; later but before any
    payment and within ``duplicate_window_days``, a duplicate too. Invoices
    without an order are never compared: two items on the same day for the
    same fee are ordinary.

    Parameters
    ----------
    invoices : table
        :data:`INVOICE_COLUMNS`.
    settings : DetectorSettings, optional
        ``duplicate_days``, ``duplicate_window_days``, ``amount_tolerance``.
    orders : table, optional
        :data:`ORDER_COLUMNS`: each order's amount (without it, an order is
        over-billed as soon as it has two invoices of the same amount).

    Returns
    -------
    list of Conflict
        Amount at risk: the repeated invoice's amount.
    """
    settings = settings or DetectorSettings()
    billed = _billed(invoices)
    billed = billed.assign(amount=pd.to_numeric(billed["amount"], errors="coerce"))
    amounts = _order_amounts(orders) if orders is not None else {}
    found: list[Conflict] = []
    with_order = billed[billed["order_id"].notna()]
    codes, _ = pd.factorize(with_order["order_id"].to_numpy())
    repeated = _in_issue_order(with_order[np.bincount(codes)[codes] > 1])  # orders billed twice
    tolerance = settings.amount_tolerance
    for order_id, group in repeated.groupby("order_id", sort=True):
        ordered = amounts.get(str(order_id))
        if ordered is not None and group["amount"].sum() <= ordered * (1 + tolerance) + 0.01:
            continue  # partial invoices, credit notes: the order is not billed twice
        rows = list(group[group["amount"] > 0].itertuples(index=False))
        for n, later in enumerate(rows[1:], start=1):
            same = [
                e
                for e in rows[:n]
                if abs(e.amount - later.amount) <= tolerance * max(abs(e.amount), 1.0) + 0.01
            ]
            if not same:
                continue
            first = same[-1]
            gap = (later.issued - first.issued).days
            paid_before = pd.notna(first.paid) and first.paid < later.issued
            if gap <= settings.duplicate_days:
                kind = "duplicate_invoice"
                detail = f"The same order invoiced twice {gap} days apart, under a new number."
            elif paid_before:
                kind = "backbilling"
                detail = f"An order billed again {gap} days after it was first billed and paid."
            elif gap <= settings.duplicate_window_days:
                kind = "duplicate_invoice"
                detail = f"The same order invoiced twice {gap} days apart, before any payment."
            else:
                continue
            evidence = Evidence(
                invoice_ids=ids([first.invoice_id, later.invoice_id]),
                order_ids=(str(order_id),),
                period=month_of(later.issued),
                detail=detail,
            )
            found.append(
                _make(kind, str(first.account_id), (BILLING_DEPARTMENT,), evidence, later.amount)
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
            _make(
                "overbilling",
                str(row.account_id),
                (BILLING_DEPARTMENT, OPERATIONS_DEPARTMENT),
                evidence,
                excess,
            )
        )
    return found


def detect_billing_returned(
    invoices: Any, orders: Any, settings: DetectorSettings | None = None
) -> list[Conflict]:
    """``billing_returned``: a returned or cancelled order still billed.

    The order's invoices (void ones ignored) are added up, credit notes
    (negative invoices) included: what is left above ``amount_tolerance`` of
    the order's amount is still billed.

    Parameters
    ----------
    invoices : table
        :data:`INVOICE_COLUMNS`.
    orders : table
        :data:`ORDER_COLUMNS`.
    settings : DetectorSettings, optional
        ``amount_tolerance``.

    Returns
    -------
    list of Conflict
        Amount at risk: what is still billed.
    """
    settings = settings or DetectorSettings()
    billed = _billed(invoices)
    billed = billed.assign(amount=pd.to_numeric(billed["amount"], errors="coerce"))
    order_frame = as_frame(orders, ORDER_COLUMNS)
    gone = order_frame[order_frame["status"].isin(["returned", "cancelled"])]
    joined = billed.merge(
        gone[["order_id", "status", "amount"]], on="order_id", suffixes=("", "_order")
    )
    joined = _in_issue_order(joined)
    found = []
    for order_id, group in joined.groupby("order_id", sort=True):
        net = float(group["amount"].sum())
        scale = pd.to_numeric(group["amount_order"], errors="coerce").iloc[0]
        scale = float(scale) if pd.notna(scale) else float(group["amount"].abs().max())
        if net <= settings.amount_tolerance * abs(scale) + 0.01:
            continue  # credited back
        charged = group[group["amount"] > 0]
        row = charged.iloc[0]
        evidence = Evidence(
            invoice_ids=ids(charged["invoice_id"]),
            order_ids=(str(order_id),),
            period=month_of(row["issued"]),
            detail=f"An order {row['status_order']} is still billed {net:,.2f}.",
        )
        found.append(
            _make(
                "billing_returned",
                str(row["account_id"]),
                (BILLING_DEPARTMENT, OPERATIONS_DEPARTMENT),
                evidence,
                net,
            )
        )
    return found
