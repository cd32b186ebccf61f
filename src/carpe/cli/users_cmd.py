"""User, token and privacy commands: user add, token create, contact export / erase."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from carpe.cli._common import err, out, running
from carpe.services import personal_data, users
from carpe.services.permissions import SYSTEM

user_app = typer.Typer(
    help=(
        "Manage who can sign in: add, password, disable, enable. "
        "Example: carpe user add ana --role frontline --employee E-0007"
    ),
    no_args_is_help=True,
)
token_app = typer.Typer(
    help=(
        "API tokens for integrations: create, list, revoke. "
        "Example: carpe token create ana --name helpdesk-sync --scope write"
    ),
    no_args_is_help=True,
)
contact_app = typer.Typer(
    help="A contact's data: export and erasure. Example: carpe contact export C-00042",
    no_args_is_help=True,
)


@user_app.command("add")
def user_add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The name to sign in with.")],
    role: Annotated[str, typer.Option("--role", help="frontline, manager or admin.")] = "frontline",
    employee: Annotated[
        str | None, typer.Option("--employee", help="The employee id this user is.")
    ] = None,
    password: Annotated[
        str,
        typer.Option(
            "--password",
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="At least 8 characters, not common, hard to guess (asked for when not given).",
        ),
    ] = "",
) -> None:
    """Add a user who can sign in to the web UI and API (names are unique whatever their case).

    Example: carpe user add ana --role frontline --employee E-0007
    """
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        user = users.add_user(
            session=uow.session,
            username=username,
            password=password,
            role=role,
            employee_id=employee,
        )
        uow.commit()
        out.print(
            f"added {user.role} {user.username!r}" + (f" (employee {employee})" if employee else "")
        )


@user_app.command("password")
def user_password(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The user.")],
    password: Annotated[
        str,
        typer.Option(
            "--password",
            prompt="New password",
            hide_input=True,
            confirmation_prompt=True,
            help="The new password (asked for when not given).",
        ),
    ] = "",
) -> None:
    """Set a user's password; every session they have ends (API tokens keep working).

    Example: carpe user password ana
    """
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        user = users.set_password(session=uow.session, username=username, password=password)
        uow.commit()
        out.print(f"password of {user.username!r} changed; their sessions have ended")


@user_app.command("disable")
def user_disable(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="The user.")]
) -> None:
    """Stop a user from signing in: their sessions end and their API tokens stop working.

    Example: carpe user disable ana
    """
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        user = users.set_active(session=uow.session, username=username, active=False)
        uow.commit()
        out.print(f"disabled {user.username!r}; their sessions have ended")


@user_app.command("enable")
def user_enable(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help="The user.")]
) -> None:
    """Let a disabled user sign in again (their unrevoked, unexpired tokens work again).

    Example: carpe user enable ana
    """
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        user = users.set_active(session=uow.session, username=username, active=True)
        uow.commit()
        out.print(f"enabled {user.username!r}")


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "integration",
    scope: Annotated[
        str,
        typer.Option(
            "--scope", help="read (GET only), write (also changes) or admin (also tokens)."
        ),
    ] = "read",
    days: Annotated[
        int | None,
        typer.Option("--days", help="Lifetime in days (default CARPE_TOKEN_DAYS)."),
    ] = None,
) -> None:
    """Create an API token (printed once; send it as 'Authorization: Bearer TOKEN').

    Example: carpe token create ana --name helpdesk-sync --scope write --days 30
    """
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        user = users.get_user_by_name(session=uow.session, username=username)
        token = users.create_api_token(
            session=uow.session,
            by=SYSTEM,
            user_id=user.id,
            name=name,
            scope=scope,
            days=days or carpe.settings.token_days,
        )
        uow.commit()
    out.print(token, markup=False)


def _when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "-"


@token_app.command("list")
def token_list(
    ctx: typer.Context,
    username: Annotated[str | None, typer.Argument(help="Only this user's tokens.")] = None,
) -> None:
    """List API tokens (never the tokens themselves): scope, expiry, last use, revocation.

    Example: carpe token list ana
    """
    with running(ctx, access="read") as carpe, carpe.unit_of_work() as uow:
        rows = users.list_tokens(session=uow.session, username=username)
    table = Table("id", "user", "name", "scope", "expires", "last used", "state")
    for row in rows:
        state = "revoked" if row.revoked_at else ("active" if row.active else "expired")
        table.add_row(
            str(row.token_id),
            row.username,
            row.name,
            row.scope,
            _when(row.expires_at),
            _when(row.last_used_at),
            state,
        )
    out.print(table)


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    token_id: Annotated[int, typer.Argument(help="The token's id (token list).")],
) -> None:
    """Revoke an API token at once.

    Example: carpe token revoke 12
    """
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        row = users.revoke_token(session=uow.session, by=SYSTEM, token_id=token_id)
        uow.commit()
    out.print(f"revoked token {row.token_id} ({row.name!r} of {row.username!r})")


@contact_app.command("export")
def contact_export(
    ctx: typer.Context,
    contact_id: Annotated[str, typer.Argument(help="The contact's id.")],
    output: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: print).")
    ] = None,
) -> None:
    """Export everything carpe holds about a contact as JSON (written to the audit log).

    Example: carpe contact export C-00042 --out c-00042.json
    """
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        data = personal_data.export_contact(
            session=uow.session, viewer=SYSTEM, contact_id=contact_id
        )
        uow.commit()
    text = json.dumps(data, ensure_ascii=False, indent=2)
    if output is None:
        out.print(text, markup=False, highlight=False)
    else:
        output.write_text(text + "\n", encoding="utf-8")
        out.print(f"wrote {output}")


@contact_app.command("erase")
def contact_erase(
    ctx: typer.Context,
    contact_id: Annotated[str, typer.Argument(help="The contact's id.")],
    yes: Annotated[bool, typer.Option("--yes", help="Erase without asking.")] = False,
    vacuum: Annotated[
        bool,
        typer.Option(
            "--vacuum",
            help="Also rebuild the database (SQLite) or rewrite the erased tables "
            "(PostgreSQL VACUUM FULL), clearing what older versions left.",
        ),
    ] = False,
) -> None:
    """Erase a contact's personal data; dates, scores and amounts stay, anonymous.

    Nothing erased stays readable in the database files: SQLite's log is
    checkpointed and truncated, PostgreSQL's tables vacuumed.

    Example: carpe contact erase C-00042 --yes --vacuum
    """
    if not yes:
        typer.confirm(
            f"Erase the personal data of contact {contact_id}? This cannot be undone", abort=True
        )
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        report = personal_data.erase_contact(
            session=uow.session, viewer=SYSTEM, contact_id=contact_id
        )
        uow.commit()
        scrubbed = personal_data.finish_erasure(engine=carpe.engine, vacuum=vacuum)
    if not scrubbed.checkpointed:
        err.print(
            "[yellow]warning[/yellow]: another connection was reading the store; erased "
            "values may stay in the database files until it ends and the store is next "
            "checkpointed or vacuumed (run the command with --vacuum when carpe is idle)"
        )
    out.print(
        f"erased {contact_id}: {report.moments_deleted} moments, "
        f"{report.follow_ups_deleted} follow-ups deleted; {report.notes_redacted} notes, "
        f"{report.comments_redacted} comments redacted"
    )


def register(app: typer.Typer) -> None:
    """Add the user, token and contact command groups to ``app``."""
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
    app.add_typer(contact_app, name="contact")
