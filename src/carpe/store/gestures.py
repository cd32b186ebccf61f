"""Gestures logged in carpe: the request, its approval state and the moment it answers.

The interchange table ``gestures`` holds gestures that were *given* (imported or
approved). A gesture logged in carpe is first a :class:`GestureRequest`: within the
giver's budget and at or below the approval threshold it is approved at once and
its ``gestures`` row written in the same transaction; otherwise it waits for a
manager (``pending``), who approves it (the row is written then) or declines it
(no row is ever written). Pending requests are *reserved* against the budget.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carpe.store.models import ID, Base

REQUEST_STATUSES: Final = ("pending", "approved", "declined")
"""A request is approved at once, or pending until a manager approves or declines it."""
LOGGED_ID_PREFIX: Final = "carpe-g-"
"""Ids of gestures logged in carpe: this prefix and 24 random hex digits."""


class GestureRequest(Base):
    """A gesture logged in carpe, with who logged it, the moment it answers and its decision."""

    __tablename__ = "gesture_requests"
    __table_args__ = (
        Index("ix_gesture_requests_status_logged", "status", "logged_at"),
        Index("ix_gesture_requests_employee_given", "employee_id", "given_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    gesture_id: Mapped[str] = mapped_column(ID, unique=True)
    """The id of its ``gestures`` row (written once approved)."""
    account_id: Mapped[str] = mapped_column(
        ID, ForeignKey("accounts.account_id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("contacts.contact_id", ondelete="SET NULL")
    )
    employee_id: Mapped[str] = mapped_column(ID, ForeignKey("employees.employee_id"))
    """The giver."""
    given_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)
    cost: Mapped[float] = mapped_column(Float)
    moment_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("moments.id", ondelete="SET NULL")
    )
    """The moment it answers."""
    budget_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("budgets.budget_id", ondelete="SET NULL")
    )
    """The budget it is charged to (None when no budget covered its day)."""
    status: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str | None] = mapped_column(String(300))
    """Why it waits for a manager (above the threshold, over budget, no budget)."""
    logged_by: Mapped[str] = mapped_column(String(100))
    logged_at: Mapped[datetime] = mapped_column(DateTime)
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decision_note: Mapped[str | None] = mapped_column(Text)


BUDGET_USE_INPUTS: Final = ("gestures", "gesture_requests", "budgets", "employees")
"""The tables a budget's spent and reserved are computed from."""


class BudgetUseVersion(Base):
    """One row whose ``version`` changes with every write to :data:`BUDGET_USE_INPUTS`.

    Database triggers (migration 0009) set a new random version in the same
    transaction as any insert, update or delete on those tables, whoever writes
    (logging, approval, erasure, an import, a cascade), so a budget use computed
    when the version was V stays right for as long as the version is V.
    A migration that rebuilds one of those tables must create its triggers again.
    """

    __tablename__ = "budget_use_version"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(40))
