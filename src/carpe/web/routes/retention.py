"""The manager's retention page: curves, the risk list with reasons, and whether gestures help."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from carpe.errors import ForbiddenError, UsageError
from carpe.services import analysis, retention
from carpe.web.auth import ViewerDep
from carpe.web.charts import Series, step_chart
from carpe.web.routes.deps import SessionDep, TodayDep, render

router = APIRouter(include_in_schema=False)
RISK_ROWS = 25


def _chart(curves: tuple[object, ...] | list[object], title: str) -> str | None:
    series = [Series(c.group, c.time, c.survival) for c in curves]  # type: ignore[attr-defined]
    if not series:
        return None
    return step_chart(
        series, title=title, x_label="months as a customer", y_label="still a customer"
    )


@router.get("/retention", response_class=HTMLResponse)
def retention_page(
    request: Request, viewer: ViewerDep, session: SessionDep, today: TodayDep
) -> HTMLResponse:
    """Retention curves, the accounts most at risk and why, and the effect of gestures."""
    if not viewer.is_manager:
        raise ForbiddenError("the retention page is for managers")
    overview = retention.retention_overview(session=session, as_of=today)
    try:
        risks = analysis.list_risk(session=session, top=RISK_ROWS)
        run = analysis.latest_run(session=session)
    except UsageError:
        risks, run = [], None
    charts = {
        "overall": _chart(
            [overview.overall] if overview.overall else [], "Retention, all accounts"
        ),
        "segment": _chart(overview.by_segment, "Retention by segment"),
        "cohort": _chart(overview.by_cohort, "Retention by start year"),
    }
    return render(
        request,
        "retention.html",
        {
            "overview": overview,
            "charts": charts,
            "risks": risks,
            "run": run,
            "effect": retention.gesture_effect(session=session, as_of=today),
        },
    )
