"""Data use cases: import, export, and what the store holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine, func, select

from carpe.errors import BusyError
from carpe.ingest.export import ExportReport, export_folder
from carpe.ingest.load import ImportReport, import_folder
from carpe.ingest.load import Progress as Progress  # the callback type the CLI passes
from carpe.memory import Extractor
from carpe.services.memory import ExtractionReport, count_unread_notes, extract_new_notes
from carpe.store.locks import holder, waiting_lock
from carpe.store.models import Base

IMPORT_LOCK = "import"


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """An import and what reading its new notes found (``None`` for a dry run)."""

    report: ImportReport
    extraction: ExtractionReport | None


def import_data(
    *,
    engine: Engine,
    folder: Path,
    dry_run: bool = False,
    ignore_unknown: bool = False,
    chunk_rows: int = 50_000,
    max_problems: int = 100,
    max_text_bytes: int | None = 65_536,
    progress: Progress | None = None,
    extract: bool = True,
    today: date | None = None,
    date_order: str = "dmy",
    wait_seconds: float = 30.0,
) -> ImportOutcome:
    """Import an interchange folder (all or nothing), then read the new notes' moments.

    See :func:`carpe.ingest.load.import_folder` for the rules of the import and
    :func:`carpe.services.memory.extract_new_notes` for the extraction that follows
    (unless ``extract`` is false); ``today`` decides which follow-ups are still open;
    ``date_order`` (``dmy`` or ``mdy``) how the notes' all-number dates are read.

    One import runs at a time on a store, from its first row to its last note
    read: another one waits for it up to ``wait_seconds`` (a dry run writes
    nothing and need not wait).

    Raises
    ------
    BusyError
        When another import was still running after ``wait_seconds``.
    """

    def run() -> ImportOutcome:
        report = import_folder(
            folder,
            engine=engine,
            dry_run=dry_run,
            ignore_unknown=ignore_unknown,
            chunk_rows=chunk_rows,
            max_problems=max_problems,
            max_text_bytes=max_text_bytes,
            progress=progress,
        )
        extraction = None
        if not dry_run and extract:
            read: Callable[[int], None] | None = None
            if progress is not None:
                unread = count_unread_notes(engine=engine)
                tell = progress

                def read(done: int) -> None:
                    tell("notes read", done, unread)

            extraction = extract_new_notes(
                engine=engine,
                today=today or date.today(),
                extractor=Extractor(date_order=date_order),
                progress=read,
            )
        return ImportOutcome(report, extraction)

    if dry_run:
        return run()
    with waiting_lock(engine, IMPORT_LOCK, wait_seconds=wait_seconds) as held:
        if not held:
            who = holder(engine, IMPORT_LOCK)
            raise BusyError(
                "another import into this store is running"
                + (f" ({who})" if who else "")
                + f"; waited {wait_seconds:g} s for it to finish. Nothing was written: "
                "try again when it has finished (CARPE_IMPORT_WAIT_SECONDS sets the wait)."
            )
        return run()


def export_data(
    *,
    engine: Engine,
    folder: Path,
    format: Literal["csv", "jsonl"] = "csv",
    escape_formulas: bool = True,
) -> ExportReport:
    """Write the store to an interchange folder (CSV text cells escaped unless asked not to)."""
    return export_folder(folder, engine=engine, format=format, escape_formulas=escape_formulas)


def count_rows(*, engine: Engine) -> dict[str, int]:
    """Rows per table of the store, in table-name order."""
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        for table in sorted(Base.metadata.tables.values(), key=lambda t: t.name):
            counts[table.name] = connection.execute(
                select(func.count()).select_from(table)
            ).scalar_one()
    return counts
