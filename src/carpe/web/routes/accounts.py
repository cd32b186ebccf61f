"""Account pages: the searchable list and an account with its timeline."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from carpe.services import accounts, retention, risk
from carpe.web.auth import ViewerDep
from carpe.web.routes.deps import CarpeDep, SessionDep, is_htmx, render

router = APIRouter(include_in_schema=False)

TIMELINE_PAGE_SIZE = 25
"""Touchpoints per page of the account page's timeline (a phone screen's worth or two)."""


@router.get("/")
def home(viewer: ViewerDep) -> RedirectResponse:
    """The start page is Today."""
    return RedirectResponse("/today", status_code=303)


@router.get("/accounts", response_class=HTMLResponse)
def account_list(
    request: Request,
    viewer: ViewerDep,
    session: SessionDep,
    carpe: CarpeDep,
    q: Annotated[str, Query(max_length=200)] = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    """Accounts, searchable by name, id and contacts' name, email or phone."""
    found = accounts.list_accounts(
        session=session, query=q, page=page, page_size=carpe.settings.page_size
    )
    partial = is_htmx(request) and request.headers.get("HX-Target") == "account-rows"
    return render(
        request, "_account_rows.html" if partial else "accounts.html", {"found": found, "q": q}
    )


@router.get("/accounts/{account_id}", response_class=HTMLResponse)
def account_page(
    request: Request,
    account_id: str,
    viewer: ViewerDep,
    session: SessionDep,
    carpe: CarpeDep,
    department: Annotated[str | None, Query(max_length=100)] = None,
    channel: Annotated[str | None, Query(max_length=20)] = None,
    page: Annotated[int, Query(ge=1)] = 1,
) -> HTMLResponse:
    """One account: contacts, moments, orders, invoices, feedback and its timeline."""
    view = accounts.get_account(session=session, account_id=account_id)
    timeline = accounts.list_timeline(
        session=session,
        account_id=account_id,
        page=page,
        page_size=TIMELINE_PAGE_SIZE,
        department=department or None,
        channel=channel or None,
        viewer=viewer,
    )
    context = {
        "view": view,
        "timeline": timeline,
        "department": department or "",
        "channel": channel or "",
    }
    if is_htmx(request):
        return render(request, "_timeline.html", context)
    context["extras"] = accounts.account_extras(
        session=session, account_id=account_id, viewer=viewer
    )
    context["risk"] = risk.account_risk(session=session, account_id=account_id)
    context["alive"] = retention.account_alive(
        session=session, viewer=viewer, account_id=account_id
    )
    session.commit()  # the audit entries of sensitive moments shown
    return render(request, "account.html", context)
