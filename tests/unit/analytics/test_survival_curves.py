"""Retention rate, Kaplan-Meier curves and median lifetime over an accounts table."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from carpe.analytics.survival import (
    account_lifetimes,
    curves_to_frame,
    kaplan_meier_curves,
    median_lifetimes,
    retention_rate,
    retention_rates,
)


def make_accounts() -> pd.DataFrame:
    """Five accounts around an as-of date of 2024-01-31, with hand-computed survival."""
    return pd.DataFrame(
        {
            "account_id": ["a", "b", "c", "d", "e"],
            "started_on": ["2024-01-01", "2024-01-01", "2024-01-01", "2024-01-16", "2024-02-05"],
            # d ends after the as-of date: still active then. e starts after it.
            "ended_on": ["2024-01-11", "2024-01-21", None, "2024-02-10", None],
            "segment": ["clinic", "clinic", "retail", None, "retail"],
            "as_of": "2024-01-31",
        }
    )


def test_account_lifetimes_censor_at_the_as_of_date_and_ignore_later_starts() -> None:
    lifetimes = account_lifetimes(make_accounts())
    assert lifetimes["account_id"].tolist() == ["a", "b", "c", "d"]
    assert lifetimes["duration"].tolist() == [10.0, 20.0, 30.0, 15.0]
    assert lifetimes["ended"].tolist() == [True, True, False, False]
    assert lifetimes["segment"].tolist() == ["clinic", "clinic", "retail", "unknown"]
    assert set(lifetimes["cohort"]) == {"2024Q1"}


def test_kaplan_meier_matches_the_hand_computed_curve() -> None:
    (curve,) = kaplan_meier_curves(make_accounts(), unit="D")
    steps = dict(zip(curve.time, curve.survival, strict=True))
    assert steps[10.0] == pytest.approx(0.75)
    assert steps[20.0] == pytest.approx(0.375)
    assert curve.median == 20.0
    assert (curve.n_accounts, curve.n_ended) == (4, 2)
    assert all(
        lo <= s <= hi for lo, s, hi in zip(curve.ci_low, curve.survival, curve.ci_high, strict=True)
    )


def test_kaplan_meier_curves_by_segment_share_a_timeline() -> None:
    curves = kaplan_meier_curves(make_accounts(), by="segment", unit="D", timeline=[0, 10, 20, 30])
    assert [c.group for c in curves] == ["clinic", "retail", "unknown"]
    clinic = curves[0]
    assert clinic.time == (0.0, 10.0, 20.0, 30.0)
    assert clinic.survival == pytest.approx((1.0, 0.5, 0.0, 0.0))
    assert clinic.at_risk == (2, 2, 1, 0)
    frame = curves_to_frame(curves)
    assert list(frame.columns) == [
        "group",
        "time",
        "survival",
        "ci_low",
        "ci_high",
        "at_risk",
        "unit",
    ]
    assert len(frame) == 12


def test_survival_curves_are_frozen_and_accept_arrow_tables() -> None:
    table = pa.Table.from_pandas(make_accounts())
    (curve,) = kaplan_meier_curves(table, unit="D", by="cohort")
    assert curve.group == "2024Q1"
    with pytest.raises(dataclasses.FrozenInstanceError):
        curve.median = 1.0  # type: ignore[misc]


def test_median_lifetime_is_infinite_while_most_accounts_stay() -> None:
    medians = {m.group: m for m in median_lifetimes(make_accounts(), by="segment", unit="D")}
    assert medians["clinic"].median == 10.0
    assert np.isinf(medians["retail"].median)
    (overall,) = median_lifetimes(make_accounts(), unit="D")
    assert overall.median == 20.0
    assert overall.ci_low <= overall.median <= overall.ci_high


def test_retention_rate_counts_accounts_present_at_the_start() -> None:
    rate = retention_rate(make_accounts(), "2024-01-16", "2024-01-31")
    # a left before the period; d starts on its first day and counts
    assert rate.accounts_at_start == 3  # b, c, d
    assert rate.lost == 1  # b
    assert rate.new == 0
    assert rate.rate == pytest.approx(2 / 3)
    monthly = retention_rates(make_accounts(), "2024-01-01", "2024-02-29", freq="M")
    assert monthly["period"].tolist() == ["2024-01", "2024-02"]
    assert monthly["accounts_at_start"].tolist() == [3, 2]  # a, b, c on Jan 1; c, d on Feb 1
    assert monthly["rate"].iloc[1] == pytest.approx(1 / 2)  # d ends in February
    assert monthly["new"].tolist() == [1, 1]  # d, then e


def test_survival_rejects_accounts_that_end_before_they_start() -> None:
    accounts = make_accounts()
    accounts.loc[0, "ended_on"] = "2023-12-01"
    with pytest.raises(ValueError, match="ends before it starts"):
        account_lifetimes(accounts)
    with pytest.raises(ValueError, match="as_of"):
        account_lifetimes(make_accounts().drop(columns="as_of"))
