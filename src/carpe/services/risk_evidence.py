"""The records behind each reason for an account's risk: which tickets, invoices, orders, people.

A reason on the risk list ("2 invoices overdue", "a 2-star review in 6 months")
is worth acting on only when the manager can open what it counts. For every
reason's feature, :func:`reason_evidence` finds the account's records that the
feature counted as of the analysis day (the same windows as the pipeline's
features) and links each to where it is shown.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Final
from urllib.parse import quote

from sqlalchemy import and_, func, or_, select, true
from sqlalchemy.orm import Session

from carpe.analytics.pipeline.features import DETRACTOR_MAX
from carpe.store.models import Contact, Employee, Feedback, Invoice, Order, Touchpoint
from carpe.vocabulary import PERSONAL_CHANNELS

MAX_ITEMS: Final = 5
"""Records shown per reason at most (the most recent first)."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """One record behind a reason: what it is, in words, and where to open it."""

    label: str
    href: str


def _account(account_id: str) -> str:
    return f"/accounts/{quote(account_id, safe='')}"


def _since(day: date, days: int) -> datetime:
    return datetime.combine(day - timedelta(days=days), time.min)


def _start(day: date) -> datetime:
    return datetime.combine(day, time.min)


def _touches(
    session: Session, account_id: str, as_of: date, days: int, *where: object
) -> list[Evidence]:
    rows = session.execute(
        select(Touchpoint)
        .where(
            Touchpoint.account_id == account_id,
            Touchpoint.occurred_at >= _since(as_of, days),
            Touchpoint.occurred_at < _start(as_of),
            *where,  # type: ignore[arg-type]
        )
        .order_by(Touchpoint.occurred_at.desc())
        .limit(MAX_ITEMS)
    ).scalars()
    return [
        Evidence(
            f"{t.kind or t.channel} on {_day(t.occurred_at)}"
            + (f": {t.subject}" if t.subject else ""),
            f"{_account(account_id)}#tp-{quote(t.touchpoint_id, safe='')}",
        )
        for t in rows
    ]


def _last_touch(session: Session, account_id: str, as_of: date, *where: object) -> list[Evidence]:
    return _touches(session, account_id, as_of, 100_000, *where)[:1]


def _late_orders(session: Session, account_id: str, as_of: date, days: int) -> list[Evidence]:
    rows = session.execute(
        select(Order)
        .where(
            Order.account_id == account_id,
            or_(
                and_(
                    Order.delivered_on >= as_of - timedelta(days=days),
                    Order.delivered_on < as_of,
                    Order.delivered_on > Order.promised_on,
                ),
                and_(
                    Order.promised_on < as_of,
                    Order.promised_on >= as_of - timedelta(days=90),
                    or_(Order.delivered_on.is_(None), Order.delivered_on >= as_of),
                ),
            ),
        )
        .order_by(Order.promised_on.desc())
        .limit(MAX_ITEMS)
    ).scalars()
    found = []
    for o in rows:
        if o.delivered_on is not None and o.delivered_on < as_of and o.promised_on is not None:
            what = f"delivered {(o.delivered_on - o.promised_on).days} days late"
        else:
            what = "not delivered by the promised day"
        found.append(
            Evidence(f"order {o.order_id}: {what}", f"{_account(account_id)}#order-{o.order_id}")
        )
    return found


def _orders(session: Session, account_id: str, as_of: date, days: int) -> list[Evidence]:
    """The latest orders before ``as_of`` (within ``days``; the last one ever when 0)."""
    query = select(Order).where(Order.account_id == account_id, Order.ordered_at < _start(as_of))
    if days:
        query = query.where(Order.ordered_at >= _since(as_of, days))
    rows = session.execute(
        query.order_by(Order.ordered_at.desc()).limit(MAX_ITEMS if days else 1)
    ).scalars()
    return [
        Evidence(
            f"order {o.order_id} on {_day(o.ordered_at)}: {o.amount:,.2f}",
            f"{_account(account_id)}#order-{o.order_id}",
        )
        for o in rows
    ]


def _invoices(session: Session, account_id: str, as_of: date, disputed: bool) -> list[Evidence]:
    unpaid = or_(Invoice.paid_on.is_(None), Invoice.paid_on >= as_of)
    if disputed:
        where = and_(
            Invoice.status == "disputed",
            Invoice.issued_on < as_of,
            Invoice.issued_on >= as_of - timedelta(days=180),
        )
    else:
        where = and_(
            Invoice.due_on < as_of, unpaid, or_(Invoice.status.is_(None), Invoice.status != "void")
        )
    rows = session.execute(
        select(Invoice)
        .where(Invoice.account_id == account_id, where)
        .order_by(Invoice.issued_on.desc())
        .limit(MAX_ITEMS)
    ).scalars()
    found = []
    for i in rows:
        if disputed:
            what = f"disputed, issued {_day(i.issued_on)}"
        else:
            late = (as_of - i.due_on).days if i.due_on else 0
            what = f"{i.amount:,.2f} {i.currency or ''} unpaid {late} days past due".replace(
                "  ", " "
            )
        found.append(
            Evidence(
                f"invoice {i.invoice_id}: {what}", f"{_account(account_id)}#invoice-{i.invoice_id}"
            )
        )
    return found


def _day(when: date | None) -> str:
    """``7 Dec 2026``: as every page writes a day."""
    return "" if when is None else f"{when.day} {when:%b %Y}"


def _feedback(
    session: Session,
    account_id: str,
    as_of: date,
    days: int,
    survey: str,
    most: float | None = None,
) -> list[Evidence]:
    """The answers to ``survey`` in ``days``, lowest first (``most``: only scores up to it)."""
    rows = session.execute(
        select(Feedback)
        .where(
            Feedback.account_id == account_id,
            Feedback.survey == survey,
            Feedback.received_at >= _since(as_of, days),
            Feedback.received_at < _start(as_of),
            true() if most is None else Feedback.score <= most,
        )
        .order_by(Feedback.score, Feedback.received_at.desc())
        .limit(MAX_ITEMS)
    ).scalars()
    return [
        Evidence(
            f"{f.survey.upper()} {f.score:g} on {_day(f.received_at)}"
            + (f": “{f.comment}”" if f.comment else ""),
            f"{_account(account_id)}#feedback-{f.feedback_id}",
        )
        for f in rows
        if f.score is not None
    ]


def _quiet_contacts(session: Session, account_id: str, as_of: date) -> list[Evidence]:
    last = func.max(Touchpoint.occurred_at)
    rows = session.execute(
        select(Contact.contact_id, Contact.first_name, Contact.last_name, Contact.title, last)
        .join(Touchpoint, Touchpoint.contact_id == Contact.contact_id)
        .where(
            Contact.account_id == account_id,
            Touchpoint.occurred_at < _start(as_of),
            Touchpoint.occurred_at >= _since(as_of, 365),
        )
        .group_by(Contact.contact_id, Contact.first_name, Contact.last_name, Contact.title)
        .having(last < _since(as_of, 90))
        .order_by(last.desc())
        .limit(MAX_ITEMS)
    ).all()
    return [
        Evidence(
            f"{first} {last_name or ''}".strip()
            + (f" ({title})" if title else "")
            + f": last in touch {_day(seen)}",
            f"/contacts/{quote(cid, safe='')}",
        )
        for cid, first, last_name, title, seen in rows
    ]


def _leavers(session: Session, account_id: str, as_of: date) -> list[Evidence]:
    rows = session.execute(
        select(Employee.name, Employee.department, Employee.left_on)
        .join(Touchpoint, Touchpoint.employee_id == Employee.employee_id)
        .where(
            Touchpoint.account_id == account_id,
            Employee.left_on < as_of,
            Employee.left_on >= as_of - timedelta(days=180),
        )
        .distinct()
        .limit(MAX_ITEMS)
    ).all()
    return [
        Evidence(
            f"{name} ({department}) left on {_day(left)}", f"{_account(account_id)}#timeline-h"
        )
        for name, department, left in rows
    ]


Finder = Callable[[Session, str, date], list[Evidence]]
_FINDERS: Final[dict[str, Finder]] = {
    "late_deliveries_60d": lambda s, a, d: _late_orders(s, a, d, 60),
    "late_deliveries_365d": lambda s, a, d: _late_orders(s, a, d, 365),
    "worst_slip_days_365d": lambda s, a, d: _late_orders(s, a, d, 365),
    "overdue_orders": lambda s, a, d: _late_orders(s, a, d, 0),
    "overdue_invoices": lambda s, a, d: _invoices(s, a, d, disputed=False),
    "oldest_overdue_days": lambda s, a, d: _invoices(s, a, d, disputed=False),
    "open_disputes": lambda s, a, d: _invoices(s, a, d, disputed=True),
    "disputes_180d": lambda s, a, d: _invoices(s, a, d, disputed=True),
    "detractor_answers_365d": lambda s, a, d: _feedback(s, a, d, 365, "nps", most=DETRACTOR_MAX),
    "nps_365d": lambda s, a, d: _feedback(s, a, d, 365, "nps"),
    "csat_mean_180d": lambda s, a, d: _feedback(s, a, d, 180, "csat"),
    "csat_min_180d": lambda s, a, d: _feedback(s, a, d, 180, "csat"),
    "review_mean_180d": lambda s, a, d: _feedback(s, a, d, 180, "review"),
    "review_min_180d": lambda s, a, d: _feedback(s, a, d, 180, "review"),
    "tickets_30d": lambda s, a, d: _touches(s, a, d, 30, Touchpoint.kind == "ticket"),
    "tickets_90d": lambda s, a, d: _touches(s, a, d, 90, Touchpoint.kind == "ticket"),
    "tickets_trend": lambda s, a, d: _touches(s, a, d, 90, Touchpoint.kind == "ticket"),
    "negative_touches_90d": lambda s, a, d: _touches(s, a, d, 90, Touchpoint.sentiment < 0),
    "sentiment_90d": lambda s, a, d: _touches(s, a, d, 90, Touchpoint.sentiment < 0),
    "sentiment_trend": lambda s, a, d: _touches(s, a, d, 90, Touchpoint.sentiment < 0),
    "days_since_touch": lambda s, a, d: _last_touch(s, a, d),
    "days_since_personal_touch": lambda s, a, d: _last_touch(
        s, a, d, Touchpoint.channel.in_(PERSONAL_CHANNELS)
    ),
    "touches_90d": lambda s, a, d: _last_touch(s, a, d),
    "personal_touches_90d": lambda s, a, d: _last_touch(
        s, a, d, Touchpoint.channel.in_(PERSONAL_CHANNELS)
    ),
    "days_since_order": lambda s, a, d: _orders(s, a, d, 0),
    "orders_90d": lambda s, a, d: _orders(s, a, d, 0),
    "order_amount_change": lambda s, a, d: _orders(s, a, d, 90),
    "contacts_gone_quiet": _quiet_contacts,
    "staff_left_180d": _leavers,
}


def reason_evidence(
    *, session: Session, account_id: str, features: Sequence[str], as_of: date
) -> dict[str, list[Evidence]]:
    """The records behind each of an account's reasons, by feature.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session on the store.
    account_id : str
        The account.
    features : sequence of str
        Its reasons' features (``DriverView.feature``).
    as_of : date
        The analysis day: records before it, in the feature's window.

    Returns
    -------
    dict of str to list of Evidence
        Every feature of ``features``; an empty list where no record stands behind
        it or the feature has no finder (a falling count, "we talk less", is an
        absence: no record stands for it).
    """
    return {f: _FINDERS[f](session, account_id, as_of) if f in _FINDERS else [] for f in features}
