"""Out-of-time quality of a churn model: ROC AUC, the Brier score, calibration in the large.

:func:`backtest` trains an :class:`~carpe.analytics.early_warning.EarlyWarningModel`
on the labels known by a cut-off and scores the rows from it on; :class:`Backtest`
holds what it measured. :func:`roc_auc` is scikit-learn's ROC AUC that gives NaN
instead of an error when only one outcome (or a missing score) is present, as
the pipeline's model choice needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
from numpy.typing import ArrayLike
from sklearn.metrics import brier_score_loss, roc_auc_score

from carpe.analytics.early_warning import EarlyWarningModel

__all__ = ["Backtest", "backtest", "roc_auc"]


def roc_auc(y: ArrayLike, score: ArrayLike) -> float:
    """ROC AUC of ``score`` against 0/1 ``y``; NaN with one outcome or a missing score.

    Ties count a half (scikit-learn's :func:`~sklearn.metrics.roc_auc_score`).

    Examples
    --------
    >>> roc_auc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8])
    0.75
    >>> roc_auc([1, 1], [0.2, 0.3])
    nan
    """
    truth = np.asarray(y)
    scores = np.asarray(score, dtype=np.float64)
    if np.unique(truth).size != 2 or np.isnan(scores).any():
        return float("nan")
    return float(roc_auc_score(truth, scores))


@dataclass(frozen=True, slots=True)
class Backtest:
    """Out-of-time quality of an early-warning model.

    Attributes
    ----------
    cutoff : date
        Training used only labels known by this day; scoring used as-of dates from it on.
    n_train, n_test : int
        Rows trained on and scored.
    auc, brier : float
        ROC AUC and Brier score on the scored rows (AUC is NaN with one label).
    mean_risk, observed_rate : float
        Average predicted risk and actual share that left, on the scored rows.
    """

    cutoff: date
    n_train: int
    n_test: int
    auc: float
    brier: float
    mean_risk: float
    observed_rate: float


def backtest(
    model: EarlyWarningModel,
    X: pd.DataFrame,
    y: ArrayLike,
    as_of: ArrayLike,
    cutoff: Any,
    horizon_days: int = 90,
) -> Backtest:
    """Train on the past, score the future, with no label from after the cut-off.

    A row's label ("left within ``horizon_days`` of its as-of date") is only
    known ``horizon_days`` after the as-of date, so training keeps the rows with
    ``as_of + horizon_days <= cutoff``; scoring uses the rows with
    ``as_of >= cutoff``. Rows in between are used by neither.

    Parameters
    ----------
    model : EarlyWarningModel
        An unfitted model; it is fitted here on the training rows.
    X : pandas.DataFrame
        Features, one row per account and as-of date.
    y : array-like of shape (n,)
        1 if the account left within the horizon of that as-of date.
    as_of : array-like of shape (n,)
        Each row's as-of date.
    cutoff : date-like
        The day that separates the past from the future.
    horizon_days : int, default 90
        The label's horizon.

    Returns
    -------
    Backtest
        Sizes and the scored rows' AUC, Brier score and calibration in the large.
    """
    day = pd.Timestamp(cutoff).normalize()
    dates = pd.to_datetime(pd.Series(np.asarray(as_of)), format="ISO8601").dt.normalize()
    labels = np.asarray(y)
    train = (dates + pd.Timedelta(days=horizon_days) <= day).to_numpy()
    test = (dates >= day).to_numpy()
    if not train.any() or not test.any():
        raise ValueError("the cut-off leaves no rows to train on or none to score")
    model.fit(X[train], labels[train])
    risk = model.predict_risk(X[test])
    truth = labels[test].astype(np.int64)
    return Backtest(
        cutoff=day.date(),
        n_train=int(train.sum()),
        n_test=int(test.sum()),
        auc=roc_auc(truth, risk),
        brier=float(brier_score_loss(truth, risk)),
        mean_risk=float(risk.mean()),
        observed_rate=float(truth.mean()),
    )
