"""The web application: ``create_app(settings)`` builds everything, nothing at import."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from carpe import __version__
from carpe.config import Settings
from carpe.context import Carpe
from carpe.errors import NotFoundError, UsageError
from carpe.web import filters
from carpe.web.routes import accounts, health

HERE = Path(__file__).parent


def create_app(settings: Settings, *, carpe: Carpe | None = None) -> FastAPI:
    """Build the web application for ``settings``.

    Parameters
    ----------
    settings:
        The configuration; the store's engine is created from it.
    carpe:
        An already running carpe to serve (its settings win); mostly for tests.
    """
    running = carpe or Carpe(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        if carpe is None:  # the app made it, the app closes it
            running.close()

    app = FastAPI(
        lifespan=lifespan,
        title="carpe",
        version=__version__,
        description="Customer retention through micro-experiences.",
        docs_url="/api/docs",
        openapi_url="/api/openapi.json",
    )
    templates = Jinja2Templates(directory=HERE / "templates")
    filters.install(templates.env)
    app.state.carpe = running
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(health.router)
    app.include_router(accounts.router)

    @app.exception_handler(NotFoundError)
    async def _not_found(request: Request, exc: NotFoundError) -> Response:
        return _error(request, 404, "not_found", str(exc))

    @app.exception_handler(UsageError)
    async def _bad_request(request: Request, exc: UsageError) -> Response:
        return _error(request, 400, "bad_request", str(exc))

    return app


def _error(request: Request, status: int, code: str, message: str) -> Response:
    if request.url.path.startswith("/api/") or "text/html" not in request.headers.get("accept", ""):
        return JSONResponse({"error": {"code": code, "message": message, "field": None}}, status)
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(
        request, "error.html", {"status": status, "message": message}, status_code=status
    )
