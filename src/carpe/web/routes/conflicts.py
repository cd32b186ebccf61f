"""Conflicts pages and API: the radar, a conflict's evidence, the experience ledger, actions.

Pages: ``/conflicts`` (the radar: by type, by department pair, money at stake,
with status actions), ``/conflicts/{id}`` (evidence), ``/accounts/{id}/ledger``
(each department's view side by side per month), and two fragments for other
pages: ``/accounts/{id}/conflicts`` and ``/today/conflicts``. API:
``GET /api/v1/conflicts`` and ``POST /api/v1/conflicts/{id}/{action}``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carpe.services import conflict_ledger
from carpe.services import conflicts as service
from carpe.vocabulary import (
    CONFLICT_STATUSES,
    CONFLICT_TYPE_MEANINGS,
    CONFLICT_TYPES,
    SEVERITY_MEANINGS,
    conflict_type_name,
)
from carpe.web import conflict_schemas as schemas
from carpe.web.api import ERRORS
from carpe.web.auth import ViewerDep, check_csrf
from carpe.web.routes.deps import SessionDep, UowDep, is_htmx, render

WORDS = {
    "type_names": {t: conflict_type_name(t) for t in CONFLICT_TYPES},
    "meanings": CONFLICT_TYPE_MEANINGS,
    "severity_meanings": SEVERITY_MEANINGS,
}
"""Every conflict type and severity in words, for the templates."""

router = APIRouter(include_in_schema=False)
"""HTML pages."""

api_router = APIRouter(prefix="/api/v1")
"""JSON API endpoints (they appear in the OpenAPI document)."""

Action = Literal["acknowledge", "resolve", "dismiss", "reopen"]
ConflictId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
TypeQuery = Annotated[str | None, Query(pattern="^(" + "|".join(CONFLICT_TYPES) + ")$")]
StatusQuery = Annotated[str | None, Query(pattern="^(" + "|".join(CONFLICT_STATUSES) + ")$")]
Period = Annotated[str | None, Query(pattern=r"^\d{4}-\d{2}$")]


@router.get("/conflicts", response_class=HTMLResponse)
def radar_page(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    type: TypeQuery = None,
    status: StatusQuery = None,
    department: Annotated[str | None, Query(max_length=100)] = None,
) -> HTMLResponse:
    """The conflict radar: where departments collide, and what it costs."""
    radar = service.conflict_radar(session=session, viewer=viewer)
    rows = service.list_conflicts(
        session=session,
        viewer=viewer,
        type=type,
        status=status or None,
        department=department,
        limit=200,
    )
    if status is None:
        rows = [r for r in rows if r.status in ("open", "acknowledged")]
    departments = sorted(
        {d for pair in radar.by_department_pair for d in pair.key.split(" × ")}
        | ({department} if department else set())
    )
    return render(
        request,
        "conflicts.html",
        {
            "radar": radar,
            "rows": rows,
            "types": CONFLICT_TYPES,
            "statuses": CONFLICT_STATUSES,
            "departments": departments,
            "chosen": {"type": type, "status": status, "department": department},
            "can_act": {r.conflict_id: service.can_act(viewer, r) for r in rows},
            **WORDS,
        },
    )


@router.post("/conflicts/bulk", dependencies=[Depends(check_csrf)])
def act_on_chosen(
    viewer: ViewerDep,
    uow: UowDep,
    action: Annotated[Action, Form()],
    conflict_id: Annotated[list[str], Form(max_length=500)],
    notes: Annotated[str, Form(max_length=4000)] = "",
    back: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    """Acknowledge, resolve or dismiss the conflicts chosen on the list, at once."""
    outcome = service.act_on_conflicts(
        session=uow.session,
        conflict_ids=conflict_id,
        action=action,
        viewer=viewer,
        notes=notes or None,
    )
    uow.commit()
    kept = urlencode(
        [(k, v) for k, v in parse_qsl(back) if k in ("type", "status", "department")]
        + [("done", str(len(outcome.done))), ("skipped", str(len(outcome.skipped)))]
    )
    return RedirectResponse(f"/conflicts?{kept}", status_code=303)


@router.get("/conflicts/{conflict_id}", response_class=HTMLResponse)
def conflict_page(
    request: Request, conflict_id: ConflictId, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    """One conflict: its evidence, the departments involved, money at stake, actions."""
    found = service.get_conflict(session=session, conflict_id=conflict_id, viewer=viewer)
    return render(
        request,
        "conflicts_detail.html",
        {"c": found, "can_act": service.can_act(viewer, found), **WORDS},
    )


@router.post("/conflicts/{conflict_id}/{action}", dependencies=[Depends(check_csrf)])
def act_page(
    request: Request,
    conflict_id: ConflictId,
    action: Action,
    viewer: ViewerDep,
    uow: UowDep,
    notes: Annotated[str, Form(max_length=4000)] = "",
    next: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    """Acknowledge, resolve, dismiss or reopen a conflict from a page."""
    done = service.act_on_conflict(
        session=uow.session,
        conflict_id=conflict_id,
        action=action,
        viewer=viewer,
        notes=notes or None,
    )
    uow.commit()
    if is_htmx(request):
        return HTMLResponse(f'<span class="tag" role="status">{done.status}</span>')
    back = "/conflicts" if next == "/conflicts" else f"/conflicts/{done.conflict_id}"
    return RedirectResponse(back, status_code=303)


@router.get("/accounts/{account_id}/ledger", response_class=HTMLResponse)
def ledger_page(
    request: Request,
    account_id: Annotated[str, Path(max_length=128)],
    viewer: ViewerDep,
    session: SessionDep,
    period: Period = None,
) -> HTMLResponse:
    """The experience ledger: each department's view of the account in a month, side by side."""
    ledger = conflict_ledger.account_ledger(
        session=session, account_id=account_id, period=period, viewer=viewer
    )
    return render(request, "ledger.html", {"ledger": ledger})


@router.get("/accounts/{account_id}/conflicts", response_class=HTMLResponse)
def account_conflicts_fragment(
    request: Request,
    account_id: Annotated[str, Path(max_length=128)],
    viewer: ViewerDep,
    session: SessionDep,
) -> HTMLResponse:
    """The account's live conflicts, as a fragment for the account page."""
    rows = service.list_conflicts(session=session, viewer=viewer, account_id=account_id)
    live = [r for r in rows if r.status in ("open", "acknowledged")]
    return render(
        request, "conflicts_panel.html", {"rows": live, "account_id": account_id, "mine": False}
    )


@router.get("/today/conflicts", response_class=HTMLResponse)
def today_conflicts_fragment(
    request: Request, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    """The viewer's own open conflicts, as a fragment for Today."""
    rows = (
        service.list_conflicts(session=session, viewer=viewer, owner=viewer.employee_id, limit=20)
        if viewer.employee_id
        else []
    )
    live = [r for r in rows if r.status in ("open", "acknowledged")]
    return render(request, "conflicts_panel.html", {"rows": live, "account_id": None, "mine": True})


@api_router.get(
    "/conflicts",
    response_model=list[schemas.ConflictOut],
    responses=ERRORS,
    tags=["conflicts"],
)
def list_conflicts(
    viewer: ViewerDep,
    session: SessionDep,
    type: TypeQuery = None,
    status: StatusQuery = None,
    account_id: Annotated[str | None, Query(max_length=128)] = None,
    department: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
) -> Any:
    """Experience conflicts the viewer may see, most severe first."""
    return service.list_conflicts(
        session=session,
        viewer=viewer,
        type=type,
        status=status,
        account_id=account_id,
        department=department,
        limit=limit,
    )


@api_router.get(
    "/conflicts/{conflict_id}",
    response_model=schemas.ConflictOut,
    responses=ERRORS,
    tags=["conflicts"],
)
def get_conflict(conflict_id: ConflictId, viewer: ViewerDep, session: SessionDep) -> Any:
    """One conflict with its evidence."""
    return service.get_conflict(session=session, conflict_id=conflict_id, viewer=viewer)


@api_router.post(
    "/conflicts/{conflict_id}/{action}",
    response_model=schemas.ConflictOut,
    responses=ERRORS,
    tags=["conflicts"],
    dependencies=[Depends(check_csrf)],
)
def act_on_conflict(
    conflict_id: ConflictId,
    action: Action,
    viewer: ViewerDep,
    uow: UowDep,
    body: schemas.ConflictActionIn | None = None,
) -> Any:
    """Acknowledge, resolve, dismiss or reopen a conflict (its owner, or a manager)."""
    done = service.act_on_conflict(
        session=uow.session,
        conflict_id=conflict_id,
        action=action,
        viewer=viewer,
        notes=body.notes if body else None,
        owner=body.owner if body else None,
    )
    uow.commit()
    return done
