"""Reminders where people already work: preferences, digest sends, chat channels.

``user_preferences`` holds what each user chose (their morning digest, their
calendar feed's token hash); ``digest_sends`` records each digest, one row per
user and day, which is also how several workers agree that only one sends it;
``chat_channels`` and ``chat_deliveries`` are the Slack- and Teams-compatible
incoming webhooks and what was posted to each, once.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from carpe.store.models import Base

CHAT_FORMATS = ("slack", "teams")
DIGEST_STATUSES = ("sending", "sent", "failed")


class UserPreferences(Base):
    """What one user chose: a morning digest (address, time, zone) and a calendar feed."""

    __tablename__ = "user_preferences"

    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str | None] = mapped_column(String(320))
    digest_enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    digest_time: Mapped[str] = mapped_column(String(5), default="07:30")
    """Local time of day ``HH:MM`` from which the digest goes out."""
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC")
    calendar_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    """SHA-256 of the feed's secret token; ``None`` when there is no feed (or it was revoked)."""
    calendar_token_created_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class DigestSend(Base):
    """One user's digest for one (local) day: claimed, sent or failed, and how often tried."""

    __tablename__ = "digest_sends"
    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[datetime] = mapped_column(DateTime)
    claimed_by: Mapped[str] = mapped_column(String(100))
    """Which process claimed it last (host and process id)."""
    sent_at: Mapped[datetime | None] = mapped_column(DateTime)
    recipient: Mapped[str | None] = mapped_column(String(320))
    items: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


class ChatChannel(Base):
    """An incoming webhook of a chat (Slack or Teams) for a department or a user."""

    __tablename__ = "chat_channels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    format: Mapped[str] = mapped_column(String(10))
    url: Mapped[str] = mapped_column(Text)
    department: Mapped[str | None] = mapped_column(String(100))
    user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(DateTime)
    """Conflicts found before this are not posted (a new channel is not flooded)."""


class ChatDelivery(Base):
    """A message for a channel, posted once (retried on failure)."""

    __tablename__ = "chat_deliveries"
    __table_args__ = (UniqueConstraint("channel_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("chat_channels.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(200))
    """What it is about (``follow_up:42``, ``conflict:abc``)."""
    payload: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime)
    """When a process last took it to post (so two workers never post it both)."""
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
