"""Tables in, pandas out: detectors accept pandas, Arrow or Ibis tables alike."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]


def as_frame(table: Any, columns: tuple[str, ...] = ()) -> pd.DataFrame:
    """A pandas DataFrame from a pandas, Arrow or Ibis table (``None``: an empty frame).

    Parameters
    ----------
    table : pandas.DataFrame, pyarrow.Table, ibis.Table or None
        The input.
    columns : tuple of str
        Columns an empty frame gets (and that a missing column is added as, null).

    Returns
    -------
    pandas.DataFrame
        A copy is not guaranteed; detectors never change their input.
    """
    if table is None:
        frame = pd.DataFrame()
    elif isinstance(table, pd.DataFrame):
        frame = table
    elif hasattr(table, "to_pandas"):
        frame = table.to_pandas()
    elif hasattr(table, "execute"):
        frame = table.execute()
    else:
        frame = pd.DataFrame(table)
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        frame = frame.assign(**{c: pd.Series([None] * len(frame), dtype=object) for c in missing})
    return frame


def day(values: pd.Series) -> pd.Series:
    """Dates or datetimes (any form) as midnight timestamps (NaT for blanks)."""
    return pd.to_datetime(values, errors="coerce").dt.normalize()


def month(values: pd.Series) -> pd.Series:
    """``YYYY-MM`` of dates or datetimes (NaN for blanks)."""
    return month_labels(pd.to_datetime(values, errors="coerce"))


def month_labels(stamps: pd.Series) -> pd.Series:
    """``stamps.dt.strftime("%Y-%m")``, formatting each distinct month once.

    Parameters
    ----------
    stamps : pandas.Series of datetime64
        Timestamps (NaT allowed).

    Returns
    -------
    pandas.Series
        Same index and name; ``YYYY-MM`` strings, NaN for NaT.
    """
    keys = (stamps.dt.year * 100 + stamps.dt.month).to_numpy(dtype=np.float64)
    codes, uniques = pd.factorize(keys)
    labels = [f"{int(k) // 100:04d}-{int(k) % 100:02d}" for k in uniques.tolist()]
    table = np.array([*labels, np.nan], dtype=object)  # code -1 (NaT) picks the NaN
    return pd.Series(table[codes], index=stamps.index, name=stamps.name, dtype=object)


def month_of(value: Any) -> str:
    """``YYYY-MM`` of one date or datetime (``"nan"`` for a blank), as :func:`month` gives it.

    Parameters
    ----------
    value : date, datetime, str or None
        The day.

    Returns
    -------
    str
        E.g. ``"2026-03"``.

    Examples
    --------
    >>> month_of("2026-03-04T10:00:00")
    '2026-03'
    """
    stamp = pd.to_datetime(value, errors="coerce")
    return "nan" if pd.isna(stamp) else f"{stamp:%Y-%m}"


def sorted_codes(values: Any) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Integer codes of a key column, numbered in the sorted order of its distinct values.

    Parameters
    ----------
    values : pandas.Series or array
        The keys.

    Returns
    -------
    codes : numpy.ndarray of int
        The rank of each row's value among the distinct values; ``-1`` for blanks.
    uniques : numpy.ndarray
        The distinct values, sorted.
    """
    codes, uniques = pd.factorize(np.asarray(values), sort=True)
    return codes, np.asarray(uniques, dtype=object)


def combined_key(codes: tuple[np.ndarray[Any, Any], ...], sizes: tuple[int, ...]) -> Any:
    """One int64 per row that sorts like the tuple of ``codes`` (``-1`` when any code is).

    Parameters
    ----------
    codes : tuple of numpy.ndarray of int
        Codes of each key column (from :func:`sorted_codes`).
    sizes : tuple of int
        How many distinct values each column has.

    Returns
    -------
    numpy.ndarray of int64
        Decode with ``numpy.unravel_index(key, sizes)``.
    """
    dims = tuple(max(n, 1) for n in sizes)
    key = np.ravel_multi_index(codes, dims, mode="clip").astype(np.int64)
    blank = np.zeros(len(key), dtype=bool)
    for column in codes:
        blank |= column < 0
    key[blank] = -1
    return key


def key_runs(key: np.ndarray[Any, Any]) -> tuple[Any, Any, Any]:
    """Rows ordered by key (stably), and where each distinct key's run starts in that order.

    Parameters
    ----------
    key : numpy.ndarray of int
        One key per row.

    Returns
    -------
    order : numpy.ndarray of int
        Row positions sorted by key, rows of one key in their original order.
    starts : numpy.ndarray of int
        Position in ``order`` of each distinct key's first row (keys ascending).
    group : numpy.ndarray of int
        The run number of each position of ``order``.
    """
    order = np.argsort(key, kind="stable")
    ordered = key[order]
    change = np.ones(len(ordered), dtype=bool)
    change[1:] = ordered[1:] != ordered[:-1]
    return order, np.flatnonzero(change), np.cumsum(change) - 1


def ids(values: Any) -> tuple[str, ...]:
    """Sorted unique non-blank ids as a tuple of str."""
    return tuple(sorted({str(v) for v in values if v is not None and not pd.isna(v)}))
