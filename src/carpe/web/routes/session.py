"""Signing in and out."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlparse

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carpe.services import users
from carpe.web.auth import SESSION_USER, LoginLimiter, check_csrf, resolve_viewer, verify_csrf
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
    return render(request, "login.html", {"next": _safe_next(next), "error": None})


@router.post("/login", dependencies=[Depends(verify_csrf)])
def login(
    request: Request,
    uow: UowDep,
    username: Annotated[str, Form(max_length=100)],
    password: Annotated[str, Form(max_length=200)],
    next: Annotated[str, Form()] = "/today",
) -> Response:
    """Check the password; at most ``CARPE_LOGIN_ATTEMPTS`` failures per 5 minutes."""
    limiter: LoginLimiter = request.app.state.login_limiter
    address = request.client.host if request.client else "unknown"
    context = {"next": _safe_next(next), "username": username}
    if limiter.blocked(address, username):
        context["error"] = "Too many failed attempts. Wait a few minutes and try again."
        return render(request, "login.html", context, status_code=429)
    viewer = users.authenticate(session=uow.session, username=username, password=password)
    if viewer is None:
        limiter.failed(address, username)
        context["error"] = "That username and password do not match."
        return render(request, "login.html", context, status_code=401)
    uow.commit()
    limiter.succeeded(address, username)
    request.session.clear()
    request.session[SESSION_USER] = viewer.user_id
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", dependencies=[Depends(check_csrf)])
def logout(request: Request) -> RedirectResponse:
    """Forget the session."""
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
