"""Serving commands: serve, demo."""

from __future__ import annotations

import socket
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from carpe.cli._common import out, running, settings


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


def _serve(config_settings: object, host: str, port: int) -> None:
    import uvicorn

    from carpe.web import create_app

    app = create_app(config_settings)  # type: ignore[arg-type]
    uvicorn.run(app, host=host, port=port, log_level="warning")


def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
) -> None:
    """Serve the web UI and API for the store.

    Example: carpe --db sqlite:///shop.db serve --port 8080
    """
    with running():
        pass  # migrate and check the store before listening
    out.print(f"carpe is serving at http://{host}:{port}/  (Ctrl+C to stop)")
    _serve(settings(), host, port)


def demo(
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
) -> None:
    """Simulate a 500-account business into a fresh SQLite file, import it, and serve it.

    Example: carpe demo --port 8080
    """
    from carpe.services.demo import prepare_demo

    with running(migrate=False):
        out.print("simulating a 500-account industrial supplier (24 months)...")
        prepared = prepare_demo(folder=folder, today=date.today())
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
        f"the browser is signed in automatically as manager '{prepared.username}'{who}; "
        f"to sign in elsewhere use password {prepared.password}"
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
