"""Attribution: each employee's effect on the retention of the accounts they are involved with.

The effect comes from a monthly churn-hazard model with every employee in it
at once (:mod:`.hazard`): each account-month at risk is a row, the employees
involved with the account before the month are its exposures, and the model
adjusts for the account's size, segment, tenure, workload, NPS so far, gestures
and staff turnover. Each employee's log-odds contrast with their department
colleagues is tested one-sided, flagged by weighted Benjamini-Hochberg at the
chosen false-discovery rate (a larger share of the budget for employees whose
own working habits are clearly better than their peers', :func:`habit_weights`;
plain Benjamini-Hochberg is kept beside it), shrunk towards the common mean
(empirical Bayes), and reported in percentage points of 12-month retention of
their accounts.

The 12-month cohort of :func:`retention_cohort` (accounts active when the
retention window opens, involvement in the year before) gives the naive view,
the raw retention of each employee's accounts, shown beside the estimate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
from numpy.typing import NDArray
from scipy import stats

from carpe.analytics.effects import benjamini_hochberg, weighted_benjamini_hochberg
from carpe.analytics.specialists.components import habit_scores
from carpe.analytics.specialists.evidence import (
    months_to_settle,
    safer_accounts,
    settle_text,
    verdicts,
)
from carpe.analytics.specialists.hazard import BURN_IN_MONTHS, hazard_effects, retention_points
from carpe.analytics.specialists.inputs import MONTH_DAYS, SpecialistInputs

CONFOUNDERS: Final = (
    "log_value",
    "segment",
    "tenure_days",
    "workload",
    "late_pre",
    "nps_pre",
    "gestures_pre",
    "handover",
)
"""What the effects are adjusted for (columns of :func:`retention_cohort`)."""
MAX_TENURE_DAYS: Final = 3650
HABIT_Z: Final = 2.0
"""A habit z-score at least this large puts an employee in the habit group."""
HABIT_SHARE: Final = 0.5
"""Share of the false-discovery budget the habit group gets, whatever its size."""
MAX_WEIGHT: Final = 4.0
"""No employee's weight exceeds this (four equal shares of the budget)."""
FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class Attribution:
    """One employee's estimated effect on 12-month retention, in percentage points.

    Attributes
    ----------
    employee_id : str
        The employee.
    effect, ci_low, ci_high : float
        Shrunk effect and its 95% interval (percentage points of retention).
    raw_effect : float
        The employee's own estimate before shrinkage (NaN with too few accounts).
    p_value : float
        One-sided p-value of "no positive effect" (NaN: not tested).
    q_value : float
        Its weighted Benjamini-Hochberg q-value (BH on ``p_value / weight``).
    flagged : bool
        The positive effect holds after false-discovery-rate control
        (``q_value <= fdr``) and the interval shown lies above zero (``ci_low > 0``):
        a flag never sits on an interval that cannot tell the person from a
        typical colleague.
    n_accounts : int
        Accounts of the cohort the employee was involved with.
    naive_retention : float
        Raw retention rate of those accounts (the naive view), NaN without accounts.
    weight : float
        The test's weight (mean 1 over the tested employees, :func:`habit_weights`;
        NaN: not tested).
    q_value_unweighted, flagged_unweighted : float, bool
        The same with plain Benjamini-Hochberg (every weight 1).
    verdict : str
        One of :data:`~carpe.analytics.specialists.evidence.VERDICTS`.
    months_to_settle : float
        More months of history at this workload for the test to hold if the
        estimate is right (NaN: nothing to settle that way).
    settle : str
        The same, or what else would settle it, in words ("" when nothing).
    prior_risk_z : float
        Their accounts' contrast without their recent work, in standard
        errors (negative: safer accounts; NaN: not measured).
    """

    employee_id: str
    effect: float
    ci_low: float
    ci_high: float
    raw_effect: float
    p_value: float
    q_value: float
    flagged: bool
    n_accounts: int
    naive_retention: float
    weight: float = float("nan")
    q_value_unweighted: float = float("nan")
    flagged_unweighted: bool = False
    verdict: str = "no sign"
    months_to_settle: float = float("nan")
    settle: str = ""
    prior_risk_z: float = float("nan")


def retention_cohort(inputs: SpecialistInputs) -> pd.DataFrame:
    """The accounts active when the retention window opens, with outcome and confounders.

    Parameters
    ----------
    inputs : SpecialistInputs
        The analysis's inputs.

    Returns
    -------
    pandas.DataFrame
        ``account_id``, ``retained`` (0/1) and :data:`CONFOUNDERS`.
    """
    w = inputs.windows
    acc = inputs.accounts.copy()
    started = pd.to_datetime(acc["started_on"])
    ended = pd.to_datetime(acc["ended_on"])
    opened, closed = pd.Timestamp(w.outcome_start), pd.Timestamp(w.as_of)
    # compared as days: an account that started or ended during a day did so on that day
    started, ended = started.dt.floor("D"), ended.dt.floor("D")
    active = (started < opened) & (ended.isna() | (ended >= opened))
    acc = acc[active.to_numpy()].copy()
    started, ended = started[active.to_numpy()], ended[active.to_numpy()]
    acc["retained"] = (ended.isna() | (ended >= closed)).astype(int).to_numpy()
    value = pd.to_numeric(acc["annual_value"], errors="coerce")
    acc["log_value"] = np.log1p(value.fillna(value.median() if value.notna().any() else 0.0))
    acc["segment"] = acc["segment"].fillna("unknown").astype(str)
    tenure = (opened - started).dt.days
    acc["tenure_days"] = np.minimum(tenure.to_numpy(dtype=float), MAX_TENURE_DAYS)
    stats = inputs.account_stats.set_index("account_id")
    touches = pd.to_numeric(acc["account_id"].map(stats["touches_pre"]), errors="coerce")
    acc["workload"] = np.log1p(touches.fillna(0.0).to_numpy(dtype=float))
    late = pd.to_numeric(acc["account_id"].map(stats["late_pre"]), errors="coerce")
    acc["late_pre"] = late.fillna(0.0).to_numpy(dtype=float)
    nps = pd.to_numeric(acc["account_id"].map(stats["nps_pre"]), errors="coerce")
    acc["nps_pre"] = nps.fillna(nps.mean() if nps.notna().any() else 0.0).to_numpy(dtype=float)
    # staff turnover: someone serving the account before the window left before the as-of day
    left = pd.to_datetime(inputs.employees.set_index("employee_id")["left_on"]).dt.floor("D")
    links = inputs.involvement
    gone = links["employee_id"].map(left)
    leaver = (gone >= pd.Timestamp(w.exposure_start)) & (gone < closed)
    turnover = set(links.loc[leaver.to_numpy(), "account_id"])
    acc["handover"] = acc["account_id"].isin(turnover).astype(float).to_numpy()
    given = pd.to_numeric(acc["account_id"].map(stats["gestures_pre"]), errors="coerce")
    acc["gestures_pre"] = np.log1p(given.fillna(0.0).to_numpy(dtype=float))
    columns = ["account_id", "retained", *CONFOUNDERS]
    return acc[columns].sort_values("account_id").reset_index(drop=True)


def cohort_exposures(inputs: SpecialistInputs, cohort: pd.DataFrame) -> pd.DataFrame:
    """(account, employee) pairs of the cohort: who was involved before the window opened."""
    links = inputs.involvement
    links = links[links["account_id"].isin(set(cohort["account_id"])) & (links["n"] > 0)]
    return (
        links[["account_id", "employee_id"]]
        .drop_duplicates()
        .astype(str)
        .sort_values(["employee_id", "account_id"])
        .reset_index(drop=True)
    )


def naive_retention(cohort: pd.DataFrame, exposures: pd.DataFrame) -> pd.Series:
    """The naive baseline: raw retention rate of each employee's accounts.

    Parameters
    ----------
    cohort : pandas.DataFrame
        From :func:`retention_cohort`.
    exposures : pandas.DataFrame
        From :func:`cohort_exposures`.

    Returns
    -------
    pandas.Series
        Retention rate by ``employee_id``.
    """
    joined = exposures.merge(cohort[["account_id", "retained"]], on="account_id")
    return joined.groupby("employee_id")["retained"].mean()


def shrink_effects(raw: FloatArray, se: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Empirical-Bayes posterior means and standard deviations of many noisy effects.

    A normal model of the true effects, ``N(mu, tau^2)``, with ``tau^2``
    estimated by DerSimonian-Laird; estimates that are NaN get the prior.

    Parameters
    ----------
    raw, se : numpy.ndarray
        Estimates and their standard errors.

    Returns
    -------
    tuple of numpy.ndarray
        Posterior means and posterior standard deviations.

    Examples
    --------
    >>> m, s = shrink_effects(np.array([0.1, 0.1]), np.array([0.05, 0.05]))
    >>> round(float(m[0]), 3)
    0.1
    """
    ok = np.isfinite(raw) & np.isfinite(se) & (se > 0)
    mean = np.full(len(raw), np.nan)
    sd = np.full(len(raw), np.nan)
    if not ok.any():
        return mean, sd
    w = 1.0 / se[ok] ** 2
    fixed = float(np.sum(w * raw[ok]) / np.sum(w))
    q = float(np.sum(w * (raw[ok] - fixed) ** 2))
    denominator = float(np.sum(w) - np.sum(w**2) / np.sum(w))
    tau2 = max(0.0, (q - (ok.sum() - 1)) / denominator) if denominator > 0 else 0.0
    w_star = 1.0 / (se[ok] ** 2 + tau2)
    mu = float(np.sum(w_star * raw[ok]) / np.sum(w_star))
    mean[:] = mu
    sd[:] = np.sqrt(tau2)
    if tau2 > 0:
        keep = tau2 / (tau2 + se[ok] ** 2)
        mean[ok] = mu + keep * (raw[ok] - mu)
        sd[ok] = np.sqrt(keep * se[ok] ** 2)
    else:
        sd[ok] = 0.0
    return mean, sd


def habit_weights(
    habit_z: FloatArray,
    tested: NDArray[np.bool_],
    *,
    min_z: float = HABIT_Z,
    share: float = HABIT_SHARE,
    cap: float = MAX_WEIGHT,
) -> FloatArray:
    """Weights of the retention tests: a fixed share of the budget for clear working habits.

    The tested employees whose strongest working habit is clearly better
    than their department peers' (``habit_z >= min_z``, the same bar as the
    components listed for them) form the *habit group*; together they get
    ``share`` of the false-discovery budget, split equally, with each
    member's weight kept between 1 and ``cap``; everyone else splits the
    rest equally. The weights have mean 1 over the tested
    employees, so weighted Benjamini-Hochberg keeps the false-discovery rate
    as long as the habits are independent of the retention test's p-value
    for people who do not keep customers. With ``share = 0.5`` the others
    always keep at least half an equal share (a weight >= 0.5): if the habits
    say nothing, they are tested as at half the false-discovery rate at
    worst. A group of none or of everyone gives every weight 1.

    Parameters
    ----------
    habit_z : numpy.ndarray
        Each employee's strongest habit z-score (NaN: not measurable, not in the group).
    tested : numpy.ndarray of bool
        Employees with a p-value.
    min_z, share, cap : float
        The group's bar, its share of the budget and the largest weight.

    Returns
    -------
    numpy.ndarray
        Weights (NaN for employees not tested).

    Examples
    --------
    >>> w = habit_weights(np.array([3.0, 0.5, np.nan, 1.0]), np.array([True] * 4))
    >>> w.round(3).tolist(), round(float(w.mean()), 9)
    ([2.0, 0.667, 0.667, 0.667], 1.0)
    """
    z = np.asarray(habit_z, dtype=np.float64)
    weights = np.where(tested, 1.0, np.nan)
    m = int(np.count_nonzero(tested))
    group = tested & np.isfinite(z) & (z >= min_z)
    g = int(np.count_nonzero(group))
    if g == 0 or g == m:
        return weights
    top = min(cap, max(1.0, share * m / g))
    weights[group] = top
    weights[tested & ~group] = (m - g * top) / (m - g)
    return weights


def attribute_retention(
    inputs: SpecialistInputs,
    *,
    fdr: float = 0.1,
    min_accounts: int = 5,
    seed: int = 0,
    weighted: bool = True,
    cohort: pd.DataFrame | None = None,
    habits: Mapping[str, float] | None = None,
) -> list[Attribution]:
    """Every involved employee's adjusted, shrunk effect on retention, with FDR flags.

    The monthly hazard model of :mod:`.hazard` gives each employee's log-odds
    contrast with their department colleagues and its standard error. Those
    with at least ``min_accounts`` accounts get a one-sided p-value of "no
    positive effect"; weighted Benjamini-Hochberg across all of them gives the
    q-values, with weights from their working habits (:func:`habit_weights`
    of :func:`~carpe.analytics.specialists.components.habit_scores`: the
    recent year's process data, not whether accounts stayed); plain
    Benjamini-Hochberg gives ``q_value_unweighted`` beside it.
    The contrasts are shrunk together (:func:`shrink_effects`) and turned into
    percentage points of 12-month retention on the employee's own accounts
    (:func:`~carpe.analytics.specialists.hazard.retention_points`).

    Parameters
    ----------
    inputs : SpecialistInputs
        The analysis's inputs.
    fdr : float, default 0.1
        False-discovery rate of ``flagged``.
    min_accounts : int, default 5
        Employees involved with fewer accounts get the common mean and the
        between-employee spread (no flag).
    seed : int, default 0
        Kept for compatibility: the hazard model is deterministic.
    weighted : bool, default True
        False: every weight is 1 (``q_value`` and ``flagged`` are plain
        Benjamini-Hochberg, as before the weights).
    cohort : pandas.DataFrame, optional
        :func:`retention_cohort` of ``inputs``, when already computed.
    habits : dict of str to float, optional
        :func:`~carpe.analytics.specialists.components.habit_scores` of
        ``inputs``, when already computed (the weights when ``weighted``;
        always the mechanisms of
        :func:`~carpe.analytics.specialists.evidence.safer_accounts`).

    Returns
    -------
    list of Attribution
        One per employee involved with an account at risk, largest effect first.
    """
    del seed
    fit = hazard_effects(inputs)
    if fit is None:
        return []
    cohort = retention_cohort(inputs) if cohort is None else cohort
    naive = naive_retention(cohort, cohort_exposures(inputs, cohort))
    involved = fit.n_months > 0
    benefit = np.where(involved & (fit.n_accounts >= min_accounts), -fit.contrast, np.nan)
    se = np.where(np.isfinite(benefit), fit.std_error, np.nan)
    with np.errstate(invalid="ignore", divide="ignore"):
        p_values = np.where(np.isfinite(benefit) & (se > 0), stats.norm.sf(benefit / se), np.nan)
    tested = np.isfinite(p_values)
    plain = benjamini_hochberg(p_values)
    if habits is None:
        habits = habit_scores(inputs)
    habit_z = np.array([habits.get(str(n), np.nan) for n in fit.employees], dtype=np.float64)
    weights = habit_weights(habit_z if weighted else np.full(habit_z.size, np.nan), tested)
    q_values = weighted_benjamini_hochberg(p_values, np.where(tested, weights, 1.0))
    mean, sd = shrink_effects(benefit, se)
    # without an own estimate, the prior applies to a typical account, not to their few accounts
    typical = (
        float(np.nanmean(fit.base_hazard[np.isfinite(benefit)]))
        if np.isfinite(benefit).any()
        else float(np.nanmean(fit.base_hazard))
    )
    base = np.where(np.isfinite(benefit), fit.base_hazard, typical)
    months = inputs.windows.outcome_days / MONTH_DAYS if inputs.windows.outcome_days else 12.0
    z = 1.959963984540054

    def points(log_odds: FloatArray) -> FloatArray:
        return retention_points(-log_odds, base, months)

    effect, low, high, raw = (
        points(mean),
        points(mean - z * sd),
        points(mean + z * sd),
        points(benefit),
    )
    # a flag never sits on an interval that cannot tell the person from a typical colleague
    passed = (q_values <= fdr) & (low > 0)
    passed_plain = (plain <= fdr) & (low > 0)
    safer = safer_accounts(fit.selection, fit.selection_se, habit_z)
    verdict = verdicts(passed, safer, np.where(tested, mean, np.nan))
    w = inputs.windows
    history = max(1.0, (w.as_of - w.exposure_start).days / MONTH_DAYS - BURN_IN_MONTHS)
    settle_months = months_to_settle(
        np.where(tested, mean, np.nan),
        se,
        np.where(tested, weights, 1.0),
        fdr=fdr,
        tested=int(tested.sum()),
        flagged=int((passed & ~safer).sum()),
        history_months=history,
    )
    settle_months = np.where(
        np.array([v == "not enough evidence" for v in verdict]), settle_months, np.nan
    )
    with np.errstate(invalid="ignore", divide="ignore"):
        prior_z = fit.selection / fit.selection_se

    found = [
        Attribution(
            employee_id=n,
            effect=float(effect[i]),
            ci_low=float(low[i]),
            ci_high=float(high[i]),
            raw_effect=float(raw[i]),
            p_value=float(p_values[i]),
            q_value=float(q_values[i]),
            flagged=bool(passed[i] and not safer[i]),
            n_accounts=int(fit.n_accounts[i]),
            naive_retention=float(naive.get(n, np.nan)),
            weight=float(weights[i]),
            q_value_unweighted=float(plain[i]),
            flagged_unweighted=bool(passed_plain[i] and not safer[i]),
            verdict=verdict[i],
            months_to_settle=float(settle_months[i]),
            settle=settle_text(verdict[i], float(settle_months[i])),
            prior_risk_z=float(prior_z[i]),
        )
        for i, n in enumerate(fit.employees)
        if involved[i]
    ]
    return sorted(
        found, key=lambda a: (-a.effect if np.isfinite(a.effect) else np.inf, a.employee_id)
    )
