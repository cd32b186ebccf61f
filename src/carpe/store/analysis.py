"""Analysis runs and their results: when the pipeline ran, on what, and each account's risk."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carpe.store.models import ID, Base

RUN_STATUSES = ("running", "finished", "failed")


class AnalysisRun(Base):
    """One run of the analytics pipeline."""

    __tablename__ = "analysis_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    as_of: Mapped[date] = mapped_column(Date, index=True)
    engine: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="running")
    horizon_days: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    summary: Mapped[str | None] = mapped_column(
        Text, doc="JSON: steps, rows per table, seconds per step, training figures, notes"
    )


class StoredRisk(Base):
    """An account's risk of leaving within the run's horizon, with the reasons behind it."""

    __tablename__ = "account_risks"
    __table_args__ = (Index("ix_account_risks_run_rank", "run_id", "rank"),)

    run_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("analysis_runs.id", ondelete="CASCADE"), primary_key=True
    )
    account_id: Mapped[str] = mapped_column(
        ID, ForeignKey("accounts.account_id", ondelete="CASCADE"), primary_key=True, index=True
    )
    risk: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    drivers: Mapped[str] = mapped_column(
        Text, doc="JSON list of {feature, contribution, text}, largest first"
    )


class AnalysisOutput(Base):
    """One result of a pipeline step about one subject, as JSON (e.g. an employee's effect).

    Steps whose results need no workflow of their own (specialists, effect
    estimates, retention curves) write here instead of adding a table each.
    """

    __tablename__ = "analysis_outputs"
    __table_args__ = (Index("ix_analysis_outputs_run_step", "run_id", "step", "subject_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(Integer, ForeignKey("analysis_runs.id", ondelete="CASCADE"))
    step: Mapped[str] = mapped_column(String(50))
    subject_type: Mapped[str] = mapped_column(String(50))
    subject_id: Mapped[str] = mapped_column(String(200))
    payload: Mapped[str] = mapped_column(Text, doc="JSON")
