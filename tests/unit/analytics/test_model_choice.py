"""The rolling-origin backtest that picks the early-warning model, and probability alive."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from carpe.analytics.pipeline.alive_step import probability_alive
from carpe.analytics.pipeline.model_choice import calibration_bins, choose_model
from carpe.analytics.pipeline.risk import problem_side


def _snapshots(interaction: bool, seed: int = 0) -> pd.DataFrame:
    """Monthly snapshots of 800 accounts: leaving depends on x and z (added, or only together)."""
    rng = np.random.default_rng(seed)
    frames = []
    for month in range(1, 13):
        x, z = rng.normal(size=800), rng.normal(size=800)
        logit = -2.5 + (3.0 * ((x > 0.5) & (z > 0.5)) if interaction else 1.2 * x + 1.2 * z)
        y = (rng.random(800) < 1 / (1 + np.exp(-logit))).astype(int)
        frames.append(
            pd.DataFrame({"as_of": date(2025, month, 1), "x": x, "z": z, "left_within": y})
        )
    return pd.concat(frames, ignore_index=True)


def test_the_backtest_keeps_the_additive_model_where_effects_add_up() -> None:
    choice = choose_model(_snapshots(False), ["x", "z"], horizon_days=90, seed=0)
    assert choice.kind == "additive"
    assert len(choice.origins) == 2 and choice.auc["additive"] > 0.75
    assert sum(b.accounts for b in choice.calibration) == choice.accounts
    assert choice.calibration[0].observed < choice.calibration[-1].observed


def test_the_backtest_picks_boosting_when_risk_needs_two_things_together() -> None:
    choice = choose_model(_snapshots(True), ["x", "z"], horizon_days=90, seed=0)
    assert choice.kind == "boosting"
    assert choice.auc["boosting"] > choice.auc["additive"] + 0.01


def test_too_short_a_history_keeps_the_additive_model_and_says_why() -> None:
    short = _snapshots(False)
    short = short[short["as_of"] <= date(2025, 3, 1)]
    choice = choose_model(short, ["x", "z"], horizon_days=90, seed=0)
    assert choice.kind == "additive" and "too short" in choice.note


def test_calibration_bins_split_the_accounts_by_predicted_risk() -> None:
    bins = calibration_bins(np.array([0, 0, 0, 1, 1]), np.array([0.1, 0.2, 0.3, 0.8, 0.9]))
    assert [b.accounts for b in bins] == [1, 1, 1, 1, 1]
    assert bins[-1].observed == 1.0 and bins[0].observed == 0.0


def test_only_values_on_the_problem_side_of_typical_may_be_reasons() -> None:
    typical = pd.DataFrame({"tickets_90d": [0, 1, 1, 2], "nps_365d": [7, 8, 8, 9.0]})
    typical["tenure_days"] = [100, 200, 300, 400]
    accounts = pd.DataFrame(
        {"tickets_90d": [5, 0], "nps_365d": [3.0, 10.0], "tenure_days": [1000, 10]}
    )
    allowed = problem_side(accounts, typical)
    # many tickets and a low NPS are problems; few tickets, a high NPS and tenure never are
    assert allowed.tolist() == [[True, True, False], [False, False, False]]


def test_probability_alive_is_lower_for_a_customer_silent_since_long_ago() -> None:
    rng = np.random.default_rng(1)
    n = 200
    first = pd.to_datetime("2025-01-01") + pd.to_timedelta(rng.integers(0, 60, n), unit="D")
    days = rng.integers(1, 12, n)
    last = first + pd.to_timedelta(rng.integers(0, 600, n), unit="D")
    frame = pd.DataFrame(
        {
            "account_id": [f"C{i:03d}" for i in range(n)],
            "ended_on": [None] * n,
            "first_day": first.date,
            "last_day": np.where(days == 1, first, last).astype("datetime64[ns]"),
            "days": days,
        }
    )
    frame["last_day"] = pd.to_datetime(frame["last_day"]).dt.date
    found = probability_alive(frame, date(2026, 11, 1))
    assert found.params is not None and len(found.accounts) == n
    scores = found.accounts.set_index("account_id")
    repeaters = frame[frame["days"] >= 5]
    recent = repeaters.loc[repeaters["last_day"].idxmax(), "account_id"]
    stale = repeaters.loc[repeaters["last_day"].idxmin(), "account_id"]
    assert scores.loc[recent, "p_alive"] > scores.loc[stale, "p_alive"]
    assert (found.accounts["expected"] >= 0).all()


def test_probability_alive_says_why_when_there_are_too_few_customers() -> None:
    frame = pd.DataFrame(
        {"account_id": ["A"], "ended_on": [None], "first_day": [date(2026, 1, 1)]}
    ).assign(last_day=date(2026, 2, 1), days=2)
    found = probability_alive(frame, date(2026, 11, 1))
    assert found.params is None and found.accounts.empty and "1 consumer" in found.note


@pytest.mark.parametrize("risk", [0.0, 0.31])
def test_risk_band_words(risk: float) -> None:
    from carpe.services.risk import risk_band

    assert risk_band(risk, 0.1) == ("low" if risk == 0.0 else "high")
