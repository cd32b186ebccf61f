"""The simulated history's calendar: days are counted from the first day of the window."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

Array = npt.NDArray[Any]

_MINUTE_TABLE = np.frombuffer(
    "".join(f"T{h:02d}:{m:02d}:00" for h in range(24) for m in range(60)).encode(), dtype=np.uint8
).reshape(1440, 9)


def add_months(day: date, months: int) -> date:
    """Return ``day`` moved by ``months`` calendar months (clamped to the month's end)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


@dataclass(frozen=True)
class Timeline:
    """The window of simulated history: ``months`` months ending on ``end`` (inclusive)."""

    end: date
    months: int
    start: date = field(init=False)
    n_days: int = field(init=False)
    month_start: Array = field(init=False, repr=False)
    """Day index at which each calendar month of the window begins (length ``n_months + 1``)."""
    labels: tuple[str, ...] = field(init=False)
    day_month: Array = field(init=False, repr=False)
    weekday: Array = field(init=False, repr=False)

    def __post_init__(self) -> None:
        start = add_months(self.end, -self.months) + timedelta(days=1)
        n_days = (self.end - start).days + 1
        starts: list[int] = [0]
        labels: list[str] = [f"{start.year:04d}-{start.month:02d}"]
        cursor = date(start.year, start.month, 1)
        while True:
            cursor = add_months(cursor, 1)
            offset = (cursor - start).days
            if offset >= n_days:
                break
            starts.append(offset)
            labels.append(f"{cursor.year:04d}-{cursor.month:02d}")
        starts.append(n_days)
        month_start = np.asarray(starts, dtype=np.int64)
        day_month = np.repeat(np.arange(len(labels), dtype=np.int64), np.diff(month_start))
        weekday = (np.arange(n_days, dtype=np.int64) + start.weekday()) % 7
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "n_days", n_days)
        object.__setattr__(self, "month_start", month_start)
        object.__setattr__(self, "labels", tuple(labels))
        object.__setattr__(self, "day_month", day_month)
        object.__setattr__(self, "weekday", weekday)

    @property
    def n_months(self) -> int:
        """Number of calendar months the window touches."""
        return len(self.labels)

    def date_of(self, day: int) -> date:
        """Return the calendar date of a day index."""
        return self.start + timedelta(days=int(day))

    def day_of(self, when: date) -> int:
        """Return the day index of a calendar date."""
        return (when - self.start).days

    def month_of(self, days: Array) -> Array:
        """Return the month index of each day index (clipped to the window)."""
        return np.asarray(self.day_month[np.clip(days, 0, self.n_days - 1)])

    def weekday_of(self, days: Array) -> Array:
        """Return the weekday (Monday = 0) of each day index, inside or outside the window."""
        return np.asarray((days + self.start.weekday()) % 7)

    def dates(self, days: Array, valid: Array | None = None) -> pa.Array:
        """Return an Arrow ``date32`` array for day indices, null where ``valid`` is false."""
        epoch = (self.start - date(1970, 1, 1)).days
        values = (epoch + np.asarray(days, dtype=np.int64)).astype(np.int32)
        return with_nulls(values, valid, pa.date32())

    def datetimes(self, days: Array, minutes: Array) -> pa.Array:
        """Return ``YYYY-MM-DDTHH:MM:SS`` strings for day indices and minutes of the day."""
        days = np.asarray(days, dtype=np.int64)
        lo = int(days.min()) if len(days) else 0
        hi = int(days.max()) + 1 if len(days) else 1
        base = np.datetime64(self.start.isoformat(), "D")
        table = np.frombuffer(
            "".join(str(base + d) for d in range(lo, hi)).encode(), dtype=np.uint8
        ).reshape(hi - lo, 10)
        out = np.empty((len(days), 19), dtype=np.uint8)
        out[:, :10] = table[days - lo]
        out[:, 10:] = _MINUTE_TABLE[np.asarray(minutes, dtype=np.int64)]
        return fixed_width_strings(out)


def fixed_width_strings(matrix: Array, valid: Array | None = None) -> pa.Array:
    """Turn an ``(n, width)`` uint8 matrix of ASCII bytes into an Arrow string array."""
    n, width = matrix.shape
    offsets = np.arange(0, (n + 1) * width, width, dtype=np.int32)
    data = np.ascontiguousarray(matrix, dtype=np.uint8)
    if valid is None:
        return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    bits = np.packbits(np.asarray(valid, dtype=bool), bitorder="little")
    return pa.StringArray.from_buffers(
        n, pa.py_buffer(offsets), pa.py_buffer(data), pa.py_buffer(bits)
    )


def with_nulls(values: Array, valid: Array | None, type_: pa.DataType) -> pa.Array:
    """A fixed-width Arrow array from numpy values, null where ``valid`` is false.

    Builds the buffers directly (``pa.array(..., mask=...)`` would import pandas).
    """
    data = np.ascontiguousarray(values)
    bits = None
    if valid is not None and not np.all(valid):
        bits = pa.py_buffer(np.packbits(np.asarray(valid, dtype=bool), bitorder="little"))
    return pa.Array.from_buffers(type_, len(data), [bits, pa.py_buffer(data)])


def make_ids(prefix: str, numbers: Array, width: int, valid: Array | None = None) -> pa.Array:
    """Return ids ``prefix`` + zero-padded ``numbers`` (null where ``valid`` is false)."""
    nums = np.asarray(numbers, dtype=np.int64).copy()
    head = np.frombuffer(prefix.encode(), dtype=np.uint8)
    out = np.empty((len(nums), len(head) + width), dtype=np.uint8)
    out[:, : len(head)] = head
    nums = np.maximum(nums, 0)
    for k in range(len(head) + width - 1, len(head) - 1, -1):
        out[:, k] = 48 + nums % 10
        nums //= 10
    return fixed_width_strings(out, valid)


def make_id(prefix: str, number: int, width: int) -> str:
    """Return one id, formatted like :func:`make_ids`."""
    return f"{prefix}{number:0{width}d}"


def dictionary(codes: Array, values: tuple[str, ...] | list[str] | pa.Array) -> pa.Array:
    """Return a dictionary-encoded string column from integer codes into ``values``."""
    vocab = values if isinstance(values, pa.Array) else pa.array(list(values), type=pa.string())
    return pa.DictionaryArray.from_arrays(pa.array(np.asarray(codes, dtype=np.int32)), vocab)
