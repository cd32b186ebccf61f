"""Case-control sampling of training rows: fit on fewer rows, estimate the same model."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["sample_training_rows"]


def sample_training_rows(
    labels: np.ndarray[Any, Any], max_rows: int, seed: int
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Which training rows to fit on, and what each stands for (case-control sampling).

    Up to ``max_rows`` rows, every row. Beyond it, each label keeps a uniform
    random sample (every leaver when they fill at most half of ``max_rows``,
    the stayers the rest), weighted by the inverse of its sampling rate, so the
    weighted rows add up to the full table per label and a weighted fit
    estimates the same model.

    Parameters
    ----------
    labels : numpy.ndarray of shape (n,)
        0/1 labels.
    max_rows : int
        Rows to keep at most (at least 2).
    seed : int
        Seed of the sample.

    Returns
    -------
    rows : numpy.ndarray of int
        Row positions, ascending.
    weights : numpy.ndarray of float
        One per kept row.

    Examples
    --------
    >>> rows, weights = sample_training_rows(np.array([0, 0, 0, 0, 1]), 3, seed=0)
    >>> len(rows), float(weights.sum())
    (3, 5.0)
    """
    if max_rows < 2:
        raise ValueError("max_rows must be at least 2")
    n = len(labels)
    if n <= max_rows:
        return np.arange(n), np.ones(n)
    rng = np.random.default_rng(seed)
    positives, negatives = np.flatnonzero(labels == 1), np.flatnonzero(labels != 1)
    keep_positive = min(len(positives), max(max_rows // 2, max_rows - len(negatives)))
    keep_negative = min(len(negatives), max_rows - keep_positive)
    rows, weights = [], []
    for group, keep in ((positives, keep_positive), (negatives, keep_negative)):
        if keep == 0:
            continue
        chosen = group if keep == len(group) else rng.choice(group, size=keep, replace=False)
        rows.append(chosen)
        weights.append(np.full(keep, len(group) / keep))
    order = np.concatenate(rows)
    sort = np.argsort(order, kind="stable")
    return order[sort], np.concatenate(weights)[sort]
