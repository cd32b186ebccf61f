"""Which early-warning model to trust on this store: a rolling-origin backtest on its own history.

For each of the last few monthly training dates (the *origins*), both model kinds
(:class:`~carpe.analytics.early_warning.EarlyWarningModel`, ``additive`` and
``boosting``) are fitted only on the snapshots whose labels were known by that
origin (``as_of + horizon <= origin``) and scored on the accounts active at it.
The kind with the better mean AUC over the origins is used (the additive model,
whose reasons are exact, unless boosting is better by more than
:data:`MARGIN`). The chosen kind's pooled out-of-time scores give the AUC, the
Brier score and a calibration table that managers see next to the risk list.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.backtest import roc_auc
from carpe.analytics.early_warning import EarlyWarningModel
from carpe.analytics.pipeline.sampling import sample_training_rows

KINDS: Final = ("additive", "boosting")
ORIGINS: Final = 2
MARGIN: Final = 0.01
"""Boosting replaces the additive model only when its mean AUC is higher by more than this."""
MAX_ROWS: Final = 10_000
"""Each backtest fit uses at most this many rows (a weighted case-control sample beyond it)."""
CALIBRATION_FOLDS: Final = 3
"""Platt-scaling folds of the boosting model in the backtest (the final fit uses its default)."""
BINS: Final = 5


@dataclass(frozen=True, slots=True)
class CalibrationBin:
    """Accounts grouped by predicted risk: what was predicted and what happened."""

    predicted: float
    observed: float
    accounts: int


@dataclass(frozen=True, slots=True)
class ModelChoice:
    """The backtest behind the model in use.

    Attributes
    ----------
    kind : str
        The kind used for the risk list.
    origins : list of str
        The past as-of dates scored (ISO).
    auc, brier : dict of str to float
        Mean AUC and Brier score over the origins, per kind.
    calibration : list of CalibrationBin
        The chosen kind's out-of-time scores in risk quintiles.
    accounts, left : int
        Account-months scored in the backtest and how many of them left.
    note : str
        Why the default kind was kept without a backtest, when it was.
    """

    kind: str
    origins: list[str] = field(default_factory=list)
    auc: dict[str, float] = field(default_factory=dict)
    brier: dict[str, float] = field(default_factory=dict)
    calibration: list[CalibrationBin] = field(default_factory=list)
    accounts: int = 0
    left: int = 0
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready form (for the analysis run's summary)."""
        return {
            "kind": self.kind,
            "origins": self.origins,
            "auc": self.auc,
            "brier": self.brier,
            "calibration": [
                {"predicted": b.predicted, "observed": b.observed, "accounts": b.accounts}
                for b in self.calibration
            ],
            "accounts": self.accounts,
            "left": self.left,
            "note": self.note,
        }


def calibration_bins(y: np.ndarray[Any, Any], p: np.ndarray[Any, Any]) -> list[CalibrationBin]:
    """Scores in :data:`BINS` groups of equal size by predicted risk, lowest first."""
    order = np.argsort(p, kind="stable")
    found = []
    for part in np.array_split(order, min(BINS, len(order))):
        if len(part):
            found.append(
                CalibrationBin(
                    round(float(p[part].mean()), 4), round(float(y[part].mean()), 4), len(part)
                )
            )
    return found


def usable_columns(train: pd.DataFrame, columns: Sequence[str]) -> list[str]:
    """``columns`` less those missing in every training row (nothing to learn from them).

    A business without reviews has no review scores; the models would otherwise
    have to bin or spline a column of nothing.
    """
    return [c for c in columns if train[c].notna().any()]


def _fit(
    kind: str, x: pd.DataFrame, y: np.ndarray[Any, Any], seed: int, max_rows: int
) -> EarlyWarningModel:
    rows, weights = sample_training_rows(y, max_rows, seed)
    model = EarlyWarningModel(
        kind=kind,  # type: ignore[arg-type]
        random_state=seed,
        calibration_cv=CALIBRATION_FOLDS,
    )
    return model.fit(x.iloc[rows], y[rows], sample_weight=weights)


def choose_model(
    train: pd.DataFrame,
    columns: Sequence[str],
    *,
    horizon_days: int,
    seed: int,
    origins: int = ORIGINS,
    max_rows: int = MAX_ROWS,
) -> ModelChoice:
    """Backtest both kinds at the last ``origins`` training dates and pick one.

    Parameters
    ----------
    train : pandas.DataFrame
        Training snapshots: ``as_of``, the feature ``columns`` and ``left_within``.
    columns : sequence of str
        The model's features.
    horizon_days : int
        The label's horizon (an origin trains only on labels known by it).
    seed : int
        Seed of the models and of the samples.
    origins : int, default 2
        Past as-of dates to score.
    max_rows : int, default 10,000
        Rows per backtest fit at most.

    Returns
    -------
    ModelChoice
        The kind to use, with the backtest's figures; the additive kind with a
        note when the history is too short for a backtest.
    """
    columns = usable_columns(train, columns)
    dates = sorted(set(train["as_of"]))
    y_all = train["left_within"].to_numpy()
    usable = []
    for origin in dates[::-1]:
        known = train["as_of"] <= origin - timedelta(days=horizon_days)
        test = train["as_of"] == origin
        ok = y_all[known].sum() >= 5 and y_all[test].sum() >= 2
        if ok and (~known).sum() > 0:
            usable.append(origin)
        if len(usable) == origins:
            break
    if not usable:
        return ModelChoice("additive", note="history too short for a backtest")
    scores: dict[str, list[np.ndarray[Any, Any]]] = {k: [] for k in KINDS}
    truth: list[np.ndarray[Any, Any]] = []
    per_origin: dict[str, list[tuple[float, float]]] = {k: [] for k in KINDS}
    for origin in sorted(usable):
        known = (train["as_of"] <= origin - timedelta(days=horizon_days)).to_numpy()
        test = (train["as_of"] == origin).to_numpy()
        x_fit, y_fit = train.loc[known, list(columns)], y_all[known]
        x_test, y_test = train.loc[test, list(columns)], y_all[test]
        truth.append(y_test)
        for kind in KINDS:
            try:
                p = _fit(kind, x_fit, y_fit, seed, max_rows).predict_risk(x_test)
            except ValueError:  # e.g. boosting cannot bin a feature missing in every row
                p = np.full(len(y_test), np.nan)
            scores[kind].append(p)
            per_origin[kind].append((roc_auc(y_test, p), float(np.mean((p - y_test) ** 2))))
    mean_auc = {k: round(float(np.mean([a for a, _ in v])), 4) for k, v in per_origin.items()}
    mean_brier = {k: round(float(np.mean([b for _, b in v])), 5) for k, v in per_origin.items()}
    better = mean_auc["boosting"] > mean_auc["additive"] + MARGIN  # False when NaN
    kind = "boosting" if better else "additive"
    y = np.concatenate(truth)
    return ModelChoice(
        kind=kind,
        origins=[d.isoformat() for d in sorted(usable)],
        auc=mean_auc,
        brier=mean_brier,
        calibration=calibration_bins(y, np.concatenate(scores[kind])),
        accounts=len(y),
        left=int(y.sum()),
    )
