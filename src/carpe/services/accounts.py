"""Account use cases: find accounts, and an account's contacts and timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from carpe.errors import NotFoundError
from carpe.store.models import Account, Contact, Employee, Touchpoint

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
    departments = session.scalars(
        select(Employee.department)
        .join(Touchpoint, Touchpoint.employee_id == Employee.employee_id)
        .where(Touchpoint.account_id == account_id)
        .distinct()
        .order_by(Employee.department)
    ).all()
    count = session.execute(
        select(func.count()).select_from(Touchpoint).where(Touchpoint.account_id == account_id)
    ).scalar_one()
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


def list_timeline(
    *,
    session: Session,
    account_id: str,
    page: int = 1,
    page_size: int = 50,
    department: str | None = None,
    channel: str | None = None,
) -> Page[TimelineEntry]:
    """An account's touchpoints, newest first, across departments and channels."""
    page = max(page, 1)
    query = (
        select(
            Touchpoint, Employee.name, Employee.department, Contact.first_name, Contact.last_name
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
    total = session.execute(count).scalar_one()
    rows = session.execute(
        query.order_by(Touchpoint.occurred_at.desc(), Touchpoint.touchpoint_id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    items = tuple(
        TimelineEntry(
            t.touchpoint_id,
            t.occurred_at,
            t.channel,
            t.kind,
            t.direction,
            t.subject,
            t.note,
            t.sentiment,
            name,
            dept,
            " ".join(p for p in (first, last) if p) or None,
        )
        for t, name, dept, first, last in rows
    )
    return Page(items, page, page_size, total)
