"""The whole analysis: attribution, components, praise, key people and engagement together."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.specialists.attribution import (
    attribute_retention,
    cohort_exposures,
    retention_cohort,
)
from carpe.analytics.specialists.components import (
    Component,
    compare_components,
    component_candidates,
    habit_scores,
)
from carpe.analytics.specialists.engagement import EngagementLink, link_engagement
from carpe.analytics.specialists.inputs import SpecialistInputs, Windows
from carpe.analytics.specialists.keyperson import (
    AccountDependence,
    dependent_value,
    key_person_risk,
)
from carpe.analytics.specialists.praise import Mention, find_praise


@dataclass(frozen=True, slots=True)
class Specialist:
    """One employee's row of the specialists list.

    Attributes
    ----------
    employee_id, name, department : str
        Who.
    effect, ci_low, ci_high : float
        Shrunk effect on retention of the accounts they served and its 95%
        interval, in percentage points (NaN when they served no account of the
        retention cohort).
    q_value : float
        Weighted Benjamini-Hochberg q-value of the positive effect (weights
        from their working habits, see
        :func:`~carpe.analytics.specialists.attribution.habit_weights`).
    flagged : bool
        The positive effect holds after false-discovery-rate control.
    n_accounts : int
        Cohort accounts they were involved with.
    n_touchpoints : int
        Their touchpoints in the recent year.
    naive_retention : float
        Raw retention of their accounts (the naive view).
    components : list of Component
        What they excel at, strongest first.
    praise_mentions : int
        Times customers (or colleagues, in notes) praised them by name.
    dependent_value : float
        Annual value of active accounts whose positive experience rests on them.
    dependent_accounts : int
        How many such accounts.
    recognition : str
        A suggested recognition, for flagged people ("" otherwise).
    weight : float
        Their test's weight (mean 1 over the tested; NaN: not tested).
    q_value_unweighted, flagged_unweighted : float, bool
        The same with plain Benjamini-Hochberg (every weight 1).
    verdict : str
        ``"specialist"``, ``"safer accounts"`` (their accounts stay as well
        without their recent work: not flagged), ``"not enough evidence"`` or
        ``"no sign"`` (:mod:`~carpe.analytics.specialists.evidence`).
    settle : str
        What would settle it, in words ("about 9 more months of this workload ...").
    months_to_settle : float
        The months in ``settle`` (NaN: not that kind of verdict).
    """

    employee_id: str
    name: str
    department: str
    effect: float
    ci_low: float
    ci_high: float
    q_value: float
    flagged: bool
    n_accounts: int
    n_touchpoints: int
    naive_retention: float
    components: list[Component] = field(default_factory=list)
    praise_mentions: int = 0
    dependent_value: float = 0.0
    dependent_accounts: int = 0
    recognition: str = ""
    weight: float = float("nan")
    q_value_unweighted: float = float("nan")
    flagged_unweighted: bool = False
    verdict: str = "no sign"
    settle: str = ""
    months_to_settle: float = float("nan")


@dataclass(frozen=True, slots=True)
class SpecialistsResult:
    """The specialists step's output.

    Attributes
    ----------
    windows : Windows
        The days looked at.
    fdr : float
        False-discovery rate of the flags.
    cohort_accounts : int
        Accounts in the retention cohort.
    cohort_retention : float
        Their retention over the window.
    specialists : list of Specialist
        Every employee, largest effect first (employees without an estimate last).
    dependences : list of AccountDependence
        Active accounts by concentration of positive experience on one person.
    mentions : list of Mention
        Praise by name.
    engagement : list of EngagementLink
        Engagement trends (empty without ``engagement.csv``).
    """

    windows: Windows
    fdr: float
    cohort_accounts: int
    cohort_retention: float
    specialists: list[Specialist]
    dependences: list[AccountDependence]
    mentions: list[Mention]
    engagement: list[EngagementLink]


def suggest_recognition(name: str, components: list[Component], praise: int) -> str:
    """A recognition suggestion in words for a flagged employee.

    Examples
    --------
    >>> suggest_recognition("Ana Lopez", [], 2)
    'Thank Ana in person and share the 2 customer comments that name them with their team.'
    >>> suggest_recognition("Ana Lopez", [], 1)
    'Thank Ana in person and share the 1 customer comment that names them with their team.'
    """
    first = name.split()[0] if name.split() else name
    comments = "1 customer comment" if praise == 1 else f"{praise} customer comments"
    if components:
        what = components[0].name
        text = f"Recognise {first} for {what}: ask them to show colleagues how they do it"
        return text + (f" (named in {comments})." if praise else ".")
    if praise:
        names = "names them" if praise == 1 else "name them"
        return f"Thank {first} in person and share the {comments} that {names} with their team."
    return f"Thank {first}: their accounts stay measurably more often than similar ones."


def find_specialists(
    inputs: SpecialistInputs,
    *,
    fdr: float = 0.1,
    min_accounts: int = 5,
    seed: int = 0,
    weighted: bool = True,
) -> SpecialistsResult:
    """Run the hidden-specialists analysis on its inputs.

    Parameters
    ----------
    inputs : SpecialistInputs
        Built by the pipeline step (or by hand in tests).
    fdr : float, default 0.1
        False-discovery rate of the flags.
    min_accounts : int, default 5
        Fewer cohort accounts than this: no own estimate (the common mean).
    seed : int, default 0
        Kept for compatibility: the effect estimates are deterministic.
    weighted : bool, default True
        Weight the flags' test by working habits (False: plain Benjamini-Hochberg).

    Returns
    -------
    SpecialistsResult
        Everything the page, the API and the CLI show.
    """
    w = inputs.windows
    candidates = component_candidates(inputs)
    cohort = retention_cohort(inputs)
    found = attribute_retention(
        inputs,
        fdr=fdr,
        min_accounts=min_accounts,
        seed=seed,
        weighted=weighted,
        cohort=cohort,
        habits=habit_scores(inputs, candidates=candidates),
    )
    effects = {a.employee_id: a for a in found}
    components = compare_components(inputs, candidates=candidates)
    recent = inputs.activity[["account_id", "employee_id", "touches"]].rename(
        columns={"touches": "n"}
    )
    served = pd.concat([inputs.involvement[["account_id", "employee_id", "n"]], recent])
    served = served.groupby(["account_id", "employee_id"], as_index=False)["n"].sum()
    mentions = find_praise(inputs.employees, inputs.texts, served)
    praise = Counter(m.employee_id for m in mentions)
    dependences = key_person_risk(inputs.accounts, inputs.activity, mentions, w.as_of)
    depends = dependent_value(dependences)
    touches = inputs.activity.groupby("employee_id")["touches"].sum()
    exposures = cohort_exposures(inputs, cohort)
    joined = exposures.merge(cohort[["account_id", "retained"]], on="account_id")
    churn = (1 - joined.groupby("employee_id")["retained"].mean()).to_dict()
    retention = float(cohort["retained"].mean()) if len(cohort) else float("nan")
    engagement = link_engagement(
        inputs.engagement, inputs.activity, churn, 1 - retention if len(cohort) else float("nan")
    )
    nan = float("nan")
    rows: list[Specialist] = []
    for e in inputs.employees.itertuples(index=False):
        key = str(e.employee_id)
        a = effects.get(key)
        mine = components.get(key, [])
        flagged = bool(a and a.flagged)
        value, count = depends.get(key, (0.0, 0))
        rows.append(
            Specialist(
                employee_id=key,
                name=str(e.name),
                department="" if pd.isna(e.department) else str(e.department),
                effect=a.effect if a else nan,
                ci_low=a.ci_low if a else nan,
                ci_high=a.ci_high if a else nan,
                q_value=a.q_value if a else nan,
                flagged=flagged,
                n_accounts=a.n_accounts if a else 0,
                n_touchpoints=int(touches.get(key, 0)),
                naive_retention=a.naive_retention if a else nan,
                components=mine,
                praise_mentions=int(praise.get(key, 0)),
                dependent_value=round(value, 2),
                dependent_accounts=count,
                recognition=suggest_recognition(str(e.name), mine, praise.get(key, 0))
                if flagged
                else "",
                weight=a.weight if a else nan,
                q_value_unweighted=a.q_value_unweighted if a else nan,
                flagged_unweighted=bool(a and a.flagged_unweighted),
                verdict=a.verdict if a else "no sign",
                settle=a.settle if a else "",
                months_to_settle=a.months_to_settle if a else nan,
            )
        )
    rows.sort(key=lambda s: (-s.effect if np.isfinite(s.effect) else np.inf, s.employee_id))
    return SpecialistsResult(
        windows=w,
        fdr=fdr,
        cohort_accounts=len(cohort),
        cohort_retention=retention,
        specialists=rows,
        dependences=dependences,
        mentions=mentions,
        engagement=engagement,
    )
