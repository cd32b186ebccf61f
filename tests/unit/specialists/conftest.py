"""Hand-made inputs for the specialists analysis (seeded, printed by the tests that use them)."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from carpe.analytics.specialists import SpecialistInputs, choose_windows

AS_OF = date(2026, 4, 1)
SEED = 20261123


def make_company(
    seed: int = SEED, accounts: int = 1500
) -> tuple[SpecialistInputs, set[str], set[str]]:
    """Accounts, each served by one of 20 employees; E01/E02 keep customers, E03/E04 are busy
    decoys who serve the biggest accounts (which stay anyway), E20 serves only 3 accounts."""
    rng = np.random.default_rng(seed)
    w = choose_windows(AS_OF, AS_OF - timedelta(days=730))
    size = rng.standard_normal(accounts)
    employees = [f"E{i:02d}" for i in range(1, 21)]
    serve = rng.integers(4, 19, accounts)  # E05..E19 by default
    big = size > np.quantile(size, 0.75)
    serve = np.where(big & (rng.random(accounts) < 0.8), rng.integers(2, 4, accounts), serve)
    pick = rng.random(accounts)
    serve = np.where(~big & (pick < 0.08), 0, serve)
    serve = np.where(~big & (pick >= 0.08) & (pick < 0.16), 1, serve)
    serve[:3] = 19
    ids = [f"A{i:05d}" for i in range(accounts)]
    logit = 1.6 + 0.9 * size + np.where(np.isin(serve, [0, 1]), 1.5, 0.0)
    retained = rng.random(accounts) < 1 / (1 + np.exp(-logit))
    ended = [None if r else w.outcome_start + timedelta(days=int(d)) for r, d in
             zip(retained, rng.integers(1, 360, accounts), strict=True)]  # fmt: skip
    frame = pd.DataFrame(
        {
            "account_id": ids,
            "name": [f"Account {i}" for i in range(accounts)],
            "segment": np.where(size > 1, "enterprise", "smb"),
            "owner_employee_id": [employees[s] for s in serve],
            "started_on": [w.outcome_start - timedelta(days=int(d)) for d in rng.integers(30, 2000, accounts)],
            "ended_on": ended,
            "annual_value": np.round(np.exp(10 + size), 0),
        }
    )  # fmt: skip
    staff = pd.DataFrame(
        {
            "employee_id": employees,
            "name": [f"Person{i} Lastname" for i in range(1, 21)],
            "department": ["Billing" if i % 2 else "Operations" for i in range(1, 21)],
            "role": ["clerk"] * 20,
            "left_on": [None] * 20,
        }
    )
    involvement = pd.DataFrame(
        {"account_id": ids, "employee_id": [employees[s] for s in serve], "n": rng.integers(1, 20, accounts)}
    )  # fmt: skip
    stats = pd.DataFrame(
        {
            "account_id": ids,
            "touches_pre": np.where(big, 40, 10),
            "late_pre": 0,
            "nps_pre": 8.0,
            "delivered": 10,
            "late": 1,
            "invoices": 5,
            "disputed": 0,
            "gestures_pre": 0,
        }
    )
    inputs = SpecialistInputs(
        windows=w, accounts=frame, employees=staff, involvement=involvement, account_stats=stats
    )
    return inputs, {"E01", "E02"}, {"E03", "E04"}


@pytest.fixture(scope="package")
def company() -> tuple[SpecialistInputs, set[str], set[str]]:
    """The hand-made company (seed printed)."""
    print(f"seed {SEED}")
    return make_company()
