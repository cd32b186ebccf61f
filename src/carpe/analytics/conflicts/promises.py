"""Promises that Operations or Billing cannot keep: lead times and prices in quotes."""

from __future__ import annotations

import re
from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.conflicts.billing import INVOICE_COLUMNS, ORDER_COLUMNS, _make
from carpe.analytics.conflicts.frames import as_frame, day, ids, month_of
from carpe.analytics.conflicts.model import Conflict, DetectorSettings, Evidence
from carpe.vocabulary import BILLING_DEPARTMENT, OPERATIONS_DEPARTMENT, SALES_DEPARTMENT

QUOTE_COLUMNS: Final = (
    "quote_id",
    "account_id",
    "employee_id",
    "issued_at",
    "promised_lead_days",
    "price",
    "status",
)
ORDER_QUOTE: Final = r"\bOrder\s+(?P<order_id>\S+)\s+\(quote\s+(?P<quote_id>[^)\s]+)\)"
"""How a touchpoint subject names the quote an order came from."""
_ORDER_QUOTE: Final = re.compile(ORDER_QUOTE)


def _named_quotes(touchpoints: Any, orders: Any, quotes: Any) -> pd.DataFrame:
    """Orders linked by an order touchpoint that names a known quote, without the order's id.

    ``procedure booked from estimate EST-00001``: the account's order placed
    within a day of that touchpoint, the one whose amount is closest to the
    quoted price.
    """
    known = as_frame(quotes, ("quote_id", "account_id", "price"))
    tp = as_frame(touchpoints, ("account_id", "occurred_at", "kind", "subject"))
    tp = tp[(tp["kind"].astype(str) == "order") & tp["subject"].notna()]
    if known.empty or tp.empty:
        return pd.DataFrame(columns=["order_id", "quote_id"], dtype=object)
    token = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-]*[0-9]")
    price = dict(zip(known["quote_id"].astype(str), known["price"], strict=True))
    ids = set(price)
    found = [
        (str(a), pd.Timestamp(at), q)
        for a, at, subject in zip(tp["account_id"], tp["occurred_at"], tp["subject"], strict=True)
        for q in token.findall(str(subject))
        if q in ids
    ]
    if not found:
        return pd.DataFrame(columns=["order_id", "quote_id"], dtype=object)
    frame = as_frame(orders, ("order_id", "account_id", "ordered_at", "amount"))
    frame = frame.assign(
        at=pd.to_datetime(frame["ordered_at"], errors="coerce"),
        account_id=frame["account_id"].astype(str),
    )
    by_account = {a: g.sort_values("at") for a, g in frame.groupby("account_id", sort=False)}
    pairs = []
    for account_id, at, quote_id in found:
        theirs = by_account.get(account_id)
        if theirs is None:
            continue
        near = theirs[(theirs["at"] - at).abs() <= pd.Timedelta(days=1)]
        if near.empty:
            continue
        quoted = pd.to_numeric(pd.Series([price.get(quote_id)]), errors="coerce").iloc[0]
        gap = (pd.to_numeric(near["amount"], errors="coerce") - quoted).abs()
        best = int(gap.fillna(np.inf).to_numpy().argmin()) if pd.notna(quoted) else 0
        pairs.append((str(near["order_id"].iloc[best]), quote_id))
    return pd.DataFrame(pairs, columns=["order_id", "quote_id"], dtype=object)


def quote_orders(touchpoints: Any, orders: Any = None, quotes: Any = None) -> pd.DataFrame:
    """Which order came from which quote: ``order_id, quote_id`` pairs.

    Read from an orders column ``quote_id`` when the source has one, else from
    touchpoint subjects like ``Order O00000012 (quote Q0000034)``, else from
    order touchpoints naming a known quote (``services order from quote
    Q-00001``): the account's order placed within a day of it.

    Parameters
    ----------
    touchpoints : table
        ``subject`` column (and ``account_id, occurred_at, kind``).
    orders : table, optional
        Used when it has a ``quote_id`` column, and to find the order a quote
        touchpoint speaks of.
    quotes : table, optional
        ``quote_id, account_id``: the quotes a subject may name.

    Returns
    -------
    pandas.DataFrame
        Unique pairs.
    """
    frame = as_frame(orders)
    if "quote_id" in frame.columns:
        pairs = frame[["order_id", "quote_id"]].dropna()
    else:
        subjects = as_frame(touchpoints, ("subject",))["subject"].dropna()
        texts = (s if isinstance(s, str) else str(s) for s in subjects.tolist())
        # Only a subject naming a quote can match: test the plain text before the pattern.
        matches = (_ORDER_QUOTE.search(t) for t in texts if "(quote" in t)
        found = [m.groups() for m in matches if m is not None]
        pairs = pd.DataFrame(found, columns=["order_id", "quote_id"], dtype=object)
        if pairs.empty and quotes is not None:
            pairs = _named_quotes(touchpoints, orders, quotes)
    return pairs.astype(str).drop_duplicates().reset_index(drop=True)


def _departments(employees: Any) -> dict[str, str]:
    staff = as_frame(employees, ("employee_id", "department"))
    return {str(e): str(d) for e, d in zip(staff["employee_id"], staff["department"], strict=True)}


def delivered_lead_days(orders: Any, settings: DetectorSettings | None = None) -> pd.Series:
    """Each account's usual lead time: median days from order to an on-time delivery.

    Late deliveries (after the order's promised day) are left out, so one bad
    week does not make a fair promise look broken.

    Orders delivered the day they were placed (services, counter sales) are
    not deliveries and do not count.

    Accounts with fewer than ``lead_time_min_orders`` deliveries get everyone's
    median (key ``"*"``).

    Parameters
    ----------
    orders : table
        :data:`~carpe.analytics.conflicts.billing.ORDER_COLUMNS`.
    settings : DetectorSettings, optional
        ``lead_time_min_orders``.

    Returns
    -------
    pandas.Series
        Days by account id, plus ``"*"``.
    """
    settings = settings or DetectorSettings()
    frame = as_frame(orders, ORDER_COLUMNS)
    done = frame[frame["delivered_on"].notna()]
    promised = day(done["promised_on"])
    done = done[promised.isna() | (day(done["delivered_on"]) <= promised)]
    lead = (day(done["delivered_on"]) - day(done["ordered_at"])).dt.days
    lead = pd.Series(lead.to_numpy(), index=done["account_id"].astype(str)).dropna()
    lead = lead[lead > 0]  # same-day orders (services, counter sales) are not deliveries
    overall = float(lead.median()) if len(lead) else float("nan")
    grouped = lead.groupby(level=0)
    medians = grouped.median()[grouped.size() >= settings.lead_time_min_orders]
    medians.loc["*"] = overall
    return medians


def detect_lead_time_promises(
    quotes: Any,
    orders: Any,
    touchpoints: Any,
    employees: Any = None,
    settings: DetectorSettings | None = None,
) -> list[Conflict]:
    """``promise_lead_time``: a quote (open or won) promising well below the delivered lead time.

    Open quotes are flagged pre-sale, before the customer ever waits. A won
    quote whose own orders were all delivered within the promise is kept, not
    broken, whatever the account's usual lead time; one whose own orders came
    later than promised by more than the business's usual slip band (the
    median slip of its quotes plus ``lead_time_slip_z`` robust standard
    deviations) and promising under ``lead_time_ratio`` of what they took is
    broken: with 20 quotes or more to know the band, a won quote's own
    deliveries decide, not the account's usual lead time. Without enough deliveries
    of the account, a won quote is judged by its own orders' lead time, an open
    one by everyone's.

    Parameters
    ----------
    quotes : table
        :data:`QUOTE_COLUMNS`.
    orders : table
        Orders (for the lead time operations delivers).
    touchpoints : table
        ``subject`` (links orders to quotes).
    employees : table, optional
        ``employee_id, department`` (the quoting department).
    settings : DetectorSettings, optional
        ``lead_time_ratio``, ``lead_time_min_gap_days``, ``lead_time_min_orders``.

    Returns
    -------
    list of Conflict
        Amount at risk: the quote's price.
    """
    settings = settings or DetectorSettings()
    frame = as_frame(quotes, QUOTE_COLUMNS)
    live = frame[frame["status"].isin(["open", "won"]) & frame["promised_lead_days"].notna()]
    if live.empty:
        return []
    usual = delivered_lead_days(orders, settings)
    linked = quote_orders(touchpoints, orders, quotes)
    order_frame = as_frame(orders, ORDER_COLUMNS)
    order_ids = order_frame["order_id"].astype(str)
    order_frame = order_frame[order_ids.isin(linked["order_id"]).to_numpy()]  # from quotes
    took = (day(order_frame["delivered_on"]) - day(order_frame["ordered_at"])).dt.days
    lead = pd.Series(took.to_numpy(), index=order_frame["order_id"].astype(str))
    lead = lead[~lead.index.duplicated(keep="last")]  # an order listed twice: its last row
    own = linked.assign(days=linked["order_id"].map(lead)).dropna(subset=["days"])
    own = own.groupby("quote_id")["days"]  # each quote's own orders, delivered
    quote = live["quote_id"].astype(str)
    promised = live["promised_lead_days"].astype(float)
    kept = (quote.map(own.max()) <= promised).to_numpy()  # its own orders came within the promise
    account = live["account_id"].astype(str)
    known = account.isin(usual.index)
    actual = account.map(usual).where(known, quote.map(own.median()))  # else its own orders'
    # Neither, pre-sale: a new account is judged by everyone's lead time.
    new = ~known & actual.isna() & (live["status"] == "open").to_numpy()
    actual = actual.where(~new, usual.get("*"))
    broken = ~kept & actual.notna() & ~(promised >= settings.lead_time_ratio * actual)
    broken &= ~(actual - promised < settings.lead_time_min_gap_days)
    # A won quote whose own orders came far later than promised: beyond the slips the
    # business's quotes usually see (median + z robust standard deviations).
    mine = quote.map(own.median())
    slips = (mine - promised).dropna()
    if len(slips) >= 20:
        middle = float(slips.median())
        spread = 1.4826 * float((slips - middle).abs().median())
        band = max(middle + settings.lead_time_slip_z * spread, settings.lead_time_min_gap_days)
        slipped = (mine - promised > band) & (promised < settings.lead_time_ratio * mine)
        # Own deliveries that slipped no more than the business's quotes usually do kept
        # the promise, whatever the account's habit.
        usual = middle + settings.lead_time_keep_z * spread
        within = (quote.map(own.max()) - promised <= usual).to_numpy()
        broken = (broken & ~within) | slipped
        actual = actual.where(~slipped, mine)
    orders_of: dict[str, list[str]] = {}
    for quote_id, order_id in zip(linked["quote_id"], linked["order_id"], strict=True):
        orders_of.setdefault(quote_id, []).append(order_id)
    departments = _departments(employees)
    found = []
    for row, days, promise in zip(
        live[broken.to_numpy()].itertuples(index=False),
        actual[broken].tolist(),
        promised[broken].tolist(),
        strict=True,
    ):
        seller = departments.get(str(row.employee_id), SALES_DEPARTMENT)
        evidence = Evidence(
            quote_ids=(str(row.quote_id),),
            order_ids=ids(orders_of.get(str(row.quote_id), ())),
            period=month_of(row.issued_at),
            detail=(
                f"Quote ({row.status}) promised {promise:g} days; "
                f"operations delivers in about {days:g}."
            ),
        )
        price = float(row.price) if pd.notna(row.price) else 0.0
        found.append(
            _make(
                "promise_lead_time",
                str(row.account_id),
                tuple(sorted({seller, OPERATIONS_DEPARTMENT})),
                evidence,
                price,
            )
        )
    return found


def detect_price_promises(
    quotes: Any,
    invoices: Any,
    touchpoints: Any,
    orders: Any = None,
    employees: Any = None,
    settings: DetectorSettings | None = None,
) -> list[Conflict]:
    """``promise_price``: an order from a quote booked and invoiced above the quoted price.

    Above means beyond the business's usual band of invoiced over quoted (its
    median plus ``price_spread_z`` robust standard deviations), and at least
    ``amount_tolerance``. When the order itself was booked within that band, the
    promise was kept and an invoice above the order is ``overbilling`` (the
    billing detectors'), not a broken quote.

    Parameters
    ----------
    quotes : table
        :data:`QUOTE_COLUMNS`.
    invoices : table
        :data:`~carpe.analytics.conflicts.billing.INVOICE_COLUMNS`.
    touchpoints : table
        ``subject`` (links orders to quotes).
    orders : table, optional
        ``order_id, amount`` (what was booked against the quote); its
        ``quote_id`` column links orders to quotes when it has one.
    employees : table, optional
        ``employee_id, department``.
    settings : DetectorSettings, optional
        ``amount_tolerance``, ``price_spread_z``.

    Returns
    -------
    list of Conflict
        Amount at risk: invoiced minus quoted.
    """
    settings = settings or DetectorSettings()
    quote_frame = as_frame(quotes, QUOTE_COLUMNS)
    quote_frame = quote_frame[quote_frame["price"].notna()]
    bills = as_frame(invoices, INVOICE_COLUMNS)
    bills = bills[bills["status"].fillna("open") != "void"]
    linked = quote_orders(touchpoints, orders, quotes)
    joined = linked.merge(
        quote_frame[["quote_id", "account_id", "employee_id", "price"]], on="quote_id"
    ).merge(bills[["invoice_id", "order_id", "issued_on", "amount"]], on="order_id")
    excess = pd.to_numeric(joined["amount"], errors="coerce") / joined["price"] - 1
    # Estimates are estimates: within the business's own usual band (median + z robust
    # standard deviations of invoiced-over-quoted) the quote is kept.
    usual = 0.0
    if excess.notna().sum() >= 20:
        middle = float(excess.median())
        spread = 1.4826 * float((excess - middle).abs().median())
        usual = middle + settings.price_spread_z * spread
    allowed = max(settings.amount_tolerance, usual)
    # An order booked at the quoted price kept the promise: an invoice above that order
    # is billing's error against the order (``overbilling``), not a broken quote.
    booked = as_frame(orders, ("order_id", "amount")).drop_duplicates("order_id", keep="last")
    amounts = pd.to_numeric(booked["amount"], errors="coerce").to_numpy()
    ordered = joined["order_id"].map(pd.Series(amounts, index=booked["order_id"].astype(str)))
    kept = (ordered / joined["price"] - 1 <= allowed).to_numpy()
    over = joined[(excess > allowed).to_numpy() & ~kept]
    departments = _departments(employees)
    found = []
    for row in over.itertuples(index=False):
        seller = departments.get(str(row.employee_id), SALES_DEPARTMENT)
        evidence = Evidence(
            invoice_ids=(str(row.invoice_id),),
            order_ids=(str(row.order_id),),
            quote_ids=(str(row.quote_id),),
            period=month_of(row.issued_on),
            detail=f"Quoted {row.price:,.2f}, invoiced {row.amount:,.2f}.",
        )
        found.append(
            _make(
                "promise_price",
                str(row.account_id),
                tuple(sorted({seller, BILLING_DEPARTMENT})),
                evidence,
                float(row.amount) - float(row.price),
            )
        )
    return found
