"""Signing in and out."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carpe.services import sessions, users
from carpe.services.demo import DEMO_FRONTLINE_USER
from carpe.web.auth import (
    SESSION_ID,
    check_csrf,
    lifetimes,
    resolve_viewer,
    sign_in_limit,
    verify_csrf,
)
from carpe.web.routes.deps import UowDep, render

router = APIRouter(include_in_schema=False)


def _safe_next(target: str) -> str:
    """Only local paths: never redirect a person to another site after signing in."""
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/today"
    return target


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/today") -> Response:
    """The sign-in form (straight on to ``next`` when already signed in)."""
    if resolve_viewer(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    demo = request.app.state.carpe.settings.demo_user
    context = {"next": _safe_next(next), "error": None, "demo": demo}
    return render(request, "login.html", context | {"frontline": DEMO_FRONTLINE_USER})


@router.post("/login", dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    uow: UowDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/today",
) -> Response:
    """Check the password; refuse after too many failures per account or address (5 minutes).

    The failures are counted in the store, so every worker process sees the same.
    """
    address = request.client.host if request.client else "unknown"
    context = {"next": _safe_next(next), "username": username}
    settings = request.app.state.carpe.settings
    limit = sign_in_limit(settings)
    if sessions.sign_in_blocked(
        session=uow.session, limit=limit, username=username, address=address
    ):
        context["error"] = "Too many failed attempts. Wait a few minutes and try again."
        return render(request, "login.html", context, status_code=429)
    viewer = users.authenticate(session=uow.session, username=username, password=password)
    if viewer is None:
        sessions.record_sign_in_failure(session=uow.session, username=username, address=address)
        uow.commit()
        context["error"] = "That username and password do not match."
        return render(request, "login.html", context, status_code=401)
    sessions.clear_sign_in_failures(session=uow.session, username=username)
    session_id = sessions.start_session(
        session=uow.session, user_id=viewer.user_id, lifetimes=lifetimes(settings)
    )
    uow.commit()
    request.session.clear()  # a new CSRF token too
    request.session[SESSION_ID] = session_id
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request, uow: UowDep) -> RedirectResponse:
    """End the session in the store (the cookie is worth nothing after) and forget it."""
    session_id = request.session.get(SESSION_ID)
    if isinstance(session_id, str):
        sessions.end_session(session=uow.session, session_id=session_id)
        uow.commit()
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
