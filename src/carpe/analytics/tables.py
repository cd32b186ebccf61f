"""What the estimators share about their input tables: pandas or Arrow in, pandas out."""

from __future__ import annotations

from typing import Any

import pandas as pd  # type: ignore[import-untyped]


def to_pandas(table: Any) -> pd.DataFrame:
    """A pandas DataFrame from a DataFrame or anything with ``to_pandas()`` (Arrow, Ibis results).

    Raises
    ------
    TypeError
        For anything else.
    """
    if isinstance(table, pd.DataFrame):
        return table
    if hasattr(table, "to_pandas"):
        frame = table.to_pandas()
        if isinstance(frame, pd.DataFrame):
            return frame
    raise TypeError(f"expected a pandas DataFrame or an Arrow table, got {type(table).__name__}")


def day_timestamps(values: Any) -> pd.Series:
    """Day-precision timestamps from dates, datetimes or ISO 8601 text (offsets dropped)."""
    parsed = pd.to_datetime(pd.Series(values), format="ISO8601")
    if getattr(parsed.dt, "tz", None) is not None:
        parsed = parsed.dt.tz_localize(None)
    return parsed.dt.normalize()
