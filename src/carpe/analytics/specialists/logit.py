"""Ridge-penalised logistic regression for many sparse 0/1 columns, by Newton's method.

The monthly hazard model (:mod:`.hazard`) has a row per account-month, a few
dense confounders, a calendar-month factor and a 0/1 column per employee. An
account keeps the same people for months, so the rows share a few *patterns*
of exposed employees; the information matrix's blocks are sums over those
patterns (and over (pattern, month) cells), each a fixed list of terms worked
out once before the iterations.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sparse
from numpy.typing import NDArray
from scipy import linalg, special
from scipy.linalg import lapack

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


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


def _product_terms(
    distinct: sparse.csr_matrix, groups: IntArray, n_groups: int
) -> tuple[IntArray, IntArray]:
    """The terms of ``distinct.T @ B`` for a sparse ``B`` whose stored items lie in rows ``groups``.

    Every pair of a stored entry of ``distinct`` and an item of ``B`` in the
    same row (``groups`` is sorted, ``n_groups`` rows), row after row: the
    order in which a sparse product adds them, so summing the terms in this
    order gives the product's values to the last bit.
    """
    lo = np.searchsorted(groups, np.arange(n_groups), side="left")
    hi = np.searchsorted(groups, np.arange(n_groups), side="right")
    row = np.repeat(np.arange(n_groups), np.diff(distinct.indptr))
    count = (hi - lo)[row]
    entry = np.repeat(np.arange(row.size), count)
    offset = np.arange(entry.size) - np.repeat(np.cumsum(count) - count, count)
    return entry, np.repeat(lo[row], count) + offset


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
    fewer patterns than rows), each block's list of terms worked out once
    before the iterations (:func:`_product_terms`). It is factorised by Cholesky, in single
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
    # the information's sparse blocks, as sums over fixed lists of terms (same order as a
    # sparse product, so the same sums): people x months, people x people
    rows_of = np.repeat(np.arange(m), np.diff(distinct.indptr))
    level_entry, level_cell = _product_terms(distinct, cell_pattern, m)
    level_at = distinct.indices[level_entry] * max(q, 1) + cell_level[level_cell]
    one, other = _product_terms(distinct, rows_of, m)
    pairs, pair_of = np.unique(
        distinct.indices[one] * distinct.shape[1] + distinct.indices[other], return_inverse=True
    )
    pair_of = np.asarray(pair_of, dtype=np.int64).ravel()
    size_all = k + q + exposures.shape[1]
    people_at = (k + q + pairs // distinct.shape[1]) * size_all + k + q + pairs % distinct.shape[1]
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
        size, size_e = beta.size, beta.size - k - q
        matrix = np.zeros((size, size))
        matrix[:k, :k] = dense.T @ weighted
        if q:
            cell_w = np.bincount(cell_of, w[coded], minlength=cells.size)
            terms = distinct.data[level_entry] * cell_w[level_cell]
            people_levels = np.bincount(level_at, terms, minlength=size_e * q)
            blocks = (
                (slice(k, k + q), slice(0, k), np.asarray(level_t @ weighted)),
                (slice(k + q, size), slice(k, k + q), people_levels.reshape(size_e, q)),
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
        scaled = distinct.data * pattern_w[rows_of]
        terms = distinct.data[one] * scaled[other]
        np.put(matrix, people_at, np.bincount(pair_of, terms, minlength=pairs.size))
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
    return beta, _mirror(np.array(inverse, dtype=np.float64, order="C"), lower=final[1])


def _mirror(matrix: FloatArray, *, lower: bool, block: int = 512) -> FloatArray:
    """Copy the lower (or upper) triangle of a square matrix onto the other, in place, by blocks."""
    for start in range(0, matrix.shape[0], block):
        stop = start + block
        square = matrix[start:stop, start:stop]
        if lower:
            matrix[start:stop, stop:] = matrix[stop:, start:stop].T
            square[...] = np.tril(square) + np.tril(square, -1).T
        else:
            matrix[stop:, start:stop] = matrix[start:stop, stop:].T
            square[...] = np.triu(square) + np.triu(square, 1).T
    return matrix
