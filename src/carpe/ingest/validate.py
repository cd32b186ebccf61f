"""Vectorised validation: text columns in, typed columns and located problems out.

Each column of a chunk is checked as a whole with Arrow compute kernels; only
values that do not fit a fast pattern (datetimes with offsets, say) are parsed
one by one. The result holds the columns in their storage form and every
problem with its row index, so the caller can name file, line, column and value.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from carpe.ingest.format import Column, FileSpec, Kind
from carpe.ingest.instants import parse_instant

INTEGER_RE = r"^[+-]?\d+$"
NUMBER_RE = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
FAST_DATETIME_RE = r"^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2})?)?$"
PERIOD_RE = r"^\d{4}-(0[1-9]|1[0-2]|W(0[1-9]|[1-4]\d|5[0-3]))$"
TRUE_WORDS = ("true", "1", "yes", "y", "t")
FALSE_WORDS = ("false", "0", "no", "n", "f")
STORAGE_DATETIME = "%Y-%m-%d %H:%M:%S"
INTEGER_LIMIT = 2**31 - 1
"""Whole numbers are stored as 32-bit integers on every store."""


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
    """Parse ISO 8601 datetimes; offsets go to UTC and are dropped (:func:`parse_instant`)."""
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
                moment = parse_instant(value)
            except ValueError:
                bad[index] = True
                continue
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


def _check_text(
    col: Column,
    text: pa.Array,
    max_length: int | None,
    max_bytes: int | None,
    out: list[tuple[int, str, str, str]],
) -> pa.Array:
    """Flag text the store cannot hold: a NUL character, or longer than the column allows.

    Returns the text with NUL-holding values nulled, so no query ever carries one.
    """
    nul = _mask(pc.match_substring(text, "\x00"))
    _flag(out, nul, text, col.name, "holds a NUL character (\\x00), which no store accepts in text")
    if max_length is not None:
        too_long = _mask(pc.greater(pc.utf8_length(text), max_length))
        _flag(out, too_long, text, col.name, f"longer than {max_length} characters")
    elif max_bytes is not None:
        too_big = _mask(pc.greater(pc.binary_length(text), max_bytes))
        _flag(
            out,
            too_big,
            text,
            col.name,
            f"longer than {max_bytes:,} bytes (the limit is CARPE_IMPORT_MAX_TEXT_BYTES)",
        )
    return pc.if_else(pa.array(nul), None, text) if nul.any() else text


def _whole_numbers(
    col: Column, text: pa.Array, raw: pa.Array, out: list[tuple[int, str, str, str]]
) -> tuple[pa.Array, np.ndarray]:
    """Whole numbers within the stored 32-bit range; the mask of bad present values."""
    bad = _present(text) & ~_mask(pc.match_substring_regex(text, INTEGER_RE))
    _flag(out, bad, raw, col.name, "not a whole number")
    digits = pc.utf8_length(pc.utf8_ltrim(text, characters="+-0"))
    candidates = np.flatnonzero(~bad & _mask(pc.greater_equal(digits, 10)))
    if candidates.size:
        values = text.take(pa.array(candidates)).to_pylist()
        huge = np.zeros(len(text), dtype=bool)
        for index, value in zip(candidates.tolist(), values, strict=True):
            stripped = value.lstrip("+-").lstrip("0") or "0"
            huge[index] = len(stripped) > 10 or abs(int(stripped)) > INTEGER_LIMIT
        reason = f"out of range (whole numbers go from -{INTEGER_LIMIT + 1:,} to {INTEGER_LIMIT:,})"
        _flag(out, huge, raw, col.name, reason)
        bad = bad | huge
    cleaned = pc.if_else(pa.array(bad), None, text)
    return pc.cast(cleaned, pa.int64()), bad


def convert_column(
    col: Column,
    raw: pa.Array,
    max_length: int | None,
    out: list[tuple[int, str, str, str]],
    *,
    max_bytes: int | None = None,
) -> pa.Array:
    """Convert one text column to its storage type, appending problems to ``out``.

    Bad values become null in the result (the chunk is refused anyway).
    ``max_length`` bounds a text column in characters (its width in the store);
    ``max_bytes`` bounds, in UTF-8 bytes, a text column the store leaves unbounded.
    """
    text = raw if col.kind is Kind.TEXT else pc.utf8_trim_whitespace(raw)
    if col.kind is not Kind.TEXT:
        text = pc.if_else(pc.equal(text, ""), None, text)
    if col.required:
        _flag(out, ~_present(text), raw, col.name, "a value is required here")
    match col.kind:
        case Kind.TEXT:
            return _check_text(col, text, max_length, max_bytes, out)
        case Kind.INTEGER:
            numbers, _ = _whole_numbers(col, text, raw, out)
            _check_range(col, numbers, raw, out)
            return numbers
        case Kind.NUMBER:
            bad = _present(text) & ~_mask(pc.match_substring_regex(text, NUMBER_RE))
            _flag(out, bad, raw, col.name, "not a number")
            numbers = pc.cast(pc.if_else(pa.array(bad), None, text), pa.float64())
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


def _check_order(spec: FileSpec, result: ValidatedChunk) -> None:
    """Flag a later day (``ended_on``, say) that comes before its earlier one (``started_on``)."""
    for earlier, later in spec.ordered:
        first, then = result.columns[earlier], result.columns[later]
        if pa.types.is_timestamp(first.type):
            first = pc.cast(pc.floor_temporal(first, unit="day"), pa.date32())
        if pa.types.is_timestamp(then.type):
            then = pc.cast(pc.floor_temporal(then, unit="day"), pa.date32())
        before = np.flatnonzero(_mask(pc.less(then, first)))
        starts = first.take(pa.array(before)).to_pylist()
        ends = then.take(pa.array(before)).to_pylist()
        result.problems.extend(
            (int(i), later, str(end), f"before {earlier} ({start})")
            for i, start, end in zip(before.tolist(), starts, ends, strict=True)
        )


def validate_chunk(
    spec: FileSpec,
    columns: dict[str, list[str | None]],
    max_lengths: dict[str, int | None],
    *,
    max_text_bytes: int | None = None,
) -> ValidatedChunk:
    """Check every value of a chunk against ``spec`` and convert it to storage form.

    ``max_lengths`` holds each text column's width in the store (``None`` when
    unbounded); ``max_text_bytes`` bounds the unbounded ones (a note, a comment).
    A row whose later day comes before its earlier one (see ``FileSpec.ordered``)
    is a problem too.
    """
    result = ValidatedChunk(columns={})
    for col in spec.columns:
        raw = pa.array(columns[col.name], type=pa.string())
        raw = pc.if_else(pc.equal(raw, ""), pa.scalar(None, pa.string()), raw)  # blank is no value
        result.columns[col.name] = convert_column(
            col, raw, max_lengths.get(col.name), result.problems, max_bytes=max_text_bytes
        )
    _check_order(spec, result)
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
