"""Early warning inside the pipeline: features, a model trained on past snapshots, risk.

:class:`FeaturesStep` computes every active account's features as of the run's
day. :class:`EarlyWarningStep` trains
:class:`carpe.analytics.early_warning.EarlyWarningModel` on monthly as-of
snapshots whose labels were already known on the run's day (``T + horizon <=
as_of``), scores the current features and explains each score in words.
:func:`score_at` does the same at a past cut-off (``benchmarks/early_warning_backtest.py``
compares its scores with what happened after it).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.early_warning import Driver, EarlyWarningModel
from carpe.analytics.pipeline.context import Context
from carpe.analytics.pipeline.features import account_features, feature_names
from carpe.analytics.pipeline.labels import churn_labels, training_dates
from carpe.analytics.pipeline.model_choice import ModelChoice, choose_model, usable_columns
from carpe.analytics.pipeline.sampling import sample_training_rows
from carpe.analytics.pipeline.windows import KEYS
from carpe.analytics.pipeline.wording import WORSE_WHEN, describe

WARM_UP_DAYS: Final = 180
"""A training as-of date needs this much history before it."""
MAX_DEPARTMENTS: Final = 12


@dataclass(frozen=True, slots=True)
class Features:
    """Every active account's features as of the run's day.

    Attributes
    ----------
    as_of : date
        The day.
    departments : list of str
        Departments with their own touchpoint count.
    history_start : date or None
        The first touchpoint's day (None without touchpoints).
    frame : pandas.DataFrame
        One row per account, sorted by ``account_id``: ``account_id``, ``as_of``
        and the columns of :func:`~carpe.analytics.pipeline.features.feature_names`.
    """

    as_of: date
    departments: list[str]
    history_start: date | None
    frame: pd.DataFrame


@dataclass(frozen=True, slots=True)
class AccountRisk:
    """One account's risk of leaving within the horizon, with its reasons."""

    account_id: str
    risk: float
    rank: int
    drivers: list[Driver]


@dataclass(frozen=True, slots=True)
class RiskResult:
    """The early-warning step's output.

    Attributes
    ----------
    accounts : list of AccountRisk
        Riskiest first (ties by account id).
    training_dates : list of date
        The as-of snapshots trained on.
    training_rows, training_positives : int
        Rows trained on and how many of them left within the horizon.
    note : str
        Why there are no scores, when there are none.
    model : ModelChoice or None
        The model kind in use and the backtest that chose it.
    """

    accounts: list[AccountRisk]
    training_dates: list[date]
    training_rows: int
    training_positives: int
    note: str = ""
    model: ModelChoice | None = None


def _departments(context: Context) -> list[str]:
    staff = context.tables["employees"]
    named = staff.filter(staff.department.notnull())
    counts = named.group_by("department").aggregate(n=named.count())
    frame = context.execute(counts)
    frame = frame.sort_values(["n", "department"], ascending=[False, True])
    return sorted(str(d) for d in frame["department"].head(MAX_DEPARTMENTS))


def _history_start(context: Context) -> date | None:
    tp = context.tables["touchpoints"]
    first = context.execute(tp.occurred_at.date().min())
    return None if first is None or pd.isna(first) else pd.Timestamp(first).date()


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["as_of"] = pd.to_datetime(frame["as_of"]).dt.date
    return frame.sort_values(list(KEYS), kind="stable").reset_index(drop=True)


class FeaturesStep:
    """Compute every active account's features as of the run's day."""

    def run(self, context: Context) -> Features:
        """Compute the features (see :class:`Features`)."""
        departments = _departments(context)
        expression = account_features(
            context.tables, [context.options.as_of], departments=departments
        )
        frame = _sorted(context.execute(expression))
        return Features(context.options.as_of, departments, _history_start(context), frame)


def training_frame(
    context: Context, dates: Sequence[date], departments: Sequence[str]
) -> pd.DataFrame:
    """Features at past as-of dates with their labels (``left_within``), sorted by account and date.

    Parameters
    ----------
    context : Context
        The run's context.
    dates : sequence of date
        As-of dates, each with a known label.
    departments : sequence of str
        As in :func:`~carpe.analytics.pipeline.features.account_features`.

    Returns
    -------
    pandas.DataFrame
        Features plus ``left_within`` (0/1).
    """
    horizon = context.options.horizon_days
    features = account_features(context.tables, list(dates), departments=departments)
    labels = churn_labels(context.tables["accounts"], list(dates), horizon_days=horizon)
    joined = features.join(labels, list(KEYS))
    return _sorted(context.execute(joined))


def fit_and_score(
    train: pd.DataFrame,
    current: pd.DataFrame,
    *,
    departments: Sequence[str],
    top: int,
    seed: int,
    max_rows: int | None = None,
    kind: str = "additive",
) -> list[AccountRisk]:
    """Fit the early-warning model on ``train`` and score ``current``, riskiest first.

    Parameters
    ----------
    train : pandas.DataFrame
        Features and ``left_within`` labels.
    current : pandas.DataFrame
        Features of the accounts to score (``account_id`` first).
    departments : sequence of str
        Departments behind the per-department features (for the wording).
    top : int
        Reasons per account.
    seed : int
        The model's seed (and the training sample's).
    max_rows : int, optional
        Fit on at most this many rows of ``train`` (:func:`sample_training_rows`).
    kind : {"additive", "boosting"}, default "additive"
        The model's kind (see :func:`~carpe.analytics.pipeline.model_choice.choose_model`).

    Returns
    -------
    list of AccountRisk
        One per row of ``current``, ranked.
    """
    if top < 1:
        raise ValueError("top must be at least 1")
    columns = usable_columns(train, feature_names(departments))
    labels = train["left_within"].to_numpy()
    if max_rows is not None and len(train) > max_rows:
        rows, weights = sample_training_rows(labels, max_rows, seed)
        model = EarlyWarningModel(kind=kind, random_state=seed).fit(  # type: ignore[arg-type]
            train[columns].iloc[rows], labels[rows], sample_weight=weights
        )
    else:
        model = EarlyWarningModel(kind=kind, random_state=seed).fit(  # type: ignore[arg-type]
            train[columns], labels
        )
    features = current[columns]
    risk = model.predict_risk(features)
    pushes = model.contributions(features).to_numpy()
    pushes[~problem_side(features, train[columns])] = 0.0
    chosen, contribution, kept = top_contributions(pushes, top)
    texts = _driver_texts(features, chosen, kept, departments)
    ids = current["account_id"].to_numpy()
    order = np.lexsort((ids, -risk))
    names = [str(c) for c in features.columns]
    # Python's round (correctly rounded), not numpy's (scale, round, unscale).
    rounded = [[round(v, 6) for v in row] for row in contribution.tolist()]
    picked, counts, words = chosen.tolist(), kept.sum(axis=1).tolist(), texts.tolist()
    risks = risk.tolist()
    found: list[AccountRisk] = []
    for rank, i in enumerate(order.tolist(), start=1):
        drivers = [
            Driver(names[picked[i][k]], rounded[i][k], words[i][k]) for k in range(counts[i])
        ]
        found.append(AccountRisk(str(ids[i]), risks[i], rank, drivers))
    return found


def problem_side(features: pd.DataFrame, typical: pd.DataFrame) -> np.ndarray[Any, Any]:
    """Which values may be reasons: on the problem side of the typical account's value.

    A feature may explain risk only when :data:`~carpe.analytics.pipeline.wording.WORSE_WHEN`
    gives it a problem side and the account is past the training median on that
    side (more tickets than typical, longer silence, lower scores). Everything else
    -- a protective value, a value nobody calls a problem (tenure, size, segment),
    a missing value -- is never a reason, whatever the model's contribution.

    Parameters
    ----------
    features : pandas.DataFrame
        The accounts' features.
    typical : pandas.DataFrame
        The training rows (their medians are the typical values).

    Returns
    -------
    numpy.ndarray of bool, shape (n, p)
        True where the value may be a reason.
    """
    allowed = np.zeros(features.shape, dtype=bool)
    for j, column in enumerate(features.columns):
        side = WORSE_WHEN.get(str(column))
        if side is None:
            continue
        values, seen = features[column].to_numpy(dtype=float), typical[column].dropna()
        if seen.empty:
            continue
        median = float(np.median(seen.to_numpy(dtype=float)))
        with np.errstate(invalid="ignore"):
            allowed[:, j] = side * (values - median) > 0
    return allowed


def top_contributions(
    contributions: np.ndarray[Any, Any], top: int
) -> tuple[np.ndarray[Any, Any], np.ndarray[Any, Any], np.ndarray[Any, Any]]:
    """Each row's largest contributions, largest first, as reasons (all rows at once).

    The same choice as :meth:`carpe.analytics.early_warning.EarlyWarningModel.explain`:
    the ``top`` largest (ties: the earlier feature first), cut before the first
    that is not positive.

    Parameters
    ----------
    contributions : numpy.ndarray of shape (n, p)
        Per-feature log-odds contributions.
    top : int
        Reasons per row at most.

    Returns
    -------
    chosen : numpy.ndarray of int, shape (n, k)
        Feature indices, largest contribution first (``k = min(top, p)``).
    values : numpy.ndarray of float, shape (n, k)
        Their contributions.
    kept : numpy.ndarray of bool, shape (n, k)
        Which are reasons (a prefix of each row).
    """
    # A full stable sort of each row: p is a few dozen features, so this costs
    # little, and equal contributions keep the feature order as explain() does.
    order = np.argsort(-contributions, axis=1, kind="stable")[:, :top]
    values = np.take_along_axis(contributions, order, axis=1)
    kept = ~np.logical_or.accumulate(values <= 0, axis=1)
    return order, values, kept


def _driver_texts(
    features: pd.DataFrame,
    chosen: np.ndarray[Any, Any],
    kept: np.ndarray[Any, Any],
    departments: Sequence[str],
) -> np.ndarray[Any, Any]:
    """The words of every chosen reason, one feature column at a time (each value worded once)."""
    texts = np.full(chosen.shape, "", dtype=object)
    for j, feature in enumerate(features.columns):
        rows, slots = np.nonzero((chosen == j) & kept)
        if rows.size == 0:
            continue
        values = features[feature].to_numpy()[rows]
        if values.dtype.kind == "f":
            # By bit pattern, so -0.0 and 0.0 stay apart ("-0.00" and "+0.00").
            codes, _ = pd.factorize(values.view(f"i{values.itemsize}"))
            firsts = np.unique(codes, return_index=True)[1]
            uniques = values[firsts]
        else:
            codes, _ = pd.factorize(values, use_na_sentinel=False)
            firsts = np.unique(codes, return_index=True)[1]
            uniques = values[firsts]
        words = np.array(
            [describe(str(feature), _python(v), departments) for v in uniques], dtype=object
        )
        texts[rows, slots] = words[codes]
    return texts


def _python(value: Any) -> Any:
    return value.item() if isinstance(value, np.generic) else value


def _enough(train: pd.DataFrame) -> bool:
    positives = int(train["left_within"].sum()) if len(train) else 0
    return positives >= 2 and len(train) - positives >= 2


class EarlyWarningStep:
    """Risk of leaving within the horizon for every active account, with its reasons."""

    def run(self, context: Context) -> RiskResult:
        """Train on past monthly snapshots, score the run's day (see :class:`RiskResult`)."""
        features = context.output(Features)
        options = context.options
        if features.history_start is None or features.frame.empty:
            return RiskResult([], [], 0, 0, note="no accounts or no touchpoints to learn from")
        dates = training_dates(
            options.as_of,
            horizon_days=options.horizon_days,
            months=options.training_months,
            earliest=features.history_start + timedelta(days=WARM_UP_DAYS),
        )
        train = training_frame(context, dates, features.departments) if dates else pd.DataFrame()
        positives = int(train["left_within"].sum()) if len(train) else 0
        if not _enough(train):
            note = (
                f"not enough history to learn from: {len(train)} past account-months, "
                f"{positives} of them leaving within {options.horizon_days} days"
            )
            return RiskResult([], dates, len(train), positives, note=note)
        choice = choose_model(
            train,
            feature_names(features.departments),
            horizon_days=options.horizon_days,
            seed=options.seed,
        )
        accounts = fit_and_score(
            train,
            features.frame,
            departments=features.departments,
            top=options.top_drivers,
            seed=options.seed,
            max_rows=options.max_training_rows,
            kind=choice.kind,
        )
        return RiskResult(accounts, dates, len(train), positives, model=choice)


def score_at(context: Context, cutoff: date) -> pd.DataFrame:
    """Train with labels known at ``cutoff`` and score every account active on it.

    Parameters
    ----------
    context : Context
        The run's context.
    cutoff : date
        The scoring day.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``left_within`` (what the store says happened within the
        horizon after ``cutoff``; 0 for what has not happened yet) and ``risk``,
        sorted by account; ``attrs["model"]`` holds the model choice
        (:meth:`~carpe.analytics.pipeline.model_choice.ModelChoice.as_dict`).
    """
    options = context.options
    departments = _departments(context)
    start = _history_start(context)
    if start is None:
        raise ValueError("no touchpoints: nothing to backtest")
    dates = training_dates(
        cutoff,
        horizon_days=options.horizon_days,
        months=options.training_months,
        earliest=start + timedelta(days=WARM_UP_DAYS),
    )
    train = training_frame(context, dates, departments)
    if not _enough(train):
        raise ValueError(f"not enough history before {cutoff} to train")
    scored = training_frame(context, [cutoff], departments)
    choice = choose_model(
        train, feature_names(departments), horizon_days=options.horizon_days, seed=options.seed
    )
    ranked = fit_and_score(
        train,
        scored,
        departments=departments,
        top=1,
        seed=options.seed,
        max_rows=options.max_training_rows,
        kind=choice.kind,
    )
    risk = pd.Series({a.account_id: a.risk for a in ranked})
    found = pd.DataFrame(
        {
            "account_id": scored["account_id"].to_numpy(),
            "left_within": scored["left_within"].to_numpy(),
            "risk": risk.loc[scored["account_id"]].to_numpy(),
        }
    )
    found.attrs["model"] = choice.as_dict()
    return found
