"""Does it work? Effects of micro-experiences on retention, adjusted for who gets them.

Bigger, friendlier accounts receive more follow-ups and gestures *and* churn less
anyway, so the raw difference in churn between accounts with and without them
overstates the benefit. :func:`estimate_effect` adjusts for the confounders the
caller names:

``"aipw"`` (default)
    Augmented inverse-propensity weighting with cross-fitting: a propensity
    model ``e(x) = P(treated | x)`` and one outcome model per arm
    ``m_t(x) = P(outcome | treated = t, x)`` (regularised logistic regressions),
    each fitted on the other folds. The estimate is the mean of the efficient
    influence function and its interval comes from the influence function's
    variance. It is consistent when either the propensity or the outcome model is
    right ("doubly robust").
``"regression"``
    Regression adjustment (g-computation) with a seeded bootstrap interval.
``"naive"``
    The raw difference of outcome rates with a Wald interval: the baseline.

The effect is a risk difference: outcome rate if every unit were treated minus
the rate if none were (for ``outcome = churned``, a negative effect is good).

:func:`estimate_effects` estimates many such effects at once (e.g. each
employee's involvement with an account), shrinks them towards their common mean
with an empirical-Bayes normal model so groups with few units get wide intervals
rather than extreme estimates, and flags those that hold under a
Benjamini-Hochberg false-discovery-rate control.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
from numpy.typing import NDArray
from scipy import stats
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from carpe.analytics.tables import to_pandas as _to_pandas

__all__ = [
    "EffectEstimate",
    "GroupEffect",
    "benjamini_hochberg",
    "estimate_effect",
    "estimate_effects",
    "weighted_benjamini_hochberg",
]

FloatArray = NDArray[np.float64]
Method = Literal["aipw", "regression", "naive"]
Alternative = Literal["greater", "less", "two-sided"]
Estimand = Literal["ate", "att"]


@dataclass(frozen=True)
class EffectEstimate:
    """The estimated effect of a binary treatment on a binary outcome.

    Attributes
    ----------
    effect : float
        Average treatment effect as a risk difference (outcome rate if all
        treated minus if none treated).
    ci_low, ci_high : float
        Confidence interval of ``effect`` at ``confidence``.
    std_error : float
        Standard error of ``effect``.
    p_value : float
        Two-sided p-value of "no effect".
    n_treated, n_control : int
        Units in each arm.
    method : str
        ``"aipw"``, ``"regression"`` or ``"naive"``.
    estimand : str
        ``"ate"`` (all units) or ``"att"`` (the treated units).
    naive : float
        The unadjusted difference of outcome rates, for comparison.
    confidence : float
        Confidence level of the interval.
    """

    effect: float
    ci_low: float
    ci_high: float
    std_error: float
    p_value: float
    n_treated: int
    n_control: int
    method: str
    estimand: str
    naive: float
    confidence: float


@dataclass(frozen=True)
class GroupEffect:
    """One group's (e.g. one employee's) effect, raw and shrunk, with its FDR flag.

    Attributes
    ----------
    group : str
        The group's id.
    effect, ci_low, ci_high : float
        Shrunk (empirical-Bayes posterior) effect and interval.
    raw_effect, raw_std_error : float
        The group's own estimate before shrinkage (NaN when too few units).
    p_value : float
        One-sided (or two-sided) p-value of the raw estimate in the direction
        of ``alternative``.
    q_value : float
        Benjamini-Hochberg adjusted p-value across all groups.
    flagged : bool
        ``q_value <= fdr``: the effect holds after false-discovery-rate control.
    n_treated, n_control : int
        Units exposed to the group and not.
    """

    group: str
    effect: float
    ci_low: float
    ci_high: float
    raw_effect: float
    raw_std_error: float
    p_value: float
    q_value: float
    flagged: bool
    n_treated: int
    n_control: int


def _binary(values: pd.Series, name: str) -> NDArray[np.int64]:
    array = np.asarray(values.astype(float))
    if np.isnan(array).any() or not np.isin(array, [0.0, 1.0]).all():
        raise ValueError(f"{name} must hold only 0/1 (or booleans) without blanks")
    return array.astype(np.int64)


def _design(frame: pd.DataFrame, confounders: Sequence[str]) -> FloatArray:
    """Standardised numeric and one-hot categorical confounders."""
    if not confounders:
        return np.zeros((len(frame), 0))
    columns = list(confounders)
    numeric = [c for c in columns if pd.api.types.is_numeric_dtype(frame[c])]
    categorical = [c for c in columns if c not in numeric]
    parts: list[tuple[str, Any, list[str]]] = []
    if numeric:
        parts.append(
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric)
        )
    if categorical:
        encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False, drop="first")
        parts.append(("categorical", encoder, categorical))
    transformer = ColumnTransformer(parts, sparse_threshold=0.0)
    prepared = frame[columns].copy()
    for column in categorical:
        prepared[column] = prepared[column].astype(object).where(prepared[column].notna(), "")
        prepared[column] = prepared[column].astype(str)
    return np.asarray(transformer.fit_transform(prepared), dtype=np.float64)


def _fit_predict(
    X_train: FloatArray, y_train: NDArray[np.int64], X_test: FloatArray, C: float
) -> FloatArray:
    """P(y = 1 | x) from a regularised logistic regression (a constant if y is constant)."""
    if X_train.shape[1] == 0 or np.unique(y_train).size < 2:
        rate = float(y_train.mean()) if y_train.size else 0.5
        return np.full(X_test.shape[0], rate)
    model = LogisticRegression(C=C, solver="newton-cholesky", max_iter=100)
    model.fit(X_train, y_train)
    return np.asarray(model.predict_proba(X_test)[:, 1], dtype=np.float64)


def _aipw(
    X: FloatArray,
    t: NDArray[np.int64],
    y: NDArray[np.int64],
    n_folds: int,
    C: float,
    trim: float,
    random_state: int,
    estimand: Estimand = "ate",
) -> tuple[float, float]:
    n = len(t)
    propensity = np.zeros(n)
    mu1 = np.zeros(n)
    mu0 = np.zeros(n)
    folds = min(n_folds, int(np.bincount(t, minlength=2).min()))
    if folds < 2:
        raise ValueError("each arm needs at least 2 units for cross-fitting")
    splitter = StratifiedKFold(folds, shuffle=True, random_state=random_state)
    for train, test in splitter.split(X, t * 2 + y):
        propensity[test] = _fit_predict(X[train], t[train], X[test], C)
        treated, control = train[t[train] == 1], train[t[train] == 0]
        mu1[test] = _fit_predict(X[treated], y[treated], X[test], C)
        mu0[test] = _fit_predict(X[control], y[control], X[test], C)
    e = np.clip(propensity, trim, 1.0 - trim)
    if estimand == "att":
        # Effect on the treated: only the controls are reweighted, by the odds e/(1-e).
        share = t.mean()
        residual = t * (y - mu0) - (1 - t) * e / (1.0 - e) * (y - mu0)
        point = float(residual.sum() / t.sum())
        influence = (residual - t * point) / share
        return point, float(influence.std(ddof=1) / np.sqrt(n))
    psi = mu1 - mu0 + t * (y - mu1) / e - (1 - t) * (y - mu0) / (1.0 - e)
    return float(psi.mean()), float(psi.std(ddof=1) / np.sqrt(n))


def _regression(
    X: FloatArray,
    t: NDArray[np.int64],
    y: NDArray[np.int64],
    C: float,
    n_bootstrap: int,
    random_state: int,
    estimand: Estimand,
) -> tuple[float, FloatArray]:
    def effect(index: NDArray[np.intp]) -> float:
        Xb, tb, yb = X[index], t[index], y[index]
        target = Xb[tb == 1] if estimand == "att" else Xb
        mu1 = _fit_predict(Xb[tb == 1], yb[tb == 1], target, C)
        mu0 = _fit_predict(Xb[tb == 0], yb[tb == 0], target, C)
        return float((mu1 - mu0).mean())

    n = len(t)
    rng = np.random.default_rng(random_state)
    point = effect(np.arange(n))
    draws = np.array([effect(rng.integers(0, n, n)) for _ in range(n_bootstrap)])
    return point, draws


def estimate_effect(
    data: Any,
    treatment: str,
    outcome: str,
    confounders: Sequence[str] = (),
    method: Method = "aipw",
    estimand: Estimand = "ate",
    confidence: float = 0.95,
    n_folds: int = 5,
    n_bootstrap: int = 200,
    C: float = 1.0,
    trim: float = 0.01,
    random_state: int = 0,
) -> EffectEstimate:
    """Effect of a binary treatment on a binary outcome, adjusted for confounders.

    Parameters
    ----------
    data : pandas.DataFrame or pyarrow.Table
        One row per unit (e.g. account).
    treatment : str
        0/1 column: the unit received the micro-experience.
    outcome : str
        0/1 column: e.g. churned within the horizon.
    confounders : sequence of str
        Columns measured before the treatment that drive both treatment and
        outcome (size, segment, tenure, prior risk). Numeric and categorical.
    method : {"aipw", "regression", "naive"}, default "aipw"
        Estimator (see the module docstring).
    estimand : {"ate", "att"}, default "ate"
        ``"ate"``: the effect over all units (if every account got the
        follow-up vs none). ``"att"``: the effect on the units that were
        treated; it needs overlap only for them (treated units must have
        comparable controls), which is the safer choice when treatment is
        concentrated on a kind of account. Ignored by ``"naive"``.
    confidence : float, default 0.95
        Confidence level of the interval.
    n_folds : int, default 5
        Cross-fitting folds (``"aipw"``).
    n_bootstrap : int, default 200
        Bootstrap resamples (``"regression"``).
    C : float, default 1.0
        Inverse L2 strength of the nuisance logistic regressions.
    trim : float, default 0.01
        Propensities are clipped to ``[trim, 1 - trim]`` (``"aipw"``).
    random_state : int, default 0
        Seed of the folds and the bootstrap.

    Returns
    -------
    EffectEstimate
        The effect with its interval.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> d = pd.DataFrame({"size": rng.normal(size=400)})
    >>> d["followed_up"] = (rng.random(400) < 0.5).astype(int)
    >>> d["churned"] = (rng.random(400) < 0.3 - 0.1 * d["followed_up"]).astype(int)
    >>> estimate_effect(d, "followed_up", "churned", ["size"]).ci_low < 0
    True
    """
    if not 0 < confidence < 1:
        raise ValueError("confidence must lie between 0 and 1")
    if not 0 <= trim < 0.5:
        raise ValueError("trim must lie in [0, 0.5)")
    if estimand not in ("ate", "att"):
        raise ValueError(f"estimand must be 'ate' or 'att', got {estimand!r}")
    frame = _to_pandas(data)
    missing = {treatment, outcome, *confounders} - set(frame.columns)
    if missing:
        raise ValueError(f"data lacks column(s): {', '.join(sorted(missing))}")
    t = _binary(frame[treatment], treatment)
    y = _binary(frame[outcome], outcome)
    n_treated, n_control = int(t.sum()), int((1 - t).sum())
    if min(n_treated, n_control) < 2:
        raise ValueError("each arm (treated and control) needs at least 2 units")
    naive = float(y[t == 1].mean() - y[t == 0].mean())
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    if method == "naive":
        p1, p0 = y[t == 1].mean(), y[t == 0].mean()
        point, se = naive, float(np.sqrt(p1 * (1 - p1) / n_treated + p0 * (1 - p0) / n_control))
        low, high = point - z * se, point + z * se
    elif method == "aipw":
        X = _design(frame, confounders)
        point, se = _aipw(X, t, y, n_folds, C, trim, random_state, estimand)
        low, high = point - z * se, point + z * se
    elif method == "regression":
        X = _design(frame, confounders)
        point, draws = _regression(X, t, y, C, n_bootstrap, random_state, estimand)
        se = float(draws.std(ddof=1))
        tail = (1 - confidence) / 2
        low, high = (float(v) for v in np.quantile(draws, [tail, 1 - tail]))
    else:
        raise ValueError(f"method must be 'aipw', 'regression' or 'naive', got {method!r}")
    p_value = float(2 * stats.norm.sf(abs(point) / se)) if se > 0 else float(point == 0)
    return EffectEstimate(
        effect=point,
        ci_low=low,
        ci_high=high,
        std_error=se,
        p_value=p_value,
        n_treated=n_treated,
        n_control=n_control,
        method=method,
        estimand=estimand,
        naive=naive,
        confidence=confidence,
    )


def benjamini_hochberg(p_values: Sequence[float] | FloatArray) -> FloatArray:
    """Benjamini-Hochberg adjusted p-values (q-values); NaN stays NaN.

    :func:`scipy.stats.false_discovery_control` on the p-values that are not NaN.

    Parameters
    ----------
    p_values : sequence of float
        One p-value per hypothesis.

    Returns
    -------
    numpy.ndarray
        Adjusted p-values; hypotheses with ``q <= fdr`` are discoveries at that
        false-discovery rate.

    Examples
    --------
    >>> benjamini_hochberg([0.01, 0.04, 0.03, 0.5]).round(3).tolist()
    [0.04, 0.053, 0.053, 0.5]
    """
    p = np.asarray(p_values, dtype=np.float64)
    q = np.full_like(p, np.nan)
    valid = ~np.isnan(p)
    if valid.any():
        # scipy's step-up rule wants p in [0, 1]; a weighted p / w above 1 gets q = 1 either way
        q[valid] = stats.false_discovery_control(np.clip(p[valid], 0.0, 1.0), method="bh")
    return q


def weighted_benjamini_hochberg(
    p_values: Sequence[float] | FloatArray, weights: Sequence[float] | FloatArray
) -> FloatArray:
    """Weighted Benjamini-Hochberg q-values: BH applied to ``p / w`` (Genovese et al. 2006).

    Each hypothesis gets a weight ``w_i >= 0`` fixed *before* its p-value is
    looked at (from a covariate that is independent of the p-value when the
    hypothesis is null); the weights are rescaled to mean 1 over the
    hypotheses with a p-value, and the step-up rule of
    :func:`benjamini_hochberg` runs on ``p_i / w_i``. The false-discovery
    rate stays at most the nominal level under the same conditions as plain
    BH (independent or positively dependent p-values); a larger weight spends
    more of the budget on that hypothesis, a smaller one less, and a weight of
    0 makes it untestable (q = 1). Equal weights give plain BH.

    Parameters
    ----------
    p_values : sequence of float
        One p-value per hypothesis (NaN: not tested, q stays NaN).
    weights : sequence of float
        One non-negative weight per hypothesis (ignored where the p-value is NaN).

    Returns
    -------
    numpy.ndarray
        Weighted q-values; hypotheses with ``q <= fdr`` are the weighted-BH
        discoveries at that false-discovery rate.

    Raises
    ------
    ValueError
        On a negative or non-finite weight of a tested hypothesis, or when
        every such weight is 0.

    Examples
    --------
    >>> weighted_benjamini_hochberg([0.01, 0.04, 0.03, 0.5], [1, 1, 1, 1]).round(3).tolist()
    [0.04, 0.053, 0.053, 0.5]
    >>> weighted_benjamini_hochberg([0.01, 0.04, 0.03, 0.5], [1, 2, 0.5, 0.5]).round(3).tolist()
    [0.04, 0.04, 0.08, 1.0]
    """
    p = np.asarray(p_values, dtype=np.float64)
    w = np.asarray(weights, dtype=np.float64)
    if p.shape != w.shape:
        raise ValueError("one weight per p-value")
    valid = ~np.isnan(p)
    if not valid.any():
        return np.full_like(p, np.nan)
    if not np.all(np.isfinite(w[valid])) or np.any(w[valid] < 0):
        raise ValueError("weights must be finite and non-negative")
    total = float(w[valid].sum())
    if total <= 0:
        raise ValueError("at least one weight must be positive")
    scaled = w / (total / int(valid.sum()))
    with np.errstate(divide="ignore"):
        ratio = np.where(valid, np.where(scaled > 0, p / scaled, np.inf), np.nan)
    return benjamini_hochberg(ratio)


def _shrink(raw: FloatArray, se: FloatArray) -> tuple[FloatArray, FloatArray, float, float]:
    """Normal-normal empirical Bayes (DerSimonian-Laird between-group variance)."""
    ok = np.isfinite(raw) & np.isfinite(se) & (se > 0)
    if ok.sum() == 0:
        return np.full_like(raw, np.nan), np.full_like(raw, np.nan), float("nan"), float("nan")
    w = 1.0 / se[ok] ** 2
    mean_fixed = float((w * raw[ok]).sum() / w.sum())
    q_stat = float((w * (raw[ok] - mean_fixed) ** 2).sum())
    denominator = float(w.sum() - (w**2).sum() / w.sum())
    tau2 = max(0.0, (q_stat - (ok.sum() - 1)) / denominator) if denominator > 0 else 0.0
    w_random = 1.0 / (se[ok] ** 2 + tau2)
    prior_mean = float((w_random * raw[ok]).sum() / w_random.sum())
    posterior = np.full_like(raw, prior_mean)
    posterior_sd = np.full_like(raw, np.sqrt(tau2))
    shrink = se[ok] ** 2 / (se[ok] ** 2 + tau2)
    posterior[ok] = prior_mean + (1.0 - shrink) * (raw[ok] - prior_mean)
    posterior_sd[ok] = np.sqrt(tau2 * shrink)
    return posterior, posterior_sd, prior_mean, tau2


def estimate_effects(
    units: Any,
    exposures: Any,
    unit: str,
    group: str,
    outcome: str,
    confounders: Sequence[str] = (),
    alternative: Alternative = "greater",
    estimand: Estimand = "att",
    fdr: float = 0.1,
    confidence: float = 0.95,
    min_treated: int = 5,
    n_folds: int = 5,
    C: float = 1.0,
    trim: float = 0.01,
    random_state: int = 0,
) -> list[GroupEffect]:
    """Effects of many treatments at once, shrunk, with false-discovery-rate flags.

    For every group (e.g. employee), the treatment is "the unit was exposed to
    the group" (e.g. the employee was involved with the account); its AIPW
    effect on ``outcome`` is estimated against the unexposed units, adjusted for
    ``confounders``.

    Parameters
    ----------
    units : pandas.DataFrame or pyarrow.Table
        One row per unit with ``unit``, ``outcome`` and the confounders.
    exposures : pandas.DataFrame or pyarrow.Table
        Rows ``(unit, group)``: which units each group was involved with.
    unit, group : str
        Column names of the unit id and the group id.
    outcome : str
        0/1 outcome column of ``units`` (e.g. ``retained_12m``).
    confounders : sequence of str
        Confounder columns of ``units``.
    alternative : {"greater", "less", "two-sided"}, default "greater"
        Direction of the effects to flag (``"greater"`` for a retention outcome,
        ``"less"`` for a churn outcome).
    estimand : {"att", "ate"}, default "att"
        ``"att"``: the effect of the group's involvement on the units it was
        involved with (the natural question for an employee, and robust to
        groups that serve only one kind of account); ``"ate"``: over all units.
    fdr : float, default 0.1
        False-discovery rate of the flags.
    confidence : float, default 0.95
        Level of the shrunk intervals.
    min_treated : int, default 5
        Groups with fewer exposed units get no raw estimate: their shrunk effect
        is the common mean with the between-group spread as its interval.
    n_folds, C, trim, random_state
        As for :func:`estimate_effect`.

    Returns
    -------
    list of GroupEffect
        One per group, sorted by shrunk effect, descending.
    """
    frame = _to_pandas(units)
    links = _to_pandas(exposures)
    if frame[unit].duplicated().any():
        raise ValueError(f"units must hold each {unit!r} once")
    unknown = set(links[unit]) - set(frame[unit])
    if unknown:
        raise ValueError(f"exposures name {len(unknown)} unit(s) missing from units")
    X = _design(frame, confounders)
    y = _binary(frame[outcome], outcome)
    position = pd.Series(np.arange(len(frame)), index=frame[unit])
    z = float(stats.norm.ppf(0.5 + confidence / 2))
    names, raw, se, counts = [], [], [], []
    for name, members in links.groupby(group, sort=True):
        t = np.zeros(len(frame), dtype=np.int64)
        t[position.loc[members[unit].unique()].to_numpy()] = 1
        n_treated = int(t.sum())
        counts.append((n_treated, len(frame) - n_treated))
        names.append(str(name))
        if n_treated < min_treated or len(frame) - n_treated < min_treated:
            raw.append(np.nan)
            se.append(np.nan)
            continue
        point, error = _aipw(X, t, y, n_folds, C, trim, random_state, estimand)
        raw.append(point)
        se.append(max(error, 1e-12))
    raw_a, se_a = np.array(raw, dtype=np.float64), np.array(se, dtype=np.float64)
    with np.errstate(invalid="ignore", divide="ignore"):
        score = raw_a / se_a
    if alternative == "greater":
        p_values = stats.norm.sf(score)
    elif alternative == "less":
        p_values = stats.norm.cdf(score)
    elif alternative == "two-sided":
        p_values = 2 * stats.norm.sf(np.abs(score))
    else:
        raise ValueError(
            f"alternative must be 'greater', 'less' or 'two-sided', got {alternative!r}"
        )
    q_values = benjamini_hochberg(p_values)
    posterior, posterior_sd, _, _ = _shrink(raw_a, se_a)
    results = [
        GroupEffect(
            group=names[i],
            effect=float(posterior[i]),
            ci_low=float(posterior[i] - z * posterior_sd[i]),
            ci_high=float(posterior[i] + z * posterior_sd[i]),
            raw_effect=float(raw_a[i]),
            raw_std_error=float(se_a[i]),
            p_value=float(p_values[i]),
            q_value=float(q_values[i]),
            flagged=bool(q_values[i] <= fdr),
            n_treated=counts[i][0],
            n_control=counts[i][1],
        )
        for i in range(len(names))
    ]
    return sorted(results, key=lambda r: (-r.effect if np.isfinite(r.effect) else np.inf, r.group))
