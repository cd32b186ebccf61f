"""Gesture commands: the genuineness guard."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from carpe.cli._common import out, running
from carpe.cli.memory_cmd import print_json
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


def register(app: typer.Typer) -> None:
    """Add the gesture commands to ``app``."""
    app.command()(genuineness)
