"""Effects of micro-experiences: adjusted estimates cover the truth, naive ones do not."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

from carpe.analytics.effects import (
    benjamini_hochberg,
    estimate_effect,
    estimate_effects,
    weighted_benjamini_hochberg,
)

from ._synthetic import make_confounded_followups

SEED = 20260301


@pytest.mark.parametrize(
    ("method", "estimand"), [("aipw", "ate"), ("aipw", "att"), ("regression", "ate")]
)
def test_adjusted_effect_covers_the_true_effect_that_the_naive_difference_misses(
    method: str, estimand: str
) -> None:
    print(f"seed={SEED}")
    data, ate, att = make_confounded_followups(3000, seed=SEED)
    true_effect = att if estimand == "att" else ate
    confounders = ["size", "friendly", "segment"]
    estimate = estimate_effect(
        data,
        "followed_up",
        "churned",
        confounders,
        method=method,  # type: ignore[arg-type]
        estimand=estimand,  # type: ignore[arg-type]
        n_bootstrap=100,
    )
    assert estimate.estimand == estimand
    naive = estimate_effect(data, "followed_up", "churned", method="naive")
    assert estimate.ci_low <= true_effect <= estimate.ci_high
    assert estimate.ci_high < 0  # follow-ups do reduce churn
    # the naive difference credits follow-ups with the big accounts' loyalty
    assert not naive.ci_low <= true_effect <= naive.ci_high
    assert naive.effect < 2 * true_effect
    assert estimate.naive == pytest.approx(naive.effect)
    assert (estimate.n_treated + estimate.n_control) == 3000


def test_aipw_interval_covers_the_truth_in_most_simulated_businesses() -> None:
    covered = 0
    for seed in range(10):
        data, true_effect, _ = make_confounded_followups(1500, seed=seed)
        estimate = estimate_effect(data, "followed_up", "churned", ["size", "friendly"])
        covered += estimate.ci_low <= true_effect <= estimate.ci_high
    assert covered >= 8  # nominal 95%: 8 of 10 or more happens with probability 0.99


def test_effect_estimate_is_deterministic_for_a_seed_and_frozen() -> None:
    data, _, _ = make_confounded_followups(800, seed=1)
    first = estimate_effect(data, "followed_up", "churned", ["size"], random_state=3)
    again = estimate_effect(data, "followed_up", "churned", ["size"], random_state=3)
    assert first == again
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.effect = 0.0  # type: ignore[misc]


def test_effect_estimate_rejects_bad_input() -> None:
    data, _, _ = make_confounded_followups(200, seed=1)
    with pytest.raises(ValueError, match="lacks column"):
        estimate_effect(data, "gesture", "churned")
    with pytest.raises(ValueError, match="0/1"):
        estimate_effect(data.assign(churned=data["churned"] * 2), "followed_up", "churned")
    with pytest.raises(ValueError, match="method"):
        estimate_effect(data, "followed_up", "churned", method="magic")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least 2"):
        estimate_effect(data.assign(followed_up=0), "followed_up", "churned")


def test_benjamini_hochberg_matches_the_textbook_adjustment() -> None:
    q = benjamini_hochberg([0.01, 0.04, 0.03, 0.5, np.nan])
    assert q[:4] == pytest.approx([0.04, 0.04 * 4 / 3, 0.04 * 4 / 3, 0.5])
    assert np.isnan(q[4])


def make_employees(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, set[str], set[str]]:
    """Accounts, involvement links, planted specialists and busy decoys on big accounts."""
    rng = np.random.default_rng(seed)
    n = 2500
    size = rng.normal(size=n)
    accounts = pd.DataFrame({"account_id": [f"a{i}" for i in range(n)], "size": size})
    heroes = {"e00", "e01", "e02"}
    decoys = {"e03", "e04", "e05"}
    touched_by_hero = np.zeros(n)
    links = []
    for e in range(25):
        name = f"e{e:02d}"
        p = expit(-2.5 + (2.0 * size if name in decoys else 0.0))
        members = np.flatnonzero(rng.random(n) < p)
        if name in heroes:
            touched_by_hero[members] += 1
        links += [(f"a{m}", name) for m in members]
    # a newcomer with three accounts
    links += [("a0", "e99"), ("a1", "e99"), ("a2", "e99")]
    accounts["retained"] = (rng.random(n) < expit(0.5 + size + 1.0 * touched_by_hero)).astype(int)
    exposures = pd.DataFrame(links, columns=["account_id", "employee_id"])
    return accounts, exposures, heroes, decoys


def test_group_effects_flag_planted_specialists_and_not_busy_decoys() -> None:
    print(f"seed={SEED}")
    accounts, exposures, heroes, decoys = make_employees(seed=SEED)
    results = estimate_effects(
        accounts, exposures, "account_id", "employee_id", "retained", ["size"], fdr=0.05
    )
    flagged = {r.group for r in results if r.flagged}
    assert heroes <= flagged
    assert not flagged & decoys  # busy people on big, safe accounts are no heroes
    assert len(flagged - heroes) <= 1  # an FDR of 5%, not zero
    assert [r.effect for r in results] == sorted((r.effect for r in results), reverse=True)
    assert {r.group for r in results[:3]} == heroes


def test_group_effects_give_small_groups_wide_intervals_not_extreme_estimates() -> None:
    accounts, exposures, _, _ = make_employees(seed=SEED)
    results = {
        r.group: r
        for r in estimate_effects(
            accounts, exposures, "account_id", "employee_id", "retained", confounders=["size"]
        )
    }
    newcomer = results["e99"]
    assert newcomer.n_treated == 3
    assert np.isnan(newcomer.raw_effect)
    assert not newcomer.flagged
    busy = results["e10"]
    assert newcomer.ci_high - newcomer.ci_low > busy.ci_high - busy.ci_low
    for r in results.values():
        if np.isfinite(r.raw_effect):
            # shrinkage pulls every raw estimate towards the common mean
            assert abs(r.effect - newcomer.effect) <= abs(r.raw_effect - newcomer.effect) + 1e-12


def test_weighted_benjamini_hochberg_with_equal_weights_is_plain_bh() -> None:
    rng = np.random.default_rng(SEED)
    p = rng.random(50) ** 3
    p[[3, 17]] = np.nan
    for scale in (1.0, 2.5):
        q = weighted_benjamini_hochberg(p, np.full(50, scale))
        assert q == pytest.approx(benjamini_hochberg(p), nan_ok=True)


def test_weighted_benjamini_hochberg_spends_the_budget_by_weight() -> None:
    p = [0.01, 0.04, 0.03, 0.5]
    q = weighted_benjamini_hochberg(p, [1.0, 2.0, 0.5, 0.5])
    assert q == pytest.approx([0.04, 0.04, 0.08, 1.0])  # BH on p / w
    assert weighted_benjamini_hochberg(p, [0.0, 1.0, 1.0, 1.0])[0] == 1.0  # weight 0: untestable
    # weights are rescaled to mean 1 over the hypotheses with a p-value
    assert weighted_benjamini_hochberg([0.01, np.nan], [2.0, 5.0])[0] == pytest.approx(0.01)
    with pytest.raises(ValueError, match="non-negative"):
        weighted_benjamini_hochberg(p, [1.0, -1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="positive"):
        weighted_benjamini_hochberg(p, [0.0] * 4)
