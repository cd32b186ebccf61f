"""Synthetic data with known truth for the analytics tests (seeded, small, fast)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy.special import expit

REPO = Path(__file__).resolve().parents[3]


def shared_data_dir() -> Path:
    """The real public data: ``CARPE_DATA_DIR`` or ``../shared/data`` beside the repository."""
    return Path(os.environ.get("CARPE_DATA_DIR", REPO.parent / "shared" / "data"))


def require_data(relative: str) -> Path:
    """Path of a real data file, skipping the test (with the reason) when it is absent."""
    path = shared_data_dir() / relative
    if not path.exists():
        pytest.skip(f"real data not found at {path} (set CARPE_DATA_DIR)")
    return path


def make_bgnbd_customers(
    n: int, r: float, alpha: float, a: float, b: float, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Simulate BG/NBD purchase histories; returns (x, t_x, T) with T in [20, 40]."""
    rng = np.random.default_rng(seed)
    rate = rng.gamma(r, 1.0 / alpha, n)
    drop = rng.beta(a, b, n)
    age = rng.uniform(20.0, 40.0, n)
    x = np.zeros(n)
    t_x = np.zeros(n)
    for i in range(n):
        clock = 0.0
        while True:
            clock += rng.exponential(1.0 / rate[i]) if rate[i] > 0 else np.inf
            if clock > age[i]:
                break
            x[i] += 1
            t_x[i] = clock
            if rng.random() < drop[i]:
                break
    return x, t_x, age


def make_risk_features(n: int, seed: int) -> tuple[pd.DataFrame, np.ndarray]:
    """Accounts whose leaving is driven by late deliveries, an open dispute and silence."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "late_deliveries_60d": rng.poisson(1.0, n).astype(float),
            "billing_dispute_open": (rng.random(n) < 0.15).astype(int),
            "days_since_personal_touch": rng.exponential(60.0, n),
            "annual_value": rng.lognormal(9.0, 1.0, n),
            "segment": rng.choice(["clinic", "retail", "wholesale"], n),
        }
    )
    log_odds = (
        -2.5
        + 0.8 * frame["late_deliveries_60d"]
        + 1.5 * frame["billing_dispute_open"]
        + 0.012 * frame["days_since_personal_touch"]
        + 0.4 * (frame["segment"] == "retail")
    )
    left = (rng.random(n) < expit(log_odds)).astype(int)
    return frame, left


def make_confounded_followups(
    n: int, seed: int, log_odds_effect: float = -0.8
) -> tuple[pd.DataFrame, float, float]:
    """Bigger, friendlier accounts get more follow-ups and churn less anyway.

    Returns the table (``size``, ``friendly``, ``segment``, ``followed_up``,
    ``churned``), the true average effect of a follow-up on churn over these
    accounts (risk difference) and the true effect on the followed-up accounts.
    """
    rng = np.random.default_rng(seed)
    size = rng.normal(size=n)
    friendly = (rng.random(n) < 0.4).astype(int)
    segment = rng.choice(["smb", "mid", "enterprise"], n)
    treated = (rng.random(n) < expit(-0.5 + 1.2 * size + 1.0 * friendly)).astype(int)
    base = -1.0 - 1.0 * size - 0.8 * friendly
    p_treated, p_control = expit(base + log_odds_effect), expit(base)
    churned = (rng.random(n) < np.where(treated == 1, p_treated, p_control)).astype(int)
    table = pd.DataFrame(
        {
            "size": size,
            "friendly": friendly,
            "segment": segment,
            "followed_up": treated,
            "churned": churned,
        }
    )
    effect = p_treated - p_control
    return table, float(effect.mean()), float(effect[treated == 1].mean())
