"""Importing another system's exports: convert them with a map, then the usual import.

The conversion writes an interchange folder in a temporary directory; the
import is the same all-or-nothing one as ``carpe import`` (and reads the new
notes' moments after it). Every problem, whether the map could not convert a
value or the import refused it, names the export's own file, line and column.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from carpe.errors import ImportDataError, UsageError
from carpe.ingest.load import Progress
from carpe.ingest.sources import (
    Converted,
    builtin_map,
    convert_exports,
    load_map_file,
    translate_problems,
)
from carpe.services.data import ImportOutcome, import_data


@dataclass(frozen=True, slots=True)
class ExportsImport:
    """What was converted from the exports and what the import then did."""

    converted: Converted
    outcome: ImportOutcome


def import_exports(
    *,
    engine: Engine,
    folder: Path,
    system: str | None = None,
    mapping: Path | None = None,
    dry_run: bool = False,
    chunk_rows: int = 50_000,
    max_problems: int = 100,
    progress: Progress | None = None,
    today: date | None = None,
    max_text_bytes: int | None = 65_536,
    date_order: str = "dmy",
    wait_seconds: float = 30.0,
) -> ExportsImport:
    """Import ``folder``'s exports of ``system`` (a built-in map) or as ``mapping`` declares.

    Raises
    ------
    UsageError
        Neither or both of ``system`` and ``mapping``; an unknown system; a bad map;
        a folder without any of the map's exports.
    ImportDataError
        Every bad value, as the export's FILE:LINE and column; nothing is written.
    """
    if (system is None) == (mapping is None):
        raise UsageError("give either --from SYSTEM or --mapping map.toml")
    if system is not None:
        source_map = builtin_map(system)
    else:
        assert mapping is not None
        source_map = load_map_file(mapping)
    with tempfile.TemporaryDirectory(prefix="carpe-import-") as scratch:
        converted = convert_exports(folder, source_map, Path(scratch))
        try:
            outcome = import_data(
                engine=engine,
                folder=Path(scratch),
                dry_run=dry_run,
                chunk_rows=chunk_rows,
                max_problems=max_problems,
                progress=progress,
                today=today,
                max_text_bytes=max_text_bytes,
                date_order=date_order,
                wait_seconds=wait_seconds,
            )
        except ImportDataError as exc:
            raise translate_problems(exc, converted) from None
    return ExportsImport(converted, outcome)
