"""Customer-memory commands: brief, followups, losing-touch."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from carpe.cli._common import out, parse_day, print_json, running
from carpe.services import brief as brief_service
from carpe.services import follow_ups
from carpe.services.permissions import SYSTEM


def brief(
    ctx: typer.Context,
    contact_id: Annotated[str, typer.Argument(help="The contact's id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    today: Annotated[
        str | None, typer.Option("--today", help="Day of the meeting (default: today).")
    ] = None,
) -> None:
    """What to know before meeting a contact: moments, preferences, recent touchpoints, problems.

    Example: carpe brief C-00042
    """
    day = parse_day("--today", today) or date.today()
    with running(ctx, access="read") as carpe, carpe.unit_of_work() as uow:
        found = brief_service.contact_brief(
            session=uow.session, viewer=SYSTEM, contact_id=contact_id, today=day
        )
    if as_json:
        print_json(found)
        return
    out.print(
        f"[bold]{found.name}[/bold]{f' · {found.title}' if found.title else ''} — {found.account}"
    )
    out.print(f"Address as: {found.address_as}")
    if found.preferences:
        out.print("Preferences: " + "; ".join(found.preferences))
    if found.interests:
        out.print("Interests: " + "; ".join(found.interests))
    if found.open_moments:
        out.print("\n[bold]Open moments[/bold]")
        for m in found.open_moments:
            flag = " [dim](sensitive)[/dim]" if m.sensitive else ""
            out.print(
                f"  • {m.opener}{flag}  "
                f"[dim]{m.kind}, noted {m.noted_on.isoformat()}: {m.summary}[/dim]"
            )
    if found.open_problems:
        out.print("\n[bold]Open problems on the account[/bold]")
        for p in found.open_problems:
            out.print(f"  • {p.text} [dim]({p.day.isoformat()})[/dim]")
    if found.last_gesture:
        g = found.last_gesture
        out.print(
            f"\nLast gesture: {g.kind} on {g.given_on.isoformat()}"
            f"{f' — {g.description}' if g.description else ''}"
        )
    if found.recent_touchpoints:
        out.print("\n[bold]Recent touchpoints[/bold]")
        for t in found.recent_touchpoints:
            who = " · ".join(x for x in (t.department, t.employee) if x)
            out.print(
                f"  {t.occurred_at:%Y-%m-%d} {t.channel:<9} {who}: {t.subject or t.kind or ''}"
            )


def followups(
    ctx: typer.Context,
    employee: Annotated[
        str | None, typer.Option("--employee", help="Only this employee's.")
    ] = None,
    due_by: Annotated[
        str | None, typer.Option("--due-by", help="Due on or before YYYY-MM-DD.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Open follow-ups: whom to ask about what, soonest first.

    Example: carpe followups --employee E-0007 --due-by 2026-03-31
    """
    day = parse_day("--due-by", due_by)
    with running(ctx, access="read") as carpe, carpe.unit_of_work() as uow:
        rows = follow_ups.list_follow_ups(
            session=uow.session, viewer=SYSTEM, today=date.today(), employee_id=employee, due_by=day
        )
    if as_json:
        print_json(rows)
        return
    table = Table("due", "contact", "account", "for", "idea", box=None)
    for r in rows:
        table.add_row(r.due_on.isoformat(), r.contact or "", r.account, r.employee or "", r.opener)
    out.print(table)
    out.print(f"{len(rows)} open follow-up(s)")


def losing_touch(
    ctx: typer.Context,
    employee: Annotated[
        str | None, typer.Option("--employee", help="Only accounts this employee owns.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Contacts with no touchpoint for much longer than their own usual rhythm.

    Example: carpe losing-touch --json
    """
    with running(ctx, access="read") as carpe, carpe.unit_of_work() as uow:
        rows = brief_service.losing_touch(
            session=uow.session, today=date.today(), employee_id=employee
        )
    if as_json:
        print_json(rows)
        return
    table = Table("contact", "account", "last touch", "days since", "usual gap (days)", box=None)
    for r in rows:
        table.add_row(
            r.name, r.account, r.last_touch.isoformat(), str(r.days_since), f"{r.usual_gap_days:g}"
        )
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add the customer-memory commands to ``app``."""
    app.command()(brief)
    app.command()(followups)
    app.command("losing-touch")(losing_touch)
