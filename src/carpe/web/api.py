"""The JSON API, ``/api/v1``: the same services as the pages, for integrations.

Authenticate with a session cookie (then send the ``X-CSRF-Token`` header on
changes) or with ``Authorization: Bearer <token>`` (``carpe token create``).
Errors are ``{"error": {"code", "message", "field"}}``.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from carpe.services import (
    accounts,
    brief,
    follow_ups,
    moment_review,
    permissions,
    personal_data,
    touchpoints,
    users,
)
from carpe.services.confirmed_moments import confirmed_moment, moments_to_keep
from carpe.vocabulary import FOLLOW_UP_STATUSES
from carpe.web import schemas
from carpe.web.auth import ViewerDep, check_csrf
from carpe.web.routes.deps import CarpeDep, SessionDep, TodayDep, UowDep

ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": schemas.ErrorBody, "description": text}
    for status, text in (
        (400, "Bad request"),
        (401, "Not signed in"),
        (403, "Not allowed for this role"),
        (404, "Not found"),
        (422, "Invalid input"),
    )
}

router = APIRouter(prefix="/api/v1", responses=ERRORS, dependencies=[Depends(check_csrf)])

Page = Annotated[int, Query(ge=1, le=100_000)]
RowId = Annotated[int, Path(ge=1, le=2**63 - 1, description="A row id")]
PageSize = Annotated[int, Query(ge=1, le=500)]


@router.get("/me", response_model=schemas.MeOut, tags=["users"])
def me(viewer: ViewerDep) -> schemas.MeOut:
    """Who the request is signed in as."""
    return schemas.MeOut(
        user_id=viewer.user_id,
        username=viewer.username,
        role=viewer.role,
        employee_id=viewer.employee_id,
    )


@router.post("/tokens", response_model=schemas.TokenOut, status_code=201, tags=["users"])
def create_token(
    body: schemas.TokenIn, viewer: ViewerDep, uow: UowDep, carpe: CarpeDep
) -> schemas.TokenOut:
    """Create an API token acting as the signed-in user (shown once).

    A token may create one only with the ``admin`` scope; it expires after
    ``days`` (default ``CARPE_TOKEN_DAYS``).
    """
    token = users.create_api_token(
        session=uow.session,
        user_id=viewer.user_id,
        name=body.name,
        scope=body.scope,
        days=body.days or carpe.settings.token_days,
        by=viewer,
    )
    uow.commit()
    made = users.list_tokens(session=uow.session, username=viewer.username)[0]
    return schemas.TokenOut(token=token, scope=made.scope, expires_at=made.expires_at)


@router.get("/tokens", response_model=list[schemas.TokenInfo], tags=["users"])
def list_tokens(viewer: ViewerDep, session: SessionDep) -> Any:
    """The signed-in user's API tokens (admins: everyone's), with when each was last used."""
    everyone = permissions.allowed(viewer, "list_all", permissions.Resource("token"))
    rows = users.list_tokens(session=session, username=None if everyone else viewer.username)
    return [schemas.TokenInfo.model_validate(row) for row in rows]


@router.delete("/tokens/{token_id}", response_model=schemas.TokenInfo, tags=["users"])
def revoke_token(token_id: RowId, viewer: ViewerDep, uow: UowDep) -> Any:
    """Revoke a token at once (one's own; admins any). A token needs the ``admin`` scope."""
    row = users.revoke_token(session=uow.session, token_id=token_id, by=viewer)
    uow.commit()
    return schemas.TokenInfo.model_validate(row)


@router.get("/accounts", response_model=schemas.AccountPage, tags=["accounts"])
def list_accounts(
    viewer: ViewerDep,
    session: SessionDep,
    q: Annotated[
        str, Query(max_length=200, description="Name, id, contact name, email or phone")
    ] = "",
    page: Page = 1,
    page_size: PageSize = 50,
) -> Any:
    """Accounts, by name, with search."""
    return accounts.list_accounts(session=session, query=q, page=page, page_size=page_size)


@router.get("/accounts/{account_id}", response_model=schemas.AccountDetail, tags=["accounts"])
def get_account(account_id: str, viewer: ViewerDep, session: SessionDep) -> Any:
    """An account with its contacts."""
    return accounts.get_account(session=session, account_id=account_id)


@router.get(
    "/accounts/{account_id}/touchpoints",
    response_model=schemas.TouchpointPage,
    tags=["touchpoints"],
)
def list_touchpoints(
    account_id: str,
    viewer: ViewerDep,
    session: SessionDep,
    since: datetime | None = None,
    until: datetime | None = None,
    department: Annotated[str | None, Query(max_length=100)] = None,
    channel: Annotated[str | None, Query(max_length=20)] = None,
    page: Page = 1,
    page_size: PageSize = 50,
) -> Any:
    """An account's timeline, newest first, filtered by time, department or channel."""
    accounts.get_account(session=session, account_id=account_id)
    return accounts.list_timeline(
        session=session,
        account_id=account_id,
        page=page,
        page_size=page_size,
        department=department,
        channel=channel,
        since=since,
        until=until,
        viewer=viewer,
    )


@router.get(
    "/accounts/{account_id}/moments", response_model=list[schemas.StoredMomentOut], tags=["moments"]
)
def list_moments(account_id: str, viewer: ViewerDep, uow: UowDep) -> Any:
    """The account's moments the viewer may see (sensitive ones only for those allowed)."""
    accounts.get_account(session=uow.session, account_id=account_id)
    extras = accounts.account_extras(
        session=uow.session, account_id=account_id, viewer=viewer, limit=50
    )
    uow.commit()
    return list(extras.moments)


@router.post("/moments/preview", response_model=list[schemas.MomentOut], tags=["moments"])
def preview_moments(body: schemas.NoteIn, viewer: ViewerDep) -> Any:
    """What carpe finds in a note (nothing is saved)."""
    return [
        schemas.MomentOut(
            kind=m.kind,
            subject=m.subject,
            summary=m.summary,
            when=m.when,
            follow_up_on=m.follow_up_on,
            evidence=m.evidence,
            sensitive=m.sensitive,
            confidence=m.confidence,
        )
        for m in touchpoints.preview_moments(note=body.note, noted_on=body.note_date)
    ]


def _row(m: Any) -> schemas.StoredMomentOut:
    """A stored moment (as the services return it) in the API's form."""
    return schemas.StoredMomentOut(
        moment_id=m.id,
        contact_id=m.contact_id,
        kind=m.kind,
        subject=m.subject,
        summary=m.summary,
        noted_on=m.noted_on,
        event_on=m.event_on,
        sensitive=m.sensitive,
        review=m.review,
        closed_at=m.closed_at,
        touchpoint_id=m.touchpoint_id,
    )


@router.post(
    "/touchpoints", response_model=schemas.TouchpointCreated, status_code=201, tags=["touchpoints"]
)
def create_touchpoint(
    body: schemas.TouchpointIn, viewer: ViewerDep, uow: UowDep, today: TodayDep
) -> Any:
    """Log a touchpoint with its note and the moments to keep (or those found)."""
    kept = moments_to_keep(
        note=body.note or "",
        occurred_at=body.occurred_at,
        confirmed=None
        if body.moments is None
        else [
            confirmed_moment(
                kind=m.kind,
                subject=m.subject,
                summary=m.summary,
                when=m.when,
                follow_up_on=m.follow_up_on,
                evidence=m.evidence,
            )
            for m in body.moments
        ],
    )
    logged = touchpoints.log_touchpoint(
        session=uow.session,
        viewer=viewer,
        account_id=body.account_id,
        contact_id=body.contact_id,
        channel=body.channel,
        kind=body.kind,
        direction=body.direction,
        subject=body.subject,
        note=body.note,
        occurred_at=body.occurred_at,
        moments=kept,
        today=today,
    )
    result = schemas.TouchpointCreated(
        touchpoint_id=logged.touchpoint_id,
        account_id=logged.account_id,
        moments=[_row(m) for m in logged.moments],
        follow_ups=logged.follow_ups,
        resolved=logged.resolved,
    )
    uow.commit()
    return result


@router.post(
    "/moments/{moment_id}/review", response_model=schemas.StoredMomentOut, tags=["moments"]
)
def review_moment(moment_id: RowId, body: schemas.ReviewIn, viewer: ViewerDep, uow: UowDep) -> Any:
    """Confirm (with edits) or dismiss a moment: your own, or any as a manager."""
    edit = moment_review.MomentEdit(
        kind=body.kind,
        subject=body.subject,
        summary=body.summary,
        event_on=body.event_on,
        follow_up_on=body.follow_up_on,
    )
    reviewed = moment_review.review_moment(
        session=uow.session, moment_id=moment_id, action=body.action, edit=edit, viewer=viewer
    )
    result = _row(reviewed)
    uow.commit()
    return result


@router.get("/contacts/{contact_id}/brief", response_model=schemas.BriefOut, tags=["contacts"])
def contact_brief(contact_id: str, viewer: ViewerDep, uow: UowDep, today: TodayDep) -> Any:
    """What to know before meeting a contact."""
    found = brief.contact_brief(
        session=uow.session, contact_id=contact_id, today=today, viewer=viewer
    )
    uow.commit()
    return found


@router.get("/follow-ups", response_model=list[schemas.FollowUpOut], tags=["follow-ups"])
def list_follow_ups(
    viewer: ViewerDep,
    session: SessionDep,
    today: TodayDep,
    employee_id: Annotated[
        str | None, Query(max_length=128, description="Default: your own")
    ] = None,
    due_by: date | None = None,
    status: Annotated[str, Query(pattern="^(" + "|".join(FOLLOW_UP_STATUSES) + ")$")] = "open",
) -> Any:
    """Follow-ups, soonest first. Frontline staff see their own; managers anyone's."""
    return follow_ups.list_follow_ups(
        session=session,
        today=today,
        employee_id=employee_id or viewer.employee_id,
        due_by=due_by,
        statuses=(status,),
        viewer=viewer,
    )


@router.post(
    "/follow-ups/{follow_up_id}/complete", response_model=schemas.StatusOut, tags=["follow-ups"]
)
def complete_follow_up(
    follow_up_id: RowId,
    viewer: ViewerDep,
    uow: UowDep,
    today: TodayDep,
    body: schemas.CompleteIn | None = None,
) -> Any:
    """Mark a follow-up done, with what the contact said."""
    done = follow_ups.complete_follow_up(
        session=uow.session,
        follow_up_id=follow_up_id,
        today=today,
        outcome=body.outcome if body else None,
        viewer=viewer,
    )
    uow.commit()
    return schemas.StatusOut(follow_up_id=done.id, status=done.status)


@router.post(
    "/follow-ups/{follow_up_id}/snooze", response_model=schemas.StatusOut, tags=["follow-ups"]
)
def snooze_follow_up(
    follow_up_id: RowId, body: schemas.SnoozeIn, viewer: ViewerDep, uow: UowDep, today: TodayDep
) -> Any:
    """Put a follow-up off until a later day."""
    snoozed = follow_ups.snooze_follow_up(
        session=uow.session,
        follow_up_id=follow_up_id,
        until=body.until,
        today=today,
        viewer=viewer,
    )
    uow.commit()
    return schemas.StatusOut(follow_up_id=snoozed.id, status=snoozed.status)


@router.post(
    "/follow-ups/{follow_up_id}/dismiss", response_model=schemas.StatusOut, tags=["follow-ups"]
)
def dismiss_follow_up(follow_up_id: RowId, viewer: ViewerDep, uow: UowDep) -> Any:
    """Drop a follow-up."""
    dropped = follow_ups.dismiss_follow_up(
        session=uow.session, follow_up_id=follow_up_id, viewer=viewer
    )
    uow.commit()
    return schemas.StatusOut(follow_up_id=dropped.id, status=dropped.status)


@router.get("/contacts/{contact_id}/export", tags=["privacy"])
def export_contact(contact_id: str, viewer: ViewerDep, uow: UowDep) -> dict[str, Any]:
    """Everything carpe holds about a contact (admins; logged)."""
    data = personal_data.export_contact(session=uow.session, viewer=viewer, contact_id=contact_id)
    uow.commit()
    return data


@router.post("/contacts/{contact_id}/erase", response_model=schemas.ErasureOut, tags=["privacy"])
def erase_contact(contact_id: str, viewer: ViewerDep, uow: UowDep) -> Any:
    """Erase a contact's personal data; aggregates stay, anonymous (admins; logged)."""
    report = personal_data.erase_contact(session=uow.session, viewer=viewer, contact_id=contact_id)
    uow.commit()
    personal_data.finish_erasure(engine=uow.engine)
    return report
