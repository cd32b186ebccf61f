"""Gesture commands: ideas, logging against a budget, approvals, budgets, the genuineness guard.

The command line acts as the local administrator (``cli`` in the audit log): it
logs gestures on behalf of the employee named with ``--employee`` and may approve
or decline any gesture waiting for a manager.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from carpe.cli._common import out, parse_day, print_json, running
from carpe.services import gesture_budgets, gesture_log, gestures
from carpe.services.permissions import SYSTEM


def genuineness(
    ctx: typer.Context,
    by_department: Annotated[
        bool, typer.Option("--by-department", help="Score each department as one giver.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """How personal each giver's gestures look (1 = personal, 0 = templated), with the reasons.

    Coaching for managers, not a ranking of people. Example: carpe genuineness --json
    """
    with running(ctx, access="read") as carpe, carpe.unit_of_work() as uow:
        found = gestures.review_givers(
            session=uow.session, viewer=SYSTEM, by="department" if by_department else "employee"
        )
    if as_json:
        print_json(found)
        return
    table = Table("employee", "department", "score", "gestures", "what to talk about", box=None)
    for g in found:
        table.add_row(
            g.name, g.department, f"{g.score:.2f}", str(g.gestures), "; ".join(g.flags) or "-"
        )
    out.print(table)


gestures_app = typer.Typer(
    help=(
        "Gesture ideas, logging against a budget, approvals. "
        "Example: carpe gestures suggest C00000362"
    ),
    no_args_is_help=True,
)


@gestures_app.command("suggest")
def suggest(
    ctx: typer.Context,
    contact_id: Annotated[str, typer.Argument(help="The contact's id.")],
    employee: Annotated[
        str | None, typer.Option("--employee", help="The giver (default: the account owner).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Ideas for a small, personal gesture for a contact, from what they told us.

    Example: carpe gestures suggest C00000362 --employee E00004
    """
    with running(ctx, access="read") as carpe, carpe.unit_of_work() as uow:
        found = gestures.suggest_for_contact(
            session=uow.session,
            viewer=SYSTEM,
            contact_id=contact_id,
            today=date.today(),
            giver=employee,
        )
    if as_json:
        print_json(found)
        return
    if found.budget_left is not None:
        out.print(f"your budget left: {found.budget_left:,.2f}")
    if found.pool_left is not None:
        out.print(f"{found.pool_name} pool left (shared): {found.pool_left:,.2f}")
    if not found.suggestions:
        out.print("nothing open to answer with a gesture; listen for what matters to them")
    for s in found.suggestions:
        out.print(f"• {s.idea} (about {s.cost:.0f}) — for: {s.answers}")


@gestures_app.command("log")
def log(
    ctx: typer.Context,
    contact_id: Annotated[str, typer.Argument(help="Who receives it (a contact id).")],
    employee: Annotated[str, typer.Option("--employee", help="The giver (an employee id).")],
    kind: Annotated[str, typer.Option("--kind", help="card, gift card, book, flowers, …")],
    cost: Annotated[float, typer.Option("--cost", min=0, help="What it costs (0 for a call).")],
    description: Annotated[
        str | None, typer.Option("--description", help="In your own words.")
    ] = None,
    moment: Annotated[
        int | None, typer.Option("--moment", min=1, help="The id of the moment it answers.")
    ] = None,
    given_on: Annotated[
        str | None, typer.Option("--on", help="The day it was given (default today).")
    ] = None,
    budget: Annotated[
        str | None, typer.Option("--budget", help="Charge this budget (own or department's).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Log a gesture against the giver's budget: approved at once, or waiting for a manager.

    Above CARPE_GESTURE_APPROVAL_THRESHOLD, or beyond the budget left, it waits.
    Example: carpe gestures log C00000362 --employee E00004 --kind card --cost 4.5
    --description "A get-well card for Max"
    """
    day = parse_day("--on", given_on)
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        logged = gesture_log.log_gesture(
            session=uow.session,
            viewer=SYSTEM,
            contact_id=contact_id,
            kind=kind,
            cost=cost,
            description=description,
            given_on=day,
            moment_id=moment,
            budget_id=budget,
            employee_id=employee,
            today=date.today(),
            threshold=carpe.settings.gesture_approval_threshold,
        )
        uow.commit()
    if as_json:
        print_json(logged)
        return
    g = logged.gesture
    out.print(f"{g.gesture_id}: {g.kind} for {g.account_name}, {g.cost:,.2f} — {g.status}")
    if g.reason:
        out.print(f"waits for a manager: it {g.reason}")
    if logged.budget is not None:
        b = logged.budget
        out.print(f"budget {b.budget_id} ({b.owner_name}): {b.left:,.2f} left")


@gestures_app.command("pending")
def pending(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Gestures waiting for a manager's approval, newest first.

    Example: carpe gestures pending --json
    """
    with running(ctx, access="read") as carpe, carpe.unit_of_work() as uow:
        found = gesture_log.list_gestures(
            session=uow.session, viewer=SYSTEM, status="pending", page_size=500
        )
    if as_json:
        print_json(list(found.items))
        return
    if not found.items:
        out.print("nothing waiting")
        return
    table = Table("id", "day", "giver", "gesture", "cost", "why it waits", box=None)
    for g in found.items:
        table.add_row(
            g.gesture_id,
            g.given_on.isoformat(),
            g.employee_name,
            f"{g.kind}: {g.description or ''}".strip(": "),
            f"{g.cost or 0:,.2f}",
            g.reason or "",
        )
    out.print(table)


def _decide(
    ctx: typer.Context, gesture_id: str, note: str | None, approve: bool, as_json: bool
) -> None:
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        decided = gesture_log.decide_gesture(
            session=uow.session, viewer=SYSTEM, gesture_id=gesture_id, approve=approve, note=note
        )
        uow.commit()
    if as_json:
        print_json(decided)
        return
    out.print(f"{decided.gesture_id}: {decided.status}")


@gestures_app.command("approve")
def approve(
    ctx: typer.Context,
    gesture_id: Annotated[str, typer.Argument(help="The waiting gesture's id.")],
    note: Annotated[str | None, typer.Option("--note", help="A note for the giver.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Approve a gesture waiting for a manager: it counts as spent from then on.

    Example: carpe gestures approve carpe-g-0123456789abcdef01234567 --note "Lovely idea"
    """
    _decide(ctx, gesture_id, note, True, as_json)


@gestures_app.command("decline")
def decline(
    ctx: typer.Context,
    gesture_id: Annotated[str, typer.Argument(help="The waiting gesture's id.")],
    note: Annotated[str | None, typer.Option("--note", help="Why, for the giver.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Decline a gesture waiting for a manager (its reservation is released).

    Example: carpe gestures decline carpe-g-0123456789abcdef01234567 --note "Too much for now"
    """
    _decide(ctx, gesture_id, note, False, as_json)


def budgets(
    ctx: typer.Context,
    on: Annotated[
        str | None, typer.Option("--on", help="Only budgets covering this day (YYYY-MM-DD).")
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Only this employee's or department's.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Gesture budgets with amount, spent, reserved and left.

    Example: carpe budgets --on 2026-11-23
    """
    day = parse_day("--on", on)
    with running(ctx, access="read") as carpe, carpe.unit_of_work() as uow:
        found = gesture_budgets.list_budgets(
            session=uow.session, viewer=SYSTEM, on=day, owner=owner
        )
    if as_json:
        print_json(found)
        return
    table = Table("budget", "owner", "period", "amount", "spent", "reserved", "left", box=None)
    for b in found:
        table.add_row(
            b.budget_id,
            b.owner_name,
            f"{b.period_start} – {b.period_end}",
            f"{b.amount:,.2f}",
            f"{b.spent:,.2f}",
            f"{b.reserved:,.2f}",
            f"{b.left:,.2f}",
        )
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add the gesture commands to ``app``."""
    app.command()(genuineness)
    app.command()(budgets)
    app.add_typer(gestures_app, name="gestures")
