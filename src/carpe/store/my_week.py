"""Whether each employee shares their "My week" page with their managers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from carpe.store.models import ID, Base


class MyWeekSharing(Base):
    """An employee's choice: share their My week page with managers, or keep it to themselves.

    No row means not shared: a page is private until its employee shares it.
    """

    __tablename__ = "my_week_sharing"

    employee_id: Mapped[str] = mapped_column(
        ID, ForeignKey("employees.employee_id", ondelete="CASCADE"), primary_key=True
    )
    shared: Mapped[bool] = mapped_column(Boolean)
    changed_at: Mapped[datetime] = mapped_column(DateTime)
