"""The customer-memory tables: moments found in notes, follow-ups, and the extraction ledger."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    ColumnElement,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from carpe import vocabulary
from carpe.store.models import ID, Base


class StoredMoment(Base):
    """A personal moment or durable fact about a contact, with its evidence."""

    __tablename__ = "moments"
    __table_args__ = (
        UniqueConstraint("touchpoint_id", "kind", "evidence", name="uq_moments_source"),
        Index("ix_moments_contact_open", "contact_id", "closed_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"), index=True)
    contact_id: Mapped[str | None] = mapped_column(ID, ForeignKey("contacts.contact_id"))
    touchpoint_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("touchpoints.touchpoint_id"), index=True
    )
    recorded_by: Mapped[str | None] = mapped_column(ID, ForeignKey("employees.employee_id"))
    noted_on: Mapped[date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(20), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(String(500))
    event_on: Mapped[date | None] = mapped_column(Date)
    """The day of the event, when the note says (the extractor's ``when``)."""
    follow_up_on: Mapped[date | None] = mapped_column(Date)
    confidence: Mapped[float] = mapped_column(Float)
    evidence: Mapped[str] = mapped_column(Text)
    review: Mapped[str] = mapped_column(String(20), default="suggested")
    closed_at: Mapped[date | None] = mapped_column(Date)
    closed_by_touchpoint_id: Mapped[str | None] = mapped_column(
        ID, ForeignKey("touchpoints.touchpoint_id")
    )
    created_at: Mapped[datetime] = mapped_column(DateTime)

    @hybrid_property
    def sensitive(self) -> bool:
        """Whether the moment is sensitive: derived from its kind, never stored."""
        return vocabulary.is_sensitive(self.kind)

    @sensitive.inplace.expression
    @classmethod
    def _sensitive_expression(cls) -> ColumnElement[bool]:
        return cls.kind.in_(sorted(vocabulary.SENSITIVE_KINDS))


def moment_sensitive(kind: ColumnElement[str]) -> ColumnElement[bool]:
    """The SQL form of :func:`carpe.vocabulary.is_sensitive` over a ``kind`` column.

    For the prebuilt column statements of the fast read paths, which select
    ``StoredMoment.__table__.c`` rather than the mapped class.
    """
    return kind.in_(sorted(vocabulary.SENSITIVE_KINDS)).label("sensitive")


class MomentEvidence(Base):
    """A later note that mentions an open moment again: one moment, several pieces of evidence."""

    __tablename__ = "moment_evidence"
    __table_args__ = (Index("ix_moment_evidence_moment", "moment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    moment_id: Mapped[int] = mapped_column(Integer, ForeignKey("moments.id", ondelete="CASCADE"))
    touchpoint_id: Mapped[str | None] = mapped_column(ID, ForeignKey("touchpoints.touchpoint_id"))
    noted_on: Mapped[date] = mapped_column(Date)
    evidence: Mapped[str] = mapped_column(Text)


class FollowUp(Base):
    """A reminder for one employee to ask a contact about a moment."""

    __tablename__ = "follow_ups"
    __table_args__ = (Index("ix_follow_ups_employee_due", "employee_id", "status", "due_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    moment_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("moments.id", ondelete="CASCADE"), unique=True
    )
    account_id: Mapped[str] = mapped_column(ID, ForeignKey("accounts.account_id"), index=True)
    contact_id: Mapped[str | None] = mapped_column(ID, ForeignKey("contacts.contact_id"))
    employee_id: Mapped[str | None] = mapped_column(ID, ForeignKey("employees.employee_id"))
    due_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), default="open")
    snoozed_until: Mapped[date | None] = mapped_column(Date)
    completed_on: Mapped[date | None] = mapped_column(Date)
    outcome: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    moment: Mapped[StoredMoment] = relationship(lazy="raise", viewonly=False)
    """The moment, so that a new moment and its follow-up are written in one flush."""


class NoteExtraction(Base):
    """Which touchpoints' notes the extractor has read (so it reads each once)."""

    __tablename__ = "note_extractions"

    touchpoint_id: Mapped[str] = mapped_column(
        ID, ForeignKey("touchpoints.touchpoint_id", ondelete="CASCADE"), primary_key=True
    )
    moments_found: Mapped[int] = mapped_column(Integer)
    extracted_at: Mapped[datetime] = mapped_column(DateTime)
