"""My week: an employee's own page, a manager's team total, sharing; and their JSON API."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from carpe.errors import UsageError
from carpe.services import my_week, permissions
from carpe.web import my_week_schemas as schemas
from carpe.web.api import ERRORS
from carpe.web.auth import ViewerDep, check_csrf
from carpe.web.routes.deps import SessionDep, TodayDep, UowDep, render

router = APIRouter(include_in_schema=False)
"""HTML pages."""

api_router = APIRouter(prefix="/api/v1", responses=ERRORS, dependencies=[Depends(check_csrf)])
"""JSON API endpoints."""

Day = Annotated[str | None, Query(max_length=10, description="The week's last day, YYYY-MM-DD")]
Weeks = Annotated[int, Query(ge=1, le=my_week.MAX_TREND_WEEKS, description="Weeks in the trend")]
Department = Annotated[str | None, Query(max_length=100, description="The team (department)")]


def _day(value: str | None, today: date) -> date:
    if not value:
        return today
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"day must be a date YYYY-MM-DD, not {value!r}") from None


@router.get("/my-week", response_class=HTMLResponse)
def my_week_page(
    request: Request, viewer: ViewerDep, session: SessionDep, today: TodayDep, day: Day = None
) -> Response:
    """The signed-in employee's week (a manager with no employee goes to the team total)."""
    if viewer.employee_id is None:
        if permissions.allowed(viewer, "see", permissions.TEAM):
            return RedirectResponse("/my-week/team", status_code=303)
        return render(request, "my_week.html", {"page": None})
    page = my_week.my_week(
        session=session, viewer=viewer, employee_id=viewer.employee_id, day=_day(day, today)
    )
    return render(request, "my_week.html", {"page": page})


@router.get("/employees/{employee_id}/week", response_class=HTMLResponse)
def employee_week_page(
    employee_id: str,
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    today: TodayDep,
    day: Day = None,
) -> HTMLResponse:
    """An employee's week: their own, or one they shared with managers."""
    page = my_week.my_week(
        session=session, viewer=viewer, employee_id=employee_id, day=_day(day, today)
    )
    return render(request, "my_week.html", {"page": page})


@router.get("/my-week/team", response_class=HTMLResponse)
def team_week_page(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    today: TodayDep,
    day: Day = None,
    department: Department = None,
) -> HTMLResponse:
    """A team's total per week and how it moves: no person named or ranked."""
    team = my_week.team_week(
        session=session, viewer=viewer, day=_day(day, today), department=department or None
    )
    return render(request, "my_week_team.html", {"team": team})


@router.post("/my-week/sharing", dependencies=[Depends(check_csrf)])
def share_page(
    viewer: ViewerDep, uow: UowDep, shared: Annotated[str, Form(max_length=5)] = ""
) -> RedirectResponse:
    """Share one's page with managers, or stop sharing it."""
    if viewer.employee_id is None:
        raise UsageError("your user is not linked to an employee, so there is no page to share")
    my_week.set_sharing(
        session=uow.session,
        viewer=viewer,
        employee_id=viewer.employee_id,
        shared=shared == "on",
    )
    uow.commit()
    return RedirectResponse("/my-week", status_code=303)


@api_router.get("/employees/{employee_id}/week", response_model=schemas.MyWeekOut, tags=["my week"])
def employee_week(
    employee_id: str,
    viewer: ViewerDep,
    session: SessionDep,
    today: TodayDep,
    day: Day = None,
    weeks: Weeks = my_week.TREND_WEEKS,
) -> Any:
    """An employee's week: theirs to read, or a manager's when they share it."""
    page = my_week.my_week(
        session=session,
        viewer=viewer,
        employee_id=employee_id,
        day=_day(day, today),
        weeks=weeks,
    )
    return _page_out(page)


@api_router.put(
    "/employees/{employee_id}/week/sharing", response_model=schemas.SharingOut, tags=["my week"]
)
def put_sharing(
    employee_id: str, body: schemas.SharingIn, viewer: ViewerDep, uow: UowDep
) -> schemas.SharingOut:
    """Share (or stop sharing) one's own page with managers."""
    shared = my_week.set_sharing(
        session=uow.session, viewer=viewer, employee_id=employee_id, shared=body.shared
    )
    uow.commit()
    return schemas.SharingOut(employee_id=employee_id, shared=shared)


@api_router.get("/teams/week", response_model=schemas.TeamWeekOut, tags=["my week"])
def team_week(
    viewer: ViewerDep,
    session: SessionDep,
    today: TodayDep,
    day: Day = None,
    department: Department = None,
    weeks: Weeks = my_week.TREND_WEEKS,
) -> Any:
    """A team's better-day total per week (managers): no person named or ranked."""
    team = my_week.team_week(
        session=session,
        viewer=viewer,
        day=_day(day, today),
        department=department or None,
        weeks=weeks,
    )
    return schemas.TeamWeekOut(
        department=team.department,
        employees=team.employees,
        week=_count_out(team.week),
        trend=[_count_out(w) for w in team.trend],
    )


def _count_out(w: my_week.WeekCount) -> schemas.WeekCountOut:
    return schemas.WeekCountOut(
        start=w.start, end=w.end, contacts=w.contacts, better=w.better, same=w.same,
        worse=w.worse, unknown=w.unknown, judged=w.judged, share=w.share,
    )  # fmt: skip


def _page_out(page: my_week.MyWeek) -> schemas.MyWeekOut:
    return schemas.MyWeekOut(
        employee_id=page.employee_id,
        name=page.name,
        department=page.department,
        shared=page.shared,
        week=_count_out(page.week),
        customers=[schemas.CustomerDayOut.model_validate(c) for c in page.customers],
        trend=[_count_out(w) for w in page.trend],
    )
