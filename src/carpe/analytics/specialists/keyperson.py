"""Key-person ("poaching") risk: where an account's good experience rests on one person.

An account's *positive experience* in the recent year is the sum, over its
touchpoints, of their positive sentiment, plus one unit per time a customer
praised someone by name. Its *concentration* is the largest share of that total
held by one employee (1.0: every good moment came from one person). An account
*depends* on an employee when that share is at least ``min_share``; the
employee's *dependent value* is the annual value of the active accounts that
depend on them, whatever their role (a dispatcher can hold accounts a sales
owner only nominally owns).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final

import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.specialists.praise import Mention

MIN_SHARE: Final = 0.5
PRAISE_WEIGHT: Final = 1.0


@dataclass(frozen=True, slots=True)
class AccountDependence:
    """How much one active account's positive experience rests on one person.

    Attributes
    ----------
    account_id, name : str
        The account.
    employee_id : str
        The person with the largest share.
    share : float
        Their share of the account's positive experience (0..1).
    annual_value : float
        The account's annual value.
    owner_employee_id : str or None
        The account's owner (the key person is often someone else).
    """

    account_id: str
    name: str
    employee_id: str
    share: float
    annual_value: float
    owner_employee_id: str | None


def key_person_risk(
    accounts: pd.DataFrame,
    activity: pd.DataFrame,
    mentions: list[Mention],
    as_of: date,
    *,
    min_share: float = MIN_SHARE,
) -> list[AccountDependence]:
    """Each active account's concentration of positive experience on one person.

    Parameters
    ----------
    accounts : pandas.DataFrame
        ``account_id``, ``name``, ``owner_employee_id``, ``started_on``,
        ``ended_on``, ``annual_value``.
    activity : pandas.DataFrame
        ``account_id``, ``employee_id``, ``positive`` (sum of positive sentiment).
    mentions : list of Mention
        Praise by name (each adds :data:`PRAISE_WEIGHT` to the person named).
    as_of : date
        Accounts active on this day are scored.
    min_share : float, default 0.5
        Share from which an account depends on its key person (kept in the
        result either way; see :func:`dependent_value`).

    Returns
    -------
    list of AccountDependence
        Most concentrated first, then by value.
    """
    ended = pd.to_datetime(accounts["ended_on"])
    active = accounts[(ended.isna() | (ended >= pd.Timestamp(as_of))).to_numpy()]
    weights = activity[["account_id", "employee_id"]].copy()
    weights["w"] = pd.to_numeric(activity["positive"], errors="coerce").fillna(0.0).to_numpy()
    praise = pd.DataFrame(
        {
            "account_id": [m.account_id for m in mentions],
            "employee_id": [m.employee_id for m in mentions],
            "w": [PRAISE_WEIGHT] * len(mentions),
        }
    )
    weights = pd.concat([weights, praise], ignore_index=True)
    weights = weights[weights["account_id"].isin(set(active["account_id"]))]
    per = weights.groupby(["account_id", "employee_id"], as_index=False)["w"].sum()
    per = per[per["w"] > 0]
    if per.empty:
        return []
    total = per.groupby("account_id")["w"].transform("sum")
    per["share"] = per["w"] / total
    top = per.sort_values(["account_id", "share", "employee_id"], ascending=[True, False, True])
    top = top.drop_duplicates("account_id")
    info = active.drop_duplicates("account_id")[
        ["account_id", "name", "annual_value", "owner_employee_id"]
    ]
    joined = top.merge(info, on="account_id", how="inner")
    value = pd.to_numeric(joined["annual_value"], errors="coerce").fillna(0.0)
    owner = joined["owner_employee_id"]
    owners = [None if blank else str(o) for o, blank in zip(owner, owner.isna(), strict=True)]
    found = [
        AccountDependence(
            account_id=str(a),
            name=str(n),
            employee_id=str(e),
            share=round(sh, 4),
            annual_value=v,
            owner_employee_id=o,
        )
        for a, n, e, sh, v, o in zip(
            joined["account_id"].tolist(),
            joined["name"].tolist(),
            joined["employee_id"].tolist(),
            joined["share"].astype(float).tolist(),
            value.astype(float).tolist(),
            owners,
            strict=True,
        )
    ]
    _ = min_share
    return sorted(found, key=lambda d: (-d.share, -d.annual_value, d.account_id))


def dependent_value(
    dependences: list[AccountDependence], *, min_share: float = MIN_SHARE
) -> dict[str, tuple[float, int]]:
    """Per employee: annual value and number of the active accounts that depend on them.

    Examples
    --------
    >>> d = AccountDependence("A1", "Acme", "E1", 0.8, 1000.0, "E2")
    >>> dependent_value([d])
    {'E1': (1000.0, 1)}
    """
    found: dict[str, tuple[float, int]] = {}
    for d in dependences:
        if d.share >= min_share:
            value, count = found.get(d.employee_id, (0.0, 0))
            found[d.employee_id] = (value + d.annual_value, count + 1)
    return found
