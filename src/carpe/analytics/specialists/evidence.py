"""Each employee's verdict: a specialist, safer accounts or not enough evidence yet, and what
would settle it.

The hazard model (:mod:`.hazard`) gives each employee two contrasts with
their department colleagues: their *effect* (the months just after they
worked on an account) and their accounts' *prior risk* (the months of the
same accounts without their recent work). This module turns them, with the
false-discovery test, into one verdict per person:

* ``"specialist"`` — the effect holds after false-discovery-rate control
  and is not explained by which accounts they serve;
* ``"safer accounts"`` — their accounts also stay clearly better when they
  have not worked on them lately (a one-sided z of at least
  :data:`SELECTION_Z`) and no working habit of theirs shows how: the benefit
  may be the accounts they were given, so they are not flagged, whatever the
  test says;
* ``"not enough evidence"`` — the estimate leans their way but the test
  does not hold yet; :func:`months_to_settle` says how much more history of
  this workload would make it hold if the estimate is right;
* ``"no sign"`` — the estimate is not on the good side (or too few accounts).
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray
from scipy import stats

SELECTION_Z: Final = 1.2815515655446004
"""Their accounts' prior-risk contrast at or below -this (one-sided 10 %, the flags'
false-discovery rate): safer accounts, unless their own work shows how (:data:`MECHANISM_Z`)."""
MECHANISM_Z: Final = 2.0
"""A working habit this much better than their peers' (the bar at which the page lists a
component) is a mechanism: their accounts being safer is then not taken for selection."""
MAX_SETTLE_MONTHS: Final = 48.0
"""Beyond this much more history the page says "more than four years"."""
VERDICTS: Final = ("specialist", "safer accounts", "not enough evidence", "no sign")

FloatArray = NDArray[np.float64]


def safer_accounts(
    selection: FloatArray, selection_se: FloatArray, habit_z: FloatArray
) -> NDArray[np.bool_]:
    """Employees whose accounts stay clearly better even without their recent work.

    Not when one of their own working habits (faster replies, on-time
    go-lives, proactive outreach...) is clearly better than their peers':
    that is a way their work can keep customers beyond the months counted as
    recent (a problem solved fast does not come back), not a sign of the
    accounts they were given.

    Examples
    --------
    >>> se = np.array([0.4, 0.4, 0.4, np.nan])
    >>> safer_accounts(np.array([-0.9, -0.4, -0.9, np.nan]), se,
    ...     np.array([0.5, 0.5, 3.0, np.nan])).tolist()
    [True, False, False, False]
    """
    with np.errstate(invalid="ignore", divide="ignore"):
        z = selection / selection_se
    habit = np.nan_to_num(np.asarray(habit_z, dtype=np.float64), nan=-np.inf)
    return np.asarray(np.isfinite(z) & (z <= -SELECTION_Z) & (habit < MECHANISM_Z), dtype=np.bool_)


def months_to_settle(
    benefit: FloatArray,
    std_error: FloatArray,
    weight: FloatArray,
    *,
    fdr: float,
    tested: int,
    flagged: int,
    history_months: float,
) -> FloatArray:
    """More months of history, at the same workload, for each estimate to pass the test.

    The standard error of an employee's contrast shrinks with the square
    root of their exposed account-months, so with the estimate ``benefit``
    (log-odds, positive: their accounts stay) held, it would reach the
    z-score the weighted Benjamini-Hochberg step needs for the next
    discovery (``p <= fdr * weight * (flagged + 1) / tested``) after
    ``history_months * ((std_error * z) / benefit) ** 2 - history_months``
    more months. NaN where the estimate is not positive (nothing to settle
    that way) or not tested; 0 where it already passes.

    Examples
    --------
    >>> m = months_to_settle(np.array([0.5]), np.array([0.4]), np.array([1.0]),
    ...     fdr=0.1, tested=40, flagged=0, history_months=21)
    >>> round(float(m[0]))
    85
    """
    b = np.asarray(benefit, dtype=np.float64)
    s = np.asarray(std_error, dtype=np.float64)
    level = np.clip(
        fdr * np.asarray(weight, dtype=np.float64) * (flagged + 1) / max(tested, 1), 1e-12, 0.5
    )
    z = stats.norm.isf(level)
    ok = np.isfinite(b) & np.isfinite(s) & (b > 0) & (s > 0) & np.isfinite(z)
    out = np.full(b.shape, np.nan)
    factor = (s[ok] * z[ok] / b[ok]) ** 2
    out[ok] = np.maximum(0.0, history_months * (factor - 1.0))
    return out


def verdicts(
    flagged: NDArray[np.bool_],
    safer: NDArray[np.bool_],
    benefit: FloatArray,
) -> list[str]:
    """One of :data:`VERDICTS` per employee (``flagged`` before the prior-risk check).

    Examples
    --------
    >>> verdicts(np.array([True, True, False, False]), np.array([False, True, False, False]),
    ...     np.array([0.8, 0.8, 0.3, -0.2]))
    ['specialist', 'safer accounts', 'not enough evidence', 'no sign']
    """
    out = []
    for f, s, b in zip(flagged.tolist(), safer.tolist(), np.asarray(benefit).tolist(), strict=True):
        if s and (f or b > 0):
            out.append("safer accounts")
        elif f:
            out.append("specialist")
        elif b == b and b > 0:
            out.append("not enough evidence")
        else:
            out.append("no sign")
    return out


def settle_text(verdict: str, months: float) -> str:
    """What would settle a verdict, in words for the page.

    Examples
    --------
    >>> settle_text("not enough evidence", 8.6)
    'about 9 more months of this workload would settle it, if the estimate holds'
    >>> settle_text("not enough evidence", 70.0)
    'more than four years more of this workload: likely no effect large enough to matter'
    >>> settle_text("safer accounts", float("nan")).startswith("their accounts stay as well")
    True
    """
    if verdict == "safer accounts":
        return (
            "their accounts stay as well when they have not worked on them lately: "
            "more accounts assigned like their colleagues' would settle it"
        )
    if verdict != "not enough evidence" or months != months:
        return ""
    if months > MAX_SETTLE_MONTHS:
        return "more than four years more of this workload: likely no effect large enough to matter"
    count = max(1, round(months))
    return f"about {count} more months of this workload would settle it, if the estimate holds"
