"""Who is asking: sessions, API tokens (and their scopes), CSRF."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from carpe.config import Settings
from carpe.context import Carpe
from carpe.errors import CarpeError, ForbiddenError
from carpe.services import sessions, users
from carpe.services.permissions import Viewer

SESSION_ID = "sid"
"""The cookie's key for the random session id (the store keeps its hash)."""
SESSION_CSRF = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class LoginRequiredError(CarpeError):
    """Nobody is signed in (pages redirect to the sign-in page; the API answers 401)."""


class CsrfError(CarpeError):
    """A form or request changed data without the session's CSRF token."""


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use."""
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        request.session[SESSION_CSRF] = token
    return token


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def lifetimes(settings: Settings) -> sessions.Lifetimes:
    """A session's idle and absolute lifetimes from the settings."""
    return sessions.Lifetimes(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(days=settings.session_days),
    )


def sign_in_limit(settings: Settings) -> sessions.SignInLimit:
    """Failed sign-ins allowed per account and per address, from the settings."""
    return sessions.SignInLimit(
        per_account=settings.login_attempts, per_address=settings.login_attempts_per_address
    )


def resolve_viewer(request: Request) -> Viewer | None:
    """The viewer of a request: an API token, else the session's user.

    With ``CARPE_DEMO_USER`` (development), a browser asking for a page is signed
    in as the demo user once: only while that user has never had a session, so
    after signing out the sign-in page is reachable.
    """
    carpe: Carpe = request.app.state.carpe
    cached = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    token = _bearer(request)
    with carpe.unit_of_work() as uow:
        viewer: Viewer | None = None
        if token is not None:
            viewer = users.viewer_for_token(session=uow.session, token=token)
            request.state.by_token = viewer is not None
        else:
            session_id = request.session.get(SESSION_ID)
            if isinstance(session_id, str):
                viewer = sessions.viewer_for_session(
                    session=uow.session,
                    session_id=session_id,
                    lifetimes=lifetimes(carpe.settings),
                )
                if viewer is None:
                    request.session.clear()
            elif carpe.settings.demo_user and "text/html" in request.headers.get("accept", ""):
                viewer = _demo_sign_in(request, uow.session, carpe.settings.demo_user)
        uow.commit()
    request.state.viewer = viewer
    return viewer


def _demo_sign_in(request: Request, session: Session, demo: str) -> Viewer | None:
    found = session.scalars(users.select_user_by_name(demo)).first()
    if found is None or sessions.user_ever_signed_in(session=session, user_id=found.id):
        return None
    request.session[SESSION_ID] = sessions.start_session(session=session, user_id=found.id)
    return users.viewer_of(found)


def require_viewer(request: Request) -> Viewer:
    """The signed-in viewer; raises :class:`LoginRequiredError` when there is none.

    A request that changes data with a session cookie must carry the session's
    CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``); API-token
    requests need none; a token with the ``read`` scope may not change anything.
    """
    viewer = resolve_viewer(request)
    if viewer is None:
        raise LoginRequiredError("sign in first")
    if not viewer.may_write and request.method not in SAFE_METHODS:
        raise ForbiddenError("this API token only reads (scope read); use a write token")
    return viewer


async def check_csrf(request: Request) -> None:
    """Refuse an unsafe cookie-authenticated request without the session's CSRF token."""
    if request.method in SAFE_METHODS or getattr(request.state, "by_token", False):
        return
    if _bearer(request) is not None:
        return
    carpe: Carpe = request.app.state.carpe
    if SESSION_ID not in request.session and not carpe.settings.demo_user:
        return  # nobody is signed in: nothing to forge; the route answers 401 or signs in
    await verify_csrf(request)


async def verify_csrf(request: Request) -> None:
    """Refuse the request unless it carries the session's CSRF token (the sign-in form's case)."""
    expected = request.session.get(SESSION_CSRF)
    given = request.headers.get("x-csrf-token")
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not given or not hmac.compare_digest(expected, given):
        raise CsrfError(
            "the form has expired or did not come from carpe; reload the page and try again"
        )


ViewerDep = Annotated[Viewer, Depends(require_viewer)]
