"""`carpe import --from SYSTEM` / `--mapping map.toml`: the exports' side of the import command."""

from __future__ import annotations

from pathlib import Path

from carpe.cli._common import err
from carpe.context import Carpe
from carpe.services.data import ImportOutcome, Progress
from carpe.services.source_import import import_exports


def import_from_exports(
    carpe: Carpe,
    folder: Path,
    *,
    system: str | None,
    mapping: Path | None,
    dry_run: bool,
    progress: Progress,
) -> ImportOutcome:
    """Convert and import ``folder``'s exports; say on stderr what was converted and left out."""
    done = import_exports(
        engine=carpe.engine,
        folder=folder,
        system=system,
        mapping=mapping,
        dry_run=dry_run,
        chunk_rows=carpe.settings.import_chunk_rows,
        max_problems=carpe.settings.import_max_problems,
        progress=progress,
        max_text_bytes=carpe.settings.import_max_text_bytes,
        date_order=carpe.settings.date_order(),
        wait_seconds=carpe.settings.import_wait_seconds,
    )
    converted = done.converted
    made = ", ".join(f"{n:,} {name}" for name, n in sorted(converted.rows.items()))
    err.print(f"{converted.system}: converted {made}", markup=False)
    for reason, count in sorted(converted.skipped.items()):
        err.print(f"  left out {count:,} row(s) ({reason})", markup=False)
    if converted.missing:
        err.print(f"  not in the folder: {', '.join(converted.missing)}", markup=False)
    return done.outcome
