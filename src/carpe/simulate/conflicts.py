"""Experience conflicts planted with their evidence (issue 7's eight types)."""

from __future__ import annotations

from typing import Any

import numpy as np

from carpe.simulate.commerce import (
    DELIVERED,
    INV_DISPUTED,
    INV_OPEN,
    INV_PAID,
    Q_OPEN,
    Q_WON,
    RETURNED,
)
from carpe.simulate.context import Block, fmt_id
from carpe.simulate.people import OWNER_DEPARTMENTS
from carpe.simulate.schema import channel_code, direction_code, kind_code
from carpe.vocabulary import CONFLICT_TYPES

EMAIL, PHONE = channel_code("email"), channel_code("phone")
INBOUND, OUTBOUND, INTERNAL = (direction_code(d) for d in ("inbound", "outbound", "internal"))


def owner_department(blk: Block, a: int, day: int) -> str:
    """Department of the employee owning account ``a`` on ``day``."""
    staff = blk.biz.staff
    emp = int(blk.acc.employee_at("owner", np.asarray([a]), np.asarray([day]))[0])
    return staff.departments[emp]


def touch(
    blk: Block,
    a: int,
    day: int,
    dept: str,
    *,
    channel: int = EMAIL,
    kind: str = "other",
    direction: int = OUTBOUND,
    subject: str,
    note: str,
    sentiment: float = 0.0,
    minute: int | None = None,
    emp: int | None = None,
    origin: str | None = None,
) -> int:
    """Add one touchpoint by the account's employee of ``dept``; returns its truth reference."""
    if emp is None:
        emp = int(blk.acc.employee_at(dept, np.asarray([a]), np.asarray([day]))[0])
    contact = int(blk.acc.contact_first[a])
    return blk.tp.add_one(
        acc=a,
        day=day,
        minute=int(blk.rng.integers(8 * 60, 17 * 60)) if minute is None else minute,
        channel=channel,
        kind=kind_code(kind),
        direction=direction,
        emp=emp,
        contact=contact,
        subject=subject,
        note=note,
        sentiment=sentiment,
        origin=origin,
    )


def add_order(
    blk: Block,
    a: int,
    day: int,
    amount: float,
    *,
    status: int = DELIVERED,
    quote: int = -1,
    planted: bool = True,
    touchpoints: bool = True,
) -> tuple[int, int]:
    """Add one order (with its intake and delivery touchpoints); returns (number, delivered day)."""
    lead = int(blk.lead[a])
    num = blk.biz.counters["order"].one()
    delivered = day + lead
    blk.orders.append(
        num=num,
        acc=a,
        contact=int(blk.acc.contact_first[a]),
        emp=int(blk.acc.employee_at("Operations", np.asarray([a]), np.asarray([day]))[0]),
        day=day,
        promised=day + lead,
        delivered=delivered,
        amount=amount,
        status=status,
        late=False,
        dispute=False,
        quote=quote,
        service=False,
        planted=planted,
    )
    if touchpoints:
        subject = f"Order {fmt_id('order', num)}"
        if quote >= 0:
            subject += f" (quote {fmt_id('quote', quote)})"
        touch(
            blk,
            a,
            day,
            "Operations",
            kind="order",
            direction=INBOUND,
            subject=subject,
            note="Order received by email.",
            sentiment=0.1,
        )
        touch(
            blk,
            a,
            delivered,
            "Operations",
            kind="delivery",
            subject=subject,
            note="Delivered on time, signed by goods-in.",
            sentiment=0.2,
        )
    return num, delivered


def add_invoice(
    blk: Block, a: int, order: int, issued: int, amount: float, status: int, paid: int = -1
) -> tuple[int, int]:
    """Add one invoice and the e-mail that sent it; returns (number, touchpoint reference)."""
    num = blk.biz.counters["invoice"].one()
    terms = 30 if blk.biz.kind == "b2b" else 0
    blk.invoices.append(
        num=num,
        acc=a,
        order=order,
        issued=issued,
        due=issued + terms,
        amount=amount,
        status=status,
        paid=paid,
    )
    ref = touch(
        blk,
        a,
        issued,
        "Billing",
        kind="invoice",
        subject=f"Invoice {fmt_id('invoice', num)}",
        note="Invoice sent by email.",
    )
    return num, ref


def _amount(blk: Block, a: int) -> float:
    if blk.biz.kind == "b2b":
        return round(float(blk.acc.value[a]) / 12 * float(blk.rng.uniform(0.5, 1.5)), 2)
    return round(float(blk.rng.uniform(40, 150)), 2)


def _record(blk: Block, kind: str, a: int, departments: list[str], **evidence: Any) -> None:
    period = evidence.pop("period", None)
    refs = evidence.pop("touchpoint_refs", [])
    detail = evidence.pop("detail", "")
    blk.conflicts.append(
        {
            "conflict_id": fmt_id("conflict", blk.biz.counters["conflict"].one()),
            "type": kind,
            "account_id": fmt_id("account", blk.acc.first + a),
            "departments": departments,
            "evidence": {
                "invoice_ids": [fmt_id("invoice", x) for x in evidence.get("invoices", [])],
                "order_ids": [fmt_id("order", x) for x in evidence.get("orders", [])],
                "quote_ids": [fmt_id("quote", x) for x in evidence.get("quotes", [])],
                "touchpoint_refs": refs,
                "employee_ids": [fmt_id("employee", x) for x in evidence.get("employees", [])],
                "period": period,
                "amount": evidence.get("amount"),
            },
            "detail": detail,
        }
    )


def plant_conflicts(blk: Block) -> None:
    """Plant every conflict type in a few accounts of the block (about 1.2 % each)."""
    rng = blk.rng
    tl = blk.biz.timeline
    n = blk.acc.n
    per_type = max(2, round(0.012 * n))
    span = 150
    last = tl.n_days - 1
    starts = np.maximum(blk.acc.start_day, 0)
    eligible = np.flatnonzero(starts + 20 < last - span)
    if len(eligible) == 0 or tl.n_days < span + 40:
        return
    for kind in CONFLICT_TYPES:
        chosen = rng.choice(eligible, size=min(per_type, len(eligible)), replace=False)
        for a in (int(x) for x in chosen):
            d0 = int(rng.integers(int(starts[a]) + 10, last - span))
            if blk.biz.timeline.weekday_of(np.asarray([d0]))[0] >= 5:
                d0 -= 2
            _PLANTERS[kind](blk, a, d0)


def _duplicate(blk: Block, a: int, d0: int) -> None:
    amount = _amount(blk, a)
    order, delivered = add_order(blk, a, d0, amount)
    paid = delivered + int(blk.rng.integers(15, 30))
    first, r1 = add_invoice(blk, a, order, delivered, amount, INV_PAID, paid)
    second_day = delivered + int(blk.rng.integers(1, 5))
    status = INV_DISPUTED if blk.rng.random() < 0.5 else INV_OPEN
    second, r2 = add_invoice(blk, a, order, second_day, amount, status)
    refs = [r1, r2]
    if blk.rng.random() < 0.7:
        refs.append(
            touch(
                blk,
                a,
                second_day + 2,
                "Billing",
                direction=INBOUND,
                kind="ticket",
                subject=f"Charged twice for {fmt_id('order', order)}?",
                note="They say they have been invoiced twice for the same order.",
                sentiment=-0.5,
            )
        )
    _mark(blk, a, second_day, billing=True, until=paid + 30)
    _record(
        blk,
        "duplicate_invoice",
        a,
        ["Billing"],
        invoices=[first, second],
        orders=[order],
        amount=amount,
        touchpoint_refs=refs,
        period=_period(blk, second_day),
        detail="The same order invoiced twice within days.",
    )


def _overbilling(blk: Block, a: int, d0: int) -> None:
    amount = _amount(blk, a)
    order, delivered = add_order(blk, a, d0, amount)
    billed = round(amount * float(blk.rng.uniform(1.12, 1.4)), 2)
    inv, ref = add_invoice(blk, a, order, delivered, billed, INV_OPEN)
    _mark(blk, a, delivered, billing=True, until=delivered + 40)
    _record(
        blk,
        "overbilling",
        a,
        ["Billing", "Operations"],
        invoices=[inv],
        orders=[order],
        amount=round(billed - amount, 2),
        touchpoint_refs=[ref],
        period=_period(blk, delivered),
        detail="Invoiced above the order amount.",
    )


def _backbilling(blk: Block, a: int, d0: int) -> None:
    amount = _amount(blk, a)
    order, delivered = add_order(blk, a, d0, amount)
    paid = delivered + int(blk.rng.integers(10, 25))
    first, r1 = add_invoice(blk, a, order, delivered, amount, INV_PAID, paid)
    again = paid + int(blk.rng.integers(20, 60))
    second, r2 = add_invoice(blk, a, order, again, amount, INV_OPEN)
    _mark(blk, a, again, billing=True, until=again + 30)
    _record(
        blk,
        "backbilling",
        a,
        ["Billing"],
        invoices=[first, second],
        orders=[order],
        amount=amount,
        touchpoint_refs=[r1, r2],
        period=_period(blk, again),
        detail="An order billed again after it was paid.",
    )


def _returned(blk: Block, a: int, d0: int) -> None:
    amount = _amount(blk, a)
    order, delivered = add_order(blk, a, d0, amount, status=RETURNED)
    back = delivered + int(blk.rng.integers(2, 8))
    r0 = touch(
        blk,
        a,
        back,
        "Operations",
        direction=INBOUND,
        kind="delivery",
        subject=f"Return of {fmt_id('order', order)}",
        note="Goods returned: wrong variant delivered. Return received in the warehouse.",
        sentiment=-0.3,
    )
    inv, ref = add_invoice(blk, a, order, back + int(blk.rng.integers(1, 10)), amount, INV_OPEN)
    _mark(blk, a, back, billing=True, until=back + 40)
    _record(
        blk,
        "billing_returned",
        a,
        ["Billing", "Operations"],
        invoices=[inv],
        orders=[order],
        amount=amount,
        touchpoint_refs=[r0, ref],
        period=_period(blk, back),
        detail="A returned order was billed.",
    )


def _lead_time(blk: Block, a: int, d0: int) -> None:
    rng = blk.rng
    tl = blk.biz.timeline
    lead = int(blk.lead[a])
    promise = max(1, round(lead * float(rng.uniform(0.2, 0.4))))
    is_open = rng.random() < 0.5
    day = int(rng.integers(tl.n_days - 25, tl.n_days - 3)) if is_open else d0
    num = blk.biz.counters["quote"].one()
    price = _amount(blk, a) * 2
    emp = int(blk.acc.employee_at("owner", np.asarray([a]), np.asarray([day]))[0])
    blk.quotes.append(
        num=num,
        acc=a,
        emp=emp,
        day=day,
        lead=promise,
        price=price,
        status=Q_OPEN if is_open else Q_WON,
        planted=True,
    )
    ref = touch(
        blk,
        a,
        day,
        "owner",
        kind="quote",
        subject=f"Quote {fmt_id('quote', num)}",
        note=f"Quote sent; promised delivery in {promise} days to win the deal.",
        sentiment=0.2,
    )
    orders: list[int] = []
    if is_open:
        blk.never_churn[a] = True
    else:
        order, delivered = add_order(blk, a, day + 2, price, quote=num)
        orders.append(order)
        # operations delivers at its usual pace, not at the promised one
        blk.orders.rows[-1] = _with(blk.orders.rows[-1], promised=day + 2 + promise, late=True)
        add_invoice(blk, a, order, delivered, price, INV_PAID, delivered + 20)
        blk.protect(a, delivered + 30)
    _mark(blk, a, day, billing=False, until=day + 30)
    owner = blk.biz.staff.departments[emp]
    _record(
        blk,
        "promise_lead_time",
        a,
        [owner, "Operations"],
        quotes=[num],
        orders=orders,
        touchpoint_refs=[ref],
        period=_period(blk, day),
        amount=price,
        detail=f"Quote promised {promise} days; operations delivers in about {lead}.",
    )


def _price(blk: Block, a: int, d0: int) -> None:
    num = blk.biz.counters["quote"].one()
    price = round(_amount(blk, a) * 2, 0)
    emp = int(blk.acc.employee_at("owner", np.asarray([a]), np.asarray([d0]))[0])
    lead = int(np.ceil(blk.lead[a] * 1.1))
    blk.quotes.append(
        num=num, acc=a, emp=emp, day=d0, lead=lead, price=price, status=Q_WON, planted=True
    )
    r0 = touch(
        blk,
        a,
        d0,
        "owner",
        kind="quote",
        subject=f"Quote {fmt_id('quote', num)}",
        note="Quote sent with the agreed project discount.",
        sentiment=0.2,
    )
    listed = round(price * float(blk.rng.uniform(1.12, 1.35)), 2)
    order, delivered = add_order(blk, a, d0 + 3, listed, quote=num)
    inv, ref = add_invoice(blk, a, order, delivered, listed, INV_OPEN)
    _mark(blk, a, delivered, billing=True, until=delivered + 40)
    _record(
        blk,
        "promise_price",
        a,
        [blk.biz.staff.departments[emp], "Billing"],
        quotes=[num],
        orders=[order],
        invoices=[inv],
        amount=round(listed - price, 2),
        touchpoint_refs=[r0, ref],
        period=_period(blk, delivered),
        detail="Invoiced at list price above the quoted price.",
    )


def _kpi(blk: Block, a: int, d0: int) -> None:
    """Two or three months in a row: an invoice disputed and the customer's CSAT at its worst,
    while the owner's department reports all is well."""
    tl = blk.biz.timeline
    invoices: list[int] = []
    orders: list[int] = []
    refs: list[int] = []
    periods: list[str] = []
    total = 0.0
    first_month = -1
    for step in range(int(blk.rng.integers(2, 4))):
        day = d0 + 31 * step
        amount = _amount(blk, a)
        order, delivered = add_order(blk, a, day, amount)
        inv, ref = add_invoice(blk, a, order, delivered, amount, INV_DISPUTED)
        r1 = touch(
            blk,
            a,
            delivered + 1,
            "Billing",
            direction=INBOUND,
            kind="ticket",
            subject=f"Dispute on {fmt_id('invoice', inv)}",
            note="Customer disputes the invoice: PO number missing and freight charged twice.",
            sentiment=-0.4,
        )
        month = int(tl.month_of(np.asarray([delivered]))[0])
        if periods and tl.labels[month] == periods[-1]:
            break  # the run must be consecutive months
        first_month = month if first_month < 0 else first_month
        blk.kpi_override[(a, month)] = round(float(blk.rng.uniform(82, 96)), 1)
        blk.csat_override[(a, month)] = round(float(blk.rng.uniform(1.0, 2.0)), 1)
        invoices.append(inv)
        orders.append(order)
        total += amount
        refs += [ref, r1]
        periods.append(tl.labels[month])
        _mark(blk, a, delivered, billing=True, until=delivered + 40)
    owner = owner_department(blk, a, d0)
    _record(
        blk,
        "kpi_disagreement",
        a,
        [owner, "Billing", "Support"],
        invoices=invoices,
        orders=orders,
        touchpoint_refs=refs,
        period=tl.labels[first_month],
        amount=round(total, 2),
        detail=f"{owner} reports the account healthy while Billing has had invoices disputed "
        f"and Support a CSAT at its worst {len(periods)} months running.",
    )


def _handoff(blk: Block, a: int, d0: int) -> None:
    """Half the time an owner leaves and the new side stays silent 75-150 days; else a reopen.

    The reopened ticket: answered and closed, then the customer writes again in
    it (unhappy) and nobody answers. A ticket closed without the customer's
    word is ordinary work and never planted as a conflict.
    """
    acc = blk.acc
    tl = blk.biz.timeline
    switching = np.flatnonzero((acc.successor >= 0) & (acc.switch_day < tl.n_days - 90))
    free = [int(x) for x in switching if int(x) not in blk.no_intro]
    if free and blk.rng.random() < 0.5:
        b = free[int(blk.rng.integers(len(free)))]
        if acc.start_day[b] < acc.switch_day[b] - 30:
            day = int(acc.switch_day[b])
            gap = int(blk.rng.integers(75, 151))
            blk.no_intro.add(b)
            old, new = int(acc.owner[b]), int(acc.successor[b])
            blk.silent[b] = (int(blk.biz.staff.dept[new]), day, day + gap)
            blk.protect(b, min(day + gap, tl.n_days - 1))
            _record(
                blk,
                "handoff_gap",
                b,
                [blk.biz.staff.departments[old]],
                employees=[old, new],
                period=_period(blk, day),
                detail=f"Account owner left; nobody of the department contacted the customer "
                f"for {gap} days.",
            )
            return
    num = blk.biz.counters["ticket"].one()
    subject = f"Ticket {fmt_id('ticket', num)}: sensor dashboard not updating"
    reopen = d0 + 2 + int(blk.rng.integers(2, 7))
    refs = [
        touch(
            blk,
            a,
            d0,
            "Support",
            channel=EMAIL,
            kind="ticket",
            direction=INBOUND,
            subject=subject,
            note="Customer reports the dashboard stopped updating.",
            sentiment=-0.35,
        ),
        touch(
            blk,
            a,
            d0 + 1,
            "Support",
            kind="ticket",
            subject=subject,
            note="Sent troubleshooting steps.",
            sentiment=0.1,
        ),
        touch(
            blk,
            a,
            d0 + 2,
            "Support",
            kind="ticket",
            direction=INTERNAL,
            subject=subject,
            note="Ticket closed.",
            sentiment=0.0,
        ),
        touch(
            blk,
            a,
            reopen,
            "Support",
            channel=EMAIL,
            kind="ticket",
            direction=INBOUND,
            subject=subject,
            note="Customer writes that the dashboard is still not updating: the ticket was "
            "closed without fixing it.",
            sentiment=-0.5,
        ),
    ]
    _mark(blk, a, d0, billing=False, until=reopen + 30)
    _record(
        blk,
        "handoff_gap",
        a,
        ["Support"],
        touchpoint_refs=refs[2:],
        period=_period(blk, reopen),
        detail="The customer reopened a closed ticket and nobody answered.",
    )


def _mark(blk: Block, a: int, day: int, *, billing: bool, until: int) -> None:
    month = int(blk.biz.timeline.month_of(np.asarray([day]))[0])
    if billing:
        blk.billing_error[a, month] += 1
    else:
        blk.conflict[a, month] += 1
    blk.protect(a, until)


def _period(blk: Block, day: int) -> str:
    return blk.biz.timeline.labels[int(blk.biz.timeline.month_of(np.asarray([day]))[0])]


def _with(row: tuple[Any, ...], **changes: Any) -> tuple[Any, ...]:
    from carpe.simulate.commerce import ORDER_COLUMNS

    values = list(row)
    for key, value in changes.items():
        values[ORDER_COLUMNS.index(key)] = value
    return tuple(values)


_PLANTERS = {
    "duplicate_invoice": _duplicate,
    "overbilling": _overbilling,
    "backbilling": _backbilling,
    "billing_returned": _returned,
    "promise_lead_time": _lead_time,
    "promise_price": _price,
    "kpi_disagreement": _kpi,
    "handoff_gap": _handoff,
}
assert set(_PLANTERS) == set(CONFLICT_TYPES)
_ = OWNER_DEPARTMENTS
