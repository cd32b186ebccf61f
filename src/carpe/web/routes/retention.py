"""The manager's retention page: curves, the risk list with reasons, and whether gestures help."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from carpe.errors import NotFoundError, UsageError
from carpe.services import accounts, permissions, retention, risk
from carpe.services.gesture_effect import effect_verdict
from carpe.web import retention_schemas as schemas
from carpe.web.api import ERRORS
from carpe.web.auth import ViewerDep, check_csrf
from carpe.web.charts import Series, step_chart
from carpe.web.routes.deps import SessionDep, TodayDep, render

router = APIRouter(include_in_schema=False)
api_router = APIRouter(prefix="/api/v1", responses=ERRORS, dependencies=[Depends(check_csrf)])
"""JSON API endpoints: the risk list and probability alive."""
RISK_ROWS = 25
ALIVE_ROWS = 15
Top = Annotated[int, Query(ge=1, le=10_000)]


def _chart(
    curves: tuple[object, ...] | list[object], title: str, *, ordered: bool = False
) -> str | None:
    series = [Series(c.group, c.time, c.survival) for c in curves]  # type: ignore[attr-defined]
    if not series:
        return None
    return step_chart(
        series,
        title=title,
        x_label="months as a customer",
        y_label="still a customer",
        ordered=ordered,
    )


@router.get("/retention", response_class=HTMLResponse)
def retention_page(
    request: Request, viewer: ViewerDep, session: SessionDep, today: TodayDep
) -> HTMLResponse:
    """Retention curves, the accounts most at risk and why, and the effect of gestures."""
    overview = retention.retention_overview(session=session, viewer=viewer, as_of=today)
    try:
        risks = risk.list_risk(session=session, top=RISK_ROWS, evidence=True)
        run = risk.latest_risk_run(session=session)
    except UsageError:
        risks, run = [], None
    model = risk.risk_model(run)
    alive = retention.list_alive(session=session, viewer=viewer, top=ALIVE_ROWS)
    effect = retention.gesture_effect(session=session, viewer=viewer, as_of=today)
    charts = {
        "overall": _chart(
            [overview.overall] if overview.overall else [], "Retention, all accounts"
        ),
        "segment": _chart(overview.by_segment, "Retention by segment"),
        "cohort": _chart(overview.by_cohort, "Retention by start year", ordered=True),
    }
    return render(
        request,
        "retention.html",
        {
            "overview": overview,
            "charts": charts,
            "risks": risks,
            "run": run,
            "model": model,
            "alive": alive,
            "effect": effect,
            "effect_verdict": effect_verdict(effect) if effect else None,
        },
    )


@api_router.get("/risk", response_model=list[schemas.RiskOut], tags=["retention"])
def list_risk(viewer: ViewerDep, session: SessionDep, top: Top = 20) -> Any:
    """Accounts most likely to leave, riskiest first, each reason with the records behind it."""
    permissions.require(viewer, "see", permissions.TEAM, why="the risk list is for managers")
    return risk.list_risk(session=session, top=top, evidence=True)


@api_router.get("/alive", response_model=list[schemas.AliveOut], tags=["retention"])
def list_alive(viewer: ViewerDep, session: SessionDep, top: Top = 50) -> Any:
    """Consumer accounts least likely to still be customers first (BG/NBD, latest analysis)."""
    return retention.list_alive(session=session, viewer=viewer, top=top)


@api_router.get("/accounts/{account_id}/alive", response_model=schemas.AliveOut, tags=["retention"])
def account_alive(account_id: str, viewer: ViewerDep, session: SessionDep) -> Any:
    """A consumer account's probability of still being a customer and its expected purchases."""
    accounts.get_account(session=session, account_id=account_id)
    found = retention.account_alive(session=session, viewer=viewer, account_id=account_id)
    if found is None:
        raise NotFoundError("probability alive of account", account_id)
    return found
