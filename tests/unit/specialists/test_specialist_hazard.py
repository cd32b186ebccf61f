"""The monthly hazard model: heroes found month by month, decoys and late joiners not credited."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sparse

from carpe.analytics.specialists import SpecialistInputs, attribute_retention, choose_windows
from carpe.analytics.specialists.hazard import (
    _health_grids,
    hazard_effects,
    retention_points,
)
from carpe.analytics.specialists.logit import fit_penalized_logit

AS_OF = date(2026, 4, 1)
START = date(2024, 4, 1)
SEED = 20261124


def _month_start(k: int, start: date = START) -> date:
    y, m = divmod(start.month - 1 + k, 12)
    return date(start.year + y, m + 1, 1)


def make_monthly_company(
    seed: int = SEED, accounts: int = 1500, years: int = 2
) -> SpecialistInputs:
    """Two departments, each account served by one person of each from the start.

    The history covers ``years`` years up to ``AS_OF`` (two by default, from ``START``).

    E01 (Operations) and E11 (Billing) lower the monthly churn hazard by 1.2
    log-odds; E02 (Operations) is a busy decoy serving the biggest accounts
    (which leave less anyway); E12 (Billing) only joins accounts in month 12,
    once they have survived a year (naively, their accounts all stayed).
    """
    rng = np.random.default_rng(seed)
    start = date(AS_OF.year - years, AS_OF.month, 1)
    size = rng.standard_normal(accounts)
    big = size > np.quantile(size, 0.7)
    ops = np.where(big & (rng.random(accounts) < 0.8), 2, rng.integers(1, 11, accounts))
    bill = rng.integers(11, 21, accounts)
    bill = np.where(bill == 12, 13, bill)
    months = 12 * years
    logit = -3.6 - 0.6 * size
    logit = logit - 1.2 * (ops == 1) - 1.2 * (bill == 11)
    hazard = 1 / (1 + np.exp(-logit))
    leave = rng.random((accounts, months)) < hazard[:, None]
    leave[:, 0] = False
    month = np.where(leave.any(axis=1), leave.argmax(axis=1), -1)
    ids = [f"A{i:05d}" for i in range(accounts)]
    ended = [
        None if m < 0 else _month_start(int(m), start) + timedelta(days=int(rng.integers(0, 28)))
        for m in month
    ]
    frame = pd.DataFrame(
        {
            "account_id": ids,
            "name": ids,
            "segment": np.where(size > 1, "enterprise", "smb"),
            "owner_employee_id": [f"E{b:02d}" for b in bill],
            "started_on": [
                start - timedelta(days=int(d)) for d in rng.integers(30, 2000, accounts)
            ],
            "ended_on": ended,
            "annual_value": np.round(np.exp(10 + size), 0),
        }
    )
    staff = pd.DataFrame(
        {
            "employee_id": [f"E{i:02d}" for i in range(1, 21)],
            "name": [f"Person{i} Lastname" for i in range(1, 21)],
            "department": ["Operations"] * 10 + ["Billing"] * 10,
            "role": ["clerk"] * 20,
            "left_on": [None] * 20,
        }
    )
    first = [
        (a, f"E{e:02d}", start + timedelta(days=int(rng.integers(0, 40))))
        for a, e in zip(ids, ops, strict=True)
    ] + [
        (a, f"E{e:02d}", start + timedelta(days=int(rng.integers(0, 40))))
        for a, e in zip(ids, bill, strict=True)
    ]
    survivors = [a for a, m in zip(ids, month, strict=True) if m < 0 or m > 12]
    joined = rng.choice(survivors, size=150, replace=False)
    first += [(str(a), "E12", _month_start(12, start) + timedelta(days=3)) for a in joined]
    involvement = pd.DataFrame(first, columns=["account_id", "employee_id", "first_at"])
    w = choose_windows(AS_OF, start)
    pre = involvement[pd.to_datetime(involvement["first_at"]).dt.date < w.outcome_start]
    touches = pd.DataFrame(
        {
            "account_id": np.repeat(ids, months),
            "month": np.tile(start.year * 12 + start.month - 1 + np.arange(months), accounts),
            "touches": rng.poisson(np.repeat(np.where(big, 6, 2), months)),
            "nps_sum": 0.0,
            "nps_n": 0,
            "gestures": 0,
        }
    )
    return SpecialistInputs(
        windows=w,
        accounts=frame,
        employees=staff,
        involvement=pre[["account_id", "employee_id"]].assign(n=1),
        first_involvement=involvement,
        account_months=touches,
    )


@pytest.fixture(scope="module")
def monthly() -> SpecialistInputs:
    print(f"seed {SEED}")
    return make_monthly_company()


def test_hazard_model_finds_heroes_in_both_departments_and_not_the_decoy(
    monthly: SpecialistInputs,
) -> None:
    found = {a.employee_id: a for a in attribute_retention(monthly)}
    flagged = {k for k, a in found.items() if a.flagged}
    assert {"E01", "E11"} <= flagged
    assert "E02" not in flagged
    assert found["E01"].effect > 0 and found["E01"].ci_low < found["E01"].effect
    assert found["E01"].ci_high > found["E01"].effect


def test_hazard_model_does_not_credit_a_late_joiner_of_surviving_accounts(
    monthly: SpecialistInputs,
) -> None:
    found = {a.employee_id: a for a in attribute_retention(monthly)}
    late = found["E12"]
    assert not late.flagged
    assert late.ci_low < 0 < late.ci_high or late.effect < found["E11"].effect / 2


def test_hazard_effects_count_exposure_only_after_first_involvement(
    monthly: SpecialistInputs,
) -> None:
    fit = hazard_effects(monthly)
    assert fit is not None
    late = fit.employees.index("E12")
    hero = fit.employees.index("E01")
    assert fit.n_accounts[late] <= 150
    assert fit.n_months[late] <= 150 * 12  # months 13..24 at most
    assert fit.contrast[hero] < 0 < fit.rows and fit.events > 0


def test_retention_points_turn_log_odds_into_percentage_points() -> None:
    base = np.array([0.01, 0.01, 0.05])
    points = retention_points(np.array([-1.0, 1.0, -1.0]), base, 12)
    assert points[0] > 0 > points[1]
    assert points[2] > points[0]  # the same log-odds matter more on riskier accounts
    assert retention_points(np.array([0.0]), np.array([0.02]), 12)[0] == pytest.approx(0.0)


def test_fit_penalized_logit_matches_a_dense_newton_solution() -> None:
    rng = np.random.default_rng(SEED)
    n = 3000
    dense = np.column_stack([np.ones(n), rng.standard_normal(n)])
    members = rng.integers(0, 4, n)
    exposures = sparse.csr_matrix((np.ones(n), (np.arange(n), members)), shape=(n, 4))
    logit = -2.0 + 0.5 * dense[:, 1] + np.array([0.0, -1.0, 0.5, 0.0])[members]
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    penalty = np.array([1e-6, 1e-6, 0.1, 0.1, 0.1, 0.1])
    beta, covariance = fit_penalized_logit(dense, exposures, y, penalty)
    X = np.column_stack([dense, exposures.toarray()])
    p = 1 / (1 + np.exp(-(X @ beta)))
    gradient = X.T @ (y - p) - penalty * beta
    assert np.abs(gradient).max() < 1e-4  # the penalised optimum
    information = (X * (p * (1 - p))[:, None]).T @ X + np.diag(penalty)
    assert np.allclose(covariance, np.linalg.inv(information), rtol=1e-3, atol=1e-6)
    assert beta[3] - beta[2] == pytest.approx(-1.0, abs=0.35)


def test_a_longer_history_is_read_whole_and_narrows_the_intervals() -> None:
    print(f"seed {SEED}")
    two, four = make_monthly_company(years=2), make_monthly_company(years=4)
    assert four.windows.exposure_start == date(AS_OF.year - 4, AS_OF.month, 1)
    short, long = hazard_effects(two), hazard_effects(four)
    assert short is not None and long is not None
    print(f"rows {short.rows} -> {long.rows}, departures {short.events} -> {long.events}")
    assert long.rows > 1.5 * short.rows and long.events > 1.4 * short.events
    for hero in ("E01", "E11"):
        a, b = short.employees.index(hero), long.employees.index(hero)
        assert long.std_error[b] < 0.95 * short.std_error[a]


def test_fit_penalized_logit_levels_and_repeated_patterns_match_one_hot_columns() -> None:
    rng = np.random.default_rng(SEED)
    n, q, p = 4000, 5, 6
    dense = np.column_stack([np.ones(n), rng.standard_normal(n)])
    levels = rng.integers(-1, q, n)  # -1: the reference level
    # few distinct exposure patterns, many rows each (an account keeps its people for months)
    patterns = (rng.random((12, p)) < 0.4).astype(float)
    exposures = sparse.csr_matrix(patterns[rng.integers(0, 12, n)])
    logit = -2.5 + 0.4 * dense[:, 1] + exposures @ rng.normal(0, 0.5, p) + 0.3 * (levels == 2)
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(float)
    one_hot = sparse.csr_matrix(
        (np.ones(int((levels >= 0).sum())), (np.flatnonzero(levels >= 0), levels[levels >= 0])),
        shape=(n, q),
    )
    penalty = np.concatenate([np.full(2 + q, 1e-6), np.full(p, 0.1)])
    plain = fit_penalized_logit(dense, sparse.hstack([one_hot, exposures]).tocsr(), y, penalty)
    grouped = fit_penalized_logit(dense, exposures, y, penalty, levels=levels, n_levels=q)
    assert np.allclose(grouped[0], plain[0], atol=1e-6)
    assert np.allclose(grouped[1], plain[1], rtol=1e-6, atol=1e-9)


def test_health_reports_enter_only_the_months_after_them() -> None:
    index = pd.Series([0, 1], index=["A1", "A2"])
    kpis = pd.DataFrame(
        {
            "account_id": ["A1", "A1", "A2"],
            "month": [100, 102, 101],
            "metric": ["health_score", "health_score", "pipeline_health"],
            "value_sum": [90.0, 50.0, 70.0],
            "value_n": [1, 1, 1],
        }
    )
    z, n = _health_grids(kpis, index, first=100, n_months=4)
    assert n[0].tolist() == [0, 1, 1, 2]  # a report counts from the next month on
    assert n[1].tolist() == [0, 0, 1, 1]
    assert z[0, 1] > 0 > z[0, 3] - z[0, 2]  # the good report, then a worse one
    assert z[1, 2] == pytest.approx(0.0)  # a metric's only value is its own mean
