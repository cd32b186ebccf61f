"""Retention stories: drafts with their evidence, and the customer's consent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from carpe.store.models import ID, Base


class StoredStory(Base):
    """One retention story; its id is stable across analysis runs.

    A re-run updates what the miner computes (score, draft, evidence) and
    keeps what people decided (consent, an edited title).
    """

    __tablename__ = "stories"
    __table_args__ = (Index("ix_stories_theme_score", "theme", "score"),)

    story_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    account_id: Mapped[str] = mapped_column(
        ID, ForeignKey("accounts.account_id", ondelete="CASCADE"), index=True
    )
    theme: Mapped[str] = mapped_column(String(40))
    score: Mapped[float] = mapped_column(Float, index=True)
    scores: Mapped[str] = mapped_column(Text, doc="JSON: problem, effort, turnaround, words, ...")
    title: Mapped[str] = mapped_column(String(300))
    custom_title: Mapped[str | None] = mapped_column(String(300), doc="a person's edit; kept")
    anonymous_title: Mapped[str] = mapped_column(String(300))
    started_at: Mapped[datetime] = mapped_column(DateTime)
    hero_employee_id: Mapped[str | None] = mapped_column(ID, index=True)
    employee_ids: Mapped[str] = mapped_column(Text, doc="JSON list: the hero, then helpers")
    problem_kinds: Mapped[str] = mapped_column(Text, doc="JSON list")
    effort_signals: Mapped[str] = mapped_column(Text, doc="JSON list")
    outcomes: Mapped[str] = mapped_column(Text, doc="JSON list")
    sentences: Mapped[str] = mapped_column(
        Text, doc="JSON list of {text, touchpoint_ids, feedback_ids}"
    )
    anonymous_sentences: Mapped[str] = mapped_column(Text, doc="JSON, as sentences")
    touchpoint_ids: Mapped[str] = mapped_column(Text, doc="JSON list of cited touchpoints")
    feedback_ids: Mapped[str] = mapped_column(Text, doc="JSON list of cited feedback answers")
    contact_ids: Mapped[str] = mapped_column(Text, doc="JSON list of contacts on cited records")
    consent: Mapped[str] = mapped_column(String(20), default="internal")
    consent_by: Mapped[str | None] = mapped_column(String(200), doc="who recorded the decision")
    consent_contact_id: Mapped[str | None] = mapped_column(ID, doc="the customer who decided")
    consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    amounts_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    redacted: Mapped[bool] = mapped_column(Boolean, default=False, doc="a quoted contact erased")
    detected_at: Mapped[datetime] = mapped_column(DateTime)
    last_seen_at: Mapped[datetime] = mapped_column(DateTime)


class StoryConsent(Base):
    """One step of a story's consent workflow: who recorded what, for which contact, when."""

    __tablename__ = "story_consents"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    story_id: Mapped[str] = mapped_column(
        String(40), ForeignKey("stories.story_id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    recorded_by: Mapped[str] = mapped_column(String(200))
    contact_id: Mapped[str | None] = mapped_column(ID)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime)
