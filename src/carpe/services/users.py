"""Users, passwords and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from carpe.errors import NotFoundError, UsageError
from carpe.store.access import ROLES, ApiToken, User
from carpe.store.models import Employee, utc_now

_hasher = PasswordHasher()
MIN_PASSWORD_LENGTH = 8
TOKEN_PREFIX = "carpe_"
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class Viewer:
    """Who is asking: a signed-in user, or an API token acting as one."""

    user_id: int
    username: str
    role: str
    employee_id: str | None

    @property
    def is_manager(self) -> bool:
        """Managers and admins see and act on everyone's data."""
        return self.role in ("manager", "admin")

    @property
    def is_admin(self) -> bool:
        """Admins manage users, exports and erasures."""
        return self.role == "admin"


SYSTEM = Viewer(user_id=0, username="cli", role="admin", employee_id=None)
"""The local command line: trusted like an admin, audited as ``cli``."""


def viewer_of(user: User) -> Viewer:
    """The :class:`Viewer` a user acts as."""
    return Viewer(user.id, user.username, user.role, user.employee_id)


def add_user(
    *, session: Session, username: str, password: str, role: str, employee_id: str | None
) -> User:
    """Create a user with an argon2-hashed password.

    Raises
    ------
    UsageError
        A taken username, an unknown role or employee, or a password under 8 characters.
    """
    if role not in ROLES:
        raise UsageError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UsageError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if not username.strip():
        raise UsageError("the username is blank")
    if session.scalars(select(User).where(User.username == username)).first():
        raise UsageError(f"the username {username!r} is taken")
    if employee_id is not None and session.get(Employee, employee_id) is None:
        raise UsageError(f"no employee with id {employee_id!r}")
    user = User(
        username=username,
        password_hash=_hasher.hash(password),
        role=role,
        employee_id=employee_id,
        active=True,
        created_at=utc_now(),
    )
    session.add(user)
    session.flush()
    return user


def authenticate(*, session: Session, username: str, password: str) -> Viewer | None:
    """The viewer for a right username and password, else ``None`` (never says which was wrong)."""
    user = session.scalars(select(User).where(User.username == username, User.active)).first()
    if user is None:
        _hasher.hash(password)  # spend the same time as a real check
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = utc_now()
    return viewer_of(user)


def get_viewer(*, session: Session, user_id: int) -> Viewer | None:
    """The viewer for an active user id (a session cookie's), else ``None``."""
    user = session.get(User, user_id)
    return viewer_of(user) if user is not None and user.active else None


def select_user_by_name(username: str) -> Select[User]:
    """The query for an active user by name."""
    return select(User).where(User.username == username, User.active)


def get_user_by_name(*, session: Session, username: str) -> User:
    """The user called ``username``.

    Raises
    ------
    NotFoundError
        No such user.
    """
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        raise NotFoundError("user", username)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(*, session: Session, user_id: int, name: str) -> str:
    """Create an API token for a user; the token itself is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(
        ApiToken(user_id=user_id, name=name, token_hash=_digest(token), created_at=utc_now())
    )
    session.flush()
    return token


def viewer_for_token(*, session: Session, token: str) -> Viewer | None:
    """The viewer an API token acts as, else ``None`` (unknown, revoked or inactive user)."""
    # One plain query on every API request (no ORM objects): the token, its active user.
    found = session.execute(
        select(
            ApiToken.id,
            ApiToken.last_used_at,
            User.id,
            User.username,
            User.role,
            User.employee_id,
        )
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_hash == _digest(token),
            ApiToken.revoked_at.is_(None),
            User.active.is_(True),
        )
    ).first()
    if found is None:
        return None
    token_id, last_used_at, user_id, username, role, employee_id = found
    now = utc_now()
    if last_used_at is None or now - last_used_at > TOKEN_TOUCH_INTERVAL:
        # at most one write per interval, not one per request
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
    return Viewer(user_id, username, role, employee_id)
