"""Set-based helpers of the detectors give exactly what the per-row code gave."""

from __future__ import annotations

import math
from datetime import date, datetime

import numpy as np
import pandas as pd
import pytest

from carpe.analytics.conflicts import DetectorSettings, MetricMapping, build_ledger
from carpe.analytics.conflicts.frames import month, month_of


@pytest.mark.parametrize(
    "values",
    [
        pd.Series(pd.to_datetime(["2026-01-05", None, "1999-12-31 23:00"], format="ISO8601")),
        pd.Series(["2026-03-01", None, "not a day", "2025-11-30"], index=[4, 2, 9, 1]),
        pd.Series([date(2026, 2, 1), None], name="issued_on"),
        pd.Series([], dtype="datetime64[ns]"),
    ],
)
def test_month_formats_like_strftime_with_blanks_as_nan(values: pd.Series) -> None:
    expected = pd.to_datetime(values, errors="coerce").dt.strftime("%Y-%m")
    pd.testing.assert_series_equal(month(values), expected)
    for value, label in zip(values.tolist(), expected.tolist(), strict=True):
        assert month_of(value) == ("nan" if isinstance(label, float) else label)


def test_ledger_rounding_is_pythons_round_to_4_places() -> None:
    from carpe.analytics.conflicts.ledger import _rounded

    rng = np.random.default_rng(11)
    values = np.concatenate(
        [
            rng.uniform(-100, 100, 50_000),
            rng.uniform(0, 100, 50_000).round(5),  # many exact halves in decimal
            [math.nan, math.inf, -math.inf, -0.0, 0.0, 12.34565, 0.00005, -0.00005],
        ]
    )
    expected = np.array([round(float(v), 4) for v in values])
    got = _rounded(values)
    same = (got == expected) | (np.isnan(got) & np.isnan(expected))
    assert bool(same.all()) and bool((np.signbit(got) == np.signbit(expected)).all())


def test_month_of_reads_dates_datetimes_and_text() -> None:
    assert month_of(datetime(2026, 3, 4, 10)) == "2026-03"
    assert month_of("2026-12-31") == "2026-12"
    assert month_of(None) == "nan"


def test_ledger_scores_every_row_as_its_metric_mapping_does() -> None:
    mappings = {
        "late_orders": MetricMapping("late_orders", "lower", 0.0, 1.0, "count"),
        "spares": MetricMapping("spares", "higher", 2.0, 0.0, "count"),
        "csat": MetricMapping("csat", "higher", 1.0, 5.0, "linear"),
        "wait_days": MetricMapping("wait_days", "lower", 0.0, 30.0, "linear"),
        "flat": MetricMapping("flat", "higher", 3.0, 3.0, "linear"),
    }
    rng = np.random.default_rng(5)
    rows = []
    for metric in mappings:
        values = [*rng.uniform(-5, 40, size=30).round(3), 0.0, -0.0, 1.0, 5.0, 30.0, math.nan]
        values += [1.00002, 2.12345, 29.99995, 4.99998, math.inf, -math.inf]  # near halves
        rows += [
            ("Ops", f"A{i % 7}", f"2026-{1 + i % 9:02d}", metric, v) for i, v in enumerate(values)
        ]
    kpis = pd.DataFrame(rows, columns=["department", "account_id", "period", "metric", "value"])
    settings = DetectorSettings()
    ledger = build_ledger(kpis, mappings=mappings, settings=settings)
    assert len(ledger) > 100
    for row in ledger.itertuples(index=False):
        expected = mappings[row.metric].score(float(row.value))
        assert (math.isnan(expected) and math.isnan(row.score)) or row.score == expected
        state = (
            "healthy"
            if row.score >= settings.healthy_at
            else "trouble"
            if row.score < settings.trouble_at
            else "watch"
        )
        assert row.state == state
