"""The web application: ``create_app(settings)`` builds everything, nothing at import."""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.exceptions import HTTPException as StarletteHTTPException

from carpe import __version__
from carpe.config import Settings, load_settings
from carpe.context import Carpe
from carpe.errors import ForbiddenError, NotFoundError, UsageError
from carpe.services import currency, webhooks
from carpe.services.instance import webhook_secret
from carpe.services.scheduler import ReminderScheduler
from carpe.web import api, filters
from carpe.web.auth import CsrfError, LoginRequiredError, csrf_token, resolve_viewer
from carpe.web.rebalance import ReconnectAfter
from carpe.web.routes import (
    accounts,
    admin,
    conflicts,
    contacts,
    gestures,
    health,
    my_week,
    reminders,
    retention,
    session,
    specialists,
    stories,
    today,
    touchpoints,
    users,
)
from carpe.web.security import InstanceSecretSessions, SecurityHeaders, install_api_docs

HERE = Path(__file__).parent


def create_app(
    settings: Settings,
    *,
    carpe: Carpe | None = None,
    send_webhooks: bool = True,
    send_reminders: bool = True,
) -> FastAPI:
    """Build the web application for ``settings``.

    Parameters
    ----------
    settings:
        The configuration; the store's engine is created from it.
    carpe:
        An already running carpe to serve (its settings win); mostly for tests.
    send_webhooks:
        Whether this app sends webhook events (when a URL is configured). With
        several worker processes only the supervising process sends them.
    send_reminders:
        Whether this app runs the reminders' clock (morning digests, chat); every
        worker may, as each send is claimed in the store first.
    """
    running = carpe or Carpe(settings)
    settings = running.settings

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        sending = send_webhooks and settings.webhook_url
        sender = asyncio.create_task(send_webhooks_forever(running)) if sending else None
        reminders = ReminderScheduler(running) if send_reminders else None
        if reminders is not None:
            reminders.start()
        yield
        if reminders is not None:
            reminders.stop()
        if sender is not None:
            sender.cancel()
        if carpe is None:  # the app made it, the app closes it
            running.close()

    app = FastAPI(
        lifespan=lifespan,
        title="carpe",
        version=__version__,
        description=(
            "Customer retention through micro-experiences. Authenticate with "
            "`Authorization: Bearer <token>` (`carpe token create`) or a session cookie."
        ),
        docs_url=None,  # served by security.install_api_docs, without a CDN
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.add_middleware(
        InstanceSecretSessions,
        carpe=running,
        session_cookie="carpe_session",
        max_age=int(timedelta(days=settings.session_days).total_seconds()),
        same_site="lax",
        https_only=settings.environment == "production",
    )
    app.add_middleware(SecurityHeaders, production=settings.environment == "production")
    install_api_docs(app)
    templates = Jinja2Templates(directory=HERE / "templates")
    # Outside development, templates do not change while serving: skip the file checks.
    templates.env.auto_reload = settings.environment == "development"
    filters.install(templates.env)
    templates.env.globals["csrf_token"] = csrf_token
    templates.env.globals["currency"] = _HouseCurrency(running)
    app.state.carpe = running
    app.state.templates = templates
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    for router in (
        health.router,
        session.router,
        today.router,
        accounts.router,
        contacts.router,
        touchpoints.router,
        admin.router,
        users.router,
        retention.router,
        conflicts.router,
        specialists.router,
        gestures.router,
        stories.router,
        reminders.router,
        api.router,
        conflicts.api_router,
        specialists.api_router,
        gestures.api_router,
        stories.api_router,
        retention.api_router,
        my_week.router,
        my_week.api_router,
    ):
        app.include_router(router)
    _install_error_handlers(app)
    return app


def app_from_environment() -> FastAPI:
    """The app of one worker process, configured by the ``CARPE_*`` variables.

    ``carpe serve --workers N`` starts N of these; the supervising process
    sends the webhook events, so the workers do not.
    """
    settings = load_settings()
    app = create_app(settings, send_webhooks=False)
    if settings.reconnect_after:  # keep the workers evenly loaded
        app.add_middleware(ReconnectAfter, requests=settings.reconnect_after)
    return freeze_long_lived(app)


def freeze_long_lived(app: FastAPI) -> FastAPI:
    """Keep what a served app has loaded (modules, templates, the store) out of full GC passes.

    Python's full garbage collection walks every object that can hold others;
    with carpe's modules, SQLAlchemy's metadata and the analyses loaded that
    pauses a server for 100–200 ms now and then, and every request waiting on
    that process waits too (``/healthz`` p99 207 ms → 19 ms with this). The
    objects alive once the app is built live as long as the server, so they are
    moved to the permanent generation (:func:`gc.freeze`); garbage made by
    requests is still collected as usual.
    """
    gc.collect()
    gc.freeze()
    return app


WEBHOOK_INTERVAL_SECONDS = 60


async def send_webhooks_forever(running: Carpe) -> None:
    """Every minute: queue follow-ups that fell due, send pending events (off the event loop)."""

    def one_pass() -> None:
        url = running.settings.webhook_url
        assert url is not None
        with running.unit_of_work() as uow:
            webhooks.queue_due_follow_ups(session=uow.session, today=date.today())
            secret = webhook_secret(session=uow.session, settings=running.settings)
            webhooks.deliver_pending(session=uow.session, url=url, secret=secret)
            uow.commit()

    while True:
        await asyncio.to_thread(one_pass)
        await asyncio.sleep(WEBHOOK_INTERVAL_SECONDS)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or "text/html" not in request.headers.get(
        "accept", ""
    )


class _HouseCurrency:
    """The store's house currency for the ``money`` filter, read once it is known.

    While nothing says (no setting, no invoice yet) the store is asked again at
    most once a minute, not for every amount on every page.
    """

    RETRY_SECONDS = 60.0

    def __init__(self, carpe: Carpe) -> None:
        self._carpe = carpe
        self._known: str | None = None
        self._asked_at = float("-inf")

    def __call__(self) -> str | None:
        now = time.monotonic()
        if self._known is None and now - self._asked_at >= self.RETRY_SECONDS:
            self._asked_at = now
            with self._carpe.unit_of_work() as uow:
                self._known = currency.house_currency(
                    session=uow.session, configured=self._carpe.settings.currency
                )
        return self._known


def _error(
    request: Request, status: int, code: str, message: str, field: str | None = None
) -> Response:
    if _wants_json(request):
        return JSONResponse({"error": {"code": code, "message": message, "field": field}}, status)
    templates: Jinja2Templates = request.app.state.templates
    viewer = getattr(request.state, "viewer", None)
    if viewer is None and status == 404 and "session" in request.scope:
        viewer = resolve_viewer(request)  # a page nobody routed: still show the navigation
    if field:  # a person reads which field, in words: "Contact id is required."
        label = field.replace("_", " ").replace(".", " ").capitalize()
        message = f"{label} is required." if message == "Field required" else f"{label}: {message}"
    return templates.TemplateResponse(
        request,
        "error.html",
        {
            "status": status,
            "message": message,
            "viewer": viewer,
            "back": _same_site_referer(request),
        },
        status_code=status,
    )


def _same_site_referer(request: Request) -> str | None:
    """The page the person came from, when it is one of carpe's own (for a "back" link)."""
    referer = request.headers.get("referer") or ""
    origin = f"{request.url.scheme}://{request.url.netloc}"
    if referer.startswith(origin + "/"):
        return referer[len(origin) :]
    return None


def _install_error_handlers(app: FastAPI) -> None:
    """Domain errors become statuses here, once, not in every route."""

    @app.exception_handler(LoginRequiredError)
    async def _login(request: Request, exc: LoginRequiredError) -> Response:
        if _wants_json(request):
            return _error(request, 401, "unauthorized", "sign in or send an API token")
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)

    @app.exception_handler(CsrfError)
    async def _csrf(request: Request, exc: CsrfError) -> Response:
        return _error(request, 403, "csrf", str(exc))

    @app.exception_handler(ForbiddenError)
    async def _forbidden(request: Request, exc: ForbiddenError) -> Response:
        return _error(request, 403, "forbidden", str(exc))

    @app.exception_handler(NotFoundError)
    async def _not_found(request: Request, exc: NotFoundError) -> Response:
        return _error(request, 404, "not_found", str(exc))

    @app.exception_handler(UsageError)
    async def _bad_request(request: Request, exc: UsageError) -> Response:
        return _error(request, 400, "bad_request", str(exc))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid input"}
        location = [
            str(p) for p in first.get("loc", ()) if p not in ("body", "query", "path", "form")
        ]
        return _error(request, 422, "invalid", str(first.get("msg")), ".".join(location) or None)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        codes = {404: "not_found", 405: "method_not_allowed", 401: "unauthorized"}
        return _error(
            request, exc.status_code, codes.get(exc.status_code, "error"), str(exc.detail)
        )
