"""BG/NBD: the published CDNOW fit, the RFM summary, and the model's behaviour."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import optimize
from sklearn.exceptions import NotFittedError

from carpe.analytics.bgnbd import BetaGeoFitter, _negative_log_likelihood, rfm_summary

from ._synthetic import make_bgnbd_customers, require_data

PUBLISHED = {"r": 0.243, "alpha": 4.414, "a": 0.793, "b": 2.426}


@pytest.fixture(scope="module")
def cdnow() -> pd.DataFrame:
    path = require_data("cdnow/CDNOW_sample.txt")
    tx = pd.read_csv(
        path,
        sep=r"\s+",
        header=None,
        names=["master_id", "customer_id", "date", "cds", "dollars"],
        dtype={"date": str},
    )
    tx["date"] = pd.to_datetime(tx["date"], format="%Y%m%d")
    return rfm_summary(tx, "customer_id", "date", "1997-09-30", "1998-06-30", freq="W")


def test_rfm_summary_rebuilds_the_published_cdnow_calibration_summary(cdnow: pd.DataFrame) -> None:
    published = pd.read_csv(
        require_data("cdnow/cdnow_customers_summary_with_transactions.csv")
    ).set_index("ID")
    assert len(cdnow) == 2357
    assert int(cdnow["frequency"].sum()) == 2457
    assert int(cdnow["frequency_holdout"].sum()) == 1882
    assert (cdnow["frequency"].to_numpy() == published["x"].to_numpy()).all()
    # the published file rounds to 2 decimals
    assert np.abs(cdnow["recency"].to_numpy() - published["t_x"].to_numpy()).max() < 0.006
    assert np.abs(cdnow["T"].to_numpy() - published["T"].to_numpy()).max() < 0.006


def test_bgnbd_reproduces_the_published_cdnow_fit(cdnow: pd.DataFrame) -> None:
    x, t_x, age = cdnow["frequency"], cdnow["recency"], cdnow["T"]
    model = BetaGeoFitter().fit(x, t_x, age)
    for name, value in PUBLISHED.items():
        assert getattr(model.params_, name) == pytest.approx(value, rel=0.01), name
    assert model.log_likelihood_ == pytest.approx(-9582.4, rel=0.001)
    assert model.converged_

    weeks = float(cdnow["duration_holdout"].iloc[0])
    cumulative = model.expected_purchases(age.to_numpy() + weeks).sum()
    assert cumulative == pytest.approx(4171, rel=0.01)  # actual 4,339: about 4% under
    conditional = model.conditional_expected_purchases(weeks, x, t_x, age)
    holdout = cdnow["frequency_holdout"].to_numpy()
    assert np.corrcoef(conditional, holdout)[0, 1] == pytest.approx(0.626, abs=0.005)
    assert conditional[x.to_numpy() == 0].mean() == pytest.approx(0.23, abs=0.01)


def test_rfm_summary_merges_same_day_purchases_and_drops_customers_who_start_late() -> None:
    tx = pd.DataFrame(
        {
            "customer": ["a", "a", "a", "a", "b", "c", "a"],
            "at": [
                "2024-01-01 09:00",
                "2024-01-01 17:00",  # same day: one transaction
                "2024-01-15",
                "2024-01-29",
                "2024-01-08",
                "2024-03-01",  # first purchase after calibration: left out
                "2024-02-12",  # holdout
            ],
        }
    )
    summary = rfm_summary(tx, "customer", "at", "2024-01-29", "2024-02-26", freq="W")
    assert list(summary.index) == ["a", "b"]
    assert summary.loc["a", ["frequency", "recency", "T"]].tolist() == [2, 4.0, 4.0]
    assert summary.loc["b", ["frequency", "recency", "T"]].tolist() == [0, 0.0, 3.0]
    assert summary["frequency_holdout"].tolist() == [1, 0]
    assert summary["duration_holdout"].tolist() == [4.0, 4.0]


def test_rfm_summary_rejects_missing_columns_and_bad_frequency() -> None:
    tx = pd.DataFrame({"customer": ["a"], "at": ["2024-01-01"]})
    with pytest.raises(ValueError, match="lack column"):
        rfm_summary(tx, "customer", "date", "2024-02-01")
    with pytest.raises(ValueError, match="freq"):
        rfm_summary(tx, "customer", "at", "2024-02-01", freq="M")  # type: ignore[arg-type]


def test_bgnbd_gradient_matches_finite_differences() -> None:
    x, t_x, age = make_bgnbd_customers(300, 0.5, 5.0, 0.8, 2.5, seed=3)
    w = np.ones_like(x)

    def value(p: np.ndarray) -> float:
        return _negative_log_likelihood(p, x, t_x, age, w, 0.01)[0]

    def gradient(p: np.ndarray) -> np.ndarray:
        return _negative_log_likelihood(p, x, t_x, age, w, 0.01)[1]

    for point in ([0.0, 0.0, 0.0, 0.0], np.log([0.3, 4.0, 0.7, 2.0])):
        assert optimize.check_grad(value, gradient, np.asarray(point, float)) < 1e-5


def test_bgnbd_recovers_the_parameters_of_simulated_customers() -> None:
    truth = (0.6, 6.0, 0.9, 3.0)
    x, t_x, age = make_bgnbd_customers(6000, *truth, seed=11)
    params = BetaGeoFitter().fit(x, t_x, age).params_
    fitted = (params.r, params.alpha, params.a, params.b)
    for got, want in zip(fitted, truth, strict=True):
        assert got == pytest.approx(want, rel=0.3)


def test_probability_alive_is_one_without_repeats_and_falls_with_silence() -> None:
    x, t_x, age = make_bgnbd_customers(2000, 0.5, 5.0, 0.8, 2.5, seed=5)
    model = BetaGeoFitter().fit(x, t_x, age)
    assert model.probability_alive([0, 0], [0.0, 0.0], [10.0, 40.0]).tolist() == [1.0, 1.0]
    recent, silent = model.probability_alive([5, 5], [39.0, 10.0], [40.0, 40.0])
    assert 0 < silent < recent <= 1
    # the customer who bought recently is expected to buy more
    soon, late = model.conditional_expected_purchases(10.0, [5, 5], [39.0, 10.0], [40.0, 40.0])
    assert soon > late > 0


def test_expected_purchases_grows_from_zero() -> None:
    x, t_x, age = make_bgnbd_customers(1000, 0.5, 5.0, 0.8, 2.5, seed=2)
    model = BetaGeoFitter().fit(x, t_x, age)
    curve = model.expected_purchases([0.0, 10.0, 20.0, 40.0])
    assert curve[0] == pytest.approx(0.0)
    assert np.all(np.diff(curve) > 0)


def test_bgnbd_rejects_inconsistent_histories() -> None:
    with pytest.raises(ValueError, match="recency"):
        BetaGeoFitter().fit([1, 2], [5.0, 50.0], [10.0, 40.0])
    with pytest.raises(ValueError, match="whole numbers"):
        BetaGeoFitter().fit([1.5], [1.0], [2.0])
    with pytest.raises(ValueError, match="same length"):
        BetaGeoFitter().fit([1, 2], [1.0], [2.0])


def test_bgnbd_predicting_before_fit_raises_not_fitted() -> None:
    with pytest.raises(NotFittedError):
        BetaGeoFitter().probability_alive([1], [1.0], [2.0])


def test_bgnbd_predictions_stay_finite_for_heavy_buyers() -> None:
    x, t_x, age = make_bgnbd_customers(1000, 0.5, 5.0, 0.8, 2.5, seed=8)
    model = BetaGeoFitter().fit(x, t_x, age)
    heavy = np.array([50.0, 300.0, 2000.0])
    expected = model.conditional_expected_purchases(52.0, heavy, [38.0, 38.9, 38.99], [39.0] * 3)
    alive = model.probability_alive(heavy, [38.0, 38.9, 38.99], [39.0] * 3)
    assert np.all(np.isfinite(expected)) and np.all(expected >= 0)
    assert np.all((alive >= 0) & (alive <= 1))
    assert np.all(np.isfinite(model.expected_purchases([1e3, 1e5])))
