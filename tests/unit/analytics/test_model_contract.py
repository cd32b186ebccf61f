"""One contract over every retention model: the estimator conventions hold for all.

Each case builds a model from hyper-parameters, fits it on small data, and
predicts. The contract: the constructor stores the hyper-parameters untouched,
``fit`` returns ``self`` and adds only attributes ending in ``_`` (or private
ones), predicting before fitting raises ``NotFittedError``, the same seed gives
the same output, and the output has the documented shape.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from carpe.analytics.better_day import BetterDayEstimator
from carpe.analytics.bgnbd import BetaGeoFitter
from carpe.analytics.early_warning import Driver, EarlyWarningModel
from carpe.analytics.effects import EffectEstimate, GroupEffect, estimate_effect, estimate_effects
from carpe.analytics.survival import SurvivalCurve, kaplan_meier_curves

from ._synthetic import make_bgnbd_customers, make_confounded_followups, make_risk_features


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[..., Any]
    params: dict[str, Any]
    data: Callable[[], tuple[Any, ...]]
    predict: Callable[[Any, tuple[Any, ...]], np.ndarray]
    output_shape: Callable[[tuple[Any, ...]], tuple[int, ...]]


def _rfm() -> tuple[Any, ...]:
    return make_bgnbd_customers(300, 0.5, 5.0, 0.8, 2.5, seed=1)


def _risk() -> tuple[Any, ...]:
    return make_risk_features(400, seed=2)


def _days() -> tuple[Any, ...]:
    rng = np.random.default_rng(4)
    n = 200
    at = pd.Timestamp("2026-03-01") + pd.to_timedelta(rng.integers(0, 60 * 24, n), unit="h")
    accounts = [f"a{i}" for i in rng.integers(0, 30, n)]
    contacts = pd.DataFrame(
        {
            "touchpoint_id": [f"t{i}" for i in range(n)],
            "account_id": accounts,
            "contact_id": None,
            "employee_id": [f"e{i}" for i in rng.integers(0, 5, n)],
            "occurred_at": at,
        }
    )
    words = pd.DataFrame(
        {
            "source": "touchpoint",
            "source_id": contacts["touchpoint_id"],
            "account_id": accounts,
            "at": at,
            "sentiment": rng.uniform(-1, 1, n).round(2),
        }
    )
    return contacts, words


CASES = [
    Case(
        "bgnbd",
        BetaGeoFitter,
        {"penalizer_coef": 0.001, "tol": 1e-9, "max_iter": 500},
        _rfm,
        lambda m, d: np.column_stack(
            [m.probability_alive(*d), m.conditional_expected_purchases(5.0, *d)]
        ),
        lambda d: (len(d[0]), 2),
    ),
    Case(
        "early_warning_additive",
        EarlyWarningModel,
        {"kind": "additive", "C": 0.5, "n_knots": 4, "random_state": 3},
        _risk,
        lambda m, d: np.column_stack([m.predict_proba(d[0]), m.contributions(d[0]).to_numpy()]),
        lambda d: (len(d[0]), 2 + d[0].shape[1]),
    ),
    Case(
        "early_warning_boosting",
        EarlyWarningModel,
        {"kind": "boosting", "max_iter": 30, "n_permutations": 2, "random_state": 3},
        _risk,
        lambda m, d: np.column_stack([m.predict_proba(d[0]), m.contributions(d[0]).to_numpy()]),
        lambda d: (len(d[0]), 2 + d[0].shape[1]),
    ),
    Case(
        "better_day",
        BetterDayEstimator,
        {"before_days": 30, "after_days": 7, "margin": 0.0, "own_words": True, "usual": True},
        _days,
        lambda m, d: m.shares()[["smoothed", "judged"]].to_numpy(dtype=np.float64),
        lambda d: (d[0]["employee_id"].nunique(), 2),
    ),
]


@pytest.fixture(params=CASES, ids=lambda c: c.name)
def case(request: pytest.FixtureRequest) -> Case:
    return request.param  # type: ignore[no-any-return]


def test_model_constructor_stores_hyper_parameters_untouched(case: Case) -> None:
    model = case.make(**case.params)
    for name, value in case.params.items():
        assert getattr(model, name) is value
    assert all(not k.endswith("_") for k in vars(model))


def test_model_fit_returns_self_and_learns_only_trailing_underscore_attributes(case: Case) -> None:
    model = case.make(**case.params)
    before = set(vars(model))
    assert model.fit(*case.data()) is model
    learned = set(vars(model)) - before
    assert learned
    assert all(k.endswith("_") or k.startswith("_") for k in learned)
    for name, value in case.params.items():
        assert getattr(model, name) is value  # fitting changes no hyper-parameter


def test_model_refuses_to_predict_before_fit(case: Case) -> None:
    with pytest.raises(NotFittedError):
        case.predict(case.make(**case.params), case.data())


def test_model_is_deterministic_for_a_seed_and_has_the_output_schema(case: Case) -> None:
    data = case.data()
    first = case.predict(case.make(**case.params).fit(*data), data)
    again = case.predict(case.make(**case.params).fit(*data), data)
    assert first.shape == case.output_shape(data)
    assert first.dtype == np.float64
    assert np.all(np.isfinite(first))
    np.testing.assert_array_equal(first, again)


def test_result_records_are_frozen_dataclasses_that_round_trip() -> None:
    data, _, _ = make_confounded_followups(300, seed=5)
    effect = estimate_effect(data, "followed_up", "churned", ["size"])
    units = data.assign(account_id=[f"a{i}" for i in range(len(data))])
    exposures = pd.DataFrame(
        {"account_id": units["account_id"][data["followed_up"] == 1], "employee_id": "e1"}
    )
    exposures = pd.concat(
        [exposures, pd.DataFrame({"account_id": units["account_id"][:40], "employee_id": "e2"})]
    )
    groups = estimate_effects(units, exposures, "account_id", "employee_id", "churned", ["size"])
    accounts = pd.DataFrame(
        {
            "account_id": ["a", "b"],
            "started_on": ["2024-01-01", "2024-02-01"],
            "ended_on": ["2024-03-01", None],
        }
    )
    (curve,) = kaplan_meier_curves(accounts, as_of="2024-06-30")
    driver = Driver(feature="late_deliveries_60d", contribution=0.4, text="2 late deliveries")
    records: list[Any] = [effect, *groups, curve, driver]
    kinds = (EffectEstimate, GroupEffect, SurvivalCurve, Driver)
    for record in records:
        assert isinstance(record, kinds)
        assert dataclasses.is_dataclass(record)
        assert type(record)(**dataclasses.asdict(record)) == record
        field = dataclasses.fields(record)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(record, field, None)
