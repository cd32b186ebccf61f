"""Verdicts: a specialist through recent work, a decoy given the safest accounts, what would settle it."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd

from carpe.analytics.specialists import SpecialistInputs, choose_windows
from carpe.analytics.specialists.attribution import attribute_retention
from carpe.analytics.specialists.evidence import months_to_settle, settle_text, verdicts

AS_OF = date(2026, 4, 1)


def _month(day: date) -> int:
    return day.year * 12 + day.month - 1


def make_world(seed: int = 5, accounts: int = 1500) -> SpecialistInputs:
    """24 months; hidden frailty per account. E01 halves the hazard for 6 months after a
    touch on random accounts; E02 touches the least frail accounts four times, no effect;
    E03..E10 touch random accounts now and then, no effect."""
    rng = np.random.default_rng(seed)
    w = choose_windows(AS_OF, AS_OF - timedelta(days=730))
    first = _month(w.exposure_start)
    n_months = _month(AS_OF) - first
    frailty = np.exp(rng.normal(0.0, 0.7, accounts))
    safest = np.argsort(frailty)[: accounts // 6]
    touches = []
    for e in range(1, 11):
        if e == 2:
            for a in safest:
                touches += [(int(a), e, int(m)) for m in rng.choice(n_months, 4, replace=False)]
        else:
            for a in rng.choice(accounts, size=accounts // 3, replace=False):
                touches += [(int(a), e, int(m)) for m in rng.choice(n_months, 3, replace=False)]
    touched = np.zeros((accounts, n_months), dtype=bool)  # E01 touched in the 6 months before
    for a, e, m in touches:
        if e == 1:
            touched[a, m + 1 : m + 7] = True
    ended: list[date | None] = [None] * accounts
    for a in range(accounts):
        for m in range(n_months):
            hazard = 0.02 * frailty[a] * (0.35 if touched[a, m] else 1.0)
            if rng.random() < hazard:
                ended[a] = date((first + m) // 12, (first + m) % 12 + 1, 15)
                break
    keep = [(a, e, m) for a, e, m in touches if ended[a] is None or m <= _month(ended[a]) - first]
    ids = [f"A{i:05d}" for i in range(accounts)]
    months = pd.DataFrame(
        {
            "account_id": [ids[a] for a, _, _ in keep],
            "employee_id": [f"E{e:02d}" for _, e, _ in keep],
            "month": [first + m for _, _, m in keep],
            "n": 1,
        }
    ).drop_duplicates()
    starts = months.groupby(["account_id", "employee_id"], as_index=False)["month"].min()
    starts["first_at"] = [date(m // 12, m % 12 + 1, 2) for m in starts["month"]]
    return SpecialistInputs(
        windows=w,
        accounts=pd.DataFrame(
            {
                "account_id": ids,
                "name": ids,
                "segment": "smb",
                "owner_employee_id": None,
                "started_on": w.exposure_start - timedelta(days=400),
                "ended_on": ended,
                "annual_value": 1000.0,
            }
        ),
        employees=pd.DataFrame(
            {
                "employee_id": [f"E{e:02d}" for e in range(1, 11)],
                "name": [f"Person{e} Lastname" for e in range(1, 11)],
                "department": "Support",
                "role": "agent",
                "left_on": None,
            }
        ),
        involvement=starts.assign(n=1)[["account_id", "employee_id", "n"]],
        first_involvement=starts[["account_id", "employee_id", "first_at"]],
        involvement_months=months,
    )


def test_recent_work_is_credited_and_safer_accounts_are_not() -> None:
    found = {a.employee_id: a for a in attribute_retention(make_world(), weighted=False)}
    print({k: (a.verdict, round(a.prior_risk_z, 2), round(a.q_value, 3)) for k, a in found.items()})
    assert found["E01"].flagged and found["E01"].verdict == "specialist"
    assert not found["E02"].flagged and found["E02"].verdict == "safer accounts"
    assert found["E02"].prior_risk_z < -1.645 < found["E01"].prior_risk_z
    assert not any(a.flagged for k, a in found.items() if k != "E01")


def test_months_to_settle_shrink_with_a_larger_effect_and_grow_with_the_noise() -> None:
    common = {"fdr": 0.1, "tested": 40, "flagged": 0, "history_months": 21.0}
    one = np.array([1.0])
    small, large = (
        months_to_settle(np.array([b]), np.array([0.4]), one, **common) for b in (0.5, 1.0)
    )
    noisy = months_to_settle(np.array([0.5]), np.array([0.6]), one, **common)
    assert 0 < large[0] < small[0] < noisy[0]
    assert np.isnan(months_to_settle(np.array([-0.2]), np.array([0.4]), one, **common)[0])
    strong = months_to_settle(np.array([2.0]), np.array([0.2]), one, **common)
    assert strong[0] == 0.0


def test_verdicts_and_what_would_settle_them_in_words() -> None:
    said = verdicts(
        np.array([True, True, False]), np.array([True, False, False]), np.array([1.0, 1.0, 0.4])
    )
    assert said == ["safer accounts", "specialist", "not enough evidence"]
    assert settle_text("not enough evidence", 8.6).startswith("about 9 more months")
    assert "more than four years" in settle_text("not enough evidence", 60.0)
    assert settle_text("specialist", 3.0) == ""
