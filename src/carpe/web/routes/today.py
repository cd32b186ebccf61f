"""Today: my follow-ups, the contacts I am losing touch with; follow-up actions."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carpe.services import brief, follow_ups, gestures
from carpe.services.today import snooze_until, todays_follow_ups
from carpe.web.auth import ViewerDep, check_csrf
from carpe.web.routes.deps import SessionDep, TodayDep, UowDep, is_htmx, render

router = APIRouter(include_in_schema=False)


@router.get("/today", response_class=HTMLResponse)
def today_page(
    request: Request, viewer: ViewerDep, session: SessionDep, today: TodayDep
) -> HTMLResponse:
    """What the signed-in person should do today."""
    mine = viewer.employee_id
    due_soon = todays_follow_ups(session=session, today=today, employee_id=mine, viewer=viewer)
    drifting = (
        brief.losing_touch(session=session, today=today, employee_id=mine, limit=10) if mine else []
    )
    gesture_ideas = gestures.ideas_for_today(session=session, viewer=viewer, today=today)
    return render(
        request,
        "today.html",
        {
            "due": due_soon.due,
            "upcoming": due_soon.upcoming,
            "drifting": drifting,
            "today": today,
            "gesture_ideas": gesture_ideas,
        },
    )


def _after(request: Request, message: str) -> Response:
    if is_htmx(request):
        return HTMLResponse(f'<li class="done" role="status">{message}</li>')
    return RedirectResponse("/today", status_code=303)


@router.post("/follow-ups/{follow_up_id}/complete", dependencies=[Depends(check_csrf)])
def complete(
    request: Request,
    follow_up_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    viewer: ViewerDep,
    uow: UowDep,
    today: TodayDep,
    outcome: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Mark a follow-up done."""
    follow_ups.complete_follow_up(
        session=uow.session,
        follow_up_id=follow_up_id,
        today=today,
        outcome=outcome or None,
        viewer=viewer,
    )
    uow.commit()
    return _after(request, "Done — nicely remembered.")


@router.post("/follow-ups/{follow_up_id}/snooze", dependencies=[Depends(check_csrf)])
def snooze(
    request: Request,
    follow_up_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    viewer: ViewerDep,
    uow: UowDep,
    today: TodayDep,
    until: Annotated[date | None, Form()] = None,
) -> Response:
    """Put a follow-up off (by default for three days)."""
    day = snooze_until(today=today, until=until)
    follow_ups.snooze_follow_up(
        session=uow.session, follow_up_id=follow_up_id, until=day, today=today, viewer=viewer
    )
    uow.commit()
    return _after(request, f"Snoozed until {day:%d %b}.")


@router.post("/follow-ups/{follow_up_id}/dismiss", dependencies=[Depends(check_csrf)])
def dismiss(
    request: Request,
    follow_up_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
    viewer: ViewerDep,
    uow: UowDep,
) -> Response:
    """Drop a follow-up."""
    follow_ups.dismiss_follow_up(session=uow.session, follow_up_id=follow_up_id, viewer=viewer)
    uow.commit()
    return _after(request, "Dismissed.")
