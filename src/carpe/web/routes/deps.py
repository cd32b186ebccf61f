"""Dependencies shared by routes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from sqlalchemy.orm import Session

from carpe.context import Carpe


def get_carpe(request: Request) -> Carpe:
    """The running carpe the app was built with."""
    carpe: Carpe = request.app.state.carpe
    return carpe


def get_session(carpe: Annotated[Carpe, Depends(get_carpe)]) -> Iterator[Session]:
    """A read session for one request."""
    with carpe.unit_of_work() as uow:
        yield uow.session


def get_templates(request: Request) -> Jinja2Templates:
    """The app's templates."""
    templates: Jinja2Templates = request.app.state.templates
    return templates


SessionDep = Annotated[Session, Depends(get_session)]
CarpeDep = Annotated[Carpe, Depends(get_carpe)]
TemplatesDep = Annotated[Jinja2Templates, Depends(get_templates)]
