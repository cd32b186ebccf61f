"""``carpe specialists``: the employees who measurably keep customers."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import typer
from rich.table import Table

from carpe.cli._common import EXIT_USAGE, err, out, running
from carpe.services import specialists
from carpe.services.permissions import SYSTEM

FIELDS = (
    "employee_id",
    "name",
    "department",
    "effect",
    "ci_low",
    "ci_high",
    "n_accounts",
    "n_touchpoints",
    "flagged",
    "components",
    "praise_mentions",
    "dependent_value",
)
"""The fields of ``--json``, in order."""


def _round(value: Any) -> Any:
    return round(value, 2) if isinstance(value, float) else value


def to_json_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The ``--json`` objects: :data:`FIELDS`, components by name, sorted by effect."""
    found = []
    for row in rows:
        item = {f: _round(row.get(f)) for f in FIELDS}
        item["components"] = [c["name"] for c in row.get("components", [])]
        found.append(item)
    return sorted(
        found,
        key=lambda r: (r["effect"] is None, -(r["effect"] or 0.0), r["employee_id"]),
    )


def specialists_command(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Run the analysis again before listing.")
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="With --refresh: as of this day, YYYY-MM-DD."),
    ] = None,
) -> None:
    """Hidden specialists: each employee's effect on 12-month retention, with intervals.

    Runs the analysis first when none is stored (or with --refresh).

    Example: carpe specialists --json
    """
    day = None
    if as_of is not None:
        try:
            day = date.fromisoformat(as_of)
        except ValueError:
            err.print(f"[red]error[/red]: --as-of must be a date YYYY-MM-DD, not {as_of!r}")
            raise typer.Exit(EXIT_USAGE) from None
    with running(ctx) as carpe:
        if refresh or day is not None:
            specialists.analyze_specialists(engine=carpe.engine, as_of=day)
        with carpe.unit_of_work() as uow:
            view = specialists.ensure_specialists(
                engine=carpe.engine, session=uow.session, viewer=SYSTEM
            )
    rows = to_json_rows(view.specialists)
    if as_json:
        out.print_json(json.dumps(rows, ensure_ascii=False))
        return
    s = view.summary
    out.print(
        f"as of {s.get('as_of')}: {s.get('cohort_accounts')} accounts followed for "
        f"{s.get('outcome_days')} days; flagged at a false-discovery rate of {s.get('fdr')}"
    )
    table = Table("employee", "department", "effect (pp)", "95% CI", "accounts", "excels at",
                  "praise", "dependent value", "", box=None)  # fmt: skip
    for r in rows:
        effect = "—" if r["effect"] is None else f"{r['effect']:+.1f}"
        ci = "—" if r["ci_low"] is None else f"{r['ci_low']:+.1f} … {r['ci_high']:+.1f}"
        table.add_row(
            f"{r['name']} ({r['employee_id']})",
            r["department"],
            effect,
            ci,
            str(r["n_accounts"]),
            ", ".join(r["components"]) or "—",
            str(r["praise_mentions"]),
            f"{r['dependent_value']:,.0f}",
            "specialist" if r["flagged"] else "",
        )
    out.print(table)


def register(app: typer.Typer) -> None:
    """Add ``specialists`` to ``app``."""
    app.command("specialists")(specialists_command)
