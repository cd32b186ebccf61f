"""Does it pay: cost bands, and effects recovered on data with a planted truth."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from carpe.analytics.payoff import PayoffWindows, cost_band, estimate_payoff

WINDOWS = PayoffWindows.ending(date(2026, 6, 1))


@pytest.mark.parametrize(
    ("cost", "band"),
    [
        (None, "free"),
        (0.0, "free"),
        (4.5, "under 10"),
        (10.0, "10 to 30"),
        (30.0, "10 to 30"),
        (30.5, "over 30"),
    ],
)
def test_cost_band_puts_each_cost_in_one_band(cost: float | None, band: str) -> None:
    assert cost_band(cost) == band


def _planted(seed: int = 3, n: int = 1200) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bigger accounts get more cards and stay more anyway; cards add 15 points; vouchers 0."""
    rng = np.random.default_rng(seed)
    size = rng.normal(size=n)
    accounts = pd.DataFrame(
        {
            "account_id": [f"A{i}" for i in range(n)],
            "annual_value": 1000 + 300 * size,
            "segment": rng.choice(["small", "large"], n),
            "gifted_before": 0,
        }
    )
    p_card = 1 / (1 + np.exp(-(size - 0.8)))
    card = rng.random(n) < p_card
    voucher = ~card & (rng.random(n) < 0.25)
    stay = 1 / (1 + np.exp(-(0.3 + 0.8 * size)))
    stay = np.clip(stay + 0.15 * card, 0, 1)
    accounts["stayed"] = (rng.random(n) < stay).astype(int)
    accounts["warmer"] = np.where(rng.random(n) < 0.1, np.nan, (rng.random(n) < 0.5) * 1.0)
    gifts = pd.concat(
        [
            pd.DataFrame({"account_id": accounts["account_id"][card], "kind": "card", "cost": 5.0}),
            pd.DataFrame(
                {"account_id": accounts["account_id"][voucher], "kind": "gift card", "cost": 20.0}
            ),
        ],
        ignore_index=True,
    )
    return accounts, gifts


def test_estimate_payoff_finds_the_planted_card_effect_and_none_for_vouchers() -> None:
    accounts, gifts = _planted()
    result = estimate_payoff(accounts, gifts, WINDOWS, confounders=["annual_value", "segment"])
    rows = {(r.group, r.outcome): r for r in result.rows}
    card, voucher = rows[("card", "stayed")], rows[("gift card", "stayed")]
    assert card.effect is not None and card.ci_low is not None and card.ci_low > 0
    assert voucher.ci_low is not None and voucher.ci_high is not None
    assert voucher.ci_low < 0 < voucher.ci_high
    assert card.naive is not None and card.naive > card.effect  # bigger accounts get cards
    assert rows[("under 10", "stayed")].n_treated == card.n_treated
    assert {r.dimension for r in result.rows} == {"all", "kind", "cost band"}


def test_estimate_payoff_gives_no_effect_for_groups_too_small_to_say() -> None:
    accounts, gifts = _planted()
    few = pd.concat(
        [gifts, pd.DataFrame({"account_id": ["A1", "A2"], "kind": "book", "cost": 40.0})]
    )
    result = estimate_payoff(accounts, few, WINDOWS, confounders=["annual_value"])
    book = next(r for r in result.rows if r.group == "book" and r.outcome == "stayed")
    assert book.effect is None and book.n_treated == 2


def test_estimate_payoff_without_gestures_says_so() -> None:
    accounts, _ = _planted()
    empty = pd.DataFrame({"account_id": [], "kind": [], "cost": []})
    result = estimate_payoff(accounts, empty, WINDOWS, confounders=["annual_value"])
    assert result.rows == () and "no gestures" in result.note


def test_estimate_payoff_leaves_accounts_gifted_before_the_window_out_of_the_controls() -> None:
    accounts, gifts = _planted()
    accounts.loc[accounts.index[:100], "gifted_before"] = 1
    treated = set(gifts["account_id"])
    expected = int(((accounts["gifted_before"] == 0) & ~accounts["account_id"].isin(treated)).sum())
    result = estimate_payoff(accounts, gifts, WINDOWS, confounders=["annual_value"])
    overall = next(r for r in result.rows if r.dimension == "all" and r.outcome == "stayed")
    assert overall.n_control == expected


def test_estimate_payoff_does_not_depend_on_the_order_of_the_rows() -> None:
    accounts, gifts = _planted(n=600)
    first = estimate_payoff(accounts, gifts, WINDOWS, confounders=["annual_value"])
    shuffled = accounts.sample(frac=1.0, random_state=1)
    second = estimate_payoff(shuffled, gifts.iloc[::-1], WINDOWS, confounders=["annual_value"])
    assert first.rows == second.rows
