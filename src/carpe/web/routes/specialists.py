"""Specialists: the manager page and ``GET /api/v1/specialists`` (managers and admins only)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from carpe.services import specialists
from carpe.web import specialist_schemas as schemas
from carpe.web.api import ERRORS
from carpe.web.auth import ViewerDep, check_csrf
from carpe.web.routes.deps import SessionDep, render
from carpe.web.specialist_chart import interval_chart

router = APIRouter(include_in_schema=False)
"""HTML pages."""

api_router = APIRouter(prefix="/api/v1", responses=ERRORS, dependencies=[Depends(check_csrf)])
"""JSON API endpoints (they appear in the OpenAPI document)."""


@router.get("/specialists", response_class=HTMLResponse)
def specialists_page(request: Request, viewer: ViewerDep, session: SessionDep) -> HTMLResponse:
    """Hidden specialists: effects with intervals, components, key people, recognition."""
    view = specialists.load_specialists(session=session, viewer=viewer)
    ranked = [s for s in view.specialists if s["effect"] is not None]
    return render(
        request,
        "specialists.html",
        {
            "view": view,
            "chart": interval_chart(ranked),
            "flagged": [s for s in ranked if s["flagged"]],
            "declining": [e for e in view.engagement if e["declining"]],
        },
    )


@api_router.get("/specialists", response_model=schemas.SpecialistsPage, tags=["specialists"])
def list_specialists(viewer: ViewerDep, session: SessionDep) -> Any:
    """Every employee's effect on retention, largest first, with the key-person board."""
    view = specialists.load_specialists(session=session, viewer=viewer)
    s = view.summary
    return schemas.SpecialistsPage(
        run_id=view.run_id,
        as_of=s.get("as_of"),
        outcome_days=s.get("outcome_days"),
        fdr=s.get("fdr"),
        cohort_accounts=s.get("cohort_accounts"),
        specialists=[schemas.SpecialistOut.model_validate(r) for r in view.specialists],
        key_people=[schemas.KeyPersonOut.model_validate(r) for r in view.board],
        engagement=[schemas.EngagementOut.model_validate(r) for r in view.engagement],
    )
