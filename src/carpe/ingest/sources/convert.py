"""Another system's exports turned into an interchange folder, each value's origin kept.

:func:`convert_exports` applies a :class:`~carpe.ingest.sources.mapping.SourceMap`
and writes JSON Lines (one record per physical line, so a line of the written
file names one export row even when notes span lines). Every written row keeps
its *provenance*: the export file, the export's line and, for each interchange
column, the export's column it came from. :func:`translate_problems` uses it to
turn the interchange import's FILE:LINE problems back into the export's own
file, line and column, so a person fixes the file they have.
"""

from __future__ import annotations

import csv
import fnmatch
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from carpe.errors import ImportDataError, RowProblem, UsageError
from carpe.ingest.format import FILES_BY_NAME, Kind
from carpe.ingest.sources.mapping import ColumnRule, FileRule, SourceMap

_MONEY = re.compile(r"[^\d.\-]")


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where one written row came from."""

    file: str
    line: int
    columns: dict[str, str]
    """Interchange column → the export's column (absent: a constant of the map)."""


@dataclass
class Converted:
    """What :func:`convert_exports` wrote and read."""

    folder: Path
    system: str
    rows: Counter[str] = field(default_factory=Counter)
    """Rows written per interchange file."""
    read: Counter[str] = field(default_factory=Counter)
    """Rows read per export file."""
    skipped: Counter[str] = field(default_factory=Counter)
    """Rows left out per reason (``contacts.csv: no account_id``)."""
    missing: list[str] = field(default_factory=list)
    """Export files the map names that the folder does not have."""
    provenance: dict[str, list[Provenance]] = field(default_factory=dict)


def _find(folder: Path, pattern: str) -> list[Path]:
    """The files whose name matches ``pattern`` (a name or a glob), ignoring case."""
    wanted = pattern.casefold()
    return sorted(
        p
        for p in folder.iterdir()
        if p.is_file() and fnmatch.fnmatchcase(p.name.casefold(), wanted)
    )


class _Bad(ValueError):
    """A value the rule cannot turn into the interchange's form."""


def _time(text: str, patterns: tuple[str, ...]) -> datetime:
    for pattern in patterns:
        try:
            if pattern == "epoch":
                return datetime.fromtimestamp(float(text), UTC)
            if pattern == "iso":
                return datetime.fromisoformat(text.replace("Z", "+00:00"))
            return datetime.strptime(text, pattern)
        except (ValueError, OverflowError):
            continue
    raise _Bad(f"not a date in the form {' or '.join(patterns)}")


def _number(text: str, negate: bool) -> str:
    negative = text.startswith("(") and text.endswith(")")
    cleaned = _MONEY.sub("", text)
    try:
        value = float(cleaned)
    except ValueError:
        raise _Bad("not a number") from None
    if negative or negate:  # "(12.00)" in accounting form; a refund whatever its sign
        value = -abs(value)
    return repr(round(value, 6))


Tables = dict[tuple[str, str, str], dict[str, str]]


def _lookup_tables(folder: Path, source_map: SourceMap) -> Tables:
    """Each ``lookup`` of the map as key → value, read from its export once."""
    tables: Tables = {}
    for rule in (c for f in source_map.files for c in f.columns if c.lookup):
        assert rule.lookup is not None
        if rule.lookup in tables:
            continue
        pattern, match, take = rule.lookup
        table: dict[str, str] = {}
        for path in _find(folder, pattern):
            with path.open(encoding="utf-8-sig", newline="") as handle:
                for row in csv.DictReader(handle):
                    key, value = (row.get(match) or "").strip(), (row.get(take) or "").strip()
                    if key and value:
                        table.setdefault(key, value)
        tables[rule.lookup] = table
    return tables


def _apply(
    rule: ColumnRule, row: dict[str, str], kind: Kind, tables: Tables
) -> tuple[str | None, str | None]:
    """The interchange value and the export column it came from (``None``: a constant)."""
    if rule.value is not None:
        return (rule.value or None), None
    used: str | None
    if rule.columns:
        text = rule.join.join(p for p in ((row.get(c) or "").strip() for c in rule.columns) if p)
        used = " + ".join(rule.columns)
    else:
        used = rule.column
        text = (row.get(rule.column or "") or "").strip()
        for other in rule.fallback:
            if text:
                break
            used, text = other, (row.get(other) or "").strip()
    if text and rule.split:
        text = text.split(rule.split)[0].strip()
    if text and rule.lookup is not None:
        found_row = tables[rule.lookup].get(text)
        if found_row is None:
            raise _Bad(f"no row of {rule.lookup[0]} has {rule.lookup[1]} {text!r}")
        text = found_row
    if text and rule.mapping is not None:
        found = dict(rule.mapping).get(text.casefold())
        if found is None:
            if rule.default is None:
                known = ", ".join(k for k, _ in rule.mapping)
                raise _Bad(f"not a value the map knows ({known})")
            found = rule.default
        text = found
    elif not text and rule.default is not None:
        text = rule.default
    if text and rule.dates:
        moment = _time(text, rule.dates)
        text = moment.date().isoformat() if kind is Kind.DATE else moment.isoformat()
    if text and (rule.number or rule.negate):
        text = _number(text, rule.negate)
    if text and rule.prefix:
        text = rule.prefix + text
    return (text or None), used


HEADER_SEARCH_ROWS = 15
"""Report exports (QuickBooks) put a title, the company and the period above the header."""


def _absent(rule: FileRule, header: set[str]) -> list[str]:
    """The export's columns the rule needs that ``header`` lacks (one of its fallbacks will do)."""
    missing = [c for c, _ in rule.where if c not in header]
    for column in rule.columns:
        if column.optional or column.value is not None:
            continue
        if column.columns:
            missing += [c for c in column.columns if c not in header]
        elif column.column and not any(c in header for c in (column.column, *column.fallback)):
            missing.append(column.column)
    return sorted(set(missing))


def _header(reader: Any, rule: FileRule) -> tuple[list[str], int]:
    """The header row (the first of the first rows naming every needed column) and its line."""
    first: tuple[list[str], int] | None = None
    for number, row in enumerate(reader, start=1):
        names = [c.strip() for c in row]
        first = first or (names, reader.line_num)
        if not _absent(rule, set(names)):
            return names, reader.line_num
        if number >= HEADER_SEARCH_ROWS:
            break
    return first or ([], 1)


def _convert_file(
    rule: FileRule,
    path: Path,
    converted: Converted,
    records: dict[str, list[dict[str, str]]],
    seen: dict[str, set[tuple[str | None, ...]]],
    problems: list[RowProblem],
    tables: Tables,
) -> None:
    spec = FILES_BY_NAME[rule.target]
    kinds = {c.name: c.kind for c in spec.columns}
    name = path.name
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header, previous_end = _header(reader, rule)
        absent = _absent(rule, set(header))
        for missing in absent:
            problems.append(RowProblem(name, 1, missing, "", "the export has no such column"))
        if absent:
            return
        target_rows = records.setdefault(rule.target, [])
        origins = converted.provenance.setdefault(f"{rule.target}.jsonl", [])
        keys = seen.setdefault(rule.target, set())
        for values in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if not any(v.strip() for v in values):
                continue
            row = dict(zip(header, values, strict=False))
            converted.read[name] += 1
            if any((row.get(c) or "").strip().casefold() not in ok for c, ok in rule.where):
                continue
            out: dict[str, str] = {}
            came_from: dict[str, str] = {}
            bad = False
            for column in rule.columns:
                try:
                    value, used = _apply(column, row, kinds[column.target], tables)
                except _Bad as exc:
                    raw = next((row.get(c) or "" for c in column.sources if row.get(c)), "")
                    problems.append(RowProblem(name, line, column.sources[0], raw, str(exc)))
                    bad = True
                    continue
                if value is not None:
                    out[column.target] = value
                if used is not None:
                    came_from[column.target] = used
            if bad:
                continue
            blank = [c for c in rule.skip_blank if c not in out]
            if blank:
                if not rule.unique:  # a derived list (owners) leaves out blanks silently
                    converted.skipped[f"{name}: no {', '.join(blank)}"] += 1
                continue
            key = tuple(out.get(k) for k in spec.key)
            if rule.unique and key in keys:
                continue
            keys.add(key)
            target_rows.append(out)
            origins.append(Provenance(name, line, came_from))
            converted.rows[rule.target] += 1


def convert_exports(folder: Path, source_map: SourceMap, out: Path) -> Converted:
    """Read the exports in ``folder`` as ``source_map`` says; write JSON Lines to ``out``.

    Raises
    ------
    UsageError
        When ``folder`` is not a folder or holds none of the map's exports.
    ImportDataError
        Every value the map cannot convert, and every column the exports lack,
        as the export's FILE:LINE and column.
    """
    if not folder.is_dir():
        raise UsageError(f"{folder} is not a folder")
    converted = Converted(out, source_map.system)
    records: dict[str, list[dict[str, str]]] = {}
    seen: dict[str, set[tuple[str | None, ...]]] = {}
    problems: list[RowProblem] = []
    tables = _lookup_tables(folder, source_map)
    found_any = False
    for rule in source_map.files:
        paths = sorted({p for pattern in rule.source.split("|") for p in _find(folder, pattern)})
        if not paths and rule.source not in converted.missing:
            converted.missing.append(rule.source)
        for path in paths:
            found_any = True
            _convert_file(rule, path, converted, records, seen, problems, tables)
    if not found_any:
        expected = ", ".join(dict.fromkeys(r.source for r in source_map.files))
        raise UsageError(f"{folder} holds none of {source_map.system}'s exports ({expected})")
    if problems:
        raise ImportDataError(problems, len(problems))
    out.mkdir(parents=True, exist_ok=True)
    for target, rows in records.items():
        with (out / f"{target}.jsonl").open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return converted


def translate_problems(error: ImportDataError, converted: Converted) -> ImportDataError:
    """The interchange import's problems, located in the exports instead (file, line, column)."""
    translated: list[RowProblem] = []
    for problem in error.problems:
        origins = converted.provenance.get(problem.file)
        if origins is None or not 1 <= problem.line <= len(origins):
            target = problem.file.removesuffix(".jsonl")
            where = f"{converted.system} export for {target}"
            if problem.file == "accounts.csv":  # the folder yielded no accounts at all
                translated.append(
                    RowProblem(where, 0, "", "", "no accounts: the map's account exports are "
                               "missing or every row was left out"))  # fmt: skip
            else:
                translated.append(
                    RowProblem(where, 0, problem.column, problem.value, problem.reason)
                )
            continue
        origin = origins[problem.line - 1]
        column = origin.columns.get(problem.column)
        label = column or f"{problem.column} (a constant of the map)"
        translated.append(
            RowProblem(origin.file, origin.line, label, problem.value, problem.reason)
        )
    return ImportDataError(translated, error.total)
