"""Webhook commands: queue what has fallen due, and send it."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer

from carpe.cli._common import EXIT_USAGE, err, out, running
from carpe.services import instance, webhooks

webhook_app = typer.Typer(
    help="Signed JSON events to CARPE_WEBHOOK_URL. Example: carpe webhooks send",
    no_args_is_help=True,
)


@webhook_app.command("send")
def send(
    ctx: typer.Context,
    today: Annotated[
        str | None, typer.Option("--today", help="Day to judge what is due (default: today).")
    ] = None,
) -> None:
    """Queue follow-ups that have fallen due and send every pending event (run it from cron).

    Example: CARPE_WEBHOOK_URL=https://chat.example/hook carpe webhooks send
    """
    with running(ctx) as carpe:
        url = carpe.settings.webhook_url
        if not url:
            err.print("[red]error[/red]: set CARPE_WEBHOOK_URL first")
            raise typer.Exit(EXIT_USAGE)
        day = date.fromisoformat(today) if today else date.today()
        with carpe.unit_of_work() as uow:
            queued = webhooks.queue_due_follow_ups(session=uow.session, today=day)
            secret = instance.webhook_secret(session=uow.session, settings=carpe.settings)
            report = webhooks.deliver_pending(session=uow.session, url=url, secret=secret)
            uow.commit()
    out.print(
        f"queued {queued} new event(s); sent {report.sent}, "
        f"failed {report.failed} (retried next time)"
    )


@webhook_app.command("secret")
def secret(ctx: typer.Context) -> None:
    """Print the secret that signs webhook events, for the receiver to check them.

    It is CARPE_SECRET_KEY when set, else a random one carpe keeps in the store.

    Example: carpe webhooks secret
    """
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        value = instance.webhook_secret(session=uow.session, settings=carpe.settings)
        uow.commit()
    out.print(value, markup=False)


def register(app: typer.Typer) -> None:
    """Add the webhook commands to ``app``."""
    app.add_typer(webhook_app, name="webhooks")
