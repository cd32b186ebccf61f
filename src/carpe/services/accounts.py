"""Account use cases: find accounts, and an account's contacts and timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from carpe.errors import NotFoundError
from carpe.services.privacy import audit, can_see
from carpe.services.users import Viewer
from carpe.store.memory import StoredMoment
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


def _accounts_with_owner() -> Select[Account, str | None]:
    return select(Account, Employee.name).outerjoin(
        Employee, Employee.employee_id == Account.owner_employee_id
    )


def _to_row(account: Account, owner: str | None) -> AccountRow:
    return AccountRow(
        account.account_id,
        account.name,
        account.kind,
        account.segment,
        account.region,
        owner,
        account.started_on,
        account.ended_on,
        account.annual_value,
    )


def list_accounts(
    *, session: Session, query: str = "", page: int = 1, page_size: int = 50
) -> Page[AccountRow]:
    """Accounts whose name or id contains ``query``, or that have a matching contact.

    Contacts match by name, email or phone. Sorted by name.
    """
    page = max(page, 1)
    base = _accounts_with_owner()
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
    return Page(tuple(_to_row(a, o) for a, o in rows), page, page_size, total)


def get_account(*, session: Session, account_id: str) -> AccountView:
    """The account, its contacts, and which departments have touched it.

    Raises
    ------
    NotFoundError
        When no account has that id.
    """
    found = session.execute(_accounts_with_owner().where(Account.account_id == account_id)).first()
    if found is None:
        raise NotFoundError("account", account_id)
    contacts = session.scalars(
        select(Contact)
        .where(Contact.account_id == account_id)
        .order_by(Contact.is_primary.desc(), Contact.first_name)
    ).all()
    touches = session.execute(  # one pass over the account's touchpoints: who, how many
        select(Employee.department, func.count())
        .select_from(Touchpoint)
        .outerjoin(Employee, Employee.employee_id == Touchpoint.employee_id)
        .where(Touchpoint.account_id == account_id)
        .group_by(Employee.department)
    ).all()
    departments = sorted(d for d, _ in touches if d is not None)
    count = sum(n for _, n in touches)
    return AccountView(
        _to_row(found[0], found[1]),
        tuple(
            ContactRow(
                c.contact_id, c.first_name, c.last_name, c.title, c.email, c.phone, c.is_primary
            )
            for c in contacts
        ),
        tuple(departments),
        count,
    )


WITHHELD_NOTE = "(note withheld: it holds sensitive personal information)"


def _withheld_notes(
    session: Session, account_id: str, touchpoint_ids: list[str], viewer: Viewer | None
) -> set[str]:
    """Touchpoints whose note holds a sensitive moment the viewer may not see."""
    if viewer is None or viewer.is_manager or not touchpoint_ids:
        return set()
    rows = session.execute(
        select(StoredMoment.touchpoint_id, StoredMoment.recorded_by).where(
            StoredMoment.touchpoint_id.in_(touchpoint_ids), StoredMoment.sensitive
        )
    ).all()
    if not rows:
        return set()
    owner = session.scalar(
        select(Account.owner_employee_id).where(Account.account_id == account_id)
    )
    return {
        tp
        for tp, recorded_by in rows
        if tp and not can_see(viewer, sensitive=True, recorded_by=recorded_by, owner=owner)
    }


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
    viewer: Viewer | None = None,
) -> Page[TimelineEntry]:
    """An account's touchpoints, newest first, across departments and channels.

    ``since`` and ``until`` bound ``occurred_at`` (both inclusive). With a
    ``viewer``, the note of a touchpoint that holds a sensitive moment they may
    not see is withheld (:data:`WITHHELD_NOTE`).
    """
    page = max(page, 1)
    query = (
        select(  # columns, not entities: a page of rows to show, nothing to change
            Touchpoint.touchpoint_id,
            Touchpoint.occurred_at,
            Touchpoint.channel,
            Touchpoint.kind,
            Touchpoint.direction,
            Touchpoint.subject,
            Touchpoint.note,
            Touchpoint.sentiment,
            Employee.name,
            Employee.department,
            Contact.first_name,
            Contact.last_name,
        )
        .outerjoin(Employee, Employee.employee_id == Touchpoint.employee_id)
        .outerjoin(Contact, Contact.contact_id == Touchpoint.contact_id)
        .where(Touchpoint.account_id == account_id)
    )
    count = select(func.count()).select_from(Touchpoint).where(Touchpoint.account_id == account_id)
    if department:
        query = query.where(Employee.department == department)
        count = count.join(Employee, Employee.employee_id == Touchpoint.employee_id).where(
            Employee.department == department
        )
    if channel:
        query = query.where(Touchpoint.channel == channel)
        count = count.where(Touchpoint.channel == channel)
    if since is not None:
        query = query.where(Touchpoint.occurred_at >= since)
        count = count.where(Touchpoint.occurred_at >= since)
    if until is not None:
        query = query.where(Touchpoint.occurred_at <= until)
        count = count.where(Touchpoint.occurred_at <= until)
    total = session.execute(count).scalar_one()
    rows = session.execute(
        query.order_by(Touchpoint.occurred_at.desc(), Touchpoint.touchpoint_id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    hidden = _withheld_notes(session, account_id, [row[0] for row in rows], viewer)
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
class AccountExtras:
    """The account page's other panels: moments, orders, invoices, feedback."""

    moments: tuple[MomentRow, ...]
    orders: tuple[Order, ...]
    invoices: tuple[Invoice, ...]
    feedback: tuple[Feedback, ...]


def account_extras(
    *, session: Session, account_id: str, viewer: Viewer | None, limit: int = 10
) -> AccountExtras:
    """The latest moments the viewer may see, orders, invoices and feedback of an account.

    Each sensitive moment shown to a viewer is written to the audit log.
    """
    found = session.scalars(
        select(StoredMoment)
        .where(StoredMoment.account_id == account_id, StoredMoment.review != "dismissed")
        .order_by(StoredMoment.noted_on.desc(), StoredMoment.id.desc())
        .limit(50)
    ).all()
    owner = (
        session.scalar(select(Account.owner_employee_id).where(Account.account_id == account_id))
        if found and viewer is not None
        else None
    )
    moments = []
    for m in found:
        if viewer is not None and not can_see(
            viewer, sensitive=m.sensitive, recorded_by=m.recorded_by, owner=owner
        ):
            continue
        if viewer is not None and m.sensitive:
            audit(
                session=session,
                viewer=viewer,
                action="view",
                subject_type="moment",
                subject_id=str(m.id),
                detail=f"account page {account_id}",
            )
        moments.append(
            MomentRow(
                m.id,
                m.contact_id,
                m.kind,
                m.subject,
                m.summary,
                m.noted_on,
                m.event_on,
                m.sensitive,
                m.review,
                m.closed_at,
                m.touchpoint_id,
            )
        )
    orders = session.scalars(
        select(Order)
        .where(Order.account_id == account_id)
        .order_by(Order.ordered_at.desc())
        .limit(limit)
    ).all()
    invoices = session.scalars(
        select(Invoice)
        .where(Invoice.account_id == account_id)
        .order_by(Invoice.issued_on.desc())
        .limit(limit)
    ).all()
    feedback = session.scalars(
        select(Feedback)
        .where(Feedback.account_id == account_id)
        .order_by(Feedback.received_at.desc())
        .limit(limit)
    ).all()
    return AccountExtras(
        tuple(moments[: limit * 2]), tuple(orders), tuple(invoices), tuple(feedback)
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
