"""The ``carpe`` command.

Each concept's commands live in a module of this package that exposes
``register(app)``; this module only assembles them.
"""

from __future__ import annotations

from typing import Annotated

import typer

from carpe.cli import (
    analyze_cmd,
    conflicts_cmd,
    data_cmd,
    extract_cmd,
    gestures_cmd,
    memory_cmd,
    my_week_cmd,
    reminders_cmd,
    serve_cmd,
    specialists_cmd,
    stories_cmd,
    users_cmd,
    webhooks_cmd,
)
from carpe.cli._common import Invocation

app = typer.Typer(
    name="carpe",
    help="carpe: customer retention through micro-experiences.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _global(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="Store URL (default: CARPE_DATABASE_URL or sqlite:///carpe.db).",
            metavar="URL",
        ),
    ] = None,
) -> None:
    """carpe: customer retention through micro-experiences."""
    ctx.obj = Invocation(database_url=db)


for _module in (
    data_cmd,
    extract_cmd,
    memory_cmd,
    analyze_cmd,
    conflicts_cmd,
    gestures_cmd,
    serve_cmd,
    specialists_cmd,
    stories_cmd,
    users_cmd,
    webhooks_cmd,
    my_week_cmd,
    reminders_cmd,
):
    _module.register(app)


def main() -> None:
    """Run the ``carpe`` command line."""
    app()
