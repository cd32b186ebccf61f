"""Data commands: init, import, export, stats, simulate."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from carpe.cli._common import EXIT_USAGE, err, out, running
from carpe.services import data


def init(ctx: typer.Context) -> None:
    """Create the store, or bring its schema up to date, and give it a secret of its own.

    The secret (random, 256 bits) signs session cookies unless CARPE_SECRET_KEY is
    set; it is kept in the store and never printed.

    Example: carpe --db sqlite:///shop.db init
    """
    from carpe.services.instance import ensure_instance_secret

    with running(ctx) as carpe:
        with carpe.unit_of_work() as uow:
            ensure_instance_secret(session=uow.session)
            uow.commit()
        out.print(f"store ready: {carpe.settings.database_url}")


def import_(
    ctx: typer.Context,
    folder: Annotated[
        Path, typer.Argument(help="Folder of interchange files (CSV or JSON Lines).")
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Validate only; write nothing.")
    ] = False,
    ignore_unknown: Annotated[
        bool, typer.Option("--ignore-unknown", help="Leave unknown columns and files aside.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    source: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="The folder holds this system's CSV exports: hubspot, salesforce, zendesk, "
            "freshdesk, stripe or quickbooks.",
        ),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option("--mapping", help="The folder holds exports mapped by this TOML file."),
    ] = None,
) -> None:
    """Import a folder in the interchange format: all of it, or nothing.

    With --from SYSTEM (or --mapping map.toml) the folder holds another system's
    exports instead; problems then name the export's own file, line and column.

    Every bad row is listed as FILE:LINE: column 'X': value 'V': reason, and the
    store is left untouched (exit status 1). Re-importing the same rows changes
    nothing; changed rows are updated.

    Example: carpe import exports/2026-03/
    """
    with running(ctx) as carpe:
        columns = (
            TextColumn("{task.description}"),
            BarColumn(),
            DownloadColumn(),
            TimeRemainingColumn(),
        )
        with Progress(*columns, console=err, transient=True, disable=as_json) as bar:
            tasks: dict[str, TaskID] = {}

            def advance(name: str, done: int, total: int) -> None:
                if name not in tasks:
                    tasks[name] = bar.add_task(name, total=total)
                bar.update(tasks[name], completed=done)

            if source is not None or mapping is not None:
                from carpe.cli._sources import import_from_exports

                outcome = import_from_exports(
                    carpe, folder, system=source, mapping=mapping, dry_run=dry_run, progress=advance
                )
            else:
                outcome = data.import_data(
                    engine=carpe.engine,
                    folder=folder,
                    dry_run=dry_run,
                    ignore_unknown=ignore_unknown,
                    chunk_rows=carpe.settings.import_chunk_rows,
                    max_problems=carpe.settings.import_max_problems,
                    max_text_bytes=carpe.settings.import_max_text_bytes,
                    wait_seconds=carpe.settings.import_wait_seconds,
                    progress=advance,
                    date_order=carpe.settings.date_order(),
                )
        report, extraction = outcome.report, outcome.extraction
        if as_json:
            out.print_json(
                json.dumps(
                    {
                        "dry_run": report.dry_run,
                        "seconds": round(report.seconds, 3),
                        "files": [
                            {
                                "file": f.file,
                                "rows_read": f.rows_read,
                                "rows_changed": f.rows_changed,
                            }
                            for f in report.files
                        ],
                        "notes_read": extraction.notes_read if extraction else 0,
                        "moments_found": extraction.moments_found if extraction else 0,
                        "follow_ups_created": extraction.follow_ups_created if extraction else 0,
                    }
                )
            )
            return
        table = Table("file", "rows read", "rows changed", title=None, box=None)
        for f in report.files:
            table.add_row(
                f.file, f"{f.rows_read:,}", "-" if report.dry_run else f"{f.rows_changed:,}"
            )
        out.print(table)
        verb = "validated (dry run, nothing written)" if report.dry_run else "imported"
        out.print(
            f"{verb}: {report.rows_read:,} rows in {report.seconds:.1f} s; "
            f"{report.rows_changed:,} inserted or changed"
        )
        if extraction is not None and extraction.notes_read:
            out.print(
                f"read {extraction.notes_read:,} new notes in {extraction.seconds:.1f} s: "
                f"{extraction.moments_found:,} moments, "
                f"{extraction.follow_ups_created:,} follow-ups, "
                f"{extraction.moments_resolved:,} resolved by later notes"
            )


def export(
    ctx: typer.Context,
    folder: Annotated[Path, typer.Argument(help="Folder to write (created if needed).")],
    format: Annotated[
        str, typer.Option("--format", help="csv or jsonl.", show_default=True)
    ] = "csv",
    raw_cells: Annotated[
        bool,
        typer.Option(
            "--raw-cells",
            help="Write CSV cells as stored, without the ' before a formula start "
            "(for programs, not spreadsheets).",
        ),
    ] = False,
) -> None:
    """Write the store to a folder in the interchange format.

    CSV text cells that a spreadsheet would run as a formula (starting with =, +, -,
    @, a tab or a carriage return) get a leading ' unless --raw-cells or
    CARPE_CSV_ESCAPE_FORMULAS=false.

    Example: carpe export backup/ --format jsonl
    """
    if format not in ("csv", "jsonl"):
        err.print(f"[red]error[/red]: --format must be csv or jsonl, not {format!r}")
        raise typer.Exit(EXIT_USAGE)
    fmt: Literal["csv", "jsonl"] = "csv" if format == "csv" else "jsonl"
    with running(ctx, access="read") as carpe:
        report = data.export_data(
            engine=carpe.engine,
            folder=folder,
            format=fmt,
            escape_formulas=carpe.settings.csv_escape_formulas and not raw_cells,
        )
        for name, rows in report.rows.items():
            out.print(f"{name}.{fmt}: {rows:,} rows")


def stats(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Rows per table of the store.

    Example: carpe stats --json
    """
    with running(ctx, access="read") as carpe:
        counts = data.count_rows(engine=carpe.engine)
    if as_json:
        out.print_json(json.dumps(counts))
        return
    table = Table("table", "rows", box=None)
    for name, rows in counts.items():
        table.add_row(name, f"{rows:,}")
    out.print(table)


def simulate(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder to write.")],
    kind: Annotated[
        str, typer.Option("--kind", help="b2b (industrial supplier) or b2c (stores, clinics).")
    ] = "b2b",
    accounts: Annotated[int, typer.Option("--accounts", min=1, help="Number of accounts.")] = 500,
    months: Annotated[
        int, typer.Option("--months", min=1, max=120, help="Months of history.")
    ] = 24,
    seed: Annotated[int, typer.Option("--seed", help="Random seed: same seed, same files.")] = 7,
    end: Annotated[
        str | None,
        typer.Option("--end", help="Last day of the history, YYYY-MM-DD (default: today)."),
    ] = None,
) -> None:
    """Write a simulated business in the interchange format, with ground_truth.json.

    Example: carpe simulate --kind b2c --accounts 2000 --months 24 --seed 3 --out sim/
    """
    from carpe.services.simulation import simulate

    if kind not in ("b2b", "b2c"):
        err.print(f"[red]error[/red]: --kind must be b2b or b2c, not {kind!r}")
        raise typer.Exit(EXIT_USAGE)
    try:
        last = date.fromisoformat(end) if end else date.today()
    except ValueError:
        err.print(f"[red]error[/red]: --end must be a date YYYY-MM-DD, not {end!r}")
        raise typer.Exit(EXIT_USAGE) from None
    with err.status(f"simulating {accounts:,} accounts over {months} months…"):
        summary = simulate(
            out_dir,
            kind="b2b" if kind == "b2b" else "b2c",
            accounts=accounts,
            months=months,
            seed=seed,
            end=last,
        )
    out.print(f"simulated {kind} business (seed {seed}) in {out_dir}")
    for name, rows in summary.rows.items():
        out.print(f"  {name}: {rows:,} rows")


def register(app: typer.Typer) -> None:
    """Add the data commands to ``app``."""
    app.command()(init)
    app.command("import")(import_)
    app.command()(export)
    app.command()(stats)
    app.command()(simulate)
