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
from scipy import linalg, special
from scipy.linalg import lapack
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from carpe.analytics.specialists.inputs import SpecialistInputs

BURN_IN_MONTHS: Final = 3
"""Months at the start of the history used only to observe involvement and confounders."""
BLAS_THREADS: Final = 1
"""Threads for the fit's linear algebra (idle BLAS threads spin, costing CPU on a busy machine)."""
EMPLOYEE_PENALTY: Final = 0.1
"""L2 penalty on each employee's coefficient (a normal prior with sd ~3.2 log-odds)."""
NPS_PRIOR_ANSWERS: Final = 1.0
"""An account's mean NPS so far is shrunk towards everyone's mean by this many answers."""
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
    rows, events : int
        Account-months at risk, and the departures among them.
    """

    employees: list[str]
    contrast: FloatArray
    std_error: FloatArray
    base_hazard: FloatArray
    n_accounts: IntArray
    n_months: IntArray
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


def _first_involvement(inputs: SpecialistInputs) -> pd.DataFrame:
    first = inputs.first_involvement
    if len(first):
        return first[["account_id", "employee_id", "first_at"]].dropna()
    links = inputs.involvement
    links = links[pd.to_numeric(links["n"], errors="coerce").fillna(0) > 0]
    return links[["account_id", "employee_id"]].assign(first_at=inputs.windows.exposure_start)


@dataclass(frozen=True, slots=True)
class _Design:
    y: FloatArray
    confounders: FloatArray
    exposures: sparse.csr_matrix
    employees: list[str]
    departments: NDArray[np.str_]
    account_of_row: IntArray
    month_level: IntArray
    n_month_levels: int


def _grid_cumulative(
    frame: pd.DataFrame, column: str, account_index: pd.Series, first: int, n_months: int
) -> FloatArray:
    """Per (account, month) total of ``column`` over the months *before* it."""
    grid = np.zeros((len(account_index), n_months + 1))
    if len(frame):
        a = frame["account_id"].map(account_index)
        m = np.asarray(frame["month"], dtype=np.int64) - first
        ok = a.notna().to_numpy() & (m >= 0) & (m < n_months)
        values = pd.to_numeric(frame[column], errors="coerce").fillna(0.0).to_numpy(dtype=float)
        np.add.at(grid, (a[ok].astype(int).to_numpy(), m[ok] + 1), values[ok])
    return np.cumsum(grid, axis=1)[:, :n_months]


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
    return (
        _grid_cumulative(frame, "z", account_index, first, n_months),
        _grid_cumulative(frame, "n", account_index, first, n_months),
    )


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
    first = _first_involvement(inputs)
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
    touches = _grid_cumulative(months, "touches", account_index, first_month, n_months)
    observed = np.maximum(
        1.0, rows_m - np.clip(np.ceil((begun[rows_a] - starts[0]) / 30.44), 0, n_months)
    )
    columns.append(np.log1p(touches[rows_a, rows_m] / observed))
    nps_sum = _grid_cumulative(months, "nps_sum", account_index, first_month, n_months)
    nps_n = _grid_cumulative(months, "nps_n", account_index, first_month, n_months)
    answers = pd.to_numeric(months["nps_n"], errors="coerce").fillna(0).sum() if len(months) else 0
    overall = (
        float(pd.to_numeric(months["nps_sum"], errors="coerce").fillna(0).sum() / answers)
        if answers
        else 0.0
    )
    k = NPS_PRIOR_ANSWERS
    columns.append((nps_sum[rows_a, rows_m] + k * overall) / (nps_n[rows_a, rows_m] + k))
    columns.append(np.log1p(nps_n[rows_a, rows_m]))
    gestures = _grid_cumulative(months, "gestures", account_index, first_month, n_months)
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
        exposures=exposures,
        employees=ids,
        departments=departments,
        account_of_row=rows_a.astype(np.int64),
    )


def _row_patterns(exposures: sparse.csr_matrix) -> tuple[IntArray, sparse.csr_matrix]:
    """Each row's pattern (its set of non-zero columns and values) and the distinct patterns.

    Rows are grouped by a random projection, then checked against their
    group's first row; should two different rows ever share the projection,
    every row is its own pattern.
    """
    rows = exposures.shape[0]
    if rows == 0:
        return np.zeros(0, dtype=np.int64), exposures
    key = exposures @ np.random.default_rng(0).random(exposures.shape[1])
    _, first, pattern = np.unique(key, return_index=True, return_inverse=True)
    pattern = np.asarray(pattern, dtype=np.int64).ravel()
    distinct = exposures[first]
    if (exposures - distinct[pattern]).count_nonzero():
        return np.arange(rows, dtype=np.int64), exposures
    return pattern, distinct.tocsr()


def _factor(matrix: FloatArray, *, single: bool) -> tuple[FloatArray, bool]:
    """Cholesky factor, in single precision when asked and the matrix allows it."""
    factor: tuple[FloatArray, bool]
    if single:
        try:
            factor = linalg.cho_factor(matrix.astype(np.float32), overwrite_a=True)
            return factor
        except linalg.LinAlgError:
            pass
    factor = linalg.cho_factor(matrix)
    return factor


def fit_penalized_logit(
    dense: FloatArray,
    exposures: sparse.csr_matrix,
    y: FloatArray,
    penalty: FloatArray,
    *,
    levels: IntArray | None = None,
    n_levels: int = 0,
    max_iter: int = 200,
) -> tuple[FloatArray, FloatArray]:
    """Ridge-penalised logistic regression on ``[dense | one-hot levels | exposures]`` by Newton.

    The penalised information matrix is assembled by blocks: dense products
    for the dense columns, counts for the one-hot factor (``levels``), and for
    the 0/1 exposures sums over the distinct *patterns* of exposed columns
    (an account keeps the same people for months, so there are several times
    fewer patterns than rows). It is factorised by Cholesky, in single
    precision while iterating (the gradient stays in double precision, so the
    optimum is the same); a factor is reused while the steps shrink fast
    (chord steps) and refreshed when they do not or when a step must be
    halved. At the optimum the information is factorised once more in double
    precision and inverted for the covariance.

    Parameters
    ----------
    dense : numpy.ndarray
        Dense columns, the intercept first.
    exposures : scipy.sparse.csr_matrix
        Sparse columns (the employees), after the levels.
    y : numpy.ndarray
        0/1 outcomes.
    penalty : numpy.ndarray
        L2 penalty per column, dense columns first, then the levels, then the
        exposures (``0.5 * penalty * beta**2`` is subtracted from the
        log-likelihood); all positive.
    levels : numpy.ndarray, optional
        A categorical column's level per row, ``0 .. n_levels - 1``, or -1 for
        its reference level (calendar months); one coefficient per level.
    n_levels : int, default 0
        How many levels have a coefficient.
    max_iter : int, default 200
        Steps at most.

    Returns
    -------
    tuple of numpy.ndarray
        Coefficients and the inverse of the penalised information matrix at
        them (their approximate covariance).

    Examples
    --------
    >>> D = np.ones((6, 1))
    >>> E = sparse.csr_matrix(np.array([[0.0], [0], [0], [1], [1], [1]]))
    >>> beta, cov = fit_penalized_logit(D, E, np.array([0.0, 0, 1, 1, 1, 0]), np.full(2, 1e-6))
    >>> round(float(beta[1]), 2)
    1.39
    """
    k, q, n = dense.shape[1], n_levels, y.size
    codes = np.full(n, -1, dtype=np.int64) if levels is None else np.asarray(levels, np.int64)
    coded = codes >= 0
    pattern, distinct = _row_patterns(exposures.tocsr())
    m = distinct.shape[0]
    to_pattern = sparse.csr_matrix((np.ones(n), (pattern, np.arange(n))), shape=(m, n))
    distinct_t = distinct.T.tocsr()
    # (pattern, level) cells: the exposures-by-levels block sums each cell's weight
    cell_key = pattern[coded] * max(q, 1) + codes[coded]
    cells, cell_of = np.unique(cell_key, return_inverse=True)
    cell_pattern, cell_level = cells // max(q, 1), cells % max(q, 1)
    level_t = sparse.csr_matrix(
        (np.ones(int(coded.sum())), (codes[coded], np.flatnonzero(coded))), shape=(q, n)
    )
    beta = np.zeros(k + q + exposures.shape[1])
    rate = float(np.clip(y.mean(), 1e-6, 1 - 1e-6)) if y.size else 0.5
    beta[0] = np.log(rate / (1 - rate))  # the first dense column is the intercept

    def linear(b: FloatArray) -> FloatArray:
        eta = dense @ b[:k] + np.asarray(distinct @ b[k + q :])[pattern]
        eta[coded] += b[k : k + q][codes[coded]]
        return np.asarray(eta, dtype=np.float64)

    def objective(b: FloatArray) -> float:
        eta = linear(b)
        return float(np.sum(np.logaddexp(0.0, eta) - y * eta) + 0.5 * np.sum(penalty * b * b))

    def score(residual: FloatArray) -> FloatArray:
        by_level = np.bincount(codes[coded], residual[coded], minlength=q)[:q]
        by_pattern = np.bincount(pattern, residual, minlength=m)
        return np.concatenate([dense.T @ residual, by_level, distinct_t @ by_pattern])

    def information(p: FloatArray) -> FloatArray:
        w = p * (1.0 - p)
        weighted = dense * w[:, None]
        size = beta.size
        matrix = np.zeros((size, size))
        matrix[:k, :k] = dense.T @ weighted
        if q:
            cell_w = np.bincount(cell_of, w[coded], minlength=cells.size)
            by_cell = sparse.csr_matrix((cell_w, (cell_pattern, cell_level)), shape=(m, q))
            blocks = (
                (slice(k, k + q), slice(0, k), np.asarray(level_t @ weighted)),
                (slice(k + q, size), slice(k, k + q), (distinct_t @ by_cell).toarray()),
            )
            for rows, cols, block in blocks:
                matrix[rows, cols] = block
                matrix[cols, rows] = block.T
            at = np.arange(k, k + q)
            matrix[at, at] = np.asarray(level_t @ w)
        cross = distinct_t @ np.asarray(to_pattern @ weighted)
        matrix[k + q :, :k] = cross
        matrix[:k, k + q :] = cross.T
        pattern_w = np.bincount(pattern, w, minlength=m)
        matrix[k + q :, k + q :] = (
            distinct_t @ distinct.multiply(pattern_w[:, None]).tocsr()
        ).toarray()
        matrix[np.diag_indices_from(matrix)] += penalty
        return matrix

    current = objective(beta)
    factor: tuple[FloatArray, bool] | None = None
    previous = np.inf
    for _ in range(max_iter):
        p = special.expit(linear(beta))
        gradient = score(y - p) - penalty * beta
        if factor is None:
            factor = _factor(information(p), single=True)
        # a factor is reused while the steps shrink fast (a chord step costs O(p^2), not O(p^3))
        step = np.asarray(linalg.cho_solve(factor, gradient), dtype=np.float64)
        scale = 1.0
        while True:
            candidate = beta + scale * step
            value = objective(candidate)
            if value <= current + 1e-9 * abs(current) or scale < 1e-4:
                break
            scale /= 2
        beta, current = candidate, value
        size = float(np.max(np.abs(scale * step)))
        if size < 1e-6 or (scale == 1.0 and float(gradient @ step) < 1e-4):
            break  # Newton decrement: within ~1e-4 of the optimum (a hundredth of an SE)
        if scale < 1.0 or size > 0.25 * previous:
            factor = None
        previous = size
    # the covariance: the inverse information at the optimum
    final = _factor(information(special.expit(linear(beta))), single=False)
    inverse, info = lapack.dpotri(final[0], lower=final[1])
    if info != 0:
        inverse = linalg.cho_solve(final, np.eye(beta.size))
    triangle = np.tril(inverse) if final[1] else np.triu(inverse)
    covariance = triangle + triangle.T - np.diag(np.diag(triangle))
    return beta, np.asarray(covariance, dtype=np.float64)


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
    penalty = np.concatenate(
        [np.full(fixed, 1e-6), np.full(len(design.employees), EMPLOYEE_PENALTY)]
    )
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
        beta, covariance = fit_penalized_logit(
            dense,
            design.exposures,
            design.y,
            penalty,
            levels=design.month_level,
            n_levels=design.n_month_levels,
        )
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
        rows=n_rows,
        events=int(design.y.sum()),
    )


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
