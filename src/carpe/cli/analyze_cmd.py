"""Analytics commands: ``carpe analyze`` runs the pipeline; ``carpe risk`` lists the risk."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from carpe.cli._common import err, jsonable, out, parse_day, running
from carpe.services import analysis
from carpe.services import risk as risk_list
from carpe.services.conflict_detection import detector_settings
from carpe.services.permissions import SYSTEM


def analyze(
    ctx: typer.Context,
    engine: Annotated[
        str, typer.Option("--engine", help="Analytics engine: duckdb (default) or spark.")
    ] = "duckdb",
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of", help="Score as of this day, YYYY-MM-DD (default: after the last touchpoint)."
        ),
    ] = None,
    horizon: Annotated[
        int, typer.Option("--horizon", min=1, help="Early-warning horizon in days.")
    ] = 90,
    workdir: Annotated[
        Path | None,
        typer.Option("--workdir", help="Keep the Parquet snapshot and scratch files here."),
    ] = None,
    steps: Annotated[
        str | None,
        typer.Option(
            "--steps",
            help="Only these steps, comma-separated, with the steps they need "
            "(default: every step).",
            metavar="NAMES",
        ),
    ] = None,
) -> None:
    """Run the analytics pipeline: snapshot the store, compute features, score risk.

    Example: carpe analyze --engine duckdb --as-of 2026-11-01 --steps early_warning,conflicts
    """
    day = parse_day("--as-of", as_of)
    chosen = None if steps is None else [s.strip() for s in steps.split(",") if s.strip()]
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with running(ctx) as carpe, Progress(*columns, console=err, transient=True) as bar:
        task = bar.add_task("snapshot of the store", total=None)

        def show(step: str, done: int, total: int) -> None:
            bar.update(task, description=step.replace("_", " "), completed=done, total=total)

        report = analysis.run_analysis(
            engine=carpe.engine,
            engine_name=engine,
            as_of=day,
            workdir=workdir,
            horizon_days=horizon,
            conflict_settings=detector_settings(carpe.settings),
            steps=chosen,
            on_step=show,
        )
    total = sum(report.seconds.values())
    out.print(
        f"analysis run {report.run_id} on {report.engine}, as of {report.as_of.isoformat()}: "
        f"{report.accounts_scored:,} account(s) scored in {total:.1f} s"
    )
    if chosen is not None:
        out.print(f"steps: {', '.join(report.steps)}")
    if report.note:
        out.print(f"[yellow]note[/yellow]: {report.note}")


def risk(
    ctx: typer.Context,
    top: Annotated[int, typer.Option("--top", min=1, help="Show the N riskiest accounts.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Accounts most likely to leave within the horizon, with the reasons in words.

    Example: carpe risk --top 10 --json
    """
    with running(ctx, access="read") as carpe, carpe.unit_of_work() as uow:
        rows = risk_list.list_risk(session=uow.session, top=top, evidence=as_json)
    if as_json:
        payload = [
            {"account_id": r.account_id, "name": r.name, "risk": round(r.risk, 6),
             "band": r.band, "rank": r.rank, "drivers": jsonable(r.drivers)}
            for r in rows
        ]  # fmt: skip
        out.print_json(json.dumps(payload, ensure_ascii=False))
        return
    table = Table("#", "account", "risk", "why", box=None)
    for r in rows:
        why = "; ".join(d.text for d in r.drivers if d.contribution > 0) or "nothing stands out"
        table.add_row(str(r.rank), f"{r.name} ({r.account_id})", f"{r.risk:.0%} {r.band}", why)
    out.print(table)


def alive(
    ctx: typer.Context,
    top: Annotated[int, typer.Option("--top", min=1, help="Show the N likeliest lapsed.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Consumer accounts least likely to still be customers, with expected purchases (BG/NBD).

    Reads the latest ``carpe analyze``. Example: carpe alive --top 10 --json
    """
    from carpe.services import retention

    with running(ctx, access="read") as carpe, carpe.unit_of_work() as uow:
        rows = retention.list_alive(session=uow.session, viewer=SYSTEM, top=top)
    if as_json:
        out.print_json(json.dumps(jsonable(rows), ensure_ascii=False))
        return
    if not rows:
        out.print("no consumer accounts scored: run 'carpe analyze' on a business with consumers")
        return
    weeks = rows[0].horizon_weeks
    table = Table(
        "account", "still a customer", "purchases", "last", f"expected {weeks} wk", box=None
    )
    for r in rows:
        table.add_row(
            f"{r.name} ({r.account_id})",
            f"{r.p_alive:.0%}",
            str(r.purchases),
            r.last_purchase.isoformat(),
            f"{r.expected:.1f}",
        )
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add ``analyze``, ``risk`` and ``alive`` to ``app``."""
    app.command()(analyze)
    app.command()(risk)
    app.command()(alive)
