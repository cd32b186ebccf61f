"""Vectorised validation: text columns in, typed columns and located problems out.

Each column of a chunk is checked as a whole with Arrow compute kernels; only
values that do not fit a fast pattern (datetimes with offsets, say) are parsed
one by one. The result holds the columns in their storage form and every
problem with its row index, so the caller can name file, line, column and value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import UTC, datetime

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from carpe.ingest.format import Column, FileSpec, Kind

INTEGER_RE = r"^[+-]?\d+$"
NUMBER_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
FAST_DATETIME_RE = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$"
PERIOD_RE = r"^\d{4}-(0[1-9]|1[0-2]|W(0[1-9]|[1-4]\d|5[0-3]))$"
TRUE_WORDS = ("true", "1", "yes", "y", "t")
FALSE_WORDS = ("false", "0", "no", "n", "f")
STORAGE_DATETIME = "%Y-%m-%d %H:%M:%S"


@dataclass(slots=True)
class ValidatedChunk:
    """A chunk's columns in storage form, and what was wrong with it."""

    columns: dict[str, pa.Array]
    problems: list[tuple[int, str, str, str]] = field(default_factory=list)
    """``(row_index, column, value, reason)`` for every bad value."""

    @property
    def ok(self) -> bool:
        """True when no value of the chunk was bad."""
        return not self.problems


def _flag(
    out: list[tuple[int, str, str, str]],
    mask: pa.Array | np.ndarray,
    raw: pa.Array,
    column: str,
    reason: str,
) -> None:
    indices = np.flatnonzero(np.asarray(mask, dtype=bool))
    if indices.size == 0:
        return
    values = raw.take(pa.array(indices)).to_pylist()
    out.extend(
        (int(i), column, "" if v is None else str(v), reason)
        for i, v in zip(indices.tolist(), values, strict=True)
    )


def _mask(values: pa.Array) -> np.ndarray:
    """A boolean numpy mask from an Arrow boolean array, nulls as False."""
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _present(values: pa.Array) -> np.ndarray:
    return _mask(pc.is_valid(values))


def _parse_dates(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Parse strict ``YYYY-MM-DD``; return dates and a mask of bad present values."""
    shaped = _mask(pc.match_substring_regex(text, DATE_RE))
    parsed = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
    back = pc.strftime(parsed, format="%Y-%m-%d")
    exact = _mask(pc.equal(back, text))  # refuses 2026-02-30, which strptime rolls over
    bad = _present(text) & ~(shaped & exact)
    dates = pc.cast(pc.if_else(pa.array(bad), None, parsed), pa.date32())
    return dates, bad


def _parse_datetimes(text: pa.Array) -> tuple[pa.Array, np.ndarray]:
    """Parse ISO 8601 datetimes; offsets are converted to UTC and dropped."""
    present = _present(text)
    fast = _mask(pc.match_substring_regex(text, FAST_DATETIME_RE))
    normal = pc.replace_substring(text, "T", " ")
    length = pc.utf8_length(normal)
    normal = pc.if_else(
        pc.equal(length, 10), pc.binary_join_element_wise(normal, " 00:00:00", ""), normal
    )
    normal = pc.if_else(
        pc.equal(length, 16), pc.binary_join_element_wise(normal, ":00", ""), normal
    )
    parsed = pc.strptime(normal, format=STORAGE_DATETIME, unit="s", error_is_null=True)
    exact = _mask(pc.equal(pc.strftime(parsed, format=STORAGE_DATETIME), normal))
    good = fast & exact
    result = pc.cast(pc.if_else(pa.array(good), parsed, None), pa.timestamp("us"))
    slow = np.flatnonzero(present & ~good)
    bad = np.zeros(len(text), dtype=bool)
    if slow.size:
        values = result.to_pylist()
        raw = text.take(pa.array(slow)).to_pylist()
        for index, value in zip(slow.tolist(), raw, strict=True):
            try:
                moment = datetime.fromisoformat(value.strip())
            except ValueError:
                bad[index] = True
                continue
            if moment.tzinfo is not None:
                moment = moment.astimezone(UTC).replace(tzinfo=None)
            values[index] = moment
        result = pa.array(values, type=pa.timestamp("us"))
    return result, bad


def _check_range(
    col: Column, numbers: pa.Array, raw: pa.Array, out: list[tuple[int, str, str, str]]
) -> None:
    if col.minimum is not None:
        _flag(
            out,
            _mask(pc.less(numbers, col.minimum)),
            raw,
            col.name,
            f"below the minimum {col.minimum:g}",
        )
    if col.maximum is not None:
        _flag(
            out,
            _mask(pc.greater(numbers, col.maximum)),
            raw,
            col.name,
            f"above the maximum {col.maximum:g}",
        )


def convert_column(
    col: Column, raw: pa.Array, max_length: int | None, out: list[tuple[int, str, str, str]]
) -> pa.Array:
    """Convert one text column to its storage type, appending problems to ``out``.

    Bad values become null in the result (the chunk is refused anyway).
    """
    text = raw if col.kind is Kind.TEXT else pc.utf8_trim_whitespace(raw)
    if col.kind is not Kind.TEXT:
        text = pc.if_else(pc.equal(text, ""), None, text)
    if col.required:
        _flag(out, ~_present(text), raw, col.name, "a value is required here")
    match col.kind:
        case Kind.TEXT:
            if max_length is not None:
                too_long = _mask(pc.greater(pc.utf8_length(text), max_length))
                _flag(out, too_long, raw, col.name, f"longer than {max_length} characters")
            return text
        case Kind.INTEGER | Kind.NUMBER:
            pattern = INTEGER_RE if col.kind is Kind.INTEGER else NUMBER_RE
            bad = _present(text) & ~_mask(pc.match_substring_regex(text, pattern))
            what = "not a whole number" if col.kind is Kind.INTEGER else "not a number"
            _flag(out, bad, raw, col.name, what)
            cleaned = pc.if_else(pa.array(bad), None, text)
            target = pa.int64() if col.kind is Kind.INTEGER else pa.float64()
            numbers = pc.cast(cleaned, target)
            if col.kind is Kind.NUMBER:
                finite = np.isfinite(numbers.to_numpy(zero_copy_only=False).astype(float))
                _flag(out, _present(numbers) & ~finite, raw, col.name, "not a finite number")
            _check_range(col, numbers, raw, out)
            return numbers
        case Kind.BOOLEAN:
            lower = pc.utf8_lower(text)
            truthy = _mask(pc.is_in(lower, pa.array(TRUE_WORDS)))
            falsy = _mask(pc.is_in(lower, pa.array(FALSE_WORDS)))
            _flag(out, _present(text) & ~truthy & ~falsy, raw, col.name, "not true or false")
            return pa.array(truthy, type=pa.bool_(), mask=~(truthy | falsy))
        case Kind.DATE:
            dates, bad = _parse_dates(text)
            _flag(out, bad, raw, col.name, "not a date (expected YYYY-MM-DD, e.g. 2026-03-01)")
            return dates
        case Kind.DATETIME:
            stamps, bad = _parse_datetimes(text)
            _flag(
                out,
                bad,
                raw,
                col.name,
                "not a datetime (expected ISO 8601, e.g. 2026-03-01T14:05:00)",
            )
            return stamps
        case Kind.ENUM:
            lower = pc.utf8_lower(text)
            bad = _present(text) & ~_mask(pc.is_in(lower, pa.array(col.choices)))
            _flag(out, bad, raw, col.name, f"not one of: {', '.join(col.choices)}")
            return lower
        case Kind.PERIOD:
            upper = pc.utf8_upper(text)
            bad = _present(text) & ~_mask(pc.match_substring_regex(upper, PERIOD_RE))
            _flag(
                out,
                bad,
                raw,
                col.name,
                "not a period (expected a month 2026-03 or an ISO week 2026-W09)",
            )
            return upper
    raise AssertionError(col.kind)  # pragma: no cover


def validate_chunk(
    spec: FileSpec, columns: dict[str, list[str | None]], max_lengths: dict[str, int | None]
) -> ValidatedChunk:
    """Check every value of a chunk against ``spec`` and convert it to storage form."""
    result = ValidatedChunk(columns={})
    for col in spec.columns:
        raw = pa.array(columns[col.name], type=pa.string())
        raw = pc.if_else(pc.equal(raw, ""), pa.scalar(None, pa.string()), raw)  # blank is no value
        result.columns[col.name] = convert_column(
            col, raw, max_lengths.get(col.name), result.problems
        )
    return result


def storage_rows(
    chunk: ValidatedChunk, names: tuple[str, ...], keep: np.ndarray | None = None
) -> list[tuple[object, ...]]:
    """Rows as tuples of plain values for a DB-API ``executemany`` or ``COPY``.

    Dates become ``YYYY-MM-DD`` and datetimes ``YYYY-MM-DD HH:MM:SS.ffffff``,
    the forms SQLAlchemy stores on SQLite and PostgreSQL parses.
    """
    lists = []
    for name in names:
        array = chunk.columns[name]
        if keep is not None:
            array = array.filter(pa.array(keep))
        if pa.types.is_date32(array.type):
            array = pc.strftime(array, format="%Y-%m-%d")
        elif pa.types.is_timestamp(array.type):
            array = pc.strftime(array, format=STORAGE_DATETIME)
        values = array.to_pylist()
        if pa.types.is_floating(array.type):
            values = [None if v is None or math.isnan(v) else v for v in values]
        lists.append(values)
    return list(zip(*lists, strict=True))
