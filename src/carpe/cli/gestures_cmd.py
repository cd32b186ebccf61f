"""Gesture commands: the genuineness guard."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.table import Table

from carpe.cli._common import out, print_json, running
from carpe.services import gestures


def genuineness(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """How personal each giver's gestures look (1 = personal, 0 = templated), with the reasons.

    Coaching for managers, not a ranking of people. Example: carpe genuineness --json
    """
    with running() as carpe, carpe.unit_of_work() as uow:
        found = gestures.review_givers(session=uow.session)
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
    help="Gesture ideas. Example: carpe gestures suggest C00000362", no_args_is_help=True
)


@gestures_app.command("suggest")
def suggest(
    contact_id: Annotated[str, typer.Argument(help="The contact's id.")],
    employee: Annotated[
        str | None, typer.Option("--employee", help="The giver (default: the account owner).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Ideas for a small, personal gesture for a contact, from what they told us.

    Example: carpe gestures suggest C00000362 --employee E00004
    """
    with running() as carpe, carpe.unit_of_work() as uow:
        found = gestures.suggest_for_contact(
            session=uow.session, contact_id=contact_id, today=date.today(), giver=employee
        )
    if as_json:
        print_json(found)
        return
    if found.budget_left is not None:
        out.print(f"budget left: {found.budget_left:,.2f}")
    if not found.suggestions:
        out.print("nothing open to answer with a gesture; listen for what matters to them")
    for s in found.suggestions:
        out.print(f"• {s.idea} (about {s.cost:.0f}) — for: {s.answers}")


def register(app: typer.Typer) -> None:
    """Add the gesture commands to ``app``."""
    app.command()(genuineness)
    app.add_typer(gestures_app, name="gestures")
