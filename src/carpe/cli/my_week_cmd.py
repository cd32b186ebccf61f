"""``carpe my-week``: whose day an employee made better this week, with the same privacy as the web.

An employee sees their own week; a manager (and the local operator, who acts as
an admin) sees a team's total, and an employee's week only when that employee
shares it. ``--as USERNAME`` answers as that user would see it.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy.orm import Session

from carpe.cli._common import EXIT_USAGE, err, out, parse_day, print_json, running
from carpe.errors import UsageError
from carpe.services import my_week, users
from carpe.services.permissions import SYSTEM, Viewer


def _viewer(session: Session, username: str | None) -> Viewer:
    if username is None:
        return SYSTEM
    found = session.scalars(users.select_user_by_name(username)).first()
    if found is None:
        raise UsageError(f"no active user called {username!r} (see carpe user list)")
    return users.viewer_of(found)


def _share(w: my_week.WeekCount) -> str:
    return "—" if w.share is None else f"{100 * w.share:.0f}%"


def _trend(trend: tuple[my_week.WeekCount, ...]) -> Table:
    table = Table("week", "contacts", "better off", "nothing to go on", "share of judged", box=None)
    for w in reversed(trend):
        table.add_row(
            f"{w.start} – {w.end}", str(w.contacts), str(w.better), str(w.unknown), _share(w)
        )
    return table


def _print_page(page: my_week.MyWeek) -> None:
    w = page.week
    who = "you" if page.mine else page.name
    out.print(f"{page.name} ({page.employee_id}, {page.department}) · {w.start} – {w.end}")
    out.print(
        f"{w.better} {'person' if w.better == 1 else 'people'} had a better day after being in "
        f"contact with {who} this week, of {w.judged} contacts carpe could judge; "
        f"{w.unknown} with nothing to go on."
    )
    for c in page.customers:
        if c.verdict == "unknown":
            continue
        person = f" · {c.contact_name}" if c.contact_name else ""
        out.print(f"\n{c.day}  {c.account_name}{person}: {c.words}  ({c.link})", markup=False)
        for b in c.basis:
            role = b.label if b.role == "event" else f"{b.role}: {b.label}"
            reads = "" if b.sentiment is None else f" reads {b.sentiment:+.2f}"
            said = f' "{b.text}"' if b.text else ""
            out.print(f"    {role} on {b.on}{reads}{said}  ({b.link})", markup=False)
    unknown = [c for c in page.customers if c.verdict == "unknown"]
    if unknown:
        names = ", ".join(sorted({c.account_name for c in unknown}))
        out.print(f"\nNothing to go on ({len(unknown)}): {names}", markup=False)
    out.print()
    out.print(_trend(page.trend))


def my_week_command(
    ctx: typer.Context,
    employee: Annotated[
        str | None, typer.Option("--employee", help="The employee whose week to show.")
    ] = None,
    team: Annotated[
        bool, typer.Option("--team", help="A team's total instead (managers and the operator).")
    ] = False,
    department: Annotated[
        str | None, typer.Option("--department", help="With --team: the team (default everyone).")
    ] = None,
    as_user: Annotated[
        str | None,
        typer.Option("--as", help="Answer as this user sees it (default: the local operator)."),
    ] = None,
    day: Annotated[
        str | None, typer.Option("--day", help="The week's last day, YYYY-MM-DD (default today).")
    ] = None,
    weeks: Annotated[int, typer.Option("--weeks", help="Weeks in the trend.")] = 8,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Whose day an employee made better this week, how carpe knows, and their own trend.

    Example: carpe my-week --employee E00012 --as ana --json
    """
    if (employee is None) == (not team):
        err.print("[red]error[/red]: give --employee ID or --team")
        raise typer.Exit(EXIT_USAGE)
    last = parse_day("--day", day) or date.today()
    with running(ctx, access="read") as carpe, carpe.unit_of_work() as uow:
        viewer = _viewer(uow.session, as_user)
        if team:
            total = my_week.team_week(
                session=uow.session, viewer=viewer, day=last, department=department, weeks=weeks
            )
            if as_json:
                print_json(total)
                return
            w = total.week
            out.print(
                f"{total.department or 'Everyone'} ({total.employees} employees) · "
                f"{w.start} – {w.end}: {w.better} people had a better day after a contact with "
                f"the team, of {w.judged} contacts carpe could judge; {w.unknown} with nothing "
                "to go on."
            )
            out.print(_trend(total.trend))
            return
        assert employee is not None
        page = my_week.my_week(
            session=uow.session, viewer=viewer, employee_id=employee, day=last, weeks=weeks
        )
    if as_json:
        print_json(page)
        return
    _print_page(page)


def register(app: typer.Typer) -> None:
    """Add ``my-week`` to ``app``."""
    app.command("my-week")(my_week_command)
