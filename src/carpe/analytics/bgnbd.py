"""BG/NBD: "probability alive" and expected purchases for non-contractual customers.

Retail shops, clinics and restaurants never learn the day a customer leaves; they
only see purchases stop. The beta-geometric / negative-binomial model (Fader,
Hardie & Lee 2005, "Counting Your Customers the Easy Way") explains each
customer's repeat purchases with two latent traits:

* while alive, a customer buys as a Poisson process with rate ``lambda``;
  ``lambda ~ Gamma(r, alpha)`` across customers;
* after every purchase the customer leaves for good with probability ``p``;
  ``p ~ Beta(a, b)`` across customers.

The model is fitted on the RFM summary of each customer: the number of *repeat*
purchases ``x`` (frequency), the time of the last purchase ``t_x`` (recency) and
the age ``T``, all measured from the customer's first purchase. :func:`rfm_summary`
builds that summary from a transaction table.

Everything here is pure: arrays and tables in, arrays, tables and fitted
attributes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd  # type: ignore[import-untyped]
from numpy.typing import ArrayLike, NDArray
from scipy import optimize, special
from sklearn.exceptions import NotFittedError

from carpe.analytics.tables import day_timestamps as _dates
from carpe.analytics.tables import to_pandas as _to_pandas

__all__ = ["BetaGeoFitter", "BetaGeoParams", "rfm_summary"]

FloatArray = NDArray[np.float64]

_FREQ_DAYS: dict[str, float] = {"D": 1.0, "W": 7.0}


@dataclass(frozen=True)
class BetaGeoParams:
    """Fitted BG/NBD parameters.

    Attributes
    ----------
    r, alpha : float
        Shape and rate of the gamma distribution of purchase rates.
    a, b : float
        Shape parameters of the beta distribution of drop-out probabilities.
    """

    r: float
    alpha: float
    a: float
    b: float


def _as_float_array(values: ArrayLike, name: str) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        array = np.atleast_1d(array).ravel()
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name} contains missing or infinite values")
    return array


def _validate_rfm(
    frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    x = _as_float_array(frequency, "frequency")
    t_x = _as_float_array(recency, "recency")
    age = _as_float_array(T, "T")
    if not (x.shape == t_x.shape == age.shape):
        raise ValueError(
            f"frequency, recency and T must have the same length, got {x.size}, {t_x.size}, "
            f"{age.size}"
        )
    if x.size == 0:
        raise ValueError("at least one customer is needed")
    if np.any(x < 0) or np.any(x != np.round(x)):
        raise ValueError("frequency must hold non-negative whole numbers of repeat purchases")
    if np.any(t_x < 0) or np.any(t_x > age + 1e-9):
        raise ValueError("recency must lie between 0 and T for every customer")
    if np.any((x == 0) & (t_x != 0)):
        raise ValueError("recency must be 0 for customers with no repeat purchase")
    return x, t_x, age


def _log_likelihood_terms(
    log_params: FloatArray, x: FloatArray, t_x: FloatArray, T: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """Per-customer log-likelihood and its gradient w.r.t. the log-parameters.

    Returns the log-likelihood, the weight of the "still alive" term ``w1``, and
    the two alternative log-terms; the gradient is assembled by the caller.
    """
    r, alpha, a, b = np.exp(log_params)
    repeat = x > 0
    # B(a+1, b+x-1) is only needed (and only defined for b < 1) when x > 0.
    x_or_one = np.where(repeat, x, 1.0)
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha) - special.betaln(a, b)
    alive = special.betaln(a, b + x) - (r + x) * np.log(alpha + T)
    dropped = np.where(
        repeat,
        special.betaln(a + 1.0, b + x_or_one - 1.0) - (r + x) * np.log(alpha + t_x),
        -np.inf,
    )
    total = np.logaddexp(alive, dropped)
    return common + total, np.exp(alive - total), alive, dropped


def _negative_log_likelihood(
    log_params: FloatArray,
    x: FloatArray,
    t_x: FloatArray,
    T: FloatArray,
    weights: FloatArray,
    penalizer: float,
) -> tuple[float, FloatArray]:
    r, alpha, a, b = np.exp(log_params)
    ll, w_alive, _, _ = _log_likelihood_terms(log_params, x, t_x, T)
    w_dropped = 1.0 - w_alive
    psi = special.digamma
    d_r = (
        psi(r + x)
        - psi(r)
        + np.log(alpha)
        - w_alive * np.log(alpha + T)
        - w_dropped * np.log(alpha + t_x)
    )
    d_alpha = r / alpha - (r + x) * (w_alive / (alpha + T) + w_dropped / (alpha + t_x))
    x_or_one = np.where(x > 0, x, 1.0)
    psi_abx = psi(a + b + x)
    d_a = (
        -(psi(a) - psi(a + b)) + w_alive * (psi(a) - psi_abx) + w_dropped * (psi(a + 1.0) - psi_abx)
    )
    d_b = (
        -(psi(b) - psi(a + b))
        + w_alive * (psi(b + x) - psi_abx)
        + w_dropped * (psi(b + x_or_one - 1.0) - psi_abx)
    )
    params = np.array([r, alpha, a, b])
    grad = np.array([weights @ d_r, weights @ d_alpha, weights @ d_a, weights @ d_b]) * params
    n = weights.sum()
    value = -float(weights @ ll) / n + penalizer * float(params @ params)
    gradient = -grad / n + 2.0 * penalizer * params * params
    return value, gradient


def _decayed_hyp2f1(r: float, a: float, b: float, x: FloatArray, z: FloatArray) -> FloatArray:
    """(1 - z)^(r+x) * 2F1(r+x, b+x; a+b+x-1; z), computed without overflow.

    Euler's transformation turns it into (1 - z)^(a-1) * 2F1(a+b-1-r, a-1; a+b+x-1; z),
    whose small parameters keep the series finite even for customers with
    hundreds of purchases.
    """
    series = special.hyp2f1(a + b - 1.0 - r, a - 1.0, a + b + x - 1.0, z)
    return np.asarray(np.exp((a - 1.0) * np.log1p(-z)) * series, dtype=np.float64)


class BetaGeoFitter:
    """BG/NBD model fitted by maximum likelihood.

    Parameters
    ----------
    penalizer_coef : float, default 0.0
        L2 penalty on the four parameters, added to the mean negative
        log-likelihood. Zero reproduces the published maximum-likelihood fit; a
        small value (0.001-0.1) stabilises fits on few customers.
    tol : float, default 1e-10
        Convergence tolerance of the L-BFGS-B optimiser.
    max_iter : int, default 1000
        Maximum number of optimiser iterations.

    Attributes
    ----------
    params_ : BetaGeoParams
        The fitted ``r``, ``alpha``, ``a``, ``b``.
    log_likelihood_ : float
        Total log-likelihood of the fitted data (without the penalty).
    n_customers_ : int
        Number of customers the model was fitted on.
    converged_ : bool
        Whether the optimiser reported success.

    Examples
    --------
    >>> model = BetaGeoFitter().fit([0, 2, 1, 4], [0.0, 20.0, 5.0, 30.0], [30.0, 35.0, 32.0, 38.0])
    >>> model.probability_alive(2, 20.0, 35.0).shape
    (1,)
    """

    def __init__(
        self, penalizer_coef: float = 0.0, tol: float = 1e-10, max_iter: int = 1000
    ) -> None:
        self.penalizer_coef = penalizer_coef
        self.tol = tol
        self.max_iter = max_iter

    def fit(
        self,
        frequency: ArrayLike,
        recency: ArrayLike,
        T: ArrayLike,
        weights: ArrayLike | None = None,
    ) -> BetaGeoFitter:
        """Fit the model to customers' RFM summaries.

        Parameters
        ----------
        frequency : array-like of shape (n,)
            Repeat purchases ``x`` of each customer (purchases after the first).
        recency : array-like of shape (n,)
            Time ``t_x`` from the first to the last purchase (0 when ``x == 0``).
        T : array-like of shape (n,)
            Time from the first purchase to the end of the calibration period.
        weights : array-like of shape (n,), optional
            Number of customers each row stands for (for pre-aggregated data).

        Returns
        -------
        BetaGeoFitter
            The fitted model (``self``).
        """
        if self.penalizer_coef < 0:
            raise ValueError("penalizer_coef must be non-negative")
        x, t_x, age = _validate_rfm(frequency, recency, T)
        w = np.ones_like(x) if weights is None else _as_float_array(weights, "weights")
        if w.shape != x.shape or np.any(w < 0):
            raise ValueError("weights must be non-negative, one per customer")
        # Customers with identical (x, t_x, T) contribute identical terms: fit on the
        # distinct rows only, weighted by their counts.
        rows, inverse = np.unique(np.column_stack([x, t_x, age]), axis=0, return_inverse=True)
        counts = np.bincount(inverse.ravel(), weights=w)
        args = (rows[:, 0], rows[:, 1], rows[:, 2], counts, float(self.penalizer_coef))
        result = optimize.minimize(
            _negative_log_likelihood,
            x0=np.zeros(4),
            args=args,
            jac=True,
            method="L-BFGS-B",
            bounds=[(-20.0, 20.0)] * 4,
            options={"maxiter": self.max_iter, "ftol": self.tol, "gtol": 1e-9},
        )
        r, alpha, a, b = (float(v) for v in np.exp(result.x))
        self.params_ = BetaGeoParams(r=r, alpha=alpha, a=a, b=b)
        ll, _, _, _ = _log_likelihood_terms(result.x, rows[:, 0], rows[:, 1], rows[:, 2])
        self.log_likelihood_ = float(counts @ ll)
        self.n_customers_ = round(float(w.sum()))
        self.converged_ = bool(result.success)
        return self

    def _params(self) -> tuple[float, float, float, float]:
        if not hasattr(self, "params_"):
            raise NotFittedError("this BetaGeoFitter is not fitted yet; call fit() first")
        p = self.params_
        return p.r, p.alpha, p.a, p.b

    def log_likelihood(self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike) -> FloatArray:
        """Per-customer log-likelihood under the fitted parameters.

        Parameters
        ----------
        frequency, recency, T : array-like of shape (n,)
            RFM summaries as in :meth:`fit`.

        Returns
        -------
        numpy.ndarray of shape (n,)
            The log-likelihood of each customer's purchase history.
        """
        x, t_x, age = _validate_rfm(frequency, recency, T)
        log_params = np.log(np.array(self._params()))
        ll, _, _, _ = _log_likelihood_terms(log_params, x, t_x, age)
        return ll

    def _log_odds_dropped(self, x: FloatArray, t_x: FloatArray, T: FloatArray) -> FloatArray:
        """log[ a/(b+x-1) * ((alpha+T)/(alpha+t_x))^(r+x) ], or -inf when x == 0."""
        r, alpha, a, b = self._params()
        x_or_one = np.where(x > 0, x, 1.0)
        value = (
            np.log(a)
            - np.log(b + x_or_one - 1.0)
            + (r + x) * (np.log(alpha + T) - np.log(alpha + t_x))
        )
        return np.where(x > 0, value, -np.inf)

    def probability_alive(
        self, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """Probability that each customer is still active at the end of their age ``T``.

        Parameters
        ----------
        frequency, recency, T : array-like of shape (n,)
            RFM summaries as in :meth:`fit`.

        Returns
        -------
        numpy.ndarray of shape (n,)
            P(alive | x, t_x, T), between 0 and 1. Customers with no repeat
            purchase are alive with probability 1 under BG/NBD (they cannot have
            dropped out before their first repeat purchase).
        """
        x, t_x, age = _validate_rfm(frequency, recency, T)
        return np.asarray(special.expit(-self._log_odds_dropped(x, t_x, age)), dtype=np.float64)

    def conditional_expected_purchases(
        self, t: ArrayLike, frequency: ArrayLike, recency: ArrayLike, T: ArrayLike
    ) -> FloatArray:
        """Expected repeat purchases in the next ``t`` periods, given each history.

        Parameters
        ----------
        t : float or array-like of shape (n,)
            Length of the forecast window, in the units of ``T``.
        frequency, recency, T : array-like of shape (n,)
            RFM summaries as in :meth:`fit`.

        Returns
        -------
        numpy.ndarray of shape (n,)
            E[Y(t) | x, t_x, T] for each customer (equation 10 of Fader, Hardie &
            Lee 2005).
        """
        x, t_x, age = _validate_rfm(frequency, recency, T)
        horizon = np.broadcast_to(np.asarray(t, dtype=np.float64), x.shape)
        if np.any(horizon < 0):
            raise ValueError("t must be non-negative")
        r, alpha, a, b = self._params()
        z = horizon / (alpha + age + horizon)
        numerator = (a + b + x - 1.0) / (a - 1.0) * (1.0 - _decayed_hyp2f1(r, a, b, x, z))
        return np.asarray(
            numerator * special.expit(-self._log_odds_dropped(x, t_x, age)), dtype=np.float64
        )

    def expected_purchases(self, t: ArrayLike) -> FloatArray:
        """Expected repeat purchases of a new customer within ``t`` periods of the first.

        Summing this over customers, each at their own time since first purchase,
        gives the model's cumulative repeat-purchase curve.

        Parameters
        ----------
        t : float or array-like
            Time since the first purchase, in the units the model was fitted in.

        Returns
        -------
        numpy.ndarray
            E[X(t)] (equation 9 of Fader, Hardie & Lee 2005), same shape as ``t``.
        """
        horizon = np.atleast_1d(np.asarray(t, dtype=np.float64))
        if np.any(horizon < 0) or not np.all(np.isfinite(horizon)):
            raise ValueError("t must be finite and non-negative")
        r, alpha, a, b = self._params()
        z = horizon / (alpha + horizon)
        decayed = _decayed_hyp2f1(r, a, b, np.zeros_like(z), z)
        return np.asarray((a + b - 1.0) / (a - 1.0) * (1.0 - decayed), dtype=np.float64)

    def __repr__(self) -> str:
        if hasattr(self, "params_"):
            p = self.params_
            return (
                f"BetaGeoFitter(r={p.r:.3f}, alpha={p.alpha:.3f}, a={p.a:.3f}, b={p.b:.3f}, "
                f"n={self.n_customers_})"
            )
        return f"BetaGeoFitter(penalizer_coef={self.penalizer_coef})"


def rfm_summary(
    transactions: Any,
    customer: str,
    date: str,
    calibration_end: Any,
    observation_end: Any | None = None,
    freq: Literal["D", "W"] = "W",
) -> pd.DataFrame:
    """Turn a transaction table into each customer's BG/NBD summary.

    Purchases by the same customer on the same day count as one transaction.
    Customers whose first purchase falls after ``calibration_end`` are left out.

    Parameters
    ----------
    transactions : pandas.DataFrame or pyarrow.Table
        One row per purchase.
    customer : str
        Column holding the customer id.
    date : str
        Column holding the purchase date or datetime (times are dropped).
    calibration_end : date-like
        Last day of the calibration period (inclusive).
    observation_end : date-like, optional
        Last day of the holdout period (inclusive). When given, the result also
        holds each customer's holdout purchases.
    freq : {"D", "W"}, default "W"
        Time unit of ``recency``, ``T`` and ``duration_holdout``: days or weeks.

    Returns
    -------
    pandas.DataFrame
        Indexed by customer, sorted, with columns ``frequency`` (repeat
        purchases ``x``), ``recency`` (``t_x``), ``T``, ``first_purchase`` and,
        with ``observation_end``, ``frequency_holdout`` and ``duration_holdout``.

    Examples
    --------
    >>> tx = pd.DataFrame({"c": [1, 1, 2], "d": ["2024-01-01", "2024-01-15", "2024-01-08"]})
    >>> summary = rfm_summary(tx, "c", "d", "2024-01-29")
    >>> summary["frequency"].tolist(), summary["recency"].tolist(), summary["T"].tolist()
    ([1, 0], [2.0, 0.0], [4.0, 3.0])
    """
    if freq not in _FREQ_DAYS:
        raise ValueError(f"freq must be one of {sorted(_FREQ_DAYS)}, got {freq!r}")
    unit = _FREQ_DAYS[freq]
    frame = _to_pandas(transactions)
    missing = {customer, date} - set(frame.columns)
    if missing:
        raise ValueError(f"transactions lack column(s): {', '.join(sorted(missing))}")
    cal_end = pd.Timestamp(calibration_end).normalize()
    obs_end = None if observation_end is None else pd.Timestamp(observation_end).normalize()
    if obs_end is not None and obs_end < cal_end:
        raise ValueError("observation_end must not be before calibration_end")
    days = pd.DataFrame(
        {"customer": frame[customer].to_numpy(), "day": _dates(frame[date]).to_numpy()}
    )
    if days["day"].isna().any() or days["customer"].isna().any():
        raise ValueError("transactions contain missing customers or dates")
    days = days.drop_duplicates()
    first = days.groupby("customer")["day"].min()
    first = first[first <= cal_end]
    days = days[days["customer"].isin(first.index)]
    calibration = days[days["day"] <= cal_end]
    grouped = calibration.groupby("customer")["day"]
    summary = pd.DataFrame(
        {
            "frequency": (grouped.count() - 1).astype("int64"),
            "recency": (grouped.max() - first).dt.days / unit,
            "T": (cal_end - first).dt.days / unit,
            "first_purchase": first,
        }
    )
    if obs_end is not None:
        holdout = days[(days["day"] > cal_end) & (days["day"] <= obs_end)]
        counts = holdout.groupby("customer")["day"].count()
        summary["frequency_holdout"] = counts.reindex(summary.index, fill_value=0).astype("int64")
        summary["duration_holdout"] = (obs_end - cal_end).days / unit
    summary.index.name = customer
    return summary.sort_index()
