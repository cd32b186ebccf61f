"""Experience conflicts as the store keeps them: evidence, money, severity, owner and status."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carpe.store.models import ID, Base


class StoredConflict(Base):
    """One experience conflict; its id is stable across detection runs."""

    __tablename__ = "conflicts"
    __table_args__ = (Index("ix_conflicts_status_severity", "status", "severity"),)

    conflict_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    type: Mapped[str] = mapped_column(String(40), index=True)
    account_id: Mapped[str] = mapped_column(
        ID, ForeignKey("accounts.account_id", ondelete="CASCADE"), index=True
    )
    departments: Mapped[str] = mapped_column(Text, doc="JSON list of department names, sorted")
    evidence: Mapped[str] = mapped_column(
        Text,
        doc="JSON: invoice_ids, order_ids, quote_ids, touchpoint_ids, employee_ids, period, detail",
    )
    period: Mapped[str | None] = mapped_column(String(8), index=True)
    amount_at_risk: Mapped[float] = mapped_column(Float, default=0.0)
    severity: Mapped[float] = mapped_column(Float, default=0.0)
    detected_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default="open")
    owner: Mapped[str | None] = mapped_column(ID, doc="employee_id of who handles it")
    notes: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_by: Mapped[str | None] = mapped_column(String(200))
