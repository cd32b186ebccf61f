"""Account use cases: find accounts, and an account's contacts and timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from sqlalchemy import bindparam, func, or_, select
from sqlalchemy.orm import Session

from carpe.errors import NotFoundError
from carpe.services.audit import audit_moment_shown
from carpe.services.conflict_notes import DocumentNote, notes_by_document
from carpe.services.permissions import Viewer, allowed, moment, require_actor
from carpe.store.memory import StoredMoment, moment_sensitive
from carpe.store.models import Account, Contact, Employee, Feedback, Invoice, Order, Touchpoint

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list."""

    items: tuple[T, ...]
    page: int
    page_size: int
    total: int

    @property
    def pages(self) -> int:
        """Number of pages (at least 1)."""
        return max(1, -(-self.total // self.page_size))

    @property
    def has_next(self) -> bool:
        """Whether a later page exists."""
        return self.page < self.pages


@dataclass(frozen=True, slots=True)
class AccountRow:
    """An account as listed."""

    account_id: str
    name: str
    kind: str | None
    segment: str | None
    region: str | None
    owner: str | None
    started_on: date
    ended_on: date | None
    annual_value: float | None


@dataclass(frozen=True, slots=True)
class ContactRow:
    """A contact as shown on the account page."""

    contact_id: str
    first_name: str
    last_name: str | None
    title: str | None
    email: str | None
    phone: str | None
    is_primary: bool | None

    @property
    def full_name(self) -> str:
        """First and last name."""
        return " ".join(p for p in (self.first_name, self.last_name) if p)


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One touchpoint on an account's timeline."""

    touchpoint_id: str
    occurred_at: datetime
    channel: str
    kind: str | None
    direction: str | None
    subject: str | None
    note: str | None
    sentiment: float | None
    employee: str | None
    department: str | None
    contact: str | None


@dataclass(frozen=True, slots=True)
class AccountView:
    """What the account page shows."""

    account: AccountRow
    contacts: tuple[ContactRow, ...]
    departments: tuple[str, ...]
    """Departments that have touched the account."""
    touchpoint_count: int


# Statements the pages run on every view are built once, with parameters (a request
# neither rebuilds them nor recomputes their cache keys), and of the tables' columns,
# not the mapped classes': rows to show, nothing to change, and a statement without
# entities skips the ORM's compile and result set-up.
_account = Account.__table__.c
_contact = Contact.__table__.c
_employee = Employee.__table__.c
_touchpoint = Touchpoint.__table__.c
_moment = StoredMoment.__table__.c
_ACCOUNT_ROWS = select(  # the fields of AccountRow, in order
    _account.account_id,
    _account.name,
    _account.kind,
    _account.segment,
    _account.region,
    _employee.name.label("owner"),
    _account.started_on,
    _account.ended_on,
    _account.annual_value,
).select_from(
    Account.__table__.outerjoin(
        Employee.__table__, _employee.employee_id == _account.owner_employee_id
    )
)


def list_accounts(
    *, session: Session, query: str = "", page: int = 1, page_size: int = 50
) -> Page[AccountRow]:
    """Accounts whose name or id contains ``query``, or that have a matching contact.

    Contacts match by name, email or phone. Sorted by name.
    """
    page = max(page, 1)
    base = _ACCOUNT_ROWS
    condition = None
    needle = query.strip()
    if needle:
        like = f"%{needle.lower()}%"
        contact_match = select(Contact.account_id).where(
            or_(
                func.lower(Contact.first_name + " " + func.coalesce(Contact.last_name, "")).like(
                    like
                ),
                func.lower(Contact.email).like(like),
                Contact.phone.like(f"%{needle}%"),
            )
        )
        condition = or_(
            func.lower(Account.name).like(like),
            func.lower(Account.account_id).like(like),
            Account.account_id.in_(contact_match),
        )
    count_query = select(func.count()).select_from(Account)
    if condition is not None:
        base = base.where(condition)
        count_query = count_query.where(condition)
    total = session.execute(count_query).scalar_one()
    rows = session.execute(
        base.order_by(Account.name, Account.account_id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return Page(tuple(AccountRow(*row) for row in rows), page, page_size, total)


_ACCOUNT = _ACCOUNT_ROWS.where(_account.account_id == bindparam("account_id"))
_CONTACTS = (  # the fields of ContactRow, in order
    select(
        _contact.contact_id,
        _contact.first_name,
        _contact.last_name,
        _contact.title,
        _contact.email,
        _contact.phone,
        _contact.is_primary,
    )
    .where(_contact.account_id == bindparam("account_id"))
    .order_by(_contact.is_primary.desc(), _contact.first_name)
)
_TOUCHES_BY_DEPARTMENT = (  # one pass over the account's touchpoints: who, how many
    select(_employee.department, func.count())
    .select_from(
        Touchpoint.__table__.outerjoin(
            Employee.__table__, _employee.employee_id == _touchpoint.employee_id
        )
    )
    .where(_touchpoint.account_id == bindparam("account_id"))
    .group_by(_employee.department)
)


def get_account(*, session: Session, account_id: str) -> AccountView:
    """The account, its contacts, and which departments have touched it.

    Raises
    ------
    NotFoundError
        When no account has that id.
    """
    key = {"account_id": account_id}
    found = session.execute(_ACCOUNT, key).first()
    if found is None:
        raise NotFoundError("account", account_id)
    touches = session.execute(_TOUCHES_BY_DEPARTMENT, key).all()
    return AccountView(
        AccountRow(*found),
        tuple(ContactRow(*row) for row in session.execute(_CONTACTS, key)),
        tuple(sorted(d for d, _ in touches if d is not None)),
        sum(n for _, n in touches),
    )


WITHHELD_NOTE = "(note withheld: it holds sensitive personal information)"


_SENSITIVE_IN_TOUCHPOINTS = (  # with who recorded each and the account's owner
    select(_moment.touchpoint_id, _moment.recorded_by, _account.owner_employee_id)
    .join(Account.__table__, _account.account_id == _moment.account_id)
    .where(
        _moment.touchpoint_id.in_(bindparam("touchpoint_ids", expanding=True)),
        moment_sensitive(_moment.kind),
    )
)


def _withheld_notes(session: Session, touchpoint_ids: list[str], viewer: Viewer) -> set[str]:
    """Touchpoints whose note holds a sensitive moment the viewer may not see."""
    anyones = moment(sensitive=True, recorded_by=None, owner=None)
    if not touchpoint_ids or allowed(viewer, "see", anyones):
        return set()
    return {
        tp
        for tp, recorded_by, owner in session.execute(
            _SENSITIVE_IN_TOUCHPOINTS, {"touchpoint_ids": touchpoint_ids}
        )
        if tp
        and not allowed(viewer, "see", moment(sensitive=True, recorded_by=recorded_by, owner=owner))
    }


_TIMELINE_FROM = Touchpoint.__table__.outerjoin(
    Employee.__table__, _employee.employee_id == _touchpoint.employee_id
).outerjoin(Contact.__table__, _contact.contact_id == _touchpoint.contact_id)
_TIMELINE = (
    select(
        _touchpoint.touchpoint_id,
        _touchpoint.occurred_at,
        _touchpoint.channel,
        _touchpoint.kind,
        _touchpoint.direction,
        _touchpoint.subject,
        _touchpoint.note,
        _touchpoint.sentiment,
        _employee.name,
        _employee.department,
        _contact.first_name,
        _contact.last_name,
    )
    .select_from(_TIMELINE_FROM)
    .where(_touchpoint.account_id == bindparam("account_id"))
    .order_by(_touchpoint.occurred_at.desc(), _touchpoint.touchpoint_id)
    .limit(bindparam("limit"))
    .offset(bindparam("offset"))
)
_TIMELINE_COUNT = select(func.count()).where(_touchpoint.account_id == bindparam("account_id"))


def list_timeline(
    *,
    session: Session,
    account_id: str,
    page: int = 1,
    page_size: int = 50,
    department: str | None = None,
    channel: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    viewer: Viewer,
    with_total: bool = True,
) -> Page[TimelineEntry]:
    """An account's touchpoints, newest first, across departments and channels.

    ``since`` and ``until`` bound ``occurred_at`` (both inclusive). The note of
    a touchpoint that holds a sensitive moment the ``viewer`` may not see is
    withheld (:data:`WITHHELD_NOTE`). With ``with_total=False`` the touchpoints
    are not counted (for a caller that shows one page and no pager): ``total`` is
    then only those of this page and the pages before it.
    """
    require_actor(viewer)
    page = max(page, 1)
    conditions = []
    if department:
        conditions.append(_employee.department == department)
    if channel:
        conditions.append(_touchpoint.channel == channel)
    if since is not None:
        conditions.append(_touchpoint.occurred_at >= since)
    if until is not None:
        conditions.append(_touchpoint.occurred_at <= until)
    query, count = _TIMELINE, _TIMELINE_COUNT
    if conditions:  # (SQLite leaves out the joins the count does not need)
        query = query.where(*conditions)
        count = count.select_from(_TIMELINE_FROM).where(*conditions)
    key = {"account_id": account_id, "limit": page_size, "offset": (page - 1) * page_size}
    rows = session.execute(query, key).all()
    total = (
        session.execute(count, key).scalar_one()
        if with_total
        else (page - 1) * page_size + len(rows)
    )
    hidden = _withheld_notes(session, [row[0] for row in rows], viewer)
    items = tuple(
        TimelineEntry(
            tp_id,
            occurred_at,
            channel_,
            kind,
            direction,
            subject,
            WITHHELD_NOTE if tp_id in hidden else note,
            sentiment,
            name,
            dept,
            " ".join(p for p in (first, last) if p) or None,
        )
        for (
            tp_id,
            occurred_at,
            channel_,
            kind,
            direction,
            subject,
            note,
            sentiment,
            name,
            dept,
            first,
            last,
        ) in rows
    )
    return Page(items, page, page_size, total)


@dataclass(frozen=True, slots=True)
class MomentRow:
    """A moment as listed on the account page."""

    moment_id: int
    contact_id: str | None
    kind: str
    subject: str
    summary: str
    noted_on: date
    event_on: date | None
    sensitive: bool
    review: str
    closed_at: date | None
    touchpoint_id: str | None


@dataclass(frozen=True, slots=True)
class OrderRow:
    """An order as listed on the account page."""

    order_id: str
    status: str | None
    ordered_at: datetime
    promised_on: date | None
    delivered_on: date | None
    amount: float


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    """An invoice as listed on the account page."""

    invoice_id: str
    issued_on: date
    status: str | None
    amount: float
    currency: str | None


@dataclass(frozen=True, slots=True)
class FeedbackRow:
    """A feedback answer as listed on the account page."""

    survey: str
    score: float | None
    comment: str | None
    received_at: datetime


@dataclass(frozen=True, slots=True)
class AccountExtras:
    """The account page's other panels: moments, orders, invoices, feedback."""

    moments: tuple[MomentRow, ...]
    orders: tuple[OrderRow, ...]
    invoices: tuple[InvoiceRow, ...]
    feedback: tuple[FeedbackRow, ...]
    conflict_notes: dict[str, DocumentNote]
    """What conflicts found about the orders and invoices listed (``"invoice:ID"``...)."""


_MOMENTS = (  # with who recorded each and the account's owner, for the privacy check
    select(
        StoredMoment.id.label("moment_id"),
        StoredMoment.contact_id,
        StoredMoment.kind,
        StoredMoment.subject,
        StoredMoment.summary,
        StoredMoment.noted_on,
        StoredMoment.event_on,
        StoredMoment.sensitive,
        StoredMoment.review,
        StoredMoment.closed_at,
        StoredMoment.touchpoint_id,
        StoredMoment.recorded_by,
        Account.owner_employee_id,
    )
    .join(Account, Account.account_id == StoredMoment.account_id)
    .where(StoredMoment.account_id == bindparam("account_id"), StoredMoment.review != "dismissed")
    .order_by(StoredMoment.noted_on.desc(), StoredMoment.id.desc())
    .limit(50)
)
_ORDERS = (
    select(
        Order.order_id,
        Order.status,
        Order.ordered_at,
        Order.promised_on,
        Order.delivered_on,
        Order.amount,
    )
    .where(Order.account_id == bindparam("account_id"))
    .order_by(Order.ordered_at.desc())
    .limit(bindparam("limit"))
)
_INVOICES = (
    select(Invoice.invoice_id, Invoice.issued_on, Invoice.status, Invoice.amount, Invoice.currency)
    .where(Invoice.account_id == bindparam("account_id"))
    .order_by(Invoice.issued_on.desc())
    .limit(bindparam("limit"))
)
_FEEDBACK = (
    select(Feedback.survey, Feedback.score, Feedback.comment, Feedback.received_at)
    .where(Feedback.account_id == bindparam("account_id"))
    .order_by(Feedback.received_at.desc())
    .limit(bindparam("limit"))
)


def account_extras(
    *, session: Session, account_id: str, viewer: Viewer, limit: int = 10
) -> AccountExtras:
    """The latest moments the viewer may see, orders, invoices and feedback of an account.

    Each sensitive moment shown to a viewer is written to the audit log.
    """
    require_actor(viewer)
    key = {"account_id": account_id, "limit": limit}
    moments = []
    for *fields, recorded_by, owner in session.execute(_MOMENTS, key):
        m = MomentRow(*fields)
        if not allowed(
            viewer, "see", moment(sensitive=m.sensitive, recorded_by=recorded_by, owner=owner)
        ):
            continue
        if m.sensitive:
            where = f"account page {account_id}"
            audit_moment_shown(session=session, viewer=viewer, moment_id=m.moment_id, where=where)
        moments.append(m)
    notes = notes_by_document(session=session, account_id=account_id)
    orders = [OrderRow(*row) for row in session.execute(_ORDERS, key)]
    invoices = [InvoiceRow(*row) for row in session.execute(_INVOICES, key)]
    # the documents a conflict names are listed even when older than the latest few
    named_orders = {k[6:] for k in notes if k.startswith("order:")}
    named_orders -= {o.order_id for o in orders}
    if named_orders:
        older_orders = _ORDERS.where(Order.order_id.in_(sorted(named_orders)))
        orders += [OrderRow(*row) for row in session.execute(older_orders, key)]
    named_invoices = {k[8:] for k in notes if k.startswith("invoice:")}
    named_invoices -= {i.invoice_id for i in invoices}
    if named_invoices:
        older_invoices = _INVOICES.where(Invoice.invoice_id.in_(sorted(named_invoices)))
        invoices += [InvoiceRow(*row) for row in session.execute(older_invoices, key)]
    return AccountExtras(
        tuple(moments[: limit * 2]),
        tuple(orders),
        tuple(invoices),
        tuple(FeedbackRow(*row) for row in session.execute(_FEEDBACK, key)),
        notes,
    )


@dataclass(frozen=True, slots=True)
class ContactHit:
    """A contact found by search."""

    contact_id: str
    name: str
    email: str | None
    phone: str | None
    account_id: str
    account: str


@dataclass(frozen=True, slots=True)
class ContactLabel:
    """Who a contact is, in words: for confirmations that must name the person."""

    contact_id: str
    name: str
    account_id: str
    account_name: str


def contact_label(*, session: Session, contact_id: str) -> ContactLabel:
    """The contact's name and account, to name them where an id alone would not do.

    Raises
    ------
    NotFoundError
        No contact with that id.
    """
    found = session.execute(
        select(Contact.first_name, Contact.last_name, Contact.account_id, Account.name)
        .join(Account, Account.account_id == Contact.account_id)
        .where(Contact.contact_id == contact_id)
    ).first()
    if found is None:
        raise NotFoundError("contact", contact_id)
    first, last, account_id, account_name = found
    name = " ".join(p for p in (first, last) if p) or "(name erased)"
    return ContactLabel(contact_id, name, account_id, account_name)


def search_contacts(*, session: Session, query: str, limit: int = 20) -> list[ContactHit]:
    """Contacts whose name, email or phone contains ``query``."""
    needle = query.strip()
    if not needle:
        return []
    like = f"%{needle.lower()}%"
    rows = session.execute(
        select(Contact, Account.name)
        .join(Account, Account.account_id == Contact.account_id)
        .where(
            or_(
                func.lower(Contact.first_name + " " + func.coalesce(Contact.last_name, "")).like(
                    like
                ),
                func.lower(Contact.email).like(like),
                Contact.phone.like(f"%{needle}%"),
                func.lower(Contact.contact_id) == needle.lower(),
            )
        )
        .order_by(Contact.first_name, Contact.last_name, Contact.contact_id)
        .limit(limit)
    )
    return [
        ContactHit(
            c.contact_id,
            " ".join(p for p in (c.first_name, c.last_name) if p),
            c.email,
            c.phone,
            c.account_id,
            name,
        )
        for c, name in rows
    ]
