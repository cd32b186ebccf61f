"""User, token and privacy commands: user add, token create, contact export / erase."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from carpe.cli._common import err, out, running
from carpe.services import privacy, users

user_app = typer.Typer(
    help="Manage who can sign in. Example: carpe user add ana --role frontline --employee E-0007",
    no_args_is_help=True,
)
token_app = typer.Typer(
    help="API tokens for integrations. Example: carpe token create ana --name helpdesk-sync",
    no_args_is_help=True,
)
contact_app = typer.Typer(
    help="A contact's data: export and erasure. Example: carpe contact export C-00042",
    no_args_is_help=True,
)


@user_app.command("add")
def user_add(
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
            help="At least 8 characters (asked for when not given).",
        ),
    ] = "",
) -> None:
    """Add a user who can sign in to the web UI and API.

    Example: carpe user add ana --role frontline --employee E-0007
    """
    with running() as carpe, carpe.unit_of_work() as uow:
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


@token_app.command("create")
def token_create(
    username: Annotated[str, typer.Argument(help="The user the token acts as.")],
    name: Annotated[str, typer.Option("--name", help="What the token is for.")] = "integration",
) -> None:
    """Create an API token (printed once; send it as 'Authorization: Bearer TOKEN').

    Example: carpe token create ana --name helpdesk-sync
    """
    with running() as carpe, carpe.unit_of_work() as uow:
        user = users.get_user_by_name(session=uow.session, username=username)
        token = users.create_api_token(session=uow.session, user_id=user.id, name=name)
        uow.commit()
    out.print(token, markup=False)


@contact_app.command("export")
def contact_export(
    contact_id: Annotated[str, typer.Argument(help="The contact's id.")],
    output: Annotated[
        Path | None, typer.Option("--out", help="File to write (default: print).")
    ] = None,
) -> None:
    """Export everything carpe holds about a contact as JSON (written to the audit log).

    Example: carpe contact export C-00042 --out c-00042.json
    """
    with running() as carpe, carpe.unit_of_work() as uow:
        data = privacy.export_contact(
            session=uow.session, viewer=users.SYSTEM, contact_id=contact_id
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
    with running() as carpe, carpe.unit_of_work() as uow:
        report = privacy.erase_contact(
            session=uow.session, viewer=users.SYSTEM, contact_id=contact_id
        )
        uow.commit()
        scrubbed = privacy.finish_erasure(engine=carpe.engine, vacuum=vacuum)
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
