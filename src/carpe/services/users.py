"""Users, passwords and API tokens."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from carpe.errors import NotFoundError, UsageError
from carpe.services.instance import secret_digest
from carpe.services.passwords import check_password
from carpe.services.permissions import Resource, Viewer, allowed, require, require_actor
from carpe.store.access import ApiToken, User, WebSession
from carpe.store.models import Employee, utc_now
from carpe.vocabulary import ROLES, SCOPES

_hasher = PasswordHasher()
TOKEN_PREFIX = "carpe_"
TOKEN_TOUCH_INTERVAL = timedelta(minutes=5)


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
        A username taken (whatever its case), an unknown role or employee, or a
        password that is short, common or easy to guess.
    """
    if role not in ROLES:
        raise UsageError(f"role must be one of {', '.join(ROLES)}, not {role!r}")
    if not username.strip():
        raise UsageError("the username is blank")
    if username != username.strip() or len(username) > 100:
        raise UsageError("the username must have at most 100 characters, without outer spaces")
    taken = session.scalars(select(User).where(User.username_key == username.casefold())).first()
    if taken:
        raise UsageError(f"the username {username!r} is taken (by {taken.username!r})")
    check_password(password, username=username)
    if employee_id is not None and session.get(Employee, employee_id) is None:
        raise UsageError(f"no employee with id {employee_id!r}")
    user = User(
        username=username,
        username_key=username.casefold(),
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
    """The viewer for a right username (in any case) and password, else ``None``.

    Never says which of the two was wrong.
    """
    user = session.scalars(
        select(User).where(User.username_key == username.casefold(), User.active)
    ).first()
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


def select_user_by_name(username: str) -> Select[User]:
    """The query for an active user by name (in any case)."""
    return select(User).where(User.username_key == username.casefold(), User.active)


def get_user_by_name(*, session: Session, username: str) -> User:
    """The user called ``username``.

    Raises
    ------
    NotFoundError
        No such user.
    """
    user = session.scalars(select(User).where(User.username_key == username.casefold())).first()
    if user is None:
        raise NotFoundError("user", username)
    return user


def end_user_sessions(*, session: Session, user_id: int) -> int:
    """End every session of a user (password changed, disabled, asked by an admin); how many."""
    result = session.execute(
        update(WebSession)
        .where(WebSession.user_id == user_id, WebSession.ended_at.is_(None))
        .values(ended_at=utc_now())
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def set_password(*, session: Session, username: str, password: str) -> User:
    """Give a user a new password and end every session they have.

    Raises
    ------
    NotFoundError
        No such user.
    UsageError
        The password is short, common or easy to guess.
    """
    user = get_user_by_name(session=session, username=username)
    check_password(password, username=user.username)
    user.password_hash = _hasher.hash(password)
    end_user_sessions(session=session, user_id=user.id)
    session.flush()
    return user


def set_active(*, session: Session, username: str, active: bool) -> User:
    """Enable or disable a user; disabling ends their sessions (their tokens stop working).

    Raises
    ------
    NotFoundError
        No such user.
    """
    user = get_user_by_name(session=session, username=username)
    user.active = active
    if not active:
        end_user_sessions(session=session, user_id=user.id)
    session.flush()
    return user


def employee_names(*, session: Session, employee_ids: list[str | None]) -> dict[str, str]:
    """The names of the employees ``employee_ids`` name (by id; unknown ids are left out)."""
    wanted = sorted({e for e in employee_ids if e})
    if not wanted:
        return {}
    rows = session.execute(
        select(Employee.employee_id, Employee.name).where(Employee.employee_id.in_(wanted))
    )
    return {str(e): str(name) for e, name in rows if name}


def list_users(*, session: Session) -> list[User]:
    """Every user, by name."""
    return list(session.scalars(select(User).order_by(User.username_key)))


def create_api_token(
    *,
    session: Session,
    user_id: int,
    name: str,
    scope: str = "write",
    days: int = 90,
    by: Viewer,
) -> str:
    """Create an API token for a user; the token itself is returned once and never stored.

    Parameters
    ----------
    scope:
        ``read`` (only reads), ``write`` (also changes) or ``admin`` (also manages tokens).
    days:
        The token stops working this many days from now.
    by:
        Who asks: the user themselves or an admin
        (:data:`~carpe.services.permissions.SYSTEM` for the local command line).
        A token needs the admin scope to create one.

    Raises
    ------
    UsageError
        An unknown scope or a lifetime outside 1–3650 days.
    ForbiddenError
        ``by`` is someone else but an admin, or a token without the admin scope.
    """
    owner = session.get(User, user_id)
    require(
        by,
        "create",
        Resource("token", users=(owner.username,) if owner else ()),
        why="only a person, or a token with the admin scope, may create their own tokens",
    )
    if scope not in SCOPES:
        raise UsageError(f"scope must be one of {', '.join(SCOPES)}, not {scope!r}")
    if not 1 <= days <= 3650:
        raise UsageError(f"a token lasts 1 to 3650 days, not {days}")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utc_now()
    session.add(
        ApiToken(
            user_id=user_id,
            name=name,
            token_hash=secret_digest(token),
            created_at=now,
            scope=scope,
            expires_at=now + timedelta(days=days),
        )
    )
    session.flush()
    return token


@dataclass(frozen=True, slots=True)
class TokenRow:
    """An API token as listed: never the token itself."""

    token_id: int
    username: str
    name: str
    scope: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        """Neither revoked nor expired."""
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > utc_now())


_TOKENS = (  # the fields of TokenRow, in order
    select(
        ApiToken.id.label("token_id"),
        User.username,
        ApiToken.name,
        ApiToken.scope,
        ApiToken.created_at,
        ApiToken.expires_at,
        ApiToken.last_used_at,
        ApiToken.revoked_at,
    )
    .join(User, User.id == ApiToken.user_id)
    .order_by(ApiToken.id.desc())
)


def list_tokens(*, session: Session, username: str | None = None) -> list[TokenRow]:
    """API tokens, newest first: a user's, or everyone's."""
    query = _TOKENS
    if username is not None:
        query = query.where(User.username_key == username.casefold())
    return [TokenRow(*row) for row in session.execute(query)]


def revoke_token(*, session: Session, token_id: int, by: Viewer) -> TokenRow:
    """Revoke a token at once (the owner or an admin; a token needs the admin scope).

    Raises
    ------
    NotFoundError
        No such token, or one of another user's that ``by`` may not see.
    ForbiddenError
        ``by`` is a token without the admin scope.
    """
    require_actor(by)
    token = session.get(ApiToken, token_id)
    owner = session.get(User, token.user_id) if token is not None else None
    resource = Resource("token", users=(owner.username,) if owner else ())
    if token is None or not allowed(by, "see", resource):
        raise NotFoundError("token", str(token_id))
    require(by, "revoke", resource, why="only a token with the admin scope may revoke tokens")
    if token.revoked_at is None:
        token.revoked_at = utc_now()
        session.flush()
    return next(row for row in list_tokens(session=session) if row.token_id == token_id)


def viewer_for_token(*, session: Session, token: str) -> Viewer | None:
    """The viewer an API token acts as, else ``None`` (unknown, revoked, expired, user disabled)."""
    # One plain query on every API request (no ORM objects): the token, its active user.
    found = session.execute(
        select(
            ApiToken.id,
            ApiToken.last_used_at,
            ApiToken.scope,
            ApiToken.expires_at,
            User.id,
            User.username,
            User.role,
            User.employee_id,
        )
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_hash == secret_digest(token),
            ApiToken.revoked_at.is_(None),
            User.active.is_(True),
        )
    ).first()
    if found is None:
        return None
    token_id, last_used_at, scope, expires_at, user_id, username, role, employee_id = found
    now = utc_now()
    if expires_at is not None and expires_at <= now:
        return None
    if last_used_at is None or now - last_used_at > TOKEN_TOUCH_INTERVAL:
        # at most one write per interval, not one per request
        session.execute(update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now))
    return Viewer(user_id, username, role, employee_id, scope)
