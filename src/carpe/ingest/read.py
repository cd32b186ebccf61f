"""Readers: stream an interchange file as chunks of string columns with line numbers.

CSV files are read with the standard library's ``csv`` module because it knows
the physical line each record starts on (notes may hold quoted newlines), which
every error message names. JSON Lines files carry the same fields, one object a
line. Both yield :class:`Chunk` objects of at most ``chunk_rows`` rows.
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from carpe.errors import RowProblem
from carpe.ingest.cells import unescape_cell
from carpe.ingest.format import FileSpec, Kind

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))


@dataclass(slots=True)
class Chunk:
    """Rows of one file, column by column, as text (``None`` for a blank field)."""

    columns: dict[str, list[str | None]]
    lines: list[int]
    """The physical line each row starts on (1-based; a CSV header is line 1)."""
    bytes_read: int
    """Bytes of the file consumed so far (for progress)."""

    def __len__(self) -> int:
        return len(self.lines)


@dataclass(slots=True)
class SourceFile:
    """One interchange file found in a folder."""

    spec: FileSpec
    path: Path

    @property
    def format(self) -> str:
        """``csv`` or ``jsonl``."""
        return "jsonl" if self.path.suffix == ".jsonl" else "csv"


def irregular(path: Path) -> str | None:
    """Why ``path`` is no regular file carpe will read (a link, a FIFO, ...), or ``None``.

    The link itself is looked at, never its target: an import reads only the
    files of the folder it was given.
    """
    try:
        mode = path.lstat().st_mode
    except OSError as exc:
        return f"cannot be read: {exc.strerror}"
    if stat.S_ISLNK(mode):
        return "is a symbolic link; carpe reads only regular files (copy the file into the folder)"
    if stat.S_ISREG(mode):
        return None
    kind = (
        "a folder"
        if stat.S_ISDIR(mode)
        else "a FIFO (named pipe)"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    return f"is {kind}; carpe reads only regular files"


def _open_regular(path: Path) -> BinaryIO:
    """Open ``path`` for reading without following a link or blocking on a FIFO.

    Raises
    ------
    OSError
        When it cannot be opened or is not a regular file (checked on the open
        file, so a swap after the folder was listed changes nothing).
    """
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    descriptor = os.open(path, flags)
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise OSError(0, "not a regular file")
    return os.fdopen(descriptor, "rb")


def read_chunks(
    source: SourceFile,
    *,
    chunk_rows: int,
    ignore_unknown: bool,
    problems: list[RowProblem],
) -> Iterator[Chunk]:
    """Stream ``source`` as chunks; structural problems are appended to ``problems``.

    A file-level problem (no header, a missing required column, an unknown
    column) is reported once and ends the file. A row-level structural
    problem (wrong field count, bad JSON) is reported and the row skipped.
    """
    try:
        handle = _open_regular(source.path)
    except OSError as exc:
        reason = exc.strerror or "cannot be opened"
        problems.append(RowProblem(source.path.name, 0, "", "", f"cannot be read: {reason}"))
        return
    with handle:
        if source.format == "jsonl":
            yield from _read_jsonl(source, handle, chunk_rows, ignore_unknown, problems)
        else:
            yield from _read_csv(source, handle, chunk_rows, ignore_unknown, problems)


def _check_header(
    source: SourceFile, header: list[str], ignore_unknown: bool, problems: list[RowProblem]
) -> bool:
    name = source.path.name
    ok = True
    seen: set[str] = set()
    for column in header:
        if column in seen:
            problems.append(RowProblem(name, 1, column, "", "column appears twice in the header"))
            ok = False
        seen.add(column)
        if column not in source.spec.column_names and not ignore_unknown:
            problems.append(
                RowProblem(
                    name,
                    1,
                    column,
                    "",
                    "unknown column (expected some of: "
                    f"{', '.join(source.spec.column_names)}; or pass --ignore-unknown)",
                )
            )
            ok = False
    for col in source.spec.columns:
        if col.required and col.name not in seen:
            problems.append(RowProblem(name, 1, col.name, "", "required column is missing"))
            ok = False
    return ok


def _empty_columns(spec: FileSpec) -> dict[str, list[str | None]]:
    return {name: [] for name in spec.column_names}


def _read_csv(
    source: SourceFile,
    binary: BinaryIO,
    chunk_rows: int,
    ignore_unknown: bool,
    problems: list[RowProblem],
) -> Iterator[Chunk]:
    name = source.path.name
    with io.TextIOWrapper(binary, encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
        except (csv.Error, UnicodeDecodeError) as exc:
            problems.append(RowProblem(name, 1, "", "", f"unreadable header: {exc}"))
            return
        if header is None:
            problems.append(
                RowProblem(name, 1, "", "", "the file is empty (a header row is needed)")
            )
            return
        header = [h.strip() for h in header]
        if not _check_header(source, header, ignore_unknown, problems):
            return
        positions = [(col, header.index(col)) for col in source.spec.column_names if col in header]
        width = len(header)
        rows: list[list[str]] = []
        lines: list[int] = []
        previous_end = reader.line_num
        while True:
            start = previous_end + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except UnicodeDecodeError:
                problems.append(RowProblem(name, start, "", "", "the text is not valid UTF-8"))
                return
            except csv.Error as exc:
                problems.append(RowProblem(name, start, "", "", f"malformed CSV: {exc}"))
                return
            previous_end = reader.line_num
            if not row:
                continue  # a blank line
            if len(row) != width:
                problems.append(
                    RowProblem(
                        name,
                        start,
                        "",
                        "",
                        f"expected {width} fields as in the header, found {len(row)}",
                    )
                )
                continue
            rows.append(row)
            lines.append(start)
            if len(lines) >= chunk_rows:
                yield Chunk(_columns(source.spec, rows, positions), lines, binary.tell())
                rows, lines = [], []
        if lines:
            yield Chunk(_columns(source.spec, rows, positions), lines, source.path.stat().st_size)


def _columns(
    spec: FileSpec, rows: list[list[str]], positions: list[tuple[str, int]]
) -> dict[str, list[str | None]]:
    """Rows to columns in one transposition; blank fields become ``None`` in validation."""
    transposed = list(zip(*rows, strict=True))
    columns: dict[str, list[str | None]] = {name: [None] * len(rows) for name in spec.column_names}
    for col, index in positions:
        values = list(transposed[index])
        if spec.column(col).kind is Kind.TEXT:  # a CSV export escapes cells Excel would run
            values = [unescape_cell(v) if v[:1] == "'" else v for v in values]
        columns[col] = values
    return columns


def _json_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value != "" else None
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return json.dumps(value)


def _lone_surrogate(record: dict[str, object]) -> tuple[str, str] | None:
    """The first key or text value holding a lone UTF-16 surrogate (``"\\ud800"``), if any."""
    for key, value in record.items():
        for text in (key, value):
            if isinstance(text, str):
                try:
                    text.encode("utf-8")
                except UnicodeEncodeError:
                    return key, text
    return None


def _read_jsonl(
    source: SourceFile,
    handle: BinaryIO,
    chunk_rows: int,
    ignore_unknown: bool,
    problems: list[RowProblem],
) -> Iterator[Chunk]:
    name = source.path.name
    spec = source.spec
    known = set(spec.column_names)
    required = [c.name for c in spec.columns if c.required]
    columns = _empty_columns(spec)
    lines: list[int] = []
    consumed = 0
    for number, raw in enumerate(handle, start=1):
        consumed += len(raw)
        if not raw.strip():
            continue
        try:
            record = json.loads(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
        except UnicodeDecodeError:
            problems.append(RowProblem(name, number, "", "", "the text is not valid UTF-8"))
            continue
        except json.JSONDecodeError as exc:
            problems.append(RowProblem(name, number, "", "", f"not valid JSON: {exc.msg}"))
            continue
        except ValueError as exc:  # an integer of more than 4,300 digits
            problems.append(RowProblem(name, number, "", "", f"not valid JSON: {exc}"))
            continue
        except RecursionError:
            problems.append(RowProblem(name, number, "", "", "not valid JSON: nested too deep"))
            continue
        if not isinstance(record, dict):
            problems.append(RowProblem(name, number, "", "", "each line must be a JSON object"))
            continue
        surrogate = _lone_surrogate(record)
        if surrogate is not None:
            key, text = surrogate
            problems.append(
                RowProblem(
                    name,
                    number,
                    key,
                    text,
                    "holds a lone UTF-16 surrogate (\\ud800-\\udfff): not valid Unicode text",
                )
            )
            continue
        bad = False
        if not ignore_unknown:
            for key in record:
                if key not in known:
                    problems.append(
                        RowProblem(
                            name,
                            number,
                            str(key),
                            _json_text(record[key]) or "",
                            "unknown field (or pass --ignore-unknown)",
                        )
                    )
                    bad = True
        for key in required:
            if key not in record:
                problems.append(RowProblem(name, number, key, "", "required field is missing"))
                bad = True
        if bad:
            continue
        for col in spec.column_names:
            columns[col].append(_json_text(record.get(col)))
        lines.append(number)
        if len(lines) >= chunk_rows:
            yield Chunk(columns, lines, consumed)
            columns = _empty_columns(spec)
            lines = []
    if lines:
        yield Chunk(columns, lines, consumed)
