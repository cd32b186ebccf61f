"""The contact brief, and contacts we are losing touch with."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from carpe.errors import NotFoundError
from carpe.memory.opener import suggest_opener
from carpe.services.accounts import TimelineEntry, list_timeline
from carpe.services.audit import audit_moment_shown
from carpe.services.conflict_notes import DocumentNote, notes_by_document
from carpe.services.permissions import Viewer, allowed, moment, require_actor
from carpe.store.memory import FollowUp, MomentEvidence, StoredMoment, moment_sensitive
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
    notes: int = 1
    """How many notes tell of it: the one it was found in and each later mention."""


@dataclass(frozen=True, slots=True)
class Problem:
    """Something open on the account that the person should know before the touchpoint."""

    kind: str
    text: str
    day: date
    conflict_id: str | None = None
    """A conflict that names the invoice or order, whose state the text already says."""


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


# The brief is read on every visit of a contact page, so its statements are built once,
# with parameters (a request neither rebuilds them nor recomputes their cache keys), and
# of the tables' columns, not the mapped classes': rows to show, nothing to change, and
# a statement without entities skips the ORM's compile and result set-up.
_contact = Contact.__table__.c
_account = Account.__table__.c
_moment = StoredMoment.__table__.c
_mention = MomentEvidence.__table__.c
_follow_up = FollowUp.__table__.c
_gesture = Gesture.__table__.c
_invoice = Invoice.__table__.c
_order = Order.__table__.c
_touchpoint = Touchpoint.__table__.c
_CONTACT = (
    select(
        _contact.contact_id,
        _contact.first_name,
        _contact.last_name,
        _contact.title,
        _contact.email,
        _contact.phone,
        _account.account_id,
        _account.name.label("account_name"),
        _account.owner_employee_id,
    )
    .join(Account.__table__, _account.account_id == _contact.account_id)
    .where(_contact.contact_id == bindparam("contact_id"))
)
_MOMENTS = (
    select(
        _moment.id,
        _moment.kind,
        _moment.subject,
        _moment.summary,
        _moment.noted_on,
        _moment.event_on,
        moment_sensitive(_moment.kind),
        _moment.review,
        _moment.closed_at,
        _moment.recorded_by,
    )
    .where(_moment.contact_id == bindparam("contact_id"), _moment.review != "dismissed")
    .order_by(_moment.noted_on.desc(), _moment.id.desc())
)
_MENTIONS = select(_mention.moment_id).where(  # later notes telling of the same moment
    _mention.moment_id.in_(bindparam("moment_ids", expanding=True))
)
_FOLLOW_UPS = select(_follow_up.moment_id, _follow_up.due_on).where(
    _follow_up.moment_id.in_(bindparam("moment_ids", expanding=True)),
    _follow_up.status.in_(["open", "snoozed"]),
)
_LAST_GESTURE = (
    select(_gesture.given_on, _gesture.kind, _gesture.description, _gesture.employee_id)
    .where(_gesture.account_id == bindparam("account_id"))
    .where((_gesture.contact_id == bindparam("contact_id")) | _gesture.contact_id.is_(None))
    .order_by(_gesture.given_on.desc())
    .limit(1)
)
# disputed invoices, then overdue ones (both kinds in one read, told apart by status)
_PROBLEM_INVOICES = select(
    _invoice.invoice_id,
    _invoice.amount,
    _invoice.currency,
    _invoice.status,
    _invoice.issued_on,
    _invoice.due_on,
).where(
    _invoice.account_id == bindparam("account_id"),
    or_(
        _invoice.status == "disputed",
        (_invoice.status == "open") & (_invoice.due_on < bindparam("today")),
    ),
)
# late open orders, then orders delivered late lately (told apart by delivered_on)
_PROBLEM_ORDERS = select(_order.order_id, _order.promised_on, _order.delivered_on).where(
    _order.account_id == bindparam("account_id"),
    or_(
        (_order.status == "open")
        & (_order.promised_on < bindparam("today"))
        & _order.delivered_on.is_(None),
        (_order.delivered_on >= bindparam("since")) & (_order.delivered_on > _order.promised_on),
    ),
)
_PROBLEM_TOUCHPOINTS = select(
    _touchpoint.subject, _touchpoint.kind, _touchpoint.channel, _touchpoint.occurred_at
).where(
    _touchpoint.account_id == bindparam("account_id"),
    _touchpoint.occurred_at >= bindparam("since_at"),
    _touchpoint.sentiment <= NEGATIVE_SENTIMENT,
)


class _LazyNotes:
    """What conflicts found about an account's documents, read on the first question."""

    def __init__(self, session: Session, account_id: str) -> None:
        self._session = session
        self._account_id = account_id
        self._notes: dict[str, DocumentNote] | None = None

    def get(self, key: str) -> DocumentNote | None:
        if self._notes is None:
            self._notes = notes_by_document(session=self._session, account_id=self._account_id)
        return self._notes.get(key)


def _noted(text: str, note: DocumentNote | None) -> tuple[str, str | None]:
    """The problem's text with what a conflict found about it, and the conflict's id."""
    if note is None:
        return text, None
    return f"{text}: {note.sentence}", note.conflict_id


def _invoice_problems(
    session: Session, account_id: str, today: date, notes: _LazyNotes
) -> list[Problem]:
    disputed: list[Problem] = []
    overdue: list[Problem] = []
    for invoice_id, amount, currency, status, issued_on, due_on in session.execute(
        _PROBLEM_INVOICES, {"account_id": account_id, "today": today}
    ):
        note = notes.get(f"invoice:{invoice_id}")
        if status == "disputed":
            text = f"Invoice {invoice_id} ({amount:,.2f} {currency or ''}) is disputed"
            text, conflict = _noted(text.replace(" )", ")"), note)
            disputed.append(Problem("billing", text, issued_on, conflict))
        else:
            assert due_on is not None
            text, conflict = _noted(
                f"Invoice {invoice_id} is overdue since {due_on.day} {due_on:%b %Y}", note
            )
            overdue.append(Problem("billing", text, due_on, conflict))
    return disputed + overdue


def _order_problems(
    session: Session, account_id: str, today: date, since: date, notes: _LazyNotes
) -> list[Problem]:
    late: list[Problem] = []
    arrived_late: list[Problem] = []
    for order_id, promised_on, delivered_on in session.execute(
        _PROBLEM_ORDERS, {"account_id": account_id, "today": today, "since": since}
    ):
        assert promised_on is not None
        if delivered_on is None:
            text = f"Order {order_id} is late (promised {promised_on.day} {promised_on:%b %Y})"
            text, conflict = _noted(text, notes.get(f"order:{order_id}"))
            late.append(Problem("delivery", text, promised_on, conflict))
        else:
            days = (delivered_on - promised_on).days
            text = f"Order {order_id} arrived {days} day{'' if days == 1 else 's'} late"
            text, conflict = _noted(text, notes.get(f"order:{order_id}"))
            arrived_late.append(Problem("delivery", text, delivered_on, conflict))
    return late + arrived_late


def _problems(session: Session, account_id: str, today: date) -> list[Problem]:
    since = today - timedelta(days=PROBLEM_HORIZON_DAYS)
    notes = _LazyNotes(session, account_id)  # read only when an invoice or order is open
    found = _invoice_problems(session, account_id, today, notes)
    found += _order_problems(session, account_id, today, since, notes)
    since_at = datetime.combine(since, datetime.min.time())
    for subject, kind, channel, occurred_at in session.execute(
        _PROBLEM_TOUCHPOINTS, {"account_id": account_id, "since_at": since_at}
    ):
        what = subject or kind or "touchpoint"
        found.append(Problem("sentiment", f"Unhappy {channel} contact: {what}", _day(occurred_at)))
    found.sort(key=lambda p: p.day, reverse=True)  # stable: same day keeps the order above
    return found[:8]


def contact_brief(
    *, session: Session, contact_id: str, today: date, viewer: Viewer
) -> ContactBrief:
    """Who the contact is, what they told us, what is open, and what happened lately.

    Sensitive moments the ``viewer`` may not see are left out, and each sensitive
    moment shown is written to the audit log.

    Raises
    ------
    ForbiddenError
        No viewer was given.
    NotFoundError
        No contact with that id.
    """
    require_actor(viewer)
    contact = session.execute(_CONTACT, {"contact_id": contact_id}).first()
    if contact is None:
        raise NotFoundError("contact", contact_id)
    moments = list(session.execute(_MOMENTS, {"contact_id": contact_id}))
    owner = contact.owner_employee_id
    moments = [
        m
        for m in moments
        if allowed(
            viewer, "see", moment(sensitive=m.sensitive, recorded_by=m.recorded_by, owner=owner)
        )
    ]
    for m in moments:
        if m.sensitive:
            where = f"brief of contact {contact_id}"
            audit_moment_shown(session=session, viewer=viewer, moment_id=m.id, where=where)
    horizon = today - timedelta(days=MOMENT_HORIZON_DAYS)
    preferences = tuple(dict.fromkeys(m.summary for m in moments if m.kind == "preference"))
    interests = tuple(dict.fromkeys(m.summary for m in moments if m.kind == "interest"))
    shown = [
        m
        for m in moments
        if m.kind not in ("preference", "interest")
        and m.closed_at is None
        and (m.noted_on >= horizon or (m.event_on is not None and m.event_on >= today))
    ]
    follow_ups: dict[int, date] = (
        dict(session.execute(_FOLLOW_UPS, {"moment_ids": [m.id for m in shown]}).all())
        if shown
        else {}
    )
    mentions: Counter[int] = (
        Counter(session.scalars(_MENTIONS, {"moment_ids": [m.id for m in shown]}))
        if shown
        else Counter()
    )
    gesture = session.execute(
        _LAST_GESTURE, {"account_id": contact.account_id, "contact_id": contact_id}
    ).first()
    recent = list_timeline(
        session=session,
        account_id=contact.account_id,
        page_size=RECENT_TOUCHPOINTS,
        viewer=viewer,  # a note that holds a sensitive moment they may not see is withheld
        with_total=False,
    ).items
    return ContactBrief(
        contact_id=contact.contact_id,
        name=" ".join(p for p in (contact.first_name, contact.last_name) if p),
        address_as=contact.first_name,
        title=contact.title,
        account_id=contact.account_id,
        account=contact.account_name,
        email=contact.email,
        phone=contact.phone,
        preferences=preferences,
        interests=interests,
        open_moments=tuple(
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
                    contact=contact.first_name,
                ),
                follow_ups.get(m.id),
                1 + mentions[m.id],
            )
            for m in shown
        ),
        recent_touchpoints=recent,
        open_problems=tuple(_problems(session, contact.account_id, today)),
        last_gesture=LastGesture(*gesture) if gesture else None,
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
