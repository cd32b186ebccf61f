"""Retention stories: the library, a story with its evidence, consent; ``/api/v1/stories``.

Pages: ``/stories`` (the ranked library, filter by theme, search box) and
``/stories/{id}`` (the narrative with each sentence's evidence, the evidence
timeline, the consent workflow, the anonymised version, Markdown export).
API: ``GET /api/v1/stories``, ``GET /api/v1/stories/{id}``,
``POST /api/v1/stories/{id}/consent``, ``GET /api/v1/stories/{id}/markdown``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from carpe.errors import NotFoundError, UsageError
from carpe.services import accounts, story_consent
from carpe.services import stories as service
from carpe.services.permissions import Viewer
from carpe.vocabulary import STORY_THEMES
from carpe.web import story_schemas as schemas
from carpe.web.api import ERRORS
from carpe.web.auth import ViewerDep, check_csrf
from carpe.web.routes.deps import SessionDep, UowDep, render

router = APIRouter(include_in_schema=False)
"""HTML pages."""

api_router = APIRouter(prefix="/api/v1", responses=ERRORS, dependencies=[Depends(check_csrf)])
"""JSON API endpoints (they appear in the OpenAPI document)."""

StoryId = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
ThemeQuery = Annotated[str | None, Query(pattern="^(" + "|".join(STORY_THEMES) + ")$")]
Words = Annotated[str | None, Query(max_length=200)]
PAGE = 25


@router.get("/stories", response_class=HTMLResponse)
def library_page(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    theme: Annotated[str | None, Query(max_length=40)] = None,
    q: Words = None,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    """The ranked library of retention stories, by theme and words."""
    chosen = theme if theme in STORY_THEMES else None
    found = service.list_stories(
        session=session,
        viewer=viewer,
        theme=chosen,
        q=q,
        limit=PAGE,
        offset=(page - 1) * PAGE,
    )
    return render(
        request,
        "stories.html",
        {
            "page": found,
            "themes": STORY_THEMES,
            "chosen": {"theme": chosen, "q": q or ""},
            "number": page,
            "pages": max(1, -(-found.total // PAGE)),
        },
    )


def _story_page(
    request: Request,
    story_id: str,
    viewer: Viewer,
    session: Session,
    *,
    consent_error: str | None = None,
    typed: dict[str, Any] | None = None,
) -> HTMLResponse:
    """The story page, with a consent form's error and what was typed when it was refused."""
    story = service.get_story(session=session, story_id=story_id, viewer=viewer)
    return render(
        request,
        "story.html",
        {
            "s": story,
            "evidence": service.story_evidence(session=session, story_id=story_id, viewer=viewer),
            "anonymous": service.anonymised_story(
                session=session, story_id=story_id, viewer=viewer
            ),
            "can_consent": story_consent.may_record_consent(
                session=session, story_id=story_id, viewer=viewer
            ),
            "moves": story_consent.MOVES[story.consent.status],
            "contacts": accounts.get_account(session=session, account_id=story.account_id).contacts,
            "consent_error": consent_error,
            "typed": typed or {},
        },
        status_code=422 if consent_error else 200,
    )


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(
    request: Request, story_id: StoryId, viewer: ViewerDep, session: SessionDep
) -> HTMLResponse:
    """One story: its narrative with evidence, the timeline, consent, the anonymised version."""
    return _story_page(request, story_id, viewer, session)


@router.post("/stories/{story_id}/consent", dependencies=[Depends(check_csrf)])
def consent_page(
    request: Request,
    story_id: StoryId,
    viewer: ViewerDep,
    uow: UowDep,
    status: Annotated[str, Form(max_length=20)] = "",
    contact_id: Annotated[str, Form(max_length=128)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    amounts_allowed: Annotated[bool, Form()] = False,
) -> Response:
    """Record a consent step from the story page; a refusal comes back on the same form."""
    typed = {"status": status, "contact_id": contact_id, "note": note, "amounts": amounts_allowed}
    if not status:
        return _story_page(
            request,
            story_id,
            viewer,
            uow.session,
            consent_error="Choose what happened.",
            typed=typed,
        )
    try:
        story_consent.record_consent(
            session=uow.session,
            story_id=story_id,
            status=status,
            viewer=viewer,
            contact_id=contact_id or None,
            note=note or None,
            amounts_allowed=amounts_allowed,
        )
    except (UsageError, NotFoundError) as exc:
        uow.rollback()
        if isinstance(exc, NotFoundError) and not contact_id:
            raise
        message = (
            "That contact is not one of this account's: choose one from the list."
            if isinstance(exc, NotFoundError)
            else str(exc).capitalize() + "."
        )
        return _story_page(
            request, story_id, viewer, uow.session, consent_error=message, typed=typed
        )
    uow.commit()
    return RedirectResponse(f"/stories/{story_id}#consent-h", status_code=303)


@router.post("/stories/{story_id}/title", dependencies=[Depends(check_csrf)])
def title_page(
    story_id: StoryId,
    viewer: ViewerDep,
    uow: UowDep,
    title: Annotated[str, Form(max_length=300)] = "",
) -> Response:
    """Give the story a title of one's own (empty: back to the drafted one)."""
    story_consent.edit_title(session=uow.session, story_id=story_id, title=title, viewer=viewer)
    uow.commit()
    return RedirectResponse(f"/stories/{story_id}", status_code=303)


@router.get("/stories/{story_id}/markdown", response_class=PlainTextResponse)
def markdown_page(
    story_id: StoryId,
    viewer: ViewerDep,
    session: SessionDep,
    anonymised: bool = False,
) -> PlainTextResponse:
    """The story as a Markdown file (download)."""
    text = service.story_markdown(
        session=session, story_id=story_id, viewer=viewer, anonymised=anonymised
    )
    name = f"{story_id}{'-anonymised' if anonymised else ''}.md"
    return PlainTextResponse(
        text,
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@api_router.get("/stories", response_model=schemas.StoryPageOut, tags=["stories"])
def list_stories(
    viewer: ViewerDep,
    session: SessionDep,
    theme: ThemeQuery = None,
    q: Words = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> Any:
    """Retention stories the viewer may see, most compelling first (best match for ``q``)."""
    found = service.list_stories(
        session=session, viewer=viewer, theme=theme, q=q, limit=limit, offset=offset
    )
    return {
        "total": found.total,
        "limit": limit,
        "offset": offset,
        "search": found.search,
        "items": found.items,
    }


@api_router.get("/stories/{story_id}", response_model=schemas.StoryOut, tags=["stories"])
def get_story(story_id: StoryId, viewer: ViewerDep, session: SessionDep) -> Any:
    """One story with its narrative, each sentence's evidence, and consent."""
    return service.get_story(session=session, story_id=story_id, viewer=viewer)


@api_router.post("/stories/{story_id}/consent", response_model=schemas.StoryOut, tags=["stories"])
def record_consent(
    story_id: StoryId, body: schemas.ConsentIn, viewer: ViewerDep, uow: UowDep
) -> Any:
    """Record the customer's consent (requested → granted | declined); owner or manager."""
    done = story_consent.record_consent(
        session=uow.session,
        story_id=story_id,
        status=body.status,
        viewer=viewer,
        contact_id=body.contact_id,
        note=body.note,
        amounts_allowed=body.amounts_allowed,
    )
    uow.commit()
    return done


@api_router.get(
    "/stories/{story_id}/markdown",
    response_class=PlainTextResponse,
    tags=["stories"],
    responses={200: {"content": {"text/markdown": {}}}},
)
def story_markdown(
    story_id: StoryId, viewer: ViewerDep, session: SessionDep, anonymised: bool = False
) -> PlainTextResponse:
    """The story as Markdown; ``anonymised=true`` for the version without names or amounts."""
    text = service.story_markdown(
        session=session, story_id=story_id, viewer=viewer, anonymised=anonymised
    )
    return PlainTextResponse(text, media_type="text/markdown; charset=utf-8")
