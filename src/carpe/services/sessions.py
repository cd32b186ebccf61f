"""Sessions that can end, and the sign-in limit every worker shares.

A browser that signs in gets a random session id in its (signed) cookie; the
store keeps only the id's SHA-256 in ``web_sessions``. Every request looks the
row up, so a session ends for real: at sign-out, when the password changes, when
the user is disabled, after the idle lifetime without a request and after the
absolute lifetime whatever happens.

Failed sign-ins are rows in ``sign_in_failures``: every worker process counts
the same ones. Checking whether someone is blocked only reads; rows older than
the window are deleted whenever a failure is recorded, so the table stays small.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.orm import Session

from carpe.services.instance import secret_digest
from carpe.services.permissions import Viewer
from carpe.store.access import SignInFailure, User, WebSession
from carpe.store.models import utc_now

SIGN_IN_WINDOW = timedelta(minutes=5)
SEEN_RESOLUTION = timedelta(minutes=1)
"""``last_seen_at`` is written at most once a minute per session, not on every request."""


@dataclass(frozen=True, slots=True)
class Lifetimes:
    """How long a session lasts without a request (idle) and at most (absolute)."""

    idle: timedelta
    absolute: timedelta


def start_session(*, session: Session, user_id: int, lifetimes: Lifetimes | None = None) -> str:
    """Record a new session for a user who just signed in; returns the id for the cookie.

    With ``lifetimes``, sessions older than the absolute lifetime (long over) are
    deleted, so the table keeps only what could still be live or recently ended.
    """
    session_id = secrets.token_urlsafe(32)
    now = utc_now()
    if lifetimes is not None:
        session.execute(delete(WebSession).where(WebSession.created_at < now - lifetimes.absolute))
    session.add(
        WebSession(
            user_id=user_id, token_hash=secret_digest(session_id), created_at=now, last_seen_at=now
        )
    )
    session.flush()
    return session_id


def viewer_for_session(
    *, session: Session, session_id: str, lifetimes: Lifetimes, now: datetime | None = None
) -> Viewer | None:
    """The viewer a live session acts as, else ``None`` (ended, idle, too old, user disabled)."""
    now = now or utc_now()
    found = session.execute(
        select(
            WebSession.id,
            WebSession.created_at,
            WebSession.last_seen_at,
            User.id,
            User.username,
            User.role,
            User.employee_id,
        )
        .join(User, User.id == WebSession.user_id)
        .where(
            WebSession.token_hash == secret_digest(session_id),
            WebSession.ended_at.is_(None),
            User.active.is_(True),
        )
    ).first()
    if found is None:
        return None
    row_id, created_at, last_seen_at, user_id, username, role, employee_id = found
    if now - last_seen_at > lifetimes.idle or now - created_at > lifetimes.absolute:
        session.execute(update(WebSession).where(WebSession.id == row_id).values(ended_at=now))
        return None
    if now - last_seen_at > SEEN_RESOLUTION:
        session.execute(update(WebSession).where(WebSession.id == row_id).values(last_seen_at=now))
    return Viewer(user_id, username, role, employee_id)


def end_session(*, session: Session, session_id: str) -> None:
    """End one session (sign-out)."""
    session.execute(
        update(WebSession)
        .where(WebSession.token_hash == secret_digest(session_id), WebSession.ended_at.is_(None))
        .values(ended_at=utc_now())
    )


def count_open_sessions(*, session: Session, user_id: int) -> int:
    """How many sessions of a user have not been ended (some may have run out)."""
    return int(
        session.scalar(
            select(func.count())
            .select_from(WebSession)
            .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        )
        or 0
    )


def user_ever_signed_in(*, session: Session, user_id: int) -> bool:
    """Whether a user has had a session (the demo signs its manager in only the first time)."""
    return (
        session.scalars(select(WebSession.id).where(WebSession.user_id == user_id).limit(1)).first()
        is not None
    )


@dataclass(frozen=True, slots=True)
class SignInLimit:
    """Failed sign-ins allowed in :data:`SIGN_IN_WINDOW`: per account and per address."""

    per_account: int
    per_address: int


def sign_in_blocked(*, session: Session, limit: SignInLimit, username: str, address: str) -> bool:
    """Whether this account or this address has failed too often lately (reads only)."""
    since = utc_now() - SIGN_IN_WINDOW
    key = username.casefold()
    by_account, by_address = session.execute(
        select(
            func.count().filter(SignInFailure.username == key),
            func.count().filter(SignInFailure.address == address),
        ).where(
            SignInFailure.at > since,
            or_(SignInFailure.username == key, SignInFailure.address == address),
        )
    ).one()
    return bool(by_account >= limit.per_account or by_address >= limit.per_address)


def record_sign_in_failure(*, session: Session, username: str, address: str) -> None:
    """Record a failed sign-in, and forget those older than the window."""
    now = utc_now()
    session.execute(delete(SignInFailure).where(SignInFailure.at <= now - SIGN_IN_WINDOW))
    session.add(SignInFailure(at=now, username=username.casefold()[:100], address=address[:100]))
    session.flush()


def clear_sign_in_failures(*, session: Session, username: str) -> None:
    """Forget an account's failures after it signed in."""
    session.execute(delete(SignInFailure).where(SignInFailure.username == username.casefold()))
