"""The contact brief page and search."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from carpe.services import accounts, brief, gestures
from carpe.web.auth import ViewerDep
from carpe.web.routes.deps import CarpeDep, TodayDep, UowDep, render

router = APIRouter(include_in_schema=False)


@router.get("/contacts/{contact_id}", response_class=HTMLResponse)
def contact_page(
    request: Request, contact_id: str, viewer: ViewerDep, uow: UowDep, today: TodayDep
) -> HTMLResponse:
    """The brief: what to know before meeting this contact."""
    found = brief.contact_brief(
        session=uow.session, contact_id=contact_id, today=today, viewer=viewer
    )
    ideas = gestures.suggest_for_contact(
        session=uow.session,
        contact_id=contact_id,
        today=today,
        giver=viewer.employee_id,
        viewer=viewer,
    )
    uow.commit()  # the audit entries of sensitive moments shown
    return render(
        request,
        "contact.html",
        {
            "brief": found,
            "today": today,
            "ideas": ideas.suggestions,
            "room": ideas,
        },
    )


@router.get("/search", response_class=HTMLResponse)
def search(
    request: Request,
    viewer: ViewerDep,
    uow: UowDep,
    carpe: CarpeDep,
    q: Annotated[str, Query(max_length=200)] = "",
    to: Annotated[Literal["", "log"], Query()] = "",
) -> HTMLResponse:
    """Accounts and contacts by name, id, email or phone (``to=log``: to log something)."""
    found_accounts = (
        accounts.list_accounts(session=uow.session, query=q, page_size=10) if q.strip() else None
    )
    contacts = accounts.search_contacts(session=uow.session, query=q)
    return render(
        request,
        "search.html",
        {"q": q, "accounts": found_accounts, "contacts": contacts, "to_log": to == "log"},
    )
