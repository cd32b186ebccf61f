"""Log a touchpoint: write the note, confirm what carpe found in it, save."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from carpe.services import accounts, touchpoints
from carpe.services.confirmed_moments import MAX_CONFIRMED, Moment, confirmed_moment
from carpe.vocabulary import CHANNELS, DIRECTIONS, MOMENT_KINDS, TOUCHPOINT_KINDS
from carpe.web.auth import ViewerDep, check_csrf
from carpe.web.dates import parse_day, parse_moment
from carpe.web.filters import format_datetime
from carpe.web.routes.deps import SessionDep, TodayDep, UowDep, render

router = APIRouter(include_in_schema=False)


def _choices() -> dict[str, Any]:
    return {
        "channels": CHANNELS,
        "kinds": TOUCHPOINT_KINDS,
        "directions": DIRECTIONS,
        "moment_kinds": MOMENT_KINDS,
    }


@router.get("/touchpoints/new", response_class=HTMLResponse)
def new_touchpoint(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    account_id: Annotated[str, Query(max_length=128)],
    contact_id: Annotated[str | None, Query(max_length=128)] = None,
) -> HTMLResponse:
    """The form for a touchpoint with a note."""
    view = accounts.get_account(session=session, account_id=account_id)
    now = datetime.now().replace(second=0, microsecond=0)
    form = {
        "contact_id": contact_id or "",
        "channel": "in_person",
        "kind": "visit",
        "direction": "inbound",
        "occurred_at": format_datetime(now),
        "subject": "",
        "note": "",
    }
    return render(request, "touchpoint_new.html", {"view": view, "form": form, **_choices()})


def _occurred(value: str) -> datetime:
    return parse_moment(value, "occurred_at")


@router.post(
    "/touchpoints/preview", response_class=HTMLResponse, dependencies=[Depends(check_csrf)]
)
def preview(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    account_id: Annotated[str, Form(max_length=128)],
    channel: Annotated[str, Form(max_length=20)],
    occurred_at: Annotated[str, Form(max_length=40)],
    note: Annotated[str, Form(max_length=20_000)] = "",
    contact_id: Annotated[str, Form(max_length=128)] = "",
    kind: Annotated[str, Form(max_length=20)] = "",
    direction: Annotated[str, Form(max_length=20)] = "",
    subject: Annotated[str, Form(max_length=500)] = "",
) -> HTMLResponse:
    """Show what the note holds, to confirm, edit or dismiss before anything is saved."""
    view = accounts.get_account(session=session, account_id=account_id)
    when = _occurred(occurred_at)
    found = touchpoints.preview_moments(note=note, noted_on=when.date())
    form = {
        "contact_id": contact_id,
        "channel": channel,
        "kind": kind,
        "direction": direction,
        "occurred_at": occurred_at,
        "subject": subject,
        "note": note,
    }
    return render(
        request,
        "touchpoint_confirm.html",
        {"view": view, "form": form, "moments": found, **_choices()},
    )


def _day(form: Any, name: str) -> date | None:
    return parse_day(str(form.get(name) or ""), name)


def _confirmed(form: Any) -> list[Moment]:
    """The moments the person kept, with their edits."""
    kept: list[Moment] = []
    for index in range(MAX_CONFIRMED):
        prefix = f"m{index}_"
        if f"{prefix}kind" not in form:
            break
        if form.get(f"{prefix}keep") != "on":
            continue
        kept.append(
            confirmed_moment(
                kind=str(form.get(f"{prefix}kind")),
                subject=str(form.get(f"{prefix}subject") or ""),
                summary=str(form.get(f"{prefix}summary") or ""),
                when=_day(form, f"{prefix}when"),
                follow_up_on=_day(form, f"{prefix}follow_up_on"),
                evidence=str(form.get(f"{prefix}evidence") or ""),
            )
        )
    return kept


@router.post("/touchpoints", dependencies=[Depends(check_csrf)])
async def save(
    request: Request, viewer: ViewerDep, uow: UowDep, today: TodayDep
) -> RedirectResponse:
    """Save the touchpoint and the confirmed moments."""
    form = await request.form()
    account_id = str(form.get("account_id") or "")
    contact_id = str(form.get("contact_id") or "") or None
    logged = touchpoints.log_touchpoint(
        session=uow.session,
        viewer=viewer,
        account_id=account_id,
        contact_id=contact_id,
        channel=str(form.get("channel") or ""),
        kind=str(form.get("kind") or "") or None,
        direction=str(form.get("direction") or "") or None,
        subject=str(form.get("subject") or ""),
        note=str(form.get("note") or ""),
        occurred_at=_occurred(str(form.get("occurred_at") or "")),
        moments=_confirmed(form),
        today=today,
    )
    uow.commit()
    target = f"/contacts/{contact_id}" if contact_id else f"/accounts/{account_id}"
    return RedirectResponse(f"{target}?saved={logged.touchpoint_id}", status_code=303)
