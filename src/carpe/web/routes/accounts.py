"""Account pages: the searchable list and an account with its timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from carpe.services import accounts
from carpe.web.routes.deps import CarpeDep, SessionDep, TemplatesDep

router = APIRouter(include_in_schema=False)


@router.get("/")
def home() -> RedirectResponse:
    """The start page is the accounts list (for now)."""
    return RedirectResponse("/accounts", status_code=303)


@router.get("/accounts", response_class=HTMLResponse)
def account_list(
    request: Request,
    session: SessionDep,
    carpe: CarpeDep,
    templates: TemplatesDep,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    """Accounts, searchable by name, id and contacts' name, email or phone."""
    found = accounts.list_accounts(
        session=session, query=q, page=page, page_size=carpe.settings.page_size
    )
    partial = (
        request.headers.get("HX-Request") == "true"
        and request.headers.get("HX-Target") == "account-rows"
    )
    template = "_account_rows.html" if partial else "accounts.html"
    return templates.TemplateResponse(request, template, {"found": found, "q": q})


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def account_page(
    request: Request,
    account_id: str,
    session: SessionDep,
    carpe: CarpeDep,
    templates: TemplatesDep,
    department: Annotated[str | None, Query(max_length=100)] = None,
    channel: Annotated[str | None, Query(max_length=20)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    """One account: its contacts and its timeline across departments and channels."""
    view = accounts.get_account(session=session, account_id=account_id)
    timeline = accounts.list_timeline(
        session=session,
        account_id=account_id,
        page=page,
        page_size=carpe.settings.page_size,
        department=department or None,
        channel=channel or None,
    )
    context = {
        "view": view,
        "timeline": timeline,
        "department": department or "",
        "channel": channel or "",
    }
    if request.headers.get("HX-Request") == "true":
        return templates.TemplateResponse(request, "_timeline.html", context)
    return templates.TemplateResponse(request, "account.html", context)
