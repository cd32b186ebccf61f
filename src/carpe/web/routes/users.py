"""Users in the web UI: the admin users page, and each person's own account page.

Admins disable and enable users, set a password, end a user's sessions and
revoke tokens on ``/admin/users``, as ``carpe user`` and ``carpe token`` do on the
command line. Everyone changes their own password and manages their own API
tokens on ``/account``. Every change is written to the audit log.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carpe.errors import UsageError
from carpe.services import permissions, sessions, users
from carpe.services.audit import audit
from carpe.services.permissions import Viewer
from carpe.web.auth import SESSION_ID, ViewerDep, check_csrf, lifetimes
from carpe.web.routes.deps import UowDep, render

router = APIRouter(include_in_schema=False)
ADMINS_ONLY = "only an admin may do this"


def _page(request: Request, uow: UowDep, *, notice: str | None, error: str | None) -> HTMLResponse:
    people = [
        (user, sessions.count_open_sessions(session=uow.session, user_id=user.id))
        for user in users.list_users(session=uow.session)
    ]
    tokens = users.list_tokens(session=uow.session)
    names = users.employee_names(
        session=uow.session, employee_ids=[user.employee_id for user, _ in people]
    )
    context: dict[str, object] = {"people": people, "tokens": tokens, "names": names}
    context |= {"notice": notice, "error": error}
    return render(request, "users.html", context, status_code=400 if error else 200)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, viewer: ViewerDep, uow: UowDep) -> HTMLResponse:
    """Users, their open sessions, and every API token (admins)."""
    permissions.require(viewer, "manage", permissions.USERS, why=ADMINS_ONLY)
    return _page(request, uow, notice=None, error=None)


def _done(
    viewer: Viewer, uow: UowDep, action: str, subject: str, detail: str | None = None
) -> None:
    audit(
        session=uow.session,
        viewer=viewer,
        action=action,
        subject_type="user",
        subject_id=subject,
        detail=detail,
    )
    uow.commit()


@router.post("/admin/users/{username}/disable", dependencies=[Depends(check_csrf)])
def disable(username: str, viewer: ViewerDep, uow: UowDep) -> Response:
    """Disable a user: their sessions end, their tokens stop working."""
    permissions.require(viewer, "manage", permissions.USERS, why=ADMINS_ONLY)
    if username.casefold() == viewer.username.casefold():
        raise UsageError("you cannot disable yourself; ask another admin")
    user = users.set_active(session=uow.session, username=username, active=False)
    _done(viewer, uow, "user_disable", user.username)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/enable", dependencies=[Depends(check_csrf)])
def enable(username: str, viewer: ViewerDep, uow: UowDep) -> Response:
    """Let a disabled user sign in again."""
    permissions.require(viewer, "manage", permissions.USERS, why=ADMINS_ONLY)
    user = users.set_active(session=uow.session, username=username, active=True)
    _done(viewer, uow, "user_enable", user.username)
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/end-sessions", dependencies=[Depends(check_csrf)])
def end_sessions(username: str, viewer: ViewerDep, uow: UowDep) -> Response:
    """Sign a user out everywhere."""
    permissions.require(viewer, "manage", permissions.USERS, why=ADMINS_ONLY)
    user = users.get_user_by_name(session=uow.session, username=username)
    ended = users.end_user_sessions(session=uow.session, user_id=user.id)
    _done(viewer, uow, "user_sessions_end", user.username, f"{ended} session(s)")
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/admin/users/{username}/password", dependencies=[Depends(check_csrf)])
def password(
    request: Request,
    username: str,
    viewer: ViewerDep,
    uow: UowDep,
    new_password: Annotated[str, Form(max_length=200)],
) -> Response:
    """Set a user's password (their sessions end); a weak one is refused with the reason."""
    permissions.require(viewer, "manage", permissions.USERS, why=ADMINS_ONLY)
    try:
        user = users.set_password(session=uow.session, username=username, password=new_password)
    except UsageError as exc:
        uow.session.rollback()
        return _page(request, uow, notice=None, error=f"{username}: {exc}")
    _done(viewer, uow, "user_password", user.username)
    return _page(
        request,
        uow,
        notice=f"Password of {user.username} changed; their sessions ended.",
        error=None,
    )


@router.post("/admin/tokens/{token_id}/revoke", dependencies=[Depends(check_csrf)])
def revoke(token_id: int, viewer: ViewerDep, uow: UowDep) -> Response:
    """Revoke an API token at once."""
    permissions.require(viewer, "manage", permissions.USERS, why=ADMINS_ONLY)
    row = users.revoke_token(session=uow.session, token_id=token_id, by=viewer)
    _done(viewer, uow, "token_revoke", row.username, f"token {row.token_id} ({row.name})")
    return RedirectResponse("/admin/users", status_code=303)


def _own_page(
    request: Request,
    viewer: Viewer,
    uow: UowDep,
    *,
    notice: str | None = None,
    error: str | None = None,
    new_token: str | None = None,
) -> HTMLResponse:
    tokens = users.list_tokens(session=uow.session, username=viewer.username)
    names = users.employee_names(session=uow.session, employee_ids=[viewer.employee_id])
    context: dict[str, object] = {"tokens": tokens, "notice": notice, "error": error}
    context |= {"new_token": new_token, "names": names}
    return render(request, "me.html", context, status_code=400 if error else 200)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, viewer: ViewerDep, uow: UowDep) -> HTMLResponse:
    """One's own account: change the password, one's API tokens."""
    return _own_page(request, viewer, uow)


@router.post("/account/password", dependencies=[Depends(check_csrf)])
def change_own_password(
    request: Request,
    viewer: ViewerDep,
    uow: UowDep,
    current_password: Annotated[str, Form(max_length=200)],
    new_password: Annotated[str, Form(max_length=200)],
) -> Response:
    """Change one's password: every other session ends; this browser stays signed in."""
    if (
        users.authenticate(session=uow.session, username=viewer.username, password=current_password)
        is None
    ):
        return _own_page(request, viewer, uow, error="The current password is not right.")
    try:
        users.set_password(session=uow.session, username=viewer.username, password=new_password)
    except UsageError as exc:
        uow.session.rollback()
        return _own_page(request, viewer, uow, error=str(exc))
    settings = request.app.state.carpe.settings
    request.session[SESSION_ID] = sessions.start_session(
        session=uow.session, user_id=viewer.user_id, lifetimes=lifetimes(settings)
    )
    _done(viewer, uow, "user_password", viewer.username, "by the user")
    return _own_page(
        request, viewer, uow, notice="Password changed; every other session has ended."
    )


@router.post("/account/tokens", dependencies=[Depends(check_csrf)])
def create_own_token(
    request: Request,
    viewer: ViewerDep,
    uow: UowDep,
    name: Annotated[str, Form(min_length=1, max_length=100)],
    scope: Annotated[str, Form(max_length=10)] = "read",
    days: Annotated[int, Form(ge=1, le=3650)] = 90,
) -> Response:
    """Create an API token acting as oneself; it is shown once."""
    token = users.create_api_token(
        session=uow.session, user_id=viewer.user_id, name=name, scope=scope, days=days, by=viewer
    )
    uow.commit()
    return _own_page(request, viewer, uow, new_token=token)


@router.post("/account/tokens/{token_id}/revoke", dependencies=[Depends(check_csrf)])
def revoke_own_token(token_id: int, viewer: ViewerDep, uow: UowDep) -> Response:
    """Revoke one of one's own tokens."""
    row = users.revoke_token(session=uow.session, token_id=token_id, by=viewer)
    _done(viewer, uow, "token_revoke", row.username, f"token {row.token_id} ({row.name})")
    return RedirectResponse("/account", status_code=303)
