"""A monthly churn-hazard model with every employee in it at once (discrete-time survival).

Each account-month at risk is one row (person-period data): the account was a
customer when the month began; the outcome is that it left during the month.
An employee is an *exposure* of the row when they were involved with the
account (a touchpoint, an order or a quote) before the month began and had not
left the company. One penalised logistic regression holds

``logit P(leave in month m) = calendar month + confounders(account, before m) + sum of the
employees' coefficients``

so each employee's coefficient is estimated *beside* their colleagues on the
same accounts (an account served by a specialist in Operations keeps better
whoever its billing clerk is) and beside what else explains churn, all
measured before the month: size, segment, tenure, workload, the mean NPS so
far and how many answers it rests on, gestures received, staff turnover and,
when the inputs carry them (``account_kpis``, an option of the pipeline step),
the account owner's health reports so far.
Every month of every account counts, so there are many more events per person
than in one 12-month cohort.

An employee's *contrast* is their coefficient minus the exposure-weighted mean
of their department colleagues': "compared with a typical colleague serving the
same kind of account". Its standard error comes from the inverse of the
penalised information matrix (the penalty only keeps rare employees finite: a
normal prior with standard deviation ~3 on the log-odds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
import scipy.sparse as sparse
from numpy.typing import NDArray
from scipy import special
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from carpe.analytics.specialists.inputs import SpecialistInputs, involvement_starts
from carpe.analytics.specialists.logit import fit_penalized_logit

BURN_IN_MONTHS: Final = 3
"""Months at the start of the history used only to observe involvement and confounders."""
BLAS_THREADS: Final = 1
"""Threads for the fit's linear algebra (idle BLAS threads spin, costing CPU on a busy machine)."""
EMPLOYEE_PENALTY: Final = 0.1
"""L2 penalty on each employee's coefficient (a normal prior with sd ~3.2 log-odds)."""
NPS_PRIOR_ANSWERS: Final = 1.0
"""An account's mean NPS so far is shrunk towards everyone's mean by this many answers."""
RECENT_MONTHS: Final = 6
"""An employee's work on an account counts as *recent* for this many months after it."""
HEALTH_PRIOR_REPORTS: Final = 1.0
"""An account's health so far is shrunk towards the metric's mean by this many reports."""
MAX_TENURE_YEARS: Final = 10.0
HAZARD_CONFOUNDERS: Final = (
    "log_value",
    "segment",
    "log_tenure",
    "workload",
    "nps_so_far",
    "nps_answers",
    "gestured",
    "handover",
    "calendar month",
)
"""What each month's hazard is adjusted for (all measured before the month)."""
HEALTH_CONFOUNDERS: Final = ("health_so_far", "health_reports")
"""Added when the inputs carry the owner's health reports (``SpecialistInputs.account_kpis``)."""

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class HazardEffects:
    """Every employee's contrast on the monthly churn hazard.

    Attributes
    ----------
    employees : list of str
        Employee ids, aligned with the arrays.
    contrast : numpy.ndarray
        Log-odds of leaving in a month with the employee involved, minus with a
        typical colleague of their department (negative: their accounts stay).
    std_error : numpy.ndarray
        Standard error of ``contrast``.
    base_hazard : numpy.ndarray
        Mean monthly hazard of the employee's account-months with a typical
        colleague instead (the contrast removed): converts log-odds to retention.
    n_accounts : numpy.ndarray
        Accounts the employee was an exposure of, in the modelled months.
    n_months : numpy.ndarray
        Account-months the employee was an exposure of.
    selection, selection_se : numpy.ndarray
        Log-odds of leaving, against a typical colleague, in the months of the
        employee's accounts *after* their first involvement but without their
        recent work, with its standard error (from a second fit with both
        kinds of exposure; NaN without recent exposures): how much safer the
        accounts they serve are anyway — the account's prior risk, not their
        effect.
    rows, events : int
        Account-months at risk, and the departures among them.
    """

    employees: list[str]
    contrast: FloatArray
    std_error: FloatArray
    base_hazard: FloatArray
    n_accounts: IntArray
    n_months: IntArray
    selection: FloatArray
    selection_se: FloatArray
    rows: int
    events: int


def _month(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _days(values: pd.Series) -> FloatArray:
    """Days since 1970-01-01 (NaN for blanks)."""
    stamps = pd.to_datetime(values)
    days = (stamps - pd.Timestamp(1970, 1, 1)).dt.days
    return np.asarray(days.astype(float), dtype=np.float64)


@dataclass(frozen=True, slots=True)
class _Design:
    y: FloatArray
    confounders: FloatArray
    exposures: sparse.csr_matrix
    involved: sparse.csr_matrix | None
    employees: list[str]
    departments: NDArray[np.str_]
    account_of_row: IntArray
    month_level: IntArray
    n_month_levels: int


def _grid_cumulative(
    frame: pd.DataFrame,
    columns: tuple[str, ...],
    account_index: pd.Series,
    first: int,
    n_months: int,
) -> list[FloatArray]:
    """Per (account, month), for each of ``columns``: its total over the months *before* it."""
    grids = [np.zeros((len(account_index), n_months + 1)) for _ in columns]
    if len(frame):
        a = frame["account_id"].map(account_index)
        m = np.asarray(frame["month"], dtype=np.int64) - first
        ok = a.notna().to_numpy() & (m >= 0) & (m < n_months)
        at = (a[ok].astype(int).to_numpy(), m[ok] + 1)
        for grid, column in zip(grids, columns, strict=True):
            values = pd.to_numeric(frame[column], errors="coerce").fillna(0.0)
            np.add.at(grid, at, values.to_numpy(dtype=float)[ok])
    return [np.cumsum(grid, axis=1)[:, :n_months] for grid in grids]


def _health_grids(
    kpis: pd.DataFrame, account_index: pd.Series, first: int, n_months: int
) -> tuple[FloatArray, FloatArray]:
    """Per (account, month): the owner's health reports before it, as summed z-scores and a count.

    Each metric is put on one scale by the mean and standard deviation of its
    monthly values, so Sales' and Customer Success' scores can be pooled.
    """
    if not len(kpis):
        empty = np.zeros((len(account_index), n_months))
        return empty, empty
    total = pd.to_numeric(kpis["value_sum"], errors="coerce").fillna(0.0)
    count = pd.to_numeric(kpis["value_n"], errors="coerce").fillna(0.0)
    monthly = total / count.where(count > 0)
    metric = kpis["metric"].astype(str)
    centre = monthly.groupby(metric).transform("mean")
    spread = monthly.groupby(metric).transform("std").fillna(0.0)
    z_sum = (total - count * centre) / spread.where(spread > 0, 1.0)
    frame = kpis[["account_id", "month"]].assign(z=z_sum.fillna(0.0), n=count)
    z, n = _grid_cumulative(frame, ("z", "n"), account_index, first, n_months)
    return z, n


def _recent_exposures(
    months: pd.DataFrame,
    account_index: pd.Series,
    employee_index: pd.Series,
    row_of: IntArray,
    ends: IntArray,
    first_month: int,
) -> sparse.csr_matrix | None:
    """Rows where each employee worked on the account in the :data:`RECENT_MONTHS` before.

    ``ends`` is, per employee, the first modelled month they had left by
    (``row_of.shape[1]``: still there). None without ``months``.
    """
    if not len(months):
        return None
    n_months = row_of.shape[1]
    a = months["account_id"].astype(str).map(account_index)
    e = months["employee_id"].astype(str).map(employee_index)
    k = pd.to_numeric(months["month"], errors="coerce") - first_month
    ok = (a.notna() & e.notna() & k.notna()).to_numpy()
    a_i = a[ok].astype(int).to_numpy()
    e_i = e[ok].astype(int).to_numpy()
    k_i = k[ok].astype(int).to_numpy()
    span = RECENT_MONTHS
    pa, pe = np.repeat(a_i, span), np.repeat(e_i, span)
    pm = np.repeat(k_i, span) + np.tile(np.arange(1, span + 1), k_i.size)
    inside = (pm >= 0) & (pm < n_months)
    pa, pe, pm = pa[inside], pe[inside], pm[inside]
    still = pm < ends[pe] if ends.size else np.zeros(pm.size, dtype=bool)
    rows = row_of[pa[still], pm[still]]
    at = rows >= 0
    matrix = sparse.csr_matrix(
        (np.ones(int(at.sum())), (rows[at], pe[still][at])),
        shape=(int(row_of.max()) + 1, len(employee_index)),
    )
    matrix.sum_duplicates()
    matrix.data[:] = 1.0
    return matrix


def _design(inputs: SpecialistInputs) -> _Design | None:
    w = inputs.windows
    first_month = _month(w.exposure_start)
    last_month = _month(w.as_of) if w.as_of.day > 1 else _month(w.as_of) - 1
    n_months = last_month - first_month + 1
    if n_months <= BURN_IN_MONTHS:
        return None
    accounts = inputs.accounts.drop_duplicates("account_id").reset_index(drop=True)
    account_index = pd.Series(np.arange(len(accounts)), index=accounts["account_id"].astype(str))
    epoch = date(1970, 1, 1)
    starts = np.array(
        [(_month_start(first_month + k) - epoch).days for k in range(n_months + 1)], dtype=float
    )
    starts[-1] = min(starts[-1], float((w.as_of - epoch).days))
    begun = _days(accounts["started_on"])
    begun = np.where(np.isnan(begun), starts[0] - 1, begun)  # unknown start: an older customer
    ended = _days(accounts["ended_on"])
    open_end = np.isnan(ended)
    lo, hi = starts[None, :-1], starts[None, 1:]
    at_risk = (begun[:, None] < lo) & (open_end[:, None] | (ended[:, None] >= lo))
    at_risk[:, :BURN_IN_MONTHS] = False
    event = at_risk & ~open_end[:, None] & (ended[:, None] < hi)
    rows_a, rows_m = np.nonzero(at_risk)
    if rows_a.size == 0:
        return None
    row_of = np.full((len(accounts), n_months), -1, dtype=np.int64)
    row_of[rows_a, rows_m] = np.arange(rows_a.size)

    # exposures: involved before the month began, not yet left the company
    employees = inputs.employees.drop_duplicates("employee_id")
    ids = sorted(employees["employee_id"].astype(str))
    employee_index = pd.Series(np.arange(len(ids)), index=ids)
    by_id = employees.set_index(employees["employee_id"].astype(str))
    left_days = _days(by_id["left_on"].reindex(ids).reset_index(drop=True))
    departments = np.asarray(by_id["department"].reindex(ids).fillna("").astype(str))
    first = involvement_starts(inputs)
    pair_a = first["account_id"].astype(str).map(account_index)
    pair_e = first["employee_id"].astype(str).map(employee_index)
    keep = (pair_a.notna() & pair_e.notna()).to_numpy()
    pair_a = pair_a[keep].astype(int).to_numpy()
    pair_e = pair_e[keep].astype(int).to_numpy()
    pair_day = _days(first["first_at"])[keep]
    # month k is exposed when first_at < start(k) and the employee had not left by start(k)
    begins = np.searchsorted(starts[:-1], pair_day, side="right")
    left = left_days[pair_e]
    ends = np.where(np.isnan(left), n_months, np.searchsorted(starts[:-1], left, side="right"))
    spans = np.maximum(0, ends - begins)
    pa, pe = np.repeat(pair_a, spans), np.repeat(pair_e, spans)
    pm = np.repeat(begins, spans) + (
        np.arange(spans.sum()) - np.repeat(np.cumsum(spans) - spans, spans)
    )
    rows = row_of[pa, pm]
    ok = rows >= 0
    exposures = sparse.csr_matrix(
        (np.ones(int(ok.sum())), (rows[ok], pe[ok])), shape=(rows_a.size, len(ids))
    )
    exposures.sum_duplicates()
    exposures.data[:] = 1.0
    gone = np.where(
        np.isnan(left_days), n_months, np.searchsorted(starts[:-1], left_days, side="right")
    )
    recent = _recent_exposures(
        inputs.involvement_months, account_index, employee_index, row_of, gone, first_month
    )

    # confounders, all measured before the month
    columns: list[FloatArray] = []
    value = pd.to_numeric(accounts["annual_value"], errors="coerce")
    value = value.fillna(value.median() if value.notna().any() else 0.0).clip(lower=0)
    columns.append(np.log1p(value.to_numpy(dtype=float))[rows_a])
    segment = accounts["segment"].fillna("unknown").astype(str)
    dummies = pd.get_dummies(segment, drop_first=True).to_numpy(dtype=float)
    columns.extend(dummies[rows_a, k] for k in range(dummies.shape[1]))
    tenure = (starts[rows_m] - begun[rows_a]) / 365.25
    columns.append(np.log1p(np.clip(np.nan_to_num(tenure), 0.0, MAX_TENURE_YEARS)))
    months = inputs.account_months
    touches, nps_sum, nps_n, gestures = _grid_cumulative(
        months, ("touches", "nps_sum", "nps_n", "gestures"), account_index, first_month, n_months
    )
    observed = np.maximum(
        1.0, rows_m - np.clip(np.ceil((begun[rows_a] - starts[0]) / 30.44), 0, n_months)
    )
    columns.append(np.log1p(touches[rows_a, rows_m] / observed))
    answers = pd.to_numeric(months["nps_n"], errors="coerce").fillna(0).sum() if len(months) else 0
    overall = (
        float(pd.to_numeric(months["nps_sum"], errors="coerce").fillna(0).sum() / answers)
        if answers
        else 0.0
    )
    k = NPS_PRIOR_ANSWERS
    columns.append((nps_sum[rows_a, rows_m] + k * overall) / (nps_n[rows_a, rows_m] + k))
    columns.append(np.log1p(nps_n[rows_a, rows_m]))
    columns.append((gestures[rows_a, rows_m] > 0).astype(float))
    health, reports = _health_grids(inputs.account_kpis, account_index, first_month, n_months)
    if reports.any():
        h = HEALTH_PRIOR_REPORTS
        columns.append(health[rows_a, rows_m] / (reports[rows_a, rows_m] + h))
        columns.append(np.log1p(reports[rows_a, rows_m]))
    # staff turnover: someone involved with the account left before the month began
    leaver = ~np.isnan(left) & (begins < ends)
    handover = np.zeros((len(accounts), n_months + 1))
    if leaver.any():
        after = np.maximum(ends[leaver], begins[leaver])
        np.add.at(handover, (pair_a[leaver], np.minimum(after, n_months)), 1.0)
    columns.append((np.cumsum(handover, axis=1)[rows_a, rows_m] > 0).astype(float))
    matrix = np.column_stack(columns)
    spread = matrix.std(axis=0)
    matrix = (matrix - matrix.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    return _Design(
        y=event[rows_a, rows_m].astype(float),
        confounders=matrix,
        month_level=rows_m - BURN_IN_MONTHS - 1,  # calendar months, the first the reference (-1)
        n_month_levels=max(0, n_months - BURN_IN_MONTHS - 1),
        exposures=exposures if recent is None else recent,
        involved=exposures if recent is not None else None,
        employees=ids,
        departments=departments,
        account_of_row=rows_a.astype(np.int64),
    )


def hazard_effects(inputs: SpecialistInputs) -> HazardEffects | None:
    """Fit the monthly hazard model and every employee's contrast with their colleagues.

    Parameters
    ----------
    inputs : SpecialistInputs
        The analysis's inputs (``first_involvement`` and ``account_months``
        give the exposures and the time-varying confounders).

    Returns
    -------
    HazardEffects or None
        None when there is no account-month at risk, no departure or no exposure.
    """
    design = _design(inputs)
    if design is None or design.y.sum() == 0 or design.exposures.nnz == 0:
        return None
    n_rows = design.y.size
    n_conf = design.confounders.shape[1]
    dense = np.column_stack([np.ones(n_rows), design.confounders])
    fixed = 1 + n_conf + design.n_month_levels
    beta, covariance = _fit(design, dense, design.exposures)
    gamma = beta[fixed:]
    cov = covariance[fixed:, fixed:]
    E = design.exposures.tocsc()
    n_months = np.asarray(E.sum(axis=0), dtype=np.int64).ravel()
    owner = np.repeat(np.arange(E.shape[1]), np.diff(E.indptr))
    pairs = np.unique(
        owner * (int(design.account_of_row.max()) + 1) + design.account_of_row[E.indices]
    )
    n_accounts = np.bincount(
        pairs // (int(design.account_of_row.max()) + 1), minlength=E.shape[1]
    ).astype(np.int64)
    contrast, std_error = _department_contrasts(gamma, cov, n_months, design.departments)
    selection, selection_se = _selection(design, dense, fixed)
    eta = np.asarray(dense @ beta[: 1 + n_conf] + design.exposures @ gamma)
    level = design.month_level
    eta[level >= 0] += beta[1 + n_conf : fixed][level[level >= 0]]
    # mean hazard of the employee's account-months with a typical colleague instead
    shifted = special.expit(eta[E.indices] - np.repeat(np.nan_to_num(contrast), np.diff(E.indptr)))
    sums = np.add.reduceat(shifted, E.indptr[:-1]) if shifted.size else np.zeros(E.shape[1])
    with np.errstate(invalid="ignore", divide="ignore"):
        base = np.where(n_months > 0, sums / np.maximum(n_months, 1), np.nan)
    return HazardEffects(
        employees=design.employees,
        contrast=contrast,
        std_error=std_error,
        base_hazard=base,
        n_accounts=n_accounts,
        n_months=n_months,
        selection=selection,
        selection_se=selection_se,
        rows=n_rows,
        events=int(design.y.sum()),
    )


def _fit(
    design: _Design, dense: FloatArray, exposures: sparse.csr_matrix
) -> tuple[FloatArray, FloatArray]:
    """The penalised fit of the hazard model on ``dense``, the months and ``exposures``."""
    fixed = dense.shape[1] + design.n_month_levels
    penalty = np.concatenate([np.full(fixed, 1e-6), np.full(exposures.shape[1], EMPLOYEE_PENALTY)])
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
        return fit_penalized_logit(
            dense,
            exposures,
            design.y,
            penalty,
            levels=design.month_level,
            n_levels=design.n_month_levels,
        )


def _selection(design: _Design, dense: FloatArray, fixed: int) -> tuple[FloatArray, FloatArray]:
    """Each employee's contrast in their accounts' months without their recent work, with SE.

    A second fit holds, for every employee, both "involved since their
    first contact" and "worked on the account in the last months": the first
    one's contrast with department colleagues is the risk of *their* accounts
    when they had not worked on them lately. Someone given the safest
    accounts shows it there; someone whose work keeps customers does not.
    """
    n_emp = len(design.employees)
    nan = np.full(n_emp, np.nan)
    if design.involved is None:
        return nan, nan.copy()
    both = sparse.hstack([design.involved, design.exposures]).tocsr()
    beta, covariance = _fit(design, dense, both)
    gamma = beta[fixed : fixed + n_emp]
    cov = covariance[fixed : fixed + n_emp, fixed : fixed + n_emp]
    weight = np.asarray(design.involved.sum(axis=0), dtype=np.int64).ravel()
    return _department_contrasts(gamma, cov, weight, design.departments)


def _department_contrasts(
    gamma: FloatArray, cov: FloatArray, weight: IntArray, departments: NDArray[np.str_]
) -> tuple[FloatArray, FloatArray]:
    """Each coefficient minus the ``weight``-weighted mean of its department's others, with SE.

    Only the department's block of the covariance is read, so the cost grows
    with the departments' sizes, not with the number of employees squared.
    """
    contrast = np.full(gamma.size, np.nan)
    std_error = np.full(gamma.size, np.nan)
    for name in np.unique(departments):
        idx = np.flatnonzero((departments == name) & (weight > 0))
        if idx.size == 0:
            continue
        v = weight[idx].astype(float)
        g, C = gamma[idx], cov[np.ix_(idx, idx)]
        diag, Cv = np.diag(C), C @ v
        others = v.sum() - v  # weight of each one's colleagues
        alone = others <= 0
        scale = np.where(alone, 0.0, 1.0 / np.where(alone, 1.0, others))
        peer_mean = (v @ g - v * g) * scale
        peer_cross = (Cv - v * diag) * scale  # cov(own, colleagues' mean)
        peer_var = (v @ Cv - 2 * v * Cv + v * v * diag) * scale * scale
        contrast[idx] = g - peer_mean
        std_error[idx] = np.sqrt(np.maximum(diag - 2 * peer_cross + peer_var, 0.0))
    return contrast, std_error


def retention_points(log_odds: FloatArray, base_hazard: FloatArray, months: float) -> FloatArray:
    """Change in the probability of staying ``months`` months, in percentage points.

    A monthly hazard ``h0`` moved by ``log_odds`` (negative: fewer leave) gives
    ``100 * ((1 - h1)**months - (1 - h0)**months)``.

    Examples
    --------
    >>> float(retention_points(np.array([0.0]), np.array([0.01]), 12)[0])
    0.0
    >>> float(retention_points(np.array([-1.0]), np.array([0.01]), 12)[0]) > 6
    True
    """
    h0 = np.clip(base_hazard, 1e-9, 1 - 1e-9)
    h1 = 1.0 / (1.0 + np.exp(-(np.log(h0 / (1.0 - h0)) + log_odds)))
    return np.asarray(100.0 * ((1.0 - h1) ** months - (1.0 - h0) ** months), dtype=np.float64)
