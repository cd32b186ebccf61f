"""Tables in, pandas out: detectors accept pandas, Arrow or Ibis tables alike."""

from __future__ import annotations

from typing import Any

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
    """``YYYY-MM`` of dates or datetimes."""
    return pd.to_datetime(values, errors="coerce").dt.strftime("%Y-%m")


def ids(values: Any) -> tuple[str, ...]:
    """Sorted unique non-blank ids as a tuple of str."""
    return tuple(sorted({str(v) for v in values if v is not None and not pd.isna(v)}))
