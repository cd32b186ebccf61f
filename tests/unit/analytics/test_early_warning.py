"""Early warning: accurate, calibrated risk whose reasons name the real drivers."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from carpe.analytics.backtest import backtest
from carpe.analytics.early_warning import Driver, EarlyWarningModel

from ._synthetic import make_risk_features

SEED = 7
TEMPLATES = {
    "late_deliveries_60d": "{value:.0f} late deliveries in 60 days",
    "billing_dispute_open": "billing dispute open",
    "days_since_personal_touch": "no personal touch in {value:.0f} days",
}


@pytest.fixture(scope="module")
def data() -> tuple[pd.DataFrame, np.ndarray, pd.DataFrame, np.ndarray]:
    X, y = make_risk_features(3000, seed=SEED)
    return X.iloc[:2000], y[:2000], X.iloc[2000:], y[2000:]


@pytest.mark.parametrize("kind", ["additive", "boosting"])
def test_early_warning_ranks_and_calibrates_held_out_accounts(kind: str, data: tuple) -> None:
    X, y, X_test, y_test = data
    model = EarlyWarningModel(kind=kind, random_state=SEED).fit(X, y)  # type: ignore[arg-type]
    risk = model.predict_risk(X_test)
    assert roc_auc_score(y_test, risk) > 0.75
    assert abs(risk.mean() - y_test.mean()) < 0.03
    # calibrated in the riskiest decile too
    top = risk >= np.quantile(risk, 0.9)
    assert abs(risk[top].mean() - y_test[top].mean()) < 0.1
    proba = model.predict_proba(X_test)
    assert proba.shape == (len(X_test), 2)
    assert np.allclose(proba.sum(axis=1), 1.0)


@pytest.mark.parametrize("kind", ["additive", "boosting"])
def test_contributions_add_up_to_the_log_odds(kind: str, data: tuple) -> None:
    X, y, X_test, _ = data
    model = EarlyWarningModel(kind=kind, random_state=SEED).fit(X, y)  # type: ignore[arg-type]
    rows = X_test.iloc[:40]
    contributions = model.contributions(rows)
    assert list(contributions.columns) == list(X.columns)
    total = contributions.sum(axis=1).to_numpy() + model.base_log_odds_
    assert np.allclose(total, model.decision_function(rows), atol=1e-6)


@pytest.mark.parametrize("kind", ["additive", "boosting"])
def test_explain_names_the_feature_that_makes_an_account_risky(kind: str, data: tuple) -> None:
    X, y, _, _ = data
    model = EarlyWarningModel(kind=kind, templates=TEMPLATES, random_state=SEED)  # type: ignore[arg-type]
    model.fit(X, y)
    typical = {
        "late_deliveries_60d": 0.0,
        "billing_dispute_open": 0,
        "days_since_personal_touch": 20.0,
        "annual_value": 8000.0,
        "segment": "clinic",
    }
    accounts = pd.DataFrame(
        [
            {**typical, "late_deliveries_60d": 6.0},
            {**typical, "billing_dispute_open": 1},
            {**typical, "days_since_personal_touch": 250.0},
        ]
    )
    reasons = model.explain(accounts, top=3)
    assert [r[0].feature for r in reasons] == [
        "late_deliveries_60d",
        "billing_dispute_open",
        "days_since_personal_touch",
    ]
    assert reasons[0][0].text == "6 late deliveries in 60 days"
    assert reasons[1][0].text == "billing dispute open"
    assert reasons[2][0].text == "no personal touch in 250 days"
    for drivers in reasons:
        assert len(drivers) <= 3
        assert all(isinstance(d, Driver) and d.contribution > 0 for d in drivers)
        assert [d.contribution for d in drivers] == sorted(
            (d.contribution for d in drivers), reverse=True
        )


def test_explain_without_a_template_names_feature_and_value(data: tuple) -> None:
    X, y, _, _ = data
    model = EarlyWarningModel(random_state=SEED).fit(X, y)
    row = X.iloc[[0]].assign(segment="retail", late_deliveries_60d=5.0)
    texts = [d.text for d in model.explain(row, top=5, templates={})[0]]
    assert "late_deliveries_60d = 5" in texts
    assert "segment = retail" in texts


def test_early_warning_handles_missing_values_and_unseen_categories(data: tuple) -> None:
    X, y, X_test, _ = data
    train = X.copy()
    train.loc[train.index[:50], "days_since_personal_touch"] = np.nan
    for kind in ("additive", "boosting"):
        model = EarlyWarningModel(kind=kind, random_state=SEED).fit(train, y)  # type: ignore[arg-type]
        rows = X_test.iloc[:3].copy()
        rows.loc[rows.index[0], "segment"] = "never seen"
        rows.loc[rows.index[1], "days_since_personal_touch"] = np.nan
        risk = model.predict_risk(rows)
        assert np.all((risk > 0) & (risk < 1))


def test_early_warning_rejects_bad_input(data: tuple) -> None:
    X, y, _, _ = data
    with pytest.raises(ValueError, match="0 and 1"):
        EarlyWarningModel().fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="kind"):
        EarlyWarningModel(kind="forest").fit(X, y)  # type: ignore[arg-type]
    model = EarlyWarningModel().fit(X, y)
    with pytest.raises(ValueError, match="lacks feature"):
        model.predict_risk(X.drop(columns="segment"))


def test_backtest_trains_only_on_labels_known_before_the_cutoff() -> None:
    X, y = make_risk_features(1200, seed=SEED)
    as_of = pd.Series(pd.date_range("2025-01-01", periods=12, freq="MS").repeat(100))
    # poison the rows whose label is not yet known at the cut-off: a leaky split would learn it
    leaky = ((as_of > "2025-04-03") & (as_of < "2025-07-01")).to_numpy()
    X.loc[leaky, "late_deliveries_60d"] = 50.0
    result = backtest(EarlyWarningModel(random_state=SEED), X, y, as_of, "2025-07-01")
    assert result.n_train == 400  # January to April 1st: label known by July 1st
    assert result.n_test == 600
    assert result.auc > 0.7
    assert abs(result.mean_risk - result.observed_rate) < 0.05
    with pytest.raises(ValueError, match="no rows"):
        backtest(EarlyWarningModel(), X, y, as_of, "2024-01-01")


def test_early_warning_weighted_sample_keeps_risk_calibrated_on_the_full_book() -> None:
    from carpe.analytics.pipeline.sampling import sample_training_rows

    X, y = make_risk_features(6000, seed=SEED)
    rows, weights = sample_training_rows(y, 1500, seed=SEED)
    assert len(rows) == 1500 and np.all(np.diff(rows) > 0)
    for label in (0, 1):
        assert weights[y[rows] == label].sum() == pytest.approx((y == label).sum())
    weighted = EarlyWarningModel(random_state=SEED).fit(
        X.iloc[rows], y[rows], sample_weight=weights
    )
    unweighted = EarlyWarningModel(random_state=SEED).fit(X.iloc[rows], y[rows])
    # The sample over-represents leavers; its weights give the whole book's churn rate back.
    assert abs(weighted.predict_risk(X).mean() - y.mean()) < 0.02
    assert unweighted.predict_risk(X).mean() > y.mean() + 0.05
    assert roc_auc_score(y, weighted.predict_risk(X)) > 0.75


def test_early_warning_unit_weights_give_the_unweighted_model() -> None:
    X, y = make_risk_features(800, seed=SEED)
    plain = EarlyWarningModel(random_state=SEED).fit(X, y)
    ones = EarlyWarningModel(random_state=SEED).fit(X, y, sample_weight=np.ones(len(y)))
    assert np.allclose(plain.predict_risk(X), ones.predict_risk(X), rtol=1e-9, atol=1e-12)
    with pytest.raises(ValueError, match="sample_weight"):
        EarlyWarningModel().fit(X, y, sample_weight=np.zeros(len(y)))
