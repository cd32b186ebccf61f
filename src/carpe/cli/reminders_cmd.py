"""Reminder commands: the morning digest, the calendar feed, chat channels."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from carpe.cli._common import EXIT_USAGE, err, out, parse_day, running
from carpe.services import chat, preferences
from carpe.services import digest as digests
from carpe.services.digest_mail import DigestLinks
from carpe.services.mail import mail_server_of
from carpe.services.users import get_user_by_name

digest_app = typer.Typer(
    help="The morning digest by e-mail. Example: carpe digest send --dry-run --user demo",
    no_args_is_help=True,
)


def _now(at: str | None) -> datetime:
    if at is None:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(at)
    except ValueError:
        err.print(
            f"[red]error[/red]: --at must be a date-time such as 2026-12-07T07:45, not {at!r}"
        )
        raise typer.Exit(EXIT_USAGE) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@digest_app.command("send")
def send(
    ctx: typer.Context,
    user: Annotated[
        str | None,
        typer.Option("--user", help="Only this user's digest, now (still once per day)."),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Print the mail (needs --user); send and record nothing."),
    ] = False,
    html: Annotated[
        bool, typer.Option("--html", help="With --dry-run: print the HTML part, not the text.")
    ] = False,
    at: Annotated[
        str | None,
        typer.Option("--at", help="Judge what is due as at this date-time (default: now, UTC)."),
    ] = None,
) -> None:
    """Send the morning digests that are due: each user's once per day, failures retried.

    `carpe serve` does this every minute when CARPE_SMTP_HOST is set; run this
    from cron instead, or to try it: with --dry-run --user NAME it prints the
    mail that user would get.

    Example: carpe digest send --dry-run --user demo
    """
    moment = _now(at)
    with running(ctx) as carpe:
        links = DigestLinks(carpe.settings.base_url)
        if dry_run:
            if user is None:
                err.print("[red]error[/red]: --dry-run prints one user's mail: add --user NAME")
                raise typer.Exit(EXIT_USAGE)
            with carpe.unit_of_work() as uow:
                digest, message = digests.preview_digest(
                    session=uow.session,
                    username=user,
                    links=links,
                    sender=carpe.settings.mail_from,
                    now=moment,
                )
                uow.commit()  # showing a sensitive moment is audited, as on the pages
            to = (
                message["To"] or f"(no address: carpe digest preferences --user {user} --email ...)"
            )
            for header, value in (
                ("From", message["From"]),
                ("To", to),
                ("Subject", message["Subject"]),
            ):
                out.print(f"{header}: {value}", markup=False)
            part = message.get_body(("html",) if html else ("plain",))
            assert part is not None
            out.print()
            out.print(part.get_content(), markup=False, end="")
            if not digest.items:
                err.print("(nothing to tell today: no mail would be sent)")
            return
        server = mail_server_of(carpe.settings)
        if server is None:
            err.print("[red]error[/red]: set CARPE_SMTP_HOST first (or use --dry-run)")
            raise typer.Exit(EXIT_USAGE)
        columns = (TextColumn("digests"), BarColumn(), MofNCompleteColumn())
        with Progress(*columns, console=err, transient=True) as bar:
            task = bar.add_task("digests", total=None)

            def advance(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            report = digests.send_due_digests(
                units=carpe.unit_of_work,
                server=server,
                links=links,
                now=moment,
                username=user,
                progress=advance,
            )
    out.print(
        f"sent {report.sent}, failed {report.failed} (retried later), "
        f"{report.empty} with nothing to tell, {report.skipped} already claimed or waiting"
    )
    if report.failed:
        raise typer.Exit(1)


@digest_app.command("preferences")
def set_preferences(
    ctx: typer.Context,
    user: Annotated[str, typer.Option("--user", help="Whose preferences.")],
    email: Annotated[str | None, typer.Option("--email", help="Where the digest goes.")] = None,
    time: Annotated[
        str | None, typer.Option("--time", help="Local time of day HH:MM (default 07:30).")
    ] = None,
    zone: Annotated[
        str | None, typer.Option("--zone", help="IANA time zone, e.g. Europe/Paris.")
    ] = None,
    off: Annotated[bool, typer.Option("--off", help="Stop the digest.")] = False,
) -> None:
    """Turn a user's morning digest on (or off with --off), as they can on /preferences.

    Example: carpe digest preferences --user demo --email me@example.com --zone Europe/Paris
    """
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        found = get_user_by_name(session=uow.session, username=user)
        now = preferences.get_preferences(session=uow.session, user_id=found.id)
        saved = preferences.save_preferences(
            session=uow.session,
            user_id=found.id,
            email=email if email is not None else now.email,
            digest_enabled=not off,
            digest_time=time or now.digest_time,
            time_zone=zone or now.time_zone,
        )
        uow.commit()
    state = (
        f"on, at {saved.digest_time} {saved.time_zone}, to {saved.email}"
        if saved.digest_enabled
        else "off"
    )
    out.print(f"{user}'s morning digest is {state}")


@digest_app.command("log")
def log(
    ctx: typer.Context,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many sends.")] = 30,
) -> None:
    """The latest digests sent (or tried), newest day first.

    Example: carpe digest log
    """
    with running(ctx, access="read") as carpe, carpe.unit_of_work() as uow:
        rows = digests.list_sends(session=uow.session, limit=limit)
    table = Table("day", "user", "status", "tries", "items", "to", "error", box=None)
    for r in rows:
        table.add_row(
            r.day.isoformat(),
            r.username,
            r.status,
            str(r.attempts),
            str(r.items),
            r.recipient or "",
            r.last_error or "",
        )
    out.print(table)


chat_app = typer.Typer(
    help=(
        "Follow-ups due and new conflicts posted to Slack or Teams incoming webhooks. "
        "Example: carpe chat add --format slack --department Billing https://hooks.slack.com/..."
    ),
    no_args_is_help=True,
)


@chat_app.command("add")
def chat_add(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The incoming webhook's URL (a secret).")],
    format: Annotated[str, typer.Option("--format", help="slack or teams.")] = "slack",
    department: Annotated[
        str | None, typer.Option("--department", help="Post what concerns this department.")
    ] = None,
    user: Annotated[
        str | None, typer.Option("--user", help="Post this user's follow-ups and conflicts.")
    ] = None,
) -> None:
    """Add a chat channel for a department or a user.

    Example: carpe chat add --format teams --user ana https://example.webhook.office.com/...
    """
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        channel = chat.add_channel(
            session=uow.session, format=format, url=url, department=department, username=user
        )
        uow.commit()
    out.print(f"chat channel {channel.channel_id} ({channel.format}) for {channel.scope}")


@chat_app.command("list")
def chat_list(ctx: typer.Context) -> None:
    """The chat channels (URLs shortened: they are secrets).

    Example: carpe chat list
    """
    with running(ctx, access="read") as carpe, carpe.unit_of_work() as uow:
        rows = chat.list_channels(session=uow.session)
    table = Table("id", "format", "for", "url", box=None)
    for c in rows:
        table.add_row(str(c.channel_id), c.format, c.scope, c.url_start)
    out.print(table)


@chat_app.command("remove")
def chat_remove(
    ctx: typer.Context, channel_id: Annotated[int, typer.Argument(help="The channel's id.")]
) -> None:
    """Remove a chat channel.

    Example: carpe chat remove 2
    """
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        chat.remove_channel(session=uow.session, channel_id=channel_id)
        uow.commit()
    out.print(f"removed chat channel {channel_id}")


@chat_app.command("send")
def chat_send(
    ctx: typer.Context,
    today: Annotated[
        str | None, typer.Option("--today", help="Day to judge what is due (default: today).")
    ] = None,
) -> None:
    """Queue what is new for each channel and post everything pending (`carpe serve` does it too).

    Example: carpe chat send
    """
    day = parse_day("--today", today) or date.today()
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        report = chat.post_chat(
            session=uow.session, today=day, links=DigestLinks(carpe.settings.base_url)
        )
    out.print(
        f"queued {report.queued} new message(s); posted {report.sent}, "
        f"failed {report.failed} (retried next time)"
    )


def register(app: typer.Typer) -> None:
    """Add the reminder commands to ``app``."""
    app.add_typer(digest_app, name="digest")
    app.add_typer(chat_app, name="chat")
