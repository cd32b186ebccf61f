"""Export the store to a folder in the interchange format (CSV or JSON Lines)."""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from sqlalchemy import Engine, Table, select

from carpe.errors import ExportError
from carpe.ingest.cells import escape_cell
from carpe.ingest.format import FILES, FileSpec, Kind
from carpe.store.models import TABLES_BY_FILE

STREAM_ROWS = 10_000


@dataclass(frozen=True, slots=True)
class ExportReport:
    """Rows written per file."""

    folder: str
    rows: dict[str, int]


def _text(value: object) -> str | None:
    """A stored value in its interchange form (``None`` for blank)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(timespec="microseconds" if value.microsecond else "seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _rows(engine: Engine, spec: FileSpec) -> list[tuple[object, ...]] | object:
    table = TABLES_BY_FILE[spec.name].__table__
    assert isinstance(table, Table)
    columns = [table.c[name] for name in spec.column_names]
    return select(*columns).order_by(*(table.c[k] for k in spec.key))


def export_folder(
    folder: Path,
    *,
    engine: Engine,
    format: Literal["csv", "jsonl"] = "csv",
    escape_formulas: bool = True,
) -> ExportReport:
    """Write every table the interchange format covers into ``folder``.

    Tables with no rows are left out, except ``accounts``. Rows are streamed,
    so memory stays flat whatever the size. In CSV, a text cell a spreadsheet
    would run as a formula is escaped (see :mod:`carpe.ingest.cells`) unless
    ``escape_formulas`` is false; ``carpe import`` undoes the escape.

    Raises
    ------
    ExportError
        When the folder cannot be written.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ExportError(f"cannot create {folder}: {exc.strerror}") from None
    counts: dict[str, int] = {}
    with engine.connect() as connection:
        for spec in FILES:
            query = _rows(engine, spec)
            result = connection.execution_options(yield_per=STREAM_ROWS).execute(query)  # type: ignore[call-overload]
            path = folder / f"{spec.name}.{format}"
            escaped = [
                escape_formulas and format == "csv" and col.kind is Kind.TEXT
                for col in spec.columns
            ]
            written = 0
            try:
                with path.open("w", encoding="utf-8", newline="") as handle:
                    writer = csv.writer(handle, lineterminator="\n") if format == "csv" else None
                    # The writer quotes a field holding "\n" but not a lone "\r", which a
                    # reader takes for a line end: such rows are written fully quoted.
                    quoting = csv.writer(handle, lineterminator="\n", quoting=csv.QUOTE_ALL)
                    if writer is not None:
                        writer.writerow(spec.column_names)
                    for row in result:
                        texts = [_text(v) for v in row]
                        if writer is not None:
                            cells = [
                                "" if t is None else escape_cell(t) if escape else t
                                for t, escape in zip(texts, escaped, strict=True)
                            ]
                            if any("\r" in c for c in cells):
                                quoting.writerow(cells)
                            else:
                                writer.writerow(cells)
                        else:
                            record = dict(zip(spec.column_names, texts, strict=True))
                            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
                        written += 1
            except OSError as exc:
                raise ExportError(f"cannot write {path}: {exc.strerror}") from None
            if written == 0 and spec.name != "accounts":
                path.unlink()
                continue
            counts[spec.name] = written
    return ExportReport(str(folder), counts)
