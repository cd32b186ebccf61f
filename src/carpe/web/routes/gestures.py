"""Gestures: my budget and my gestures, the manager view, and ``/api/v1`` for both.

Pages: ``/gestures`` (my budget: amount, spent, reserved, left; my gestures with
their status), ``/gestures/log`` (the form, prefilled from an idea), ``/gestures/team``
(managers: spend by department and employee, approvals waiting, the genuineness
guard as coaching, does it pay) and ``/gestures/budgets`` (budgets; managers
create and edit them). API: ``/api/v1/budgets``, ``/api/v1/gestures`` (list, log,
approve, decline), ``/api/v1/genuineness``, ``/api/v1/contacts/{id}/gesture-ideas``
and ``/api/v1/gesture-effects``.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carpe.services import gesture_budgets, gesture_log, gesture_payoff, gestures
from carpe.web import gesture_schemas as schemas
from carpe.web.api import ERRORS
from carpe.web.auth import ViewerDep, check_csrf
from carpe.web.dates import Day, parse_day
from carpe.web.filters import format_date
from carpe.web.gesture_chart import payoff_chart
from carpe.web.routes.deps import CarpeDep, SessionDep, TodayDep, UowDep, render

router = APIRouter(include_in_schema=False)
"""HTML pages."""

api_router = APIRouter(prefix="/api/v1", responses=ERRORS, dependencies=[Depends(check_csrf)])
"""JSON API endpoints (they appear in the OpenAPI document)."""

GestureId = Annotated[str, Path(min_length=1, max_length=128)]
BudgetId = Annotated[str, Path(min_length=1, max_length=128)]
StatusQuery = Annotated[str | None, Query(pattern="^(pending|approved|declined)$")]
Decision = Literal["approve", "decline"]
PAGE_SIZE = 25


def _quarter(today: date) -> tuple[date, date]:
    start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    following = date(start.year + (start.month + 3 > 12), (start.month + 2) % 12 + 1, 1)
    return start, following - timedelta(days=1)


@router.get("/gestures", response_class=HTMLResponse)
def my_gestures_page(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    today: TodayDep,
    status: StatusQuery = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """My budget (amount, spent, reserved, left) and my gestures with their status."""
    budgets = (
        gesture_budgets.budgets_for(session=session, employee_id=viewer.employee_id, on=today)
        if viewer.employee_id
        else []
    )
    mine = (
        gesture_log.list_gestures(
            session=session,
            viewer=viewer,
            employee_id=viewer.employee_id,
            status=status,
            page=page,
            page_size=PAGE_SIZE,
        )
        if viewer.employee_id
        else None
    )
    return render(
        request,
        "gestures.html",
        {"budgets": budgets, "mine": mine, "status": status, "today": today},
    )


@router.get("/gestures/log", response_class=HTMLResponse)
def log_form(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    today: TodayDep,
    contact_id: Annotated[str, Query(min_length=1, max_length=128)],
    kind: Annotated[str, Query(max_length=50)] = "",
    description: Annotated[str, Query(max_length=2000)] = "",
    cost: Annotated[float | None, Query(ge=0, le=100_000)] = None,
    moment_id: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> HTMLResponse:
    """The form to log a gesture for a contact, prefilled from an idea."""
    ideas = gestures.suggest_for_contact(
        session=session,
        contact_id=contact_id,
        today=today,
        giver=viewer.employee_id,
        viewer=viewer,
    )
    budgets = (
        gesture_budgets.budgets_for(session=session, employee_id=viewer.employee_id, on=today)
        if viewer.employee_id
        else []
    )
    form = {
        "contact_id": contact_id,
        "kind": kind,
        "description": description,
        "cost": "" if cost is None else f"{cost:.2f}",
        "moment_id": moment_id or "",
        "given_on": format_date(today),
    }
    return render(
        request,
        "gestures_log.html",
        {"form": form, "ideas": ideas.suggestions, "budgets": budgets, "today": today},
    )


def _day(value: str) -> date | None:
    return parse_day(value, "given_on")


@router.post("/gestures", dependencies=[Depends(check_csrf)])
def log_page(
    viewer: ViewerDep,
    uow: UowDep,
    carpe: CarpeDep,
    today: TodayDep,
    contact_id: Annotated[str, Form(min_length=1, max_length=128)],
    kind: Annotated[str, Form(min_length=1, max_length=50)],
    cost: Annotated[float, Form(ge=0, le=100_000)],
    description: Annotated[str, Form(max_length=2000)] = "",
    given_on: Annotated[str, Form(max_length=40)] = "",
    moment_id: Annotated[int | None, Form(ge=1, le=2**63 - 1)] = None,
    next: Annotated[str, Form(max_length=20)] = "",
) -> RedirectResponse:
    """Log a gesture from the form; back to my gestures (or the contact) with its status."""
    logged = gesture_log.log_gesture(
        session=uow.session,
        viewer=viewer,
        contact_id=contact_id,
        kind=kind,
        cost=cost,
        description=description,
        given_on=_day(given_on),
        moment_id=moment_id,
        today=today,
        threshold=carpe.settings.gesture_approval_threshold,
    )
    uow.commit()
    g = logged.gesture
    target = {"contact": f"/contacts/{contact_id}", "today": "/today"}.get(next, "/gestures")
    return RedirectResponse(f"{target}?gesture={g.status}", status_code=303)


@router.get("/gestures/team", response_class=HTMLResponse)
def team_page(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    today: TodayDep,
    since: Day | None = None,
    until: Day | None = None,
) -> HTMLResponse:
    """The manager view: spend, approvals waiting, the genuineness guard, does it pay."""
    start, end = _quarter(today)
    start, end = since or start, until or end
    by_department, by_employee = gesture_budgets.spend_overview(
        session=session, viewer=viewer, start=start, end=end
    )
    pending = gesture_log.list_gestures(
        session=session, viewer=viewer, status="pending", page_size=100
    )
    people = gestures.review_givers(session=session, viewer=viewer)
    teams = gestures.review_givers(session=session, viewer=viewer, by="department")
    payoff = gesture_payoff.load_payoff(session=session, viewer=viewer)
    return render(
        request,
        "gestures_team.html",
        {
            "start": start,
            "end": end,
            "by_department": by_department,
            "by_employee": by_employee,
            "pending": pending.items,
            "people": people,
            "teams": teams,
            "payoff": payoff,
            "chart": payoff_chart(payoff.effects, outcome="stayed"),
            "chart_warmer": payoff_chart(payoff.effects, outcome="warmer"),
        },
    )


@router.post("/gestures/{gesture_id}/{decision}", dependencies=[Depends(check_csrf)])
def decide_page(
    gesture_id: GestureId,
    decision: Decision,
    viewer: ViewerDep,
    uow: UowDep,
    note: Annotated[str, Form(max_length=4000)] = "",
) -> Response:
    """Approve or decline a gesture waiting for a manager."""
    gesture_log.decide_gesture(
        session=uow.session,
        viewer=viewer,
        gesture_id=gesture_id,
        approve=decision == "approve",
        note=note or None,
    )
    uow.commit()
    return RedirectResponse(f"/gestures/team?decided={decision}", status_code=303)


@router.get("/gestures/budgets", response_class=HTMLResponse)
def budgets_page(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    today: TodayDep,
    all: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    """Budgets with spent, reserved and left (this period, or every period)."""
    found = gesture_budgets.list_budgets(session=session, viewer=viewer, on=None if all else today)
    return render(
        request,
        "gestures_budgets.html",
        {"budgets": found, "all": all, "today": today, "edit": None},
    )


@router.get("/gestures/budgets/{budget_id}", response_class=HTMLResponse)
def budget_page(
    request: Request, budget_id: BudgetId, viewer: ViewerDep, session: SessionDep, today: TodayDep
) -> HTMLResponse:
    """One budget, with the form to edit it (managers)."""
    found = gesture_budgets.get_budget(session=session, viewer=viewer, budget_id=budget_id)
    return render(
        request,
        "gestures_budgets.html",
        {"budgets": [found], "all": True, "today": today, "edit": found},
    )


@router.post("/gestures/budgets", dependencies=[Depends(check_csrf)])
def save_budget_page(
    viewer: ViewerDep,
    uow: UowDep,
    owner: Annotated[str, Form(min_length=1, max_length=128)],
    period_start: Annotated[Day, Form()],
    period_end: Annotated[Day, Form()],
    amount: Annotated[float, Form(ge=0, le=10_000_000)],
    budget_id: Annotated[str, Form(max_length=128)] = "",
) -> RedirectResponse:
    """Create a budget, or save an edited one (managers)."""
    saved = gesture_budgets.save_budget(
        session=uow.session,
        viewer=viewer,
        owner=owner.strip(),
        period_start=period_start,
        period_end=period_end,
        amount=amount,
        budget_id=budget_id or None,
    )
    uow.commit()
    return RedirectResponse(f"/gestures/budgets/{saved.budget_id}?saved=1", status_code=303)


@api_router.get("/budgets", response_model=list[schemas.BudgetOut], tags=["gestures"])
def list_budgets(
    viewer: ViewerDep,
    session: SessionDep,
    on: Annotated[date | None, Query(description="Only budgets covering this day")] = None,
    owner: Annotated[str | None, Query(max_length=128)] = None,
) -> Any:
    """Budgets with spent, reserved and left: frontline their own and their department's."""
    return gesture_budgets.list_budgets(session=session, viewer=viewer, on=on, owner=owner)


@api_router.post("/budgets", response_model=schemas.BudgetOut, status_code=201, tags=["gestures"])
def create_budget(body: schemas.BudgetIn, viewer: ViewerDep, uow: UowDep) -> Any:
    """Create a budget for an employee or a department (managers)."""
    saved = gesture_budgets.save_budget(session=uow.session, viewer=viewer, **body.model_dump())
    uow.commit()
    return saved


@api_router.get("/budgets/{budget_id}", response_model=schemas.BudgetOut, tags=["gestures"])
def get_budget(budget_id: BudgetId, viewer: ViewerDep, session: SessionDep) -> Any:
    """One budget."""
    return gesture_budgets.get_budget(session=session, viewer=viewer, budget_id=budget_id)


@api_router.put("/budgets/{budget_id}", response_model=schemas.BudgetOut, tags=["gestures"])
def edit_budget(budget_id: BudgetId, body: schemas.BudgetIn, viewer: ViewerDep, uow: UowDep) -> Any:
    """Edit a budget (managers)."""
    saved = gesture_budgets.save_budget(
        session=uow.session, viewer=viewer, budget_id=budget_id, **body.model_dump()
    )
    uow.commit()
    return saved


@api_router.get("/gestures", response_model=schemas.GesturePage, tags=["gestures"])
def list_gestures(
    viewer: ViewerDep,
    session: SessionDep,
    employee_id: Annotated[
        str | None, Query(max_length=128, description="Default: your own (managers: everyone)")
    ] = None,
    department: Annotated[str | None, Query(max_length=100)] = None,
    status: StatusQuery = None,
    since: Annotated[date | None, Query(description="Given on or after")] = None,
    until: Annotated[date | None, Query(description="Given on or before")] = None,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=500)] = 50,
) -> Any:
    """Gestures, newest first: frontline staff their own; managers anyone's."""
    return gesture_log.list_gestures(
        session=session,
        viewer=viewer,
        employee_id=employee_id,
        department=department,
        status=status,
        since=since,
        until=until,
        page=page,
        page_size=page_size,
    )


@api_router.post("/gestures", response_model=schemas.LoggedOut, status_code=201, tags=["gestures"])
def log_gesture(
    body: schemas.GestureIn, viewer: ViewerDep, uow: UowDep, carpe: CarpeDep, today: TodayDep
) -> Any:
    """Log a gesture: approved at once within budget and threshold, else waits for a manager."""
    logged = gesture_log.log_gesture(
        session=uow.session,
        viewer=viewer,
        today=today,
        threshold=carpe.settings.gesture_approval_threshold,
        **body.model_dump(),
    )
    uow.commit()
    return logged


@api_router.get("/gestures/{gesture_id}", response_model=schemas.GestureOut, tags=["gestures"])
def get_gesture(gesture_id: GestureId, viewer: ViewerDep, session: SessionDep) -> Any:
    """One gesture with its approval state."""
    return gesture_log.get_gesture(session=session, viewer=viewer, gesture_id=gesture_id)


@api_router.post(
    "/gestures/{gesture_id}/{decision}", response_model=schemas.GestureOut, tags=["gestures"]
)
def decide_gesture(
    gesture_id: GestureId,
    decision: Decision,
    viewer: ViewerDep,
    uow: UowDep,
    body: schemas.DecisionIn | None = None,
) -> Any:
    """Approve or decline a gesture waiting for a manager, with a note (managers)."""
    decided = gesture_log.decide_gesture(
        session=uow.session,
        viewer=viewer,
        gesture_id=gesture_id,
        approve=decision == "approve",
        note=body.note if body else None,
    )
    uow.commit()
    return decided


@api_router.get("/genuineness", response_model=list[schemas.GenuinenessOut], tags=["gestures"])
def genuineness(
    viewer: ViewerDep,
    session: SessionDep,
    by: Annotated[Literal["employee", "department"], Query()] = "employee",
) -> Any:
    """How personal each giver's (or team's) gestures look, with the reasons (managers)."""
    return gestures.review_givers(session=session, viewer=viewer, by=by)


@api_router.get(
    "/contacts/{contact_id}/gesture-ideas", response_model=schemas.IdeasOut, tags=["gestures"]
)
def gesture_ideas(
    contact_id: Annotated[str, Path(min_length=1, max_length=128)],
    viewer: ViewerDep,
    session: SessionDep,
    today: TodayDep,
) -> Any:
    """Ideas for a small gesture that fit the contact's open moments and your budget left."""
    return gestures.suggest_for_contact(
        session=session,
        contact_id=contact_id,
        today=today,
        giver=viewer.employee_id,
        viewer=viewer,
    )


@api_router.get("/gesture-effects", response_model=schemas.PayoffOut, tags=["gestures"])
def gesture_effects(viewer: ViewerDep, session: SessionDep) -> Any:
    """Does it pay? Retention and sentiment after gestures, by kind and cost band (managers)."""
    return gesture_payoff.load_payoff(session=session, viewer=viewer)
