"""Serving commands: serve, demo."""

from __future__ import annotations

import asyncio
import os
import socket
import threading
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from carpe.cli._common import out, running, settings
from carpe.config import Settings
from carpe.errors import UsageError


def _free_port(host: str, preferred: int) -> int:
    """``preferred`` when it is free, else a free port the system picks."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, preferred))
            return preferred
        except OSError:
            probe.bind((host, 0))
            port: int = probe.getsockname()[1]
            return port


WORKER_STARTUP_SECONDS = 120


def _environment(config: Settings) -> dict[str, str]:
    """``config`` as the ``CARPE_*`` variables a worker process reads it back from."""
    return {
        f"CARPE_{name.upper()}": str(value)
        for name, value in config.model_dump().items()
        if value is not None
    }


def _send_webhooks_in_background(config: Settings) -> None:
    """Send webhook events from this (supervising) process while its workers serve."""
    from carpe.context import Carpe
    from carpe.web.app import send_webhooks_forever

    def loop() -> None:
        asyncio.run(send_webhooks_forever(Carpe(config)))

    threading.Thread(target=loop, name="carpe-webhooks", daemon=True).start()


def _serve(config: Settings, host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    if workers == 1:
        from carpe.web import create_app
        from carpe.web.app import freeze_long_lived

        app = freeze_long_lived(create_app(config))
        uvicorn.run(app, host=host, port=port, log_level="warning")
        return
    # Worker processes are started fresh and read their settings from the environment.
    os.environ.update(_environment(config))
    if config.webhook_url:
        _send_webhooks_in_background(config)
    uvicorn.run(
        "carpe.web.app:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="warning",
        # A worker imports carpe before it answers; on a busy machine that takes longer
        # than uvicorn's 5 s default, which would restart workers in a loop.
        timeout_worker_healthcheck=WORKER_STARTUP_SECONDS,
    )


def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Worker processes (one per CPU core serves the most people at once).",
        ),
    ] = 1,
) -> None:
    """Serve the web UI and API for the store.

    Example: carpe --db sqlite:///shop.db serve --port 8080 --workers 2
    """
    from carpe.services.instance import check_serving_host, ensure_instance_secret

    with running(ctx) as carpe:  # migrate and check the store before listening
        check_serving_host(settings=carpe.settings, host=host)
        with carpe.unit_of_work() as uow:
            ensure_instance_secret(session=uow.session)
            uow.commit()
    out.print(f"carpe is serving at http://{host}:{port}/  (Ctrl+C to stop)")
    _serve(settings(ctx), host, port, workers)


def demo(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Option("--dir", help="Folder for the demo's files.")] = Path(
        "carpe-demo"
    ),
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Preferred port (a free one is used if taken).")
    ] = 8000,
    no_serve: Annotated[
        bool, typer.Option("--no-serve", help="Prepare the demo, do not serve it.")
    ] = False,
    kind: Annotated[
        str,
        typer.Option(
            "--kind", help="b2b: an industrial supplier; b2c: a consumer business (households)."
        ),
    ] = "b2b",
) -> None:
    """Simulate a 500-account business (four years) into a fresh SQLite file, import it, serve it.

    Example: carpe demo --port 8080; carpe demo --kind b2c (probability alive per household)
    """
    from carpe.services.demo import DEMO_ACCOUNTS, DEMO_MONTHS, prepare_demo
    from carpe.services.instance import check_serving_host

    with running(ctx, access="none"):
        check_serving_host(
            settings=settings(ctx).model_copy(update={"demo_user": "demo"}), host=host
        )
        if kind not in ("b2b", "b2c"):
            raise UsageError(f"--kind must be b2b or b2c, got {kind!r}")
        what = "industrial supplier" if kind == "b2b" else "consumer business"
        out.print(f"simulating a {DEMO_ACCOUNTS}-account {what} ({DEMO_MONTHS} months)...")
        prepared = prepare_demo(folder=folder, today=date.today(), kind=kind)  # type: ignore[arg-type]
    report = prepared.outcome.report
    out.print(
        f"imported {report.rows_read:,} rows into {prepared.settings.database_url} "
        f"in {report.seconds:.1f} s"
    )
    out.print(
        f"analysed it: {prepared.analysis.accounts_scored:,} accounts scored for risk "
        f"as of {prepared.analysis.as_of.isoformat()}"
    )
    who = f" (as employee {prepared.employee})" if prepared.employee else ""
    out.print(
        f"the first browser to open it is signed in as manager '{prepared.username}'{who}; "
        f"after signing out, or elsewhere, use password {prepared.password}"
    )
    also = f" (as employee {prepared.frontline_employee})" if prepared.frontline_employee else ""
    out.print(
        f"to see carpe as a frontline employee, sign out and sign in as "
        f"'{prepared.frontline_username}'{also} with password {prepared.frontline_password}"
    )
    if no_serve:
        return
    chosen = _free_port(host, port)
    out.print(f"\n[bold]carpe demo is ready: http://{host}:{chosen}/[/bold]  (Ctrl+C to stop)")
    _serve(prepared.settings, host, chosen)


def register(app: typer.Typer) -> None:
    """Add the serving commands to ``app``."""
    app.command()(serve)
    app.command()(demo)
