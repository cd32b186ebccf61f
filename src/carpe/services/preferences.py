"""Each user's reminder preferences: the morning digest and the calendar feed's secret.

The feed's token is shown once, when it is made; the store keeps only its
SHA-256, so a leaked database does not open anyone's calendar. Making a new
token, or revoking it, makes the old address stop working at once.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from carpe.errors import UsageError
from carpe.services.instance import secret_digest
from carpe.services.permissions import Viewer
from carpe.services.users import viewer_of
from carpe.store.access import User
from carpe.store.models import utc_now
from carpe.store.reminders import UserPreferences

CALENDAR_TOKEN_PREFIX = "cal_"
DEFAULT_TIME = "07:30"
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")


@dataclass(frozen=True, slots=True)
class Preferences:
    """What a user chose (defaults when they never chose)."""

    user_id: int
    email: str | None
    digest_enabled: bool
    digest_time: str
    time_zone: str
    has_calendar_feed: bool


def parse_digest_time(value: str) -> time:
    """``HH:MM`` as a time of day.

    Raises
    ------
    UsageError
        When it is not a time of day.
    """
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise UsageError(f"digest time must be HH:MM (24 h), not {value!r}") from None


def parse_time_zone(value: str) -> ZoneInfo:
    """An IANA time zone (``Europe/Paris``).

    Raises
    ------
    UsageError
        When no such zone is known.
    """
    try:
        return ZoneInfo(value.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(
            f"unknown time zone {value!r}; use an IANA name such as Europe/Paris"
        ) from None


def get_preferences(*, session: Session, user_id: int) -> Preferences:
    """The user's preferences, or the defaults (no digest, UTC, 07:30, no feed)."""
    row = session.get(UserPreferences, user_id)
    if row is None:
        return Preferences(user_id, None, False, DEFAULT_TIME, "UTC", False)
    return Preferences(
        user_id,
        row.email,
        row.digest_enabled,
        row.digest_time,
        row.time_zone,
        row.calendar_token_hash is not None,
    )


def _row(session: Session, user_id: int) -> UserPreferences:
    row = session.get(UserPreferences, user_id)
    if row is None:
        row = UserPreferences(
            user_id=user_id,
            digest_enabled=False,
            digest_time=DEFAULT_TIME,
            time_zone="UTC",
            updated_at=utc_now(),
        )
        session.add(row)
    return row


def save_preferences(
    *,
    session: Session,
    user_id: int,
    email: str | None,
    digest_enabled: bool,
    digest_time: str,
    time_zone: str,
) -> Preferences:
    """Record a user's digest preferences.

    Raises
    ------
    UsageError
        A malformed address, time or zone, or a digest asked for without an address.
    """
    address = (email or "").strip() or None
    if address is not None and not _EMAIL.match(address):
        raise UsageError(f"{address!r} is not an e-mail address")
    if digest_enabled and address is None:
        raise UsageError("a morning digest needs an e-mail address to go to")
    chosen = parse_digest_time(digest_time)
    zone = parse_time_zone(time_zone)
    row = _row(session, user_id)
    row.email = address
    row.digest_enabled = digest_enabled
    row.digest_time = chosen.strftime("%H:%M")
    row.time_zone = zone.key
    row.updated_at = utc_now()
    session.flush()
    return get_preferences(session=session, user_id=user_id)


def create_calendar_token(*, session: Session, user_id: int) -> str:
    """A new secret for the user's calendar feed (the old one stops working); shown once."""
    token = CALENDAR_TOKEN_PREFIX + secrets.token_urlsafe(24)
    row = _row(session, user_id)
    row.calendar_token_hash = secret_digest(token)
    row.calendar_token_created_at = utc_now()
    row.updated_at = utc_now()
    session.flush()
    return token


def revoke_calendar_token(*, session: Session, user_id: int) -> bool:
    """Stop the user's calendar feed; True when there was one."""
    row = session.get(UserPreferences, user_id)
    if row is None or row.calendar_token_hash is None:
        return False
    row.calendar_token_hash = None
    row.calendar_token_created_at = None
    row.updated_at = utc_now()
    session.flush()
    return True


def viewer_for_calendar_token(*, session: Session, token: str) -> Viewer | None:
    """The active user whose feed ``token`` opens, or ``None``."""
    if not token.startswith(CALENDAR_TOKEN_PREFIX) or len(token) > 100:
        return None
    user = session.scalars(
        select(User)
        .join(UserPreferences, UserPreferences.user_id == User.id)
        .where(UserPreferences.calendar_token_hash == secret_digest(token), User.active.is_(True))
    ).first()
    return viewer_of(user) if user is not None else None
