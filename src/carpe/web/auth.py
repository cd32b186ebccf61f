"""Who is asking: session cookies, API tokens, CSRF, and sign-in rate limits."""

from __future__ import annotations

import hmac
import secrets
import time
from collections import defaultdict, deque
from typing import Annotated

from fastapi import Depends, Request

from carpe.context import Carpe
from carpe.errors import CarpeError
from carpe.services import users
from carpe.services.users import Viewer

SESSION_USER = "uid"
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


def resolve_viewer(request: Request) -> Viewer | None:
    """The viewer of a request: an API token, else the session's user, else the demo user."""
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
            user_id = request.session.get(SESSION_USER)
            if isinstance(user_id, int):
                viewer = users.get_viewer(session=uow.session, user_id=user_id)
            demo = carpe.settings.demo_user
            if viewer is None and demo:
                found = uow.session.scalars(
                    users.select_user_by_name(demo)  # the demo signs its manager in
                ).first()
                if found is not None:
                    viewer = users.viewer_of(found)
                    request.session[SESSION_USER] = found.id
        uow.commit()
    request.state.viewer = viewer
    return viewer


def require_viewer(request: Request) -> Viewer:
    """The signed-in viewer; raises :class:`LoginRequiredError` when there is none.

    A request that changes data with a session cookie must carry the session's
    CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``); API-token
    requests need none.
    """
    viewer = resolve_viewer(request)
    if viewer is None:
        raise LoginRequiredError("sign in first")
    return viewer


async def check_csrf(request: Request) -> None:
    """Refuse an unsafe cookie-authenticated request without the session's CSRF token."""
    if request.method in SAFE_METHODS or getattr(request.state, "by_token", False):
        return
    if _bearer(request) is not None:
        return
    carpe: Carpe = request.app.state.carpe
    if SESSION_USER not in request.session and not carpe.settings.demo_user:
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


class LoginLimiter:
    """Counts failed sign-ins per (address, username) over a sliding window."""

    def __init__(self, attempts: int, window_seconds: float = 300.0) -> None:
        self.attempts = attempts
        self.window = window_seconds
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def _recent(self, key: tuple[str, str]) -> deque[float]:
        stamps = self._failures[key]
        cutoff = time.monotonic() - self.window
        while stamps and stamps[0] < cutoff:
            stamps.popleft()
        return stamps

    def blocked(self, address: str, username: str) -> bool:
        """Whether this address may not try this username now."""
        return len(self._recent((address, username.lower()))) >= self.attempts

    def failed(self, address: str, username: str) -> None:
        """Record a failed attempt."""
        self._recent((address, username.lower())).append(time.monotonic())

    def succeeded(self, address: str, username: str) -> None:
        """Forget the failures after a successful sign-in."""
        self._failures.pop((address, username.lower()), None)
