"""The contact brief, and contacts we are losing touch with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carpe.errors import NotFoundError
from carpe.memory.opener import suggest_opener
from carpe.services.accounts import TimelineEntry, list_timeline
from carpe.services.privacy import audit, can_see
from carpe.services.users import Viewer
from carpe.store.memory import FollowUp, StoredMoment
from carpe.store.models import Account, Contact, Gesture, Invoice, Order, Touchpoint

RECENT_TOUCHPOINTS = 8
MOMENT_HORIZON_DAYS = 120
"""Time-bound moments older than this (and not upcoming) drop out of the brief."""
PROBLEM_HORIZON_DAYS = 60
NEGATIVE_SENTIMENT = -0.4


@dataclass(frozen=True, slots=True)
class BriefMoment:
    """An open moment as the brief shows it."""

    moment_id: int
    kind: str
    subject: str
    summary: str
    noted_on: date
    event_on: date | None
    sensitive: bool
    review: str
    opener: str
    follow_up_on: date | None


@dataclass(frozen=True, slots=True)
class Problem:
    """Something open on the account that the person should know before the touchpoint."""

    kind: str
    text: str
    day: date


@dataclass(frozen=True, slots=True)
class LastGesture:
    """The last gesture the contact (or account) received."""

    given_on: date
    kind: str
    description: str | None
    employee_id: str


@dataclass(frozen=True, slots=True)
class ContactBrief:
    """What to know before meeting a contact."""

    contact_id: str
    name: str
    address_as: str
    title: str | None
    account_id: str
    account: str
    email: str | None
    phone: str | None
    preferences: tuple[str, ...]
    interests: tuple[str, ...]
    open_moments: tuple[BriefMoment, ...]
    recent_touchpoints: tuple[TimelineEntry, ...]
    open_problems: tuple[Problem, ...]
    last_gesture: LastGesture | None


def _day(value: date | datetime) -> date:
    return value.date() if isinstance(value, datetime) else value


def _problems(session: Session, account_id: str, today: date) -> list[Problem]:
    since = today - timedelta(days=PROBLEM_HORIZON_DAYS)
    found: list[Problem] = []
    for invoice in session.scalars(
        select(Invoice).where(Invoice.account_id == account_id, Invoice.status == "disputed")
    ):
        found.append(
            Problem(
                "billing",
                f"Invoice {invoice.invoice_id} ({invoice.amount:,.2f} "
                f"{invoice.currency or ''}) is disputed".replace(" )", ")"),
                invoice.issued_on,
            )
        )
    for invoice in session.scalars(
        select(Invoice).where(
            Invoice.account_id == account_id, Invoice.status == "open", Invoice.due_on < today
        )
    ):
        assert invoice.due_on is not None
        found.append(
            Problem(
                "billing",
                f"Invoice {invoice.invoice_id} is overdue since {invoice.due_on.isoformat()}",
                invoice.due_on,
            )
        )
    for order in session.scalars(
        select(Order).where(
            Order.account_id == account_id,
            Order.status == "open",
            Order.promised_on < today,
            Order.delivered_on.is_(None),
        )
    ):
        assert order.promised_on is not None
        found.append(
            Problem(
                "delivery",
                f"Order {order.order_id} is late (promised {order.promised_on.isoformat()})",
                order.promised_on,
            )
        )
    for order in session.scalars(
        select(Order).where(
            Order.account_id == account_id,
            Order.delivered_on >= since,
            Order.delivered_on > Order.promised_on,
        )
    ):
        assert order.delivered_on is not None and order.promised_on is not None
        late = (order.delivered_on - order.promised_on).days
        found.append(
            Problem(
                "delivery", f"Order {order.order_id} arrived {late} day(s) late", order.delivered_on
            )
        )
    for touchpoint in session.scalars(
        select(Touchpoint).where(
            Touchpoint.account_id == account_id,
            Touchpoint.occurred_at >= datetime.combine(since, datetime.min.time()),
            Touchpoint.sentiment <= NEGATIVE_SENTIMENT,
        )
    ):
        what = touchpoint.subject or touchpoint.kind or "touchpoint"
        found.append(
            Problem(
                "sentiment",
                f"Unhappy {touchpoint.channel} contact: {what}",
                _day(touchpoint.occurred_at),
            )
        )
    found.sort(key=lambda p: p.day, reverse=True)
    return found[:8]


def contact_brief(
    *, session: Session, contact_id: str, today: date, viewer: Viewer | None = None
) -> ContactBrief:
    """Who the contact is, what they told us, what is open, and what happened lately.

    With a ``viewer``, sensitive moments they may not see are left out, and each
    sensitive moment shown is written to the audit log. Without one (the local
    command line), everything is shown.

    Raises
    ------
    NotFoundError
        No contact with that id.
    """
    contact = session.get(Contact, contact_id)
    if contact is None:
        raise NotFoundError("contact", contact_id)
    account = session.get(Account, contact.account_id)
    assert account is not None
    moments = session.scalars(
        select(StoredMoment)
        .where(StoredMoment.contact_id == contact_id, StoredMoment.review != "dismissed")
        .order_by(StoredMoment.noted_on.desc(), StoredMoment.id.desc())
    ).all()
    if viewer is not None:
        owner = account.owner_employee_id
        moments = [
            m
            for m in moments
            if can_see(viewer, sensitive=m.sensitive, recorded_by=m.recorded_by, owner=owner)
        ]
        for m in moments:
            if m.sensitive:
                audit(
                    session=session,
                    viewer=viewer,
                    action="view",
                    subject_type="moment",
                    subject_id=str(m.id),
                    detail=f"brief of contact {contact_id}",
                )
    follow_ups = dict(
        session.execute(
            select(FollowUp.moment_id, FollowUp.due_on).where(
                FollowUp.moment_id.in_([m.id for m in moments]),
                FollowUp.status.in_(["open", "snoozed"]),
            )
        ).all()
    )
    horizon = today - timedelta(days=MOMENT_HORIZON_DAYS)
    preferences = tuple(dict.fromkeys(m.summary for m in moments if m.kind == "preference"))
    interests = tuple(dict.fromkeys(m.summary for m in moments if m.kind == "interest"))
    open_moments = tuple(
        BriefMoment(
            m.id,
            m.kind,
            m.subject,
            m.summary,
            m.noted_on,
            m.event_on,
            m.sensitive,
            m.review,
            suggest_opener(
                kind=m.kind,
                subject=m.subject,
                summary=m.summary,
                sensitive=m.sensitive,
                when=m.event_on,
                today=today,
            ),
            follow_ups.get(m.id),
        )
        for m in moments
        if m.kind not in ("preference", "interest")
        and m.closed_at is None
        and (m.noted_on >= horizon or (m.event_on is not None and m.event_on >= today))
    )
    gesture = session.scalars(
        select(Gesture)
        .where(Gesture.account_id == contact.account_id)
        .where((Gesture.contact_id == contact_id) | Gesture.contact_id.is_(None))
        .order_by(Gesture.given_on.desc())
        .limit(1)
    ).first()
    recent = list_timeline(
        session=session, account_id=contact.account_id, page_size=RECENT_TOUCHPOINTS
    ).items
    name = " ".join(p for p in (contact.first_name, contact.last_name) if p)
    return ContactBrief(
        contact_id=contact.contact_id,
        name=name,
        address_as=contact.first_name,
        title=contact.title,
        account_id=account.account_id,
        account=account.name,
        email=contact.email,
        phone=contact.phone,
        preferences=preferences,
        interests=interests,
        open_moments=open_moments,
        recent_touchpoints=recent,
        open_problems=tuple(_problems(session, account.account_id, today)),
        last_gesture=(
            LastGesture(gesture.given_on, gesture.kind, gesture.description, gesture.employee_id)
            if gesture
            else None
        ),
    )


@dataclass(frozen=True, slots=True)
class LosingTouch:
    """A contact whose silence is much longer than their own rhythm."""

    contact_id: str
    name: str
    account_id: str
    account: str
    last_touch: date
    days_since: int
    usual_gap_days: float


def losing_touch(
    *,
    session: Session,
    today: date,
    employee_id: str | None = None,
    factor: float = 2.5,
    min_days: int = 30,
    limit: int = 200,
) -> list[LosingTouch]:
    """Contacts with no touchpoint for ``factor`` × their usual gap (and at least ``min_days``).

    The usual gap is the contact's mean time between touchpoints; contacts with
    fewer than three touchpoints, or whose account has left, are not judged.
    ``employee_id`` keeps the accounts that employee owns. Longest overdue first.
    """
    until = datetime.combine(today, datetime.max.time())
    query = (
        select(
            Touchpoint.contact_id,
            func.count(),
            func.min(Touchpoint.occurred_at),
            func.max(Touchpoint.occurred_at),
        )
        .join(Account, Account.account_id == Touchpoint.account_id)
        .where(
            Touchpoint.contact_id.is_not(None),
            Touchpoint.occurred_at <= until,
            Account.ended_on.is_(None),
        )
        .group_by(Touchpoint.contact_id)
        .having(func.count() >= 3)
    )
    if employee_id:
        query = query.where(Account.owner_employee_id == employee_id)
    candidates: list[tuple[float, str, date, int, float]] = []
    for contact_id, count, first, last in session.execute(query):
        if contact_id is None:
            continue
        first_day, last_day = _day(first), _day(last)
        usual = (last_day - first_day).days / (count - 1)
        since = (today - last_day).days
        if since >= max(factor * usual, min_days):
            candidates.append((since / max(usual, 1.0), contact_id, last_day, since, usual))
    candidates.sort(key=lambda c: (-c[0], c[1]))
    chosen = candidates[:limit]
    details = {
        c.contact_id: (c, name)
        for c, name in session.execute(
            select(Contact, Account.name)
            .join(Account, Account.account_id == Contact.account_id)
            .where(Contact.contact_id.in_([c[1] for c in chosen]))
        )
    }
    return [
        LosingTouch(
            contact_id,
            " ".join(
                p
                for p in (details[contact_id][0].first_name, details[contact_id][0].last_name)
                if p
            ),
            details[contact_id][0].account_id,
            details[contact_id][1],
            last_day,
            since,
            round(usual, 1),
        )
        for _, contact_id, last_day, since, usual in chosen
    ]
