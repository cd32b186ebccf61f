"""The experience ledger: every department's KPIs and carpe's own signals on one scale.

Each department reports its own metrics (``kpis``: department, account_id,
period, metric, value) in its own units and direction. The ledger maps every
metric onto one shared 0..100 scale per account and month (100 = as healthy as
it gets) with a :class:`~carpe.analytics.conflicts.model.MetricMapping` per
metric: configured, or inferred from the metric's name and distribution by
:func:`infer_mapping`. carpe's own signals (touchpoint sentiment, late
deliveries, billing disputes, survey answers) join as the department ``carpe``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.conflicts.frames import combined_key, key_runs, month_labels, sorted_codes
from carpe.analytics.conflicts.model import COUNT_KEEP, DetectorSettings, MetricMapping

LOWER_IS_BETTER: Final = (
    "count",
    "late",
    "dispute",
    "complaint",
    "error",
    "no_show",
    "churn",
    "overdue",
    "backlog",
    "defect",
    "escalation",
    "return",
    "days_to",
)
"""Name fragments of metrics where less is better (used before the distribution)."""

RARE_PERCENT: Final = 2.0
"""A count above what 98 % of reports show is out of the ordinary."""

CARPE: Final = "carpe"
"""The ledger's department name for carpe's own signals."""

LEDGER_KEYS: Final = ["account_id", "period", "department", "metric"]
"""The ledger's sort order, one row per key."""
LEDGER_COLUMNS: Final = (
    "account_id",
    "period",
    "department",
    "metric",
    "value",
    "score",
    "state",
)

SIGNAL_MAPPINGS: Final = {
    "sentiment": MetricMapping("sentiment", "higher", -1.0, 1.0, "linear"),
    "late_deliveries": MetricMapping("late_deliveries", "lower", 0.0, 0.0, "count"),
    "disputes": MetricMapping("disputes", "lower", 0.0, 0.0, "count"),
    "nps": MetricMapping("nps", "higher", 0.0, 10.0, "linear"),
    "csat": MetricMapping("csat", "higher", 1.0, 5.0, "linear"),
}

_BOUNDS: Final = ((0.0, 1.0), (1.0, 5.0), (0.0, 5.0), (0.0, 10.0), (0.0, 100.0))
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")


def period_month(period: str) -> str:
    """The month (``YYYY-MM``) of a KPI period, monthly or ISO week (its Thursday's month).

    Parameters
    ----------
    period : str
        ``2026-03`` or ``2026-W09``.

    Returns
    -------
    str
        ``YYYY-MM``.

    Examples
    --------
    >>> period_month("2026-W09")
    '2026-02'
    """
    found = _WEEK.match(period)
    if found is None:
        return period[:7]
    from datetime import date

    thursday = date.fromisocalendar(int(found.group(1)), int(found.group(2)), 4)
    return f"{thursday:%Y-%m}"


def infer_mapping(metric: str, values: pd.Series) -> MetricMapping:
    """Guess a metric's direction and range from its name and its values.

    A name with a fragment of :data:`LOWER_IS_BETTER`, or whole non-negative
    values whose median is their minimum (a count of rare bad events), means
    lower is better; counts use the ``count`` transform, usual up to the count
    that all but the worst :data:`RARE_PERCENT` per cent of reports stay within
    (a count reached in one report of twenty is routine, not trouble). Otherwise higher is
    better, between the smallest usual bounds holding every value (0..1, 1..5,
    0..5, 0..10, 0..100) or the 1st and 99th percentiles.

    Parameters
    ----------
    metric : str
        The metric's name.
    values : pandas.Series
        Its reported values (any department, account, period).

    Returns
    -------
    MetricMapping
        With ``inferred=True``.

    Examples
    --------
    >>> import pandas as pd
    >>> infer_mapping("dispute_count", pd.Series([0, 0, 1])).transform
    'count'
    """
    clean = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype=float)
    if clean.size == 0:
        return MetricMapping(metric, inferred=True)
    lo, hi = float(clean.min()), float(clean.max())
    whole = bool(np.all(np.equal(np.mod(clean, 1.0), 0.0))) and lo >= 0
    named_lower = any(word in metric.lower() for word in LOWER_IS_BETTER)
    rare_count = whole and float(np.median(clean)) == lo
    if whole and (named_lower or rare_count):
        usual = float(np.percentile(clean, 100.0 - RARE_PERCENT, method="lower"))
        return MetricMapping(metric, "lower", lo, usual, "count", inferred=True)
    direction = "lower" if named_lower else "higher"
    for low, high in _BOUNDS:
        if lo >= low and hi <= high:
            return MetricMapping(metric, direction, low, high, "linear", inferred=True)
    p1, p99 = (float(x) for x in np.percentile(clean, [1, 99]))
    return MetricMapping(metric, direction, p1, max(p99, p1 + 1e-9), "linear", inferred=True)


def infer_mappings(
    kpis: pd.DataFrame, configured: Mapping[str, MetricMapping] | None = None
) -> dict[str, MetricMapping]:
    """A mapping for every metric of ``kpis``: the configured one, else an inferred one.

    Parameters
    ----------
    kpis : pandas.DataFrame
        Columns ``metric`` and ``value``.
    configured : mapping of str to MetricMapping, optional
        Mappings to use as given.

    Returns
    -------
    dict of str to MetricMapping
        By metric name, sorted.
    """
    given = dict(configured or {})
    found: dict[str, MetricMapping] = {}
    if kpis.empty:
        return given
    codes, metrics = sorted_codes(kpis["metric"])
    values = kpis["value"]
    for code, metric in enumerate(metrics.tolist()):
        name = str(metric)
        found[name] = given.get(name) or infer_mapping(name, values[codes == code])
    return {**found, **{k: v for k, v in given.items() if k not in found}}


def _states(scores: pd.Series, settings: DetectorSettings) -> np.ndarray[Any, Any]:
    """``healthy`` at or above ``healthy_at``, ``trouble`` below ``trouble_at``, else ``watch``."""
    values = scores.to_numpy(dtype=np.float64)
    band = np.where(values >= settings.healthy_at, 2, np.where(values < settings.trouble_at, 0, 1))
    return np.array(["trouble", "watch", "healthy"], dtype=object)[band]


def _rounded(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """``round(v, 4)`` of every value: Python's correctly rounded result, not numpy's.

    ``rint(v * 10**4) / 10**4`` is the double nearest the decimal Python's round
    picks whenever the product cannot have crossed a half (the division of two
    exact integers is correctly rounded); values within a hair of a half, and
    non-finite ones, go through Python's ``round``.
    """
    scaled = values * 10_000.0
    whole = np.rint(scaled)
    out = whole / 10_000.0
    with np.errstate(invalid="ignore"):  # inf - inf: those go through Python anyway
        fraction = np.abs(scaled - np.trunc(scaled))
    near_half = ~np.isfinite(scaled) | (np.abs(fraction - 0.5) < 1e-6)
    for i in np.flatnonzero(near_half).tolist():
        out[i] = round(float(values[i]), 4)
    return out


def _scores(
    metrics: pd.Series, values: pd.Series, known: Mapping[str, MetricMapping]
) -> np.ndarray[Any, Any]:
    """``known[metric].score(value)`` for every row, one metric at a time (the same floats)."""
    codes, names = pd.factorize(metrics.to_numpy(), sort=False)
    return _coded_scores(codes, names, values.to_numpy(dtype=np.float64), known)


def _coded_scores(
    codes: np.ndarray[Any, Any],
    names: Any,
    numbers: np.ndarray[Any, Any],
    known: Mapping[str, MetricMapping],
) -> np.ndarray[Any, Any]:
    """:func:`_scores` of metrics given as codes into ``names``."""
    out = np.zeros(len(codes), dtype=np.float64)
    for code, name in enumerate(names):
        rows = np.flatnonzero(codes == code)
        mapping = known[name]
        x = numbers[rows]
        if mapping.transform == "count":
            usual = mapping.high if mapping.direction == "lower" else mapping.low
            gap = x - usual if mapping.direction == "lower" else usual - x
            # max(gap, 0.0) as Python takes it (0.0 only when 0.0 > gap); one power per count.
            bad = np.where(gap < 0.0, 0.0, gap)
            kinds, inverse = np.unique(bad, return_inverse=True)
            powers = np.array([100.0 * float(COUNT_KEEP ** float(b)) for b in kinds.tolist()])
            out[rows] = _rounded(powers)[inverse.ravel()]
        else:
            span = mapping.high - mapping.low
            if span <= 0:
                out[rows] = 50.0
            else:
                share = (x - mapping.low) / span
                if mapping.direction == "lower":
                    share = 1.0 - share
                share = np.where(share < 0.0, 0.0, share)
                share = np.where(share > 1.0, 1.0, share)
                out[rows] = _rounded(100.0 * share)
    return out


def _monthly_kpis(kpis: pd.DataFrame, given: Mapping[str, MetricMapping]) -> pd.DataFrame:
    """The KPIs' mean per account, month, department and metric, scored, sorted by those keys.

    Each key column is numbered in its sorted order and the four numbers make
    one integer key: grouping and sorting on it stand for the strings' (rows
    with a blank key are left out, as ``groupby`` leaves them out).
    """
    codes, uniques = [], []
    for column in LEDGER_KEYS:
        if column == "period":  # weeks fold into their month: parse each distinct period once
            given_periods = kpis["period"].to_numpy()
            raw, periods = pd.factorize(given_periods)
            texts = [str(p) for p in periods.tolist()]
            blank = raw < 0
            if blank.any():  # None and NaN read as the text "None" and "nan"
                extra, others = pd.factorize(given_periods[blank].astype(str))
                raw[blank] = extra + len(texts)
                texts += others.tolist()
            months, names = sorted_codes([period_month(t) for t in texts])
            codes.append(months[raw])
            uniques.append(names)
        else:
            found, names = sorted_codes(kpis[column])
            codes.append(found)
            uniques.append(names)
    sizes = tuple(len(names) for names in uniques)
    key = combined_key(tuple(codes), sizes)
    kept = np.flatnonzero(key >= 0)
    order, starts, group = key_runs(key[kept])
    rows = kept[order]
    values = kpis["value"].to_numpy(dtype=np.float64)[rows]
    means = values[starts]  # a key's only row is its mean; average the others as groupby does
    several = np.flatnonzero(np.diff(np.r_[starts, len(rows)]) > 1)
    if len(several):
        shared = np.isin(group, several)
        means[several] = pd.Series(values[shared]).groupby(group[shared]).mean().to_numpy()
    keys = np.unravel_index(key[rows[starts]], tuple(max(n, 1) for n in sizes))
    metrics = uniques[-1]
    known = {
        str(name): given.get(str(name)) or infer_mapping(str(name), pd.Series(means[keys[-1] == i]))
        for i, name in enumerate(metrics.tolist())
    }
    columns = {c: names[k] for c, names, k in zip(LEDGER_KEYS, uniques, keys, strict=True)}
    columns["value"] = means
    columns["score"] = _coded_scores(keys[-1], metrics, means, known)
    return pd.DataFrame(columns)


def build_ledger(
    kpis: pd.DataFrame,
    *,
    signals: pd.DataFrame | None = None,
    mappings: Mapping[str, MetricMapping] | None = None,
    settings: DetectorSettings | None = None,
) -> pd.DataFrame:
    """Every department's view of every account and month, on the shared 0..100 scale.

    Parameters
    ----------
    kpis : pandas.DataFrame
        ``department, account_id, period, metric, value`` (weekly periods are
        folded into their month by the mean).
    signals : pandas.DataFrame, optional
        carpe's signals from :func:`carpe_signals` (same columns).
    mappings : mapping of str to MetricMapping, optional
        Per metric; missing ones are inferred (:func:`infer_mappings`).
    settings : DetectorSettings, optional
        The healthy and trouble bands.

    Returns
    -------
    pandas.DataFrame
        :data:`LEDGER_COLUMNS`, one row per account, month, department and
        metric, sorted; ``state`` is ``healthy``, ``watch`` or ``trouble``.
    """
    settings = settings or DetectorSettings()
    frames = []
    kpis_only = signals is None or signals.empty
    if not kpis.empty:
        frames.append(_monthly_kpis(kpis, {**settings.mappings, **dict(mappings or {})}))
    if signals is not None and not kpis_only:
        extra = signals[["account_id", "period", "department", "metric", "value"]].copy()
        extra["score"] = _scores(extra["metric"], extra["value"], SIGNAL_MAPPINGS)
        frames.append(extra)
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in LEDGER_COLUMNS})
    ledger = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    ledger["state"] = _states(ledger["score"], settings)
    if kpis_only:
        return ledger  # the KPIs alone come sorted, in the ledger's columns
    ledger = ledger.sort_values(LEDGER_KEYS, kind="stable")
    return ledger[list(LEDGER_COLUMNS)].reset_index(drop=True)


def _month(values: pd.Series) -> pd.Series:
    return month_labels(pd.to_datetime(values))


def carpe_signals(
    *,
    touchpoints: pd.DataFrame | None = None,
    orders: pd.DataFrame | None = None,
    invoices: pd.DataFrame | None = None,
    feedback: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """carpe's own monthly signals per account, as ledger rows of the department ``carpe``.

    Parameters
    ----------
    touchpoints : pandas.DataFrame, optional
        ``account_id, occurred_at, sentiment``: mean sentiment per month.
    orders : pandas.DataFrame, optional
        ``account_id, promised_on, delivered_on``: deliveries after the promised day.
    invoices : pandas.DataFrame, optional
        ``account_id, issued_on, status``: disputed invoices by month of issue.
    feedback : pandas.DataFrame, optional
        ``account_id, received_at, survey, score``: mean NPS and CSAT answers.

    Returns
    -------
    pandas.DataFrame
        ``account_id, period, department, metric, value``.
    """
    parts: list[pd.DataFrame] = []

    def add(frame: pd.DataFrame, metric: str) -> None:
        frame = frame.assign(department=CARPE, metric=metric)
        parts.append(frame[["account_id", "period", "department", "metric", "value"]])

    if touchpoints is not None and not touchpoints.empty:
        tp = touchpoints.dropna(subset=["sentiment"])
        tp = tp.assign(period=_month(tp["occurred_at"]))
        grouped = tp.groupby(["account_id", "period"], as_index=False)["sentiment"].mean()
        add(grouped.rename(columns={"sentiment": "value"}), "sentiment")
    if orders is not None and not orders.empty:
        done = orders.dropna(subset=["promised_on", "delivered_on"])
        late = done[pd.to_datetime(done["delivered_on"]) > pd.to_datetime(done["promised_on"])]
        late = late.assign(period=_month(late["delivered_on"]))
        add(late.groupby(["account_id", "period"], as_index=False).size().rename(
            columns={"size": "value"}), "late_deliveries")  # fmt: skip
    if invoices is not None and not invoices.empty:
        disputed = invoices[invoices["status"] == "disputed"]
        disputed = disputed.assign(period=_month(disputed["issued_on"]))
        add(disputed.groupby(["account_id", "period"], as_index=False).size().rename(
            columns={"size": "value"}), "disputes")  # fmt: skip
    if feedback is not None and not feedback.empty:
        answers = feedback.dropna(subset=["score"])
        answers = answers[answers["survey"].isin(["nps", "csat"])]
        answers = answers.assign(period=_month(answers["received_at"]))
        grouped = answers.groupby(["account_id", "period", "survey"], as_index=False)["score"]
        means = grouped.mean()
        for survey, part in means.groupby("survey"):
            add(part.rename(columns={"score": "value"}), str(survey))
    if not parts:
        return pd.DataFrame(columns=["account_id", "period", "department", "metric", "value"])
    return pd.concat(parts, ignore_index=True)


def department_views(ledger: pd.DataFrame) -> pd.DataFrame:
    """One score per account, month and department (the mean of its metrics' scores).

    Parameters
    ----------
    ledger : pandas.DataFrame
        From :func:`build_ledger`.

    Returns
    -------
    pandas.DataFrame
        ``account_id, period, department, score, metrics`` (``metrics``: the
        department's metrics and values, as text).
    """
    if ledger.empty:
        return pd.DataFrame(columns=["account_id", "period", "department", "score", "metrics"])

    def describe(group: pd.DataFrame) -> str:
        return ", ".join(f"{m} {v:g}" for m, v in zip(group["metric"], group["value"], strict=True))

    keys = ["account_id", "period", "department"]
    scores = ledger.groupby(keys, as_index=False, sort=True)["score"].mean()
    texts: dict[Any, str] = {key: describe(g) for key, g in ledger.groupby(keys, sort=True)}
    scores["metrics"] = [texts[tuple(k)] for k in scores[keys].itertuples(index=False)]
    return scores
