"""Experience conflicts on the command line: ``carpe conflicts`` lists (and detects) them,
``carpe conflict ACTION ID`` acknowledges, resolves, dismisses or reopens one."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.table import Table

from carpe.cli._common import err, out, parse_day, running
from carpe.services import conflict_detection
from carpe.services import conflicts as service
from carpe.services.permissions import SYSTEM


def _jsonable(view: service.ConflictView) -> dict[str, Any]:
    return {
        "conflict_id": view.conflict_id,
        "type": view.type,
        "account_id": view.account_id,
        "account_name": view.account_name,
        "departments": view.departments,
        "evidence": view.evidence,
        "period": view.period,
        "amount_at_risk": view.amount_at_risk,
        "severity": view.severity,
        "severity_label": view.severity_label,
        "status": view.status,
        "owner": view.owner,
        "notes": view.notes,
        "detected_at": view.detected_at.isoformat(timespec="seconds"),
    }


def conflicts(
    ctx: typer.Context,
    type_: Annotated[
        str | None,
        typer.Option("--type", help="Only this type, e.g. duplicate_invoice.", metavar="T"),
    ] = None,
    status: Annotated[
        str | None,
        typer.Option("--status", help="open, acknowledged, resolved or dismissed.", metavar="S"),
    ] = None,
    account: Annotated[
        str | None, typer.Option("--account", help="Only this account id.", metavar="ID")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    detect: Annotated[
        bool, typer.Option("--detect", help="Run the detectors on the store first.")
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="With --detect: as of this day, YYYY-MM-DD."),
    ] = None,
    engine: Annotated[
        str, typer.Option("--engine", help="With --detect: duckdb (default) or spark.")
    ] = "duckdb",
) -> None:
    """Experience conflicts between departments, most severe first, with money at stake.

    Example: carpe conflicts --detect --type duplicate_invoice --status open --json
    """
    day = parse_day("--as-of", as_of)
    with running(ctx) as carpe:
        if detect:
            report, summary = conflict_detection.detect_and_record(
                engine=carpe.engine,
                engine_name=engine,
                as_of=day,
                settings=conflict_detection.detector_settings(carpe.settings),
            )
            err.print(
                f"detected {summary.found} conflict(s) as of {report.as_of.isoformat()}: "
                f"{summary.new} new"
            )
        with carpe.unit_of_work() as uow:
            rows = service.list_conflicts(
                session=uow.session, viewer=SYSTEM, type=type_, status=status, account_id=account
            )
    if as_json:
        out.print_json(json.dumps([_jsonable(r) for r in rows], ensure_ascii=False))
        return
    table = Table("severity", "type", "account", "departments", "at stake", "status", "id",
                  box=None)  # fmt: skip
    for r in rows:
        table.add_row(
            r.severity_label,
            r.type,
            f"{r.account_name} ({r.account_id})",
            ", ".join(r.departments),
            f"{r.amount_at_risk:,.2f}",
            r.status,
            r.conflict_id,
        )
    out.print(table)
    out.print(f"{len(rows)} conflict(s), {sum(r.amount_at_risk for r in rows):,.2f} at stake")


def conflict(
    ctx: typer.Context,
    action: Annotated[str, typer.Argument(help="acknowledge, resolve, dismiss or reopen.")],
    conflict_id: Annotated[str, typer.Argument(help="The conflict's id (CF...).")],
    notes: Annotated[str | None, typer.Option("--notes", help="What was done or found.")] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Hand it to this employee id.", metavar="ID")
    ] = None,
) -> None:
    """Acknowledge, resolve, dismiss or reopen one conflict.

    Example: carpe conflict resolve CF0123456789ABCDEF --notes "Credit note sent"
    """
    with running(ctx) as carpe, carpe.unit_of_work() as uow:
        done = service.act_on_conflict(
            session=uow.session,
            viewer=SYSTEM,
            conflict_id=conflict_id,
            action=action,
            notes=notes,
            owner=owner,
        )
        uow.commit()
    out.print(f"{done.conflict_id}: {done.status}")


def register(app: typer.Typer) -> None:
    """Add ``conflicts`` and ``conflict`` to ``app``."""
    app.command()(conflicts)
    app.command()(conflict)
