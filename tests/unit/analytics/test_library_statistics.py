"""carpe's AUC and Benjamini-Hochberg are scikit-learn's and scipy's, with the same numbers as
the textbook formulas they replaced (ties and NaN included)."""

from __future__ import annotations

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import pytest

from carpe.analytics.backtest import roc_auc
from carpe.analytics.effects import benjamini_hochberg, weighted_benjamini_hochberg


def textbook_auc(y: np.ndarray, score: np.ndarray) -> float:
    """Mann-Whitney: mean rank of the positives (ties count a half)."""
    ranks = pd.Series(score).rank(method="average").to_numpy()
    pos = int(y.sum())
    neg = len(y) - pos
    if pos == 0 or neg == 0:
        return float("nan")
    return float((ranks[y == 1].sum() - pos * (pos + 1) / 2) / (pos * neg))


def textbook_bh(p_values: np.ndarray) -> np.ndarray:
    """The step-up adjustment: q_(i) = min over j >= i of m p_(j) / j, at most 1."""
    p = np.asarray(p_values, dtype=np.float64)
    q = np.full_like(p, np.nan)
    valid = np.flatnonzero(~np.isnan(p))
    m = valid.size
    if m == 0:
        return q
    order = valid[np.argsort(p[valid], kind="stable")]
    scaled = p[order] * m / np.arange(1, m + 1)
    q[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return q


def _score_vectors() -> list[tuple[np.ndarray, np.ndarray]]:
    rng = np.random.default_rng(7)
    y = (rng.random(400) < 0.2).astype(int)
    vectors = [
        (np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8])),
        (np.array([0, 1, 0, 1, 1, 0]), np.array([0.5, 0.5, 0.5, 0.9, 0.1, 0.1])),  # ties
        (y, rng.random(400) + y * 0.3),
        (y, np.round(rng.random(400) + y * 0.3, 1)),  # many ties
    ]
    return vectors


@pytest.mark.parametrize("case", range(4))
def test_auc_matches_the_mann_whitney_formula(case: int) -> None:
    y, score = _score_vectors()[case]
    assert roc_auc(y, score) == pytest.approx(textbook_auc(y, score), rel=1e-12)


def test_auc_is_nan_with_one_outcome_or_a_missing_score() -> None:
    assert np.isnan(roc_auc(np.array([1, 1, 1]), np.array([0.1, 0.2, 0.3])))
    assert np.isnan(roc_auc(np.array([0, 1]), np.array([np.nan, np.nan])))


def _p_vectors() -> list[np.ndarray]:
    rng = np.random.default_rng(11)
    return [
        np.array([0.01, 0.04, 0.03, 0.5, np.nan]),
        np.array([0.02, 0.02, 0.02, 0.3, 0.3, 0.9]),  # ties
        np.array([0.7]),
        np.array([np.nan, np.nan]),
        np.concatenate([rng.random(200) ** 3, [np.nan] * 5]),
    ]


@pytest.mark.parametrize("case", range(5))
def test_benjamini_hochberg_matches_the_step_up_formula(case: int) -> None:
    p = _p_vectors()[case]
    found, expected = benjamini_hochberg(p), textbook_bh(p)
    np.testing.assert_allclose(found, expected, rtol=1e-12, equal_nan=True)
    assert ((found <= 0.1) == (expected <= 0.1)).all()


def test_weighted_benjamini_hochberg_matches_the_formula_on_p_over_w() -> None:
    rng = np.random.default_rng(3)
    p = np.concatenate([rng.random(60) ** 2, [0.02, 0.02, np.nan]])
    w = np.concatenate([rng.random(60) * 2, [0.0, 3.0, 1.0]])  # a zero weight: q = 1
    scaled = w / w[~np.isnan(p)].mean()
    with np.errstate(divide="ignore"):
        ratio = np.where(np.isnan(p), np.nan, np.where(scaled > 0, p / scaled, np.inf))
    expected = textbook_bh(ratio)
    found = weighted_benjamini_hochberg(p, w)
    np.testing.assert_allclose(found, expected, rtol=1e-12, equal_nan=True)
    assert found[60] == 1.0 and np.isnan(found[62])
