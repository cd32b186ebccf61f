"""Dependencies and rendering shared by routes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from carpe.context import Carpe, UnitOfWork
from carpe.web.auth import csrf_token

# Dependencies that do no I/O are ``async``: FastAPI runs a plain ``def`` dependency
# in its thread pool, and each hop there costs more than the dependency itself.


async def get_carpe(request: Request) -> Carpe:
    """The running carpe the app was built with."""
    carpe: Carpe = request.app.state.carpe
    return carpe


async def get_uow(carpe: Annotated[Carpe, Depends(get_carpe)]) -> AsyncIterator[UnitOfWork]:
    """A unit of work for one request; routes commit what they change.

    ``async`` although its end touches the store: opening a session does no I/O,
    and ending one rolls back what the route left uncommitted, which on the
    store's connection takes microseconds; two hops through the thread pool
    would cost more.
    """
    with carpe.unit_of_work() as uow:
        yield uow


async def get_session(uow: Annotated[UnitOfWork, Depends(get_uow)]) -> Session:
    """The request's session (read-mostly routes)."""
    return uow.session


async def today() -> date:
    """The day requests are answered for (a dependency, so tests can pin it)."""
    return date.today()


def render(
    request: Request, template: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    """Render a template with the viewer and the CSRF token every page needs."""
    templates: Jinja2Templates = request.app.state.templates
    full = {"viewer": getattr(request.state, "viewer", None), "csrf": csrf_token(request)}
    full.update(context)
    return templates.TemplateResponse(request, template, full, status_code=status_code)


def is_htmx(request: Request) -> bool:
    """Whether HTMX sent the request (and wants a fragment)."""
    return request.headers.get("HX-Request") == "true"


SessionDep = Annotated[Session, Depends(get_session)]
UowDep = Annotated[UnitOfWork, Depends(get_uow)]
CarpeDep = Annotated[Carpe, Depends(get_carpe)]
TodayDep = Annotated[date, Depends(today)]
