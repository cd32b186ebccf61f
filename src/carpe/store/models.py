"""The store's tables: SQLAlchemy 2 typed models.

One model per file of the interchange format (see ``carpe.ingest.format``),
keyed by the source system's own id, plus the tables carpe fills itself.
Later capabilities (moments, follow-ups, conflicts, stories, users, audit log)
add their tables in their own modules of this package, each with a migration.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utc_now() -> datetime:
    """The store's clock: now in UTC, without an offset (how every timestamp is stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


ID = String(128)
"""Ids are the source system's strings."""


class Base(DeclarativeBase):
    """Declarative base with a stable constraint naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Employee(Base):
    """Someone who touches customers, in any department."""

    __tablename__ = "employees"

    employee_id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    department: Mapped[str] = mapped_column(String(100), index=True)
    role: Mapped[str | None] = mapped_column(String(100))
    frontline: Mapped[bool | None] = mapped_column(Boolean)
    hired_on: Mapped[date | None] = mapped_column(Date)
    left_on: Mapped[date | None] = mapped_column(Date)


class Account(Base):
    """A customer: a company, or a person or household."""

    __tablename__ = "accounts"

    account_id: Mapped[str] = mapped_column(ID, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), index=True)
    kind: Mapped[str | None] = mapped_column(String(20))
    segment: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    owner_employee_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("employees.employee_id"), index=True
    )
    started_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    annual_value: Mapped[float | None] = mapped_column(Float)


class Contact(Base):
    """A person at an account."""

    __tablename__ = "contacts"

    contact_id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"), index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    phone: Mapped[str | None] = mapped_column(String(50))
    title: Mapped[str | None] = mapped_column(String(200))
    birthday: Mapped[date | None] = mapped_column(Date)
    is_primary: Mapped[bool | None] = mapped_column(Boolean)


class Touchpoint(Base):
    """One interaction with an account, in any department and channel."""

    __tablename__ = "touchpoints"
    __table_args__ = (Index("ix_touchpoints_account_occurred", "account_id", "occurred_at"),)

    touchpoint_id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"))
    contact_id: Mapped[str | None] = mapped_column(ID, ForeignKey("contacts.contact_id"))
    employee_id: Mapped[str | None] = mapped_column(ID, ForeignKey("employees.employee_id"))
    occurred_at: Mapped[datetime] = mapped_column(DateTime)
    channel: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str | None] = mapped_column(String(20))
    direction: Mapped[str | None] = mapped_column(String(20))
    subject: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(Text)
    sentiment: Mapped[float | None] = mapped_column(Float)
    origin: Mapped[str | None] = mapped_column(String(20))
    """Who wrote the note: ``None`` for a person; carpe's own notes are never read for moments."""


class Feedback(Base):
    """A survey answer or review."""

    __tablename__ = "feedback"

    feedback_id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"), index=True)
    contact_id: Mapped[str | None] = mapped_column(ID, ForeignKey("contacts.contact_id"))
    received_at: Mapped[datetime] = mapped_column(DateTime)
    survey: Mapped[str] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float)
    comment: Mapped[str | None] = mapped_column(Text)
    touchpoint_id: Mapped[str | None] = mapped_column(ID, ForeignKey("touchpoints.touchpoint_id"))


class Order(Base):
    """An order, with what was promised and what was delivered."""

    __tablename__ = "orders"

    order_id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"), index=True)
    contact_id: Mapped[str | None] = mapped_column(ID, ForeignKey("contacts.contact_id"))
    employee_id: Mapped[str | None] = mapped_column(ID, ForeignKey("employees.employee_id"))
    ordered_at: Mapped[datetime] = mapped_column(DateTime)
    promised_on: Mapped[date | None] = mapped_column(Date)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[float] = mapped_column(Float)
    status: Mapped[str | None] = mapped_column(String(20))


class Quote(Base):
    """A quote: a promise of price and lead time made before the sale."""

    __tablename__ = "quotes"

    quote_id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"), index=True)
    employee_id: Mapped[str | None] = mapped_column(ID, ForeignKey("employees.employee_id"))
    issued_at: Mapped[datetime] = mapped_column(DateTime)
    promised_lead_days: Mapped[int | None] = mapped_column(Integer)
    price: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str | None] = mapped_column(String(20))


class Invoice(Base):
    """An invoice, possibly for an order."""

    __tablename__ = "invoices"

    invoice_id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"), index=True)
    order_id: Mapped[str | None] = mapped_column(ID, ForeignKey("orders.order_id"), index=True)
    issued_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    amount: Mapped[float] = mapped_column(Float)
    currency: Mapped[str | None] = mapped_column(String(3))
    status: Mapped[str | None] = mapped_column(String(20))
    paid_on: Mapped[date | None] = mapped_column(Date)


class Kpi(Base):
    """One department's own measure of one account for one period."""

    __tablename__ = "kpis"

    department: Mapped[str] = mapped_column(String(100), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ID, ForeignKey("accounts.account_id"), primary_key=True, index=True
    )
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    metric: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[float] = mapped_column(Float)


class Gesture(Base):
    """A small personal act for a customer, spent from a discretionary budget."""

    __tablename__ = "gestures"
    __table_args__ = (Index("ix_gestures_contact_given", "contact_id", "given_on"),)

    gesture_id: Mapped[str] = mapped_column(ID, primary_key=True)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"), index=True)
    contact_id: Mapped[str | None] = mapped_column(ID, ForeignKey("contacts.contact_id"))
    employee_id: Mapped[str] = mapped_column(ID, ForeignKey("employees.employee_id"), index=True)
    given_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    cost: Mapped[float | None] = mapped_column(Float)


class Budget(Base):
    """A discretionary gesture budget of an employee or a department for a period."""

    __tablename__ = "budgets"

    budget_id: Mapped[str] = mapped_column(ID, primary_key=True)
    owner: Mapped[str] = mapped_column(String(128), index=True)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    amount: Mapped[float] = mapped_column(Float)


class Engagement(Base):
    """An employee's own engagement-survey answer for a month."""

    __tablename__ = "engagement"

    employee_id: Mapped[str] = mapped_column(
        ID, ForeignKey("employees.employee_id"), primary_key=True
    )
    period: Mapped[str] = mapped_column(String(8), primary_key=True)
    score: Mapped[float] = mapped_column(Float)


class ImportRun(Base):
    """A record of one import: when, from where, and how many rows each file brought."""

    __tablename__ = "import_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime] = mapped_column(DateTime)
    source: Mapped[str] = mapped_column(Text)
    rows_read: Mapped[int] = mapped_column(Integer)
    rows_written: Mapped[int] = mapped_column(Integer)
    summary: Mapped[str] = mapped_column(Text, doc="JSON: rows read and changed per file")


TABLES_BY_FILE: dict[str, type[Base]] = {
    "employees": Employee,
    "accounts": Account,
    "contacts": Contact,
    "touchpoints": Touchpoint,
    "feedback": Feedback,
    "orders": Order,
    "quotes": Quote,
    "invoices": Invoice,
    "kpis": Kpi,
    "gestures": Gesture,
    "budgets": Budget,
    "engagement": Engagement,
}
"""The model that each interchange file fills."""
