"""Story commands: ``carpe stories`` lists and searches the library of retention stories;
``carpe story show|consent|export ID`` reads one, records the customer's consent, exports it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from carpe.cli._common import out, print_json, running
from carpe.services import stories as service
from carpe.services import story_consent
from carpe.services.permissions import SYSTEM


def _jsonable(view: service.StoryView) -> dict[str, Any]:
    return {
        "story_id": view.story_id,
        "account_id": view.account_id,
        "account_name": view.account_name,
        "employee_ids": view.employee_ids,
        "title": view.title,
        "theme": view.theme,
        "score": view.score,
        "narrative": view.narrative,
        "evidence": view.evidence,
        "consent": {
            "status": view.consent.status,
            "recorded_by": view.consent.recorded_by,
            "contact_id": view.consent.contact_id,
            "recorded_at": (
                view.consent.recorded_at.isoformat(timespec="seconds")
                if view.consent.recorded_at
                else None
            ),
            "amounts_allowed": view.consent.amounts_allowed,
        },
        "sentences": view.sentences,
        "effort_signals": view.effort_signals,
        "outcomes": view.outcomes,
    }


def stories(
    ctx: typer.Context,
    theme: Annotated[
        str | None,
        typer.Option(
            "--theme",
            help="billing trust, delivery rescue, going the extra mile or personal care.",
            metavar="T",
        ),
    ] = None,
    search: Annotated[
        str | None,
        typer.Option("--search", help="Words to look for (by meaning if a model is installed)."),
    ] = None,
    consent: Annotated[
        str | None,
        typer.Option("--consent", help="internal, requested, granted or declined.", metavar="S"),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many.", min=1)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Retention stories found by the last `carpe analyze`, most compelling first.

    Example: carpe stories --theme "billing trust" --search refund --json
    """
    with running(ctx, access="read") as carpe, carpe.unit_of_work() as uow:
        page = service.list_stories(
            session=uow.session, viewer=SYSTEM, theme=theme, q=search, consent=consent, limit=limit
        )
    if as_json:
        print_json([_jsonable(v) for v in page.items])
        return
    table = Table("score", "theme", "title", "consent", "id", box=None)
    for v in page.items:
        table.add_row(f"{v.score:.2f}", v.theme, v.title, v.consent.status, v.story_id)
    out.print(table)
    how = f" (search by {page.search})" if page.search else ""
    out.print(f"{len(page.items)} of {page.total} story(ies){how}")


story_app = typer.Typer(
    help="One retention story: show it, record consent, export it.\n\n"
    "Example: carpe story consent ST0123456789ABCDEF requested --contact C00000045"
)


@story_app.command("show")
def show(
    ctx: typer.Context,
    story_id: Annotated[str, typer.Argument(help="The story's id (ST...).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """A story's narrative, each sentence with the records it cites.

    Example: carpe story show ST0123456789ABCDEF
    """
    with running(ctx, access="read") as carpe, carpe.unit_of_work() as uow:
        view = service.get_story(session=uow.session, viewer=SYSTEM, story_id=story_id)
    if as_json:
        print_json(_jsonable(view))
        return
    out.print(f"[bold]{view.title}[/bold]  ({view.theme}, score {view.score:.2f})")
    for n, s in enumerate(view.sentences, start=1):
        cited = ", ".join([*s["touchpoint_ids"], *s["feedback_ids"]])
        out.print(f"{n}. {s['text']}  [dim][{cited}][/dim]", markup=True)
    out.print(f"consent: {view.consent.status}")


@story_app.command("consent")
def consent(
    ctx: typer.Context,
    story_id: Annotated[str, typer.Argument(help="The story's id (ST...).")],
    status: Annotated[str, typer.Argument(help="requested, granted, declined or internal.")],
    contact: Annotated[
        str | None,
        typer.Option("--contact", help="The customer's contact who was asked.", metavar="ID"),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="How it was asked or given.")] = None,
    amounts: Annotated[
        bool, typer.Option("--amounts", help="With granted: amounts may be shown.")
    ] = False,
) -> None:
    """Record the customer's consent: requested, then granted or declined.

    Example: carpe story consent ST0123456789ABCDEF granted --contact C00000045 --note "signed"
    """
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        view = story_consent.record_consent(
            session=uow.session,
            viewer=SYSTEM,
            story_id=story_id,
            status=status,
            contact_id=contact,
            note=note,
            amounts_allowed=amounts,
        )
        uow.commit()
    out.print(f"{view.story_id}: consent {view.consent.status}")


@story_app.command("title")
def title(
    ctx: typer.Context,
    story_id: Annotated[str, typer.Argument(help="The story's id (ST...).")],
    text: Annotated[str, typer.Argument(help="The new title; empty for the drafted one.")],
) -> None:
    """Give a story a title of your own (kept when `carpe analyze` runs again).

    Example: carpe story title ST0123456789ABCDEF "The Saturday refund"
    """
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        view = story_consent.edit_title(
            session=uow.session, viewer=SYSTEM, story_id=story_id, title=text
        )
        uow.commit()
    out.print(f"{view.story_id}: {view.title}")


@story_app.command("export")
def export(
    ctx: typer.Context,
    story_id: Annotated[str, typer.Argument(help="The story's id (ST...).")],
    anonymised: Annotated[
        bool, typer.Option("--anonymised", help="Without names of people, companies, amounts.")
    ] = False,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write to this file.", metavar="FILE")
    ] = None,
) -> None:
    """A story as Markdown (named with its evidence, or anonymised for external use).

    Example: carpe story export ST0123456789ABCDEF --anonymised -o story.md
    """
    with running(ctx, access="read") as carpe, carpe.unit_of_work() as uow:
        text = service.story_markdown(
            session=uow.session, viewer=SYSTEM, story_id=story_id, anonymised=anonymised
        )
    if output is None:
        out.print(text, markup=False, highlight=False)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}")


def register(app: typer.Typer) -> None:
    """Add ``stories`` and ``story`` to ``app``."""
    app.command()(stories)
    app.add_typer(story_app, name="story")
