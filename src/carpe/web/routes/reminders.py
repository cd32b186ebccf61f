"""Reminder preferences (digest, calendar feed, own chat webhook) and the calendar feed itself."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from zoneinfo import available_timezones

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carpe.errors import NotFoundError, UsageError
from carpe.services import calendar, chat, preferences
from carpe.services.digest_mail import DigestLinks
from carpe.web.auth import ViewerDep, check_csrf
from carpe.web.routes.deps import CarpeDep, SessionDep, TodayDep, UowDep, render

router = APIRouter(include_in_schema=False)
ZONES = sorted(available_timezones())


def _page(
    request: Request,
    session: Any,
    user_id: int,
    *,
    message: str | None = None,
    error: str | None = None,
    feed_url: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    username = request.state.viewer.username
    channels = [c for c in chat.list_channels(session=session) if c.scope == f"user {username}"]
    return render(
        request,
        "preferences.html",
        {
            "prefs": preferences.get_preferences(session=session, user_id=user_id),
            "zones": ZONES,
            "channels": channels,
            "message": message,
            "error": error,
            "feed_url": feed_url,
        },
        status_code=status_code,
    )


@router.get("/preferences", response_class=HTMLResponse)
def preferences_page(request: Request, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    """My reminders: the morning digest, the calendar feed, my chat webhook."""
    return _page(request, session, viewer.user_id)


@router.post("/preferences", dependencies=[Depends(check_csrf)], response_class=HTMLResponse)
def save_preferences(
    request: Request,
    viewer: ViewerDep,
    uow: UowDep,
    email: Annotated[str, Form(max_length=320)] = "",
    digest_time: Annotated[str, Form(max_length=5)] = "07:30",
    time_zone: Annotated[str, Form(max_length=64)] = "UTC",
    digest_enabled: Annotated[bool, Form()] = False,
) -> Response:
    """Save the digest preferences."""
    try:
        preferences.save_preferences(
            session=uow.session,
            user_id=viewer.user_id,
            email=email,
            digest_enabled=digest_enabled,
            digest_time=digest_time,
            time_zone=time_zone,
        )
    except UsageError as exc:
        uow.rollback()
        return _page(request, uow.session, viewer.user_id, error=str(exc), status_code=400)
    uow.commit()
    return _page(request, uow.session, viewer.user_id, message="Saved.")


@router.post(
    "/preferences/calendar", dependencies=[Depends(check_csrf)], response_class=HTMLResponse
)
def new_calendar_link(
    request: Request, viewer: ViewerDep, uow: UowDep, carpe: CarpeDep
) -> HTMLResponse:
    """Make a new secret feed address (the old one stops working); shown once."""
    token = preferences.create_calendar_token(session=uow.session, user_id=viewer.user_id)
    uow.commit()
    url = DigestLinks(carpe.settings.base_url).to(f"/calendar/{token}.ics")
    return _page(request, uow.session, viewer.user_id, feed_url=url)


@router.post("/preferences/calendar/revoke", dependencies=[Depends(check_csrf)])
def revoke_calendar_link(viewer: ViewerDep, uow: UowDep) -> Response:
    """Stop the feed: calendars subscribed to it get nothing more."""
    preferences.revoke_calendar_token(session=uow.session, user_id=viewer.user_id)
    uow.commit()
    return RedirectResponse("/preferences", status_code=303)


@router.post("/preferences/chat", dependencies=[Depends(check_csrf)], response_class=HTMLResponse)
def add_chat(
    request: Request,
    viewer: ViewerDep,
    uow: UowDep,
    url: Annotated[str, Form(max_length=2000)],
    format: Annotated[str, Form(max_length=10)] = "slack",
) -> Response:
    """Post my follow-ups due and my new conflicts to my own chat webhook (https only)."""
    try:
        if not url.startswith("https://"):
            raise UsageError("a chat webhook address starts with https://")
        chat.add_channel(session=uow.session, format=format, url=url, username=viewer.username)
    except UsageError as exc:
        uow.rollback()
        return _page(request, uow.session, viewer.user_id, error=str(exc), status_code=400)
    uow.commit()
    return RedirectResponse("/preferences", status_code=303)


@router.post("/preferences/chat/{channel_id}/remove", dependencies=[Depends(check_csrf)])
def remove_chat(
    channel_id: Annotated[int, Path(ge=1, le=2**63 - 1)], viewer: ViewerDep, uow: UowDep
) -> Response:
    """Remove one of my chat webhooks."""
    mine = {
        c.channel_id
        for c in chat.list_channels(session=uow.session)
        if c.scope == f"user {viewer.username}"
    }
    if channel_id not in mine:
        raise NotFoundError("chat channel", str(channel_id))
    chat.remove_channel(session=uow.session, channel_id=channel_id)
    uow.commit()
    return RedirectResponse("/preferences", status_code=303)


@router.get("/calendar/{token}.ics")
def calendar_feed(
    token: Annotated[str, Path(max_length=100)],
    session: SessionDep,
    carpe: CarpeDep,
    today: TodayDep,
) -> Response:
    """The follow-ups of the user whose secret ``token`` this is, as iCalendar."""
    viewer = preferences.viewer_for_calendar_token(session=session, token=token)
    if viewer is None:
        raise NotFoundError("calendar feed", "(revoked or unknown address)")
    body = calendar.follow_up_feed(
        session=session,
        viewer=viewer,
        today=today,
        links=DigestLinks(carpe.settings.base_url),
        now=datetime.now(UTC),
    )
    return Response(
        body,
        media_type="text/calendar; charset=utf-8",
        headers={"Cache-Control": "private, max-age=900", "Content-Disposition": "inline"},
    )
