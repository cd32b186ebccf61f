"""The early-warning training sample: every row up to the cap, then weighted case-control."""

from __future__ import annotations

import numpy as np
import pytest

from carpe.analytics.pipeline.sampling import sample_training_rows


def test_sample_training_rows_keeps_every_row_up_to_the_cap() -> None:
    labels = np.array([0, 1, 0, 0, 1])
    rows, weights = sample_training_rows(labels, 5, seed=0)
    assert rows.tolist() == [0, 1, 2, 3, 4]
    assert weights.tolist() == [1.0] * 5


def test_sample_training_rows_keeps_every_leaver_and_weights_the_stayers() -> None:
    rng = np.random.default_rng(3)
    labels = (rng.random(10_000) < 0.05).astype(int)
    rows, weights = sample_training_rows(labels, 2_000, seed=1)
    assert len(rows) == 2_000 and np.all(np.diff(rows) > 0)
    assert set(np.flatnonzero(labels == 1)) <= set(rows.tolist())
    kept = labels[rows]
    assert np.all(weights[kept == 1] == 1.0)
    assert weights[kept == 0].sum() == pytest.approx((labels == 0).sum())
    again, _ = sample_training_rows(labels, 2_000, seed=1)
    other, _ = sample_training_rows(labels, 2_000, seed=2)
    assert again.tolist() == rows.tolist() and other.tolist() != rows.tolist()


def test_sample_training_rows_samples_leavers_too_when_they_are_most_of_the_cap() -> None:
    labels = np.array([1] * 900 + [0] * 300)
    rows, weights = sample_training_rows(labels, 400, seed=0)
    kept = labels[rows]
    assert (kept == 1).sum() == 200 and (kept == 0).sum() == 200
    assert weights[kept == 1].sum() == pytest.approx(900)
    assert weights[kept == 0].sum() == pytest.approx(300)
    with pytest.raises(ValueError, match="at least 2"):
        sample_training_rows(labels, 1, seed=0)
