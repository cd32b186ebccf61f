"""Habit-weighted flags: weights from working habits, mean 1, FDR kept, decoys not flagged."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest

from carpe.analytics.specialists import SpecialistInputs, attribute_retention, choose_windows
from carpe.analytics.specialists.attribution import habit_weights
from carpe.analytics.specialists.components import habit_scores


def test_habit_weights_have_mean_one_over_the_tested_and_a_floor() -> None:
    z = np.array([5.0, 2.0, 1.9, np.nan, -3.0, 0.0, 8.0, 0.5])
    tested = np.array([True, True, True, True, True, True, False, True])
    w = habit_weights(z, tested)
    assert np.isnan(w[6])  # not tested: no weight, even with a strong habit
    assert w[tested].mean() == pytest.approx(1.0)
    assert w[0] == w[1] > 1  # the habit group (z >= 2) shares half the budget
    assert w[0] == pytest.approx(0.5 * 7 / 2)
    assert np.all(w[[2, 3, 4, 5, 7]] == pytest.approx(0.5 * 7 / 5))  # everyone else, >= 0.5
    assert w[tested].min() >= 0.5


def test_habit_weights_are_capped_and_neutral_without_a_contrast() -> None:
    tested = np.ones(40, dtype=bool)
    one = habit_weights(np.r_[3.0, np.zeros(39)], tested)
    assert one[0] == 4.0 and one.mean() == pytest.approx(1.0)  # no more than four shares
    assert np.all(habit_weights(np.zeros(40), tested) == 1.0)  # nobody stands out
    assert np.all(habit_weights(np.full(40, 3.0), tested) == 1.0)  # everybody does
    many = habit_weights(np.r_[np.full(30, 3.0), np.zeros(10)], tested)
    assert np.all(many == 1.0)  # a majority is never weighted below 1


def _activity(
    inputs: SpecialistInputs, proactive: dict[str, float], mood: dict[str, float]
) -> pd.DataFrame:
    """Recent touchpoints: 10 per (account, employee), a share proactive, a mean sentiment."""
    rng = np.random.default_rng(7)
    links = inputs.involvement[["account_id", "employee_id"]]
    share = links["employee_id"].map(proactive).fillna(0.2).to_numpy(dtype=float)
    sentiment = links["employee_id"].map(mood).fillna(0.1).to_numpy(dtype=float)
    return links.assign(
        touches=10,
        personal=2,
        proactive=rng.binomial(10, share),
        sentiment_sum=10 * sentiment,
        sentiment_n=10,
        positive=1.0,
        tickets=0,
        first_contact=0,
    )


def _with_habits(inputs: SpecialistInputs, decoys: set[str]) -> SpecialistInputs:
    """E01 calls proactively; E05 too (but keeps nobody); the decoys' customers are friendly."""
    activity = _activity(inputs, {"E01": 0.6, "E05": 0.6}, {d: 0.6 for d in decoys})
    return dataclasses.replace(inputs, activity=activity)


def test_a_strong_habit_raises_the_weight_and_sentiment_does_not(
    company: tuple[SpecialistInputs, set[str], set[str]],
) -> None:
    inputs, _, decoys = company
    habitual = _with_habits(inputs, decoys)
    habits = habit_scores(habitual)
    assert habits["E01"] > 2 and habits["E05"] > 2
    assert all(habits[d] < 2 for d in decoys)  # better sentiment is not a habit
    found = {a.employee_id: a for a in attribute_retention(habitual)}
    tested = [a for a in found.values() if np.isfinite(a.p_value)]
    assert np.mean([a.weight for a in tested]) == pytest.approx(1.0)
    assert found["E01"].weight > 1 and found["E05"].weight > 1
    assert all(found[d].weight < 1 for d in decoys)
    assert np.isnan(found["E20"].weight)  # too few accounts: not tested


def test_weighted_flags_keep_the_heroes_and_not_the_decoys_or_a_busy_caller(
    company: tuple[SpecialistInputs, set[str], set[str]],
) -> None:
    inputs, heroes, decoys = company
    found = attribute_retention(_with_habits(inputs, decoys))
    flagged = {a.employee_id for a in found if a.flagged}
    assert heroes <= flagged
    assert not flagged & (decoys | {"E05"})  # a habit alone does not make a flag
    plain = {a.employee_id: a for a in attribute_retention(inputs)}  # no activity: weights 1
    for a in found:  # the weights change the q-values only, not the fit or the p-values
        assert a.p_value == pytest.approx(plain[a.employee_id].p_value, nan_ok=True)
        assert a.q_value_unweighted == pytest.approx(plain[a.employee_id].q_value, nan_ok=True)
        assert not a.flagged_unweighted or a.q_value_unweighted <= 0.1
    by_id = {a.employee_id: a for a in found}
    assert by_id["E01"].q_value <= by_id["E01"].q_value_unweighted  # its weight is above 1


def test_unweighted_is_plain_benjamini_hochberg(
    company: tuple[SpecialistInputs, set[str], set[str]],
) -> None:
    inputs, _, _ = company
    activity = _activity(inputs, {"E01": 0.6}, {})
    plain = attribute_retention(dataclasses.replace(inputs, activity=activity), weighted=False)
    assert all(a.weight == 1.0 for a in plain if np.isfinite(a.p_value))
    assert all(
        a.q_value == a.q_value_unweighted and a.flagged == a.flagged_unweighted
        for a in plain
        if np.isfinite(a.p_value)
    )
    # the fixture has no recent activity: nobody stands out, the weights change nothing
    bare = attribute_retention(inputs)
    assert all(a.flagged == a.flagged_unweighted for a in bare)


def test_false_discoveries_stay_rare_when_nobody_keeps_customers() -> None:
    """No true effect, habits unrelated to retention: weighted BH flags about as rarely as BH."""
    from carpe.analytics.effects import benjamini_hochberg, weighted_benjamini_hochberg

    rng = np.random.default_rng(20261207)
    runs, m = 2000, 40
    any_weighted = any_plain = 0
    for _ in range(runs):
        p = rng.random(m)  # every null true
        w = habit_weights(rng.normal(size=m) * 1.5, np.ones(m, dtype=bool))
        any_weighted += bool((weighted_benjamini_hochberg(p, w) <= 0.1).any())
        any_plain += bool((benjamini_hochberg(p) <= 0.1).any())
    # all nulls: FDR = P(any discovery) <= 0.1 (with sampling slack)
    assert any_weighted / runs <= 0.12 and any_plain / runs <= 0.12


def test_habit_scores_skip_employees_without_a_measurable_habit() -> None:
    w = choose_windows(date(2026, 4, 1), date(2024, 4, 1))
    staff = pd.DataFrame(
        {"employee_id": ["E1", "E2"], "name": ["A B", "C D"], "department": ["Field"] * 2,
         "role": ["tech"] * 2, "left_on": [None] * 2}
    )  # fmt: skip
    activity = pd.DataFrame(
        {"account_id": ["a", "b"], "employee_id": ["E1", "E2"], "touches": [0, 5],
         "personal": [0, 0], "proactive": [0, 5], "sentiment_sum": [0.0, 1.0],
         "sentiment_n": [0, 5], "positive": [0.0, 1.0], "tickets": [0, 0],
         "first_contact": [0, 0]}
    )  # fmt: skip
    found = habit_scores(
        SpecialistInputs(windows=w, accounts=pd.DataFrame(), employees=staff, activity=activity)
    )
    assert np.isnan(found["E1"])  # nothing to compare
