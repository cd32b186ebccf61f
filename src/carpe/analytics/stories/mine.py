"""Episode mining and ranking: from each account's history to ranked, drafted stories.

:func:`mine_stories` takes small tables (the pipeline step narrows the
snapshot to the windows around problems on the engine) and returns the
stories, most compelling first:

1. **problems** (:mod:`~carpe.analytics.stories.signals`) of one account that
   fall within ``merge_days`` of each other make one episode;
2. in the ``effort_days`` after it, each employee's touchpoints are scored
   for effort beyond *their own* routine; the employee who went furthest is the
   hero, colleagues of other departments who worked on it are helpers;
3. the turnaround, the customer's own words and the outcome (the account
   stayed ``stay_days``; orders grew; a referral; an employee praised by name)
   complete it; an episode with no effort beyond routine, no sign of a
   turnaround, or a customer who left soon after, is no story;
4. :class:`~carpe.analytics.stories.model.Scores` weigh problem size (0.2),
   effort (0.3), turnaround (0.15), the customer's words (0.2) and outcome
   (0.15); at most ``per_account`` stories per account are kept.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.specialists.praise import PRAISE_WORDS
from carpe.analytics.stories.anonymise import Redactor
from carpe.analytics.stories.draft import draft_story
from carpe.analytics.stories.inputs import (
    ConflictSignal,
    StoryInputs,
    Tables,
    as_datetime,
    as_datetimes,
    as_text,
    record_of_feedback,
    record_of_touchpoint,
)
from carpe.analytics.stories.model import Episode, Record, Scores, Story, StorySettings, story_id
from carpe.analytics.stories.signals import (
    HARDSHIP_KINDS,
    REFERRAL_WORDS,
    name_pattern,
    satisfaction,
)
from carpe.analytics.stories.themes import choose_theme
from carpe.vocabulary import is_sensitive

WEIGHTS: Final = {"problem": 0.2, "effort": 0.3, "turnaround": 0.15, "words": 0.2, "outcome": 0.15}
"""Weight of each part of the compelling score."""


@dataclass(frozen=True, slots=True)
class _Problem:
    account_id: str
    at: datetime
    kind: str
    record_id: str | None
    size: float
    conflict_id: str | None = None
    quote: str | None = None
    sensitive: bool = False


def _clip(x: float) -> float:
    return 0.0 if math.isnan(x) else min(1.0, max(0.0, x))


def find_problems(inputs: StoryInputs, settings: StorySettings) -> list[_Problem]:
    """Every problem signal before the as-of day (see :mod:`~carpe.analytics.stories.signals`)."""
    cut = datetime.combine(inputs.as_of, time())
    found: list[_Problem] = []
    tp = inputs.touchpoints
    bad = tp[
        (tp["sentiment"] <= settings.negative_sentiment)
        & (tp["direction"] != "internal")
        & (tp["occurred_at"] < cut)
    ]
    weight = np.where(bad["direction"] == "inbound", 1.0, 0.8)
    sizes = -bad["sentiment"].astype(float).to_numpy() * weight
    for account, at, touchpoint, size in zip(
        bad["account_id"].tolist(),
        as_datetimes(bad["occurred_at"]),
        bad["touchpoint_id"].tolist(),
        sizes.tolist(),
        strict=True,
    ):
        found.append(_Problem(str(account), at, "complaint", str(touchpoint), _clip(size)))
    fb = inputs.feedback
    for row in fb[fb["received_at"] < cut].itertuples(index=False):
        share = satisfaction(str(row.survey), row.score)
        if not math.isnan(share) and share <= settings.low_satisfaction:
            found.append(
                _Problem(
                    str(row.account_id),
                    as_datetime(row.received_at),
                    "negative feedback",
                    str(row.feedback_id),
                    _clip(1.0 - share),
                )
            )
    moments = inputs.moments
    times = _times_of(tp, moments, inputs.conflicts)
    if moments is not None and len(moments):
        hard = moments[moments["kind"].isin(HARDSHIP_KINDS) & moments["touchpoint_id"].notna()]
        for row in hard.itertuples(index=False):
            ref = str(row.touchpoint_id)
            if ref in times and as_datetime(times[ref]) < cut:
                found.append(
                    _Problem(
                        str(row.account_id),
                        as_datetime(times[ref]),
                        "hardship",
                        ref,
                        0.6,
                        quote=as_text(row.evidence) or None,
                        sensitive=is_sensitive(str(row.kind)),
                    )
                )
    for c in inputs.conflicts:
        anchor = next((i for i in c.touchpoint_ids if i in times), None)
        at = as_datetime(times[anchor]) if anchor else c.at
        if at < cut:
            size = max(0.5, c.severity)
            found.append(
                _Problem(c.account_id, at, c.type, anchor, size, conflict_id=c.conflict_id)
            )
    return sorted(found, key=lambda p: (p.account_id, p.at, p.record_id or "", p.kind))


def _times_of(
    touchpoints: pd.DataFrame, moments: pd.DataFrame | None, conflicts: Sequence[ConflictSignal]
) -> dict[str, Any]:
    """When each touchpoint that a moment or a conflict points at happened, by id."""
    wanted = {str(i) for c in conflicts for i in c.touchpoint_ids}
    if moments is not None and len(moments):
        wanted.update(str(i) for i in moments["touchpoint_id"].dropna())
    if not wanted:
        return {}
    ids = touchpoints["touchpoint_id"].astype(str)
    hit = ids.isin(wanted).to_numpy()
    return dict(zip(ids[hit], touchpoints["occurred_at"][hit], strict=True))


def _attach(cluster: list[_Problem], loose: list[_Problem], used: set[str]) -> None:
    """Add conflicts known only by month to the first cluster starting that month or the next."""
    start = cluster[0].at
    for p in loose:
        months = (start.year - p.at.year) * 12 + start.month - p.at.month
        if p.conflict_id not in used and months in (0, 1):
            cluster.append(p)
            used.add(p.conflict_id or "")


def _clusters(problems: Sequence[_Problem], merge_days: int) -> list[list[_Problem]]:
    """Problems of one account close together; conflicts without a record join one, if any."""
    loose = [p for p in problems if p.record_id is None]
    clusters: list[list[_Problem]] = []
    for p in (p for p in problems if p.record_id is not None):
        last = clusters[-1] if clusters else None
        if (
            last is not None
            and last[0].account_id == p.account_id
            and p.at - last[0].at <= timedelta(days=merge_days)
        ):
            last.append(p)
        else:
            clusters.append([p])
    by_account: dict[str, list[_Problem]] = {}
    for p in loose:
        by_account.setdefault(p.account_id, []).append(p)
    used: set[str] = set()
    for cluster in clusters:
        _attach(cluster, by_account.get(cluster[0].account_id, []), used)
    return clusters


def _words(
    feedback: Sequence[Any], people: Iterable[str], t: Tables, settings: StorySettings
) -> tuple[Any, float, bool]:
    """The best feedback answer after the problem: (row, words score, names someone)."""
    best: tuple[Any, float, bool] = (None, 0.0, False)
    names = [v for e in people for v in t.variants.get(e, [])]
    for row in feedback:
        share = satisfaction(str(row.survey), row.score)
        comment = as_text(row.comment)
        if math.isnan(share) or share < settings.high_satisfaction:
            continue
        pattern = name_pattern(names) if comment else None
        named = bool(pattern and pattern.search(comment))
        praise = bool(comment and PRAISE_WORDS.search(comment))
        score = 0.4 * share + 0.3 * (1.0 if praise else 0.5 if comment else 0.0) + 0.3 * named
        if score > best[1]:
            best = (row, score, named)
    return best


def _grew(t: Tables, account: str, at: datetime) -> bool:
    rows = t.orders.span(account)
    if not len(rows):
        return False
    days = timedelta(days=180)
    amounts = t.orders.column("amount", rows).astype(float)
    before = _total(amounts[_between(t.orders.time[rows], at - days, at)])
    after = _total(amounts[_between(t.orders.time[rows], at, at + days)])
    return bool(after > 1.2 * before > 0)


def _between(times: np.ndarray[Any, Any], start: datetime, end: datetime) -> Any:
    """``start < time <= end`` for every time."""
    return (times > np.datetime64(start)) & (times <= np.datetime64(end))


def _total(values: np.ndarray[Any, Any]) -> float:
    """The sum of the values, missing ones as 0 (as pandas sums)."""
    return float(np.where(np.isnan(values), 0.0, values).sum())


def _descending(values: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
    """Positions of ``values``, largest first, ties as pandas' ``sort_values`` puts them."""
    reverse = np.arange(len(values))[::-1]
    return reverse[values[::-1].argsort(kind="quicksort")][::-1]


def _not_equal(values: np.ndarray[Any, Any], other: str | None) -> np.ndarray[Any, Any]:
    """``values != other`` elementwise, a missing ``other`` unequal to everything (pandas' way)."""
    if other is None:
        return np.ones(len(values), dtype=bool)
    return np.array([v != other for v in values.tolist()], dtype=bool)


def _windows(
    clusters: Sequence[list[_Problem]], t: Tables, cut: datetime, settings: StorySettings
) -> np.ndarray[Any, Any]:
    """Each cluster's touchpoints from its start to ``effort_days`` after its last problem.

    Rows ``first`` to ``stop - 1`` of ``t.touchpoints``, one ``(first, stop)`` per cluster.
    """
    days = timedelta(days=settings.effort_days)
    spans = [
        t.touchpoints.window(
            c[0].account_id, c[0].at, min(max(p.at for p in c if p.record_id) + days, cut)
        )
        for c in clusters
    ]
    return np.array(spans, dtype=np.int64).reshape(-1, 2)


def _hopeful(windows: np.ndarray[Any, Any], t: Tables, min_effort: float) -> np.ndarray[Any, Any]:
    """Clusters whose window may hold effort beyond routine, all at once.

    An upper bound of the effort :func:`_episode` finds: the best ``reach`` of a
    touchpoint an employee made in the window, plus a helper's 0.2 when an
    internal one is there. The others are no story (most clusters).
    """
    first, stop = windows[:, 0], windows[:, 1]
    reach = np.append(np.where(t.acting, t.reach, -np.inf), -np.inf)
    best = np.maximum.reduceat(reach, windows.ravel())[::2] if len(windows) else reach[:0]
    internal = np.concatenate([[0], np.cumsum(t.acting & t.internal)])
    crossing = np.where(internal[stop] > internal[first], 0.2, 0.0)
    return (stop > first) & ~(best + crossing < min_effort)


def _episode(
    cluster: list[_Problem],
    window: tuple[int, int],
    t: Tables,
    inputs: StoryInputs,
    settings: StorySettings,
) -> _Found | None:
    account = cluster[0].account_id
    start = cluster[0].at
    cut = datetime.combine(inputs.as_of, time())
    ended = t.ended.get(account)
    if ended is not None and ended < min(
        (start + timedelta(days=settings.stay_days)).date(), inputs.as_of
    ):
        return None  # the customer left: no retention story
    problem_ids = {p.record_id for p in cluster if p.record_id}
    tp = t.touchpoints
    if account not in tp.spans:
        return None  # no touchpoint: nobody acted
    last = max(p.at for p in cluster if p.record_id)
    end = min(last + timedelta(days=settings.effort_days), cut)
    around = np.arange(*window)
    acting = around[t.acting[around]]
    ids = tp.column("touchpoint_id", acting)
    acting = acting[[i not in problem_ids for i in ids.tolist()]]
    if not len(acting):
        return None
    crossing_at_most = 0.2 if t.internal[acting].any() else 0.0
    if float(t.reach[acting].max()) + crossing_at_most < settings.min_effort:
        return None  # even the best touchpoint with a helper beside it is routine
    who = [str(e) for e in tp.column("employee_id", acting).tolist()]
    effort_of = tp.column("effort", acting)
    best: dict[str, float] = {}
    for e, value in zip(who, effort_of.tolist(), strict=True):
        best[e] = max(best.get(e, value), value)
    hero = max(sorted(best), key=lambda e: best[e])  # the first of the best, as idxmax
    mine_rows = acting[[e == hero for e in who]]
    hero_rows = mine_rows[_descending(tp.column("effort", mine_rows))]
    hero_dept = t.department.get(hero)
    helpers = acting[
        t.internal[acting]
        & np.array([e != hero for e in who], dtype=bool)
        & _not_equal(tp.column("department", acting), hero_dept)
    ]
    top = int(hero_rows[0])
    off, personal, long, top_effort = (
        float(tp.columns[c][top]) for c in ("off", "personal", "long", "effort")
    )
    crossing = 1.0 if len(helpers) else 0.0
    effort = _clip(0.3 * off + 0.25 * personal + 0.25 * long + 0.2 * crossing)
    if effort < settings.min_effort:
        return None
    contact = "in person" if tp.columns["channel"][top] == "in_person" else "personal contact"
    seen = {
        "off-hours": off > 0,
        contact: personal > 0,
        "long note": long > 0.3,
        "crossing departments": crossing > 0,
    }
    signals = [name for name, on in seen.items() if on]
    enough = tp.column("effort", hero_rows) >= max(0.15, 0.5 * top_effort)
    effort_rows = hero_rows[enough][:2]
    effort_rows = effort_rows[tp.time[effort_rows].argsort(kind="quicksort")]
    first_effort = as_datetime(tp.time[effort_rows].min())
    problem_sentiment = min(
        [-p.size for p in cluster if p.kind == "complaint"] or [-max(p.size for p in cluster)]
    )
    after = np.arange(*tp.window(account, first_effort - timedelta(seconds=1), end))
    inbound = t.inbound[after]
    with np.errstate(invalid="ignore"):
        liked = tp.column("sentiment", after).astype(float) >= settings.positive_sentiment
    good = after[inbound & liked]
    fb = t.feedback
    fb_span = fb.span(account)
    fb_after = fb_span[
        _between(fb.time[fb_span], start, min(start + timedelta(days=settings.words_days), cut))
    ]
    people = [hero, *dict.fromkeys(str(e) for e in tp.column("employee_id", helpers).tolist())]
    words_row, words, named = _words([fb.row(int(i)) for i in fb_after], people, t, settings)
    resolution = tp.row(int(good[0])) if len(good) else None
    if resolution is not None:
        swing = float(resolution.sentiment) - problem_sentiment
        days = (as_datetime(resolution.occurred_at) - start).days
        turnaround = _clip(swing / 1.5) * (1.0 if days <= 7 else 0.7)
    elif words_row is not None:
        turnaround = 0.4
    else:
        return None  # nothing shows it turned around
    latest = t.latest.get(account)
    outcomes = ["stayed"]
    grew = _grew(t, account, start)
    if grew:
        outcomes.append("grew")
    later = [as_text(c) for c in fb.column("comment", fb_after).tolist()]
    later += [as_text(n) for n in tp.column("note", after[inbound]).tolist()]
    referred = any(REFERRAL_WORDS.search(x) for x in later if x)
    if referred:
        outcomes.append("referred")
    if named:
        outcomes.append("praised by name")
    outcome = _clip(0.4 + 0.2 * grew + 0.2 * referred + 0.2 * named)
    problem = _clip(max(p.size for p in cluster) + 0.1 * (len({p.kind for p in cluster}) - 1))
    parts = {
        "problem": problem,
        "effort": effort,
        "turnaround": turnaround,
        "words": _clip(words),
        "outcome": outcome,
    }
    total = sum(WEIGHTS[k] * v for k, v in parts.items())
    scores = Scores(**{k: round(v, 4) for k, v in parts.items()}, total=round(total, 4))
    records: dict[str, Record] = {}
    tps = tp.span(account)
    problem_rows = tps[[i in problem_ids for i in tp.column("touchpoint_id", tps).tolist()]]
    for i in [*problem_rows.tolist(), *effort_rows.tolist(), *helpers[:2].tolist()]:
        row = tp.row(i)
        records[str(row.touchpoint_id)] = record_of_touchpoint(row, t.names)
    if resolution is not None:
        records[str(resolution.touchpoint_id)] = record_of_touchpoint(resolution, t.names)
    for i, feedback_id in zip(
        fb_span.tolist(), fb.column("feedback_id", fb_span).tolist(), strict=True
    ):
        if feedback_id in problem_ids:
            records[str(feedback_id)] = record_of_feedback(fb.row(i))
    if words_row is not None:
        records[str(words_row.feedback_id)] = record_of_feedback(words_row)
    if not problem_ids & set(records):
        return None  # no record to show the problem with (a conflict alone)
    latest_id = None
    if latest is not None and latest[1] > start:
        latest_id = latest[0]
        records.setdefault(
            latest_id, Record(record_id=latest_id, source="touchpoint", at=latest[1])
        )
    kinds = tuple(dict.fromkeys(p.kind for p in cluster))
    largest = sorted(cluster, key=lambda p: (-p.size, p.kind != "hardship"))
    theme = choose_theme(
        tuple(dict.fromkeys(p.kind for p in largest)),
        [records[i].text for i in problem_ids if i in records] + [p.quote or "" for p in cluster],
        [hero_dept or "", *(records[i].department or "" for i in problem_ids if i in records)],
    )
    episode = Episode(
        account_id=account,
        started_at=start,
        problem_kinds=kinds,
        problem_ids=tuple(
            dict.fromkeys(p.record_id for p in cluster if p.record_id and p.record_id in records)
        ),
        effort_ids=tuple(str(i) for i in tp.column("touchpoint_id", effort_rows).tolist()),
        helper_ids=tuple(str(i) for i in tp.column("touchpoint_id", helpers[:2]).tolist()),
        resolution_id=None if resolution is None else str(resolution.touchpoint_id),
        words_id=None if words_row is None else str(words_row.feedback_id),
        latest_id=latest_id,
        hero_id=hero,
        employee_ids=tuple(people),
        effort_signals=tuple(signals),
        outcomes=tuple(outcomes),
        theme=theme,
        conflict_ids=tuple(p.conflict_id for p in cluster if p.conflict_id),
        scores=scores,
    )
    quotes = {p.record_id: p.quote for p in cluster if p.record_id and p.quote}
    private = frozenset(p.record_id for p in cluster if p.record_id and p.sensitive)
    return _Found(episode, records, quotes, private)


@dataclass(frozen=True, slots=True)
class _Found:
    episode: Episode
    records: dict[str, Record]
    quotes: dict[str, str]
    private: frozenset[str]


def _told(episode: Episode) -> set[str]:
    """The records of what was done and how it ended (two stories must not share one)."""
    ends = (episode.resolution_id, episode.words_id)
    return {*episode.effort_ids, *episode.helper_ids, *(i for i in ends if i)}


def _contact_names(contacts: pd.DataFrame | None, accounts: set[str]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    if contacts is None or not len(contacts):
        return found
    mine = contacts[contacts["account_id"].astype(str).isin(accounts)]
    for account, first, last in zip(
        mine["account_id"], mine["first_name"], mine["last_name"], strict=True
    ):
        found.setdefault(str(account), []).append(f"{as_text(first)} {as_text(last)}".strip())
    return found


def mine_stories(inputs: StoryInputs, settings: StorySettings | None = None) -> list[Story]:
    """Find the episodes in every account's history, rank them and draft each as a story.

    Parameters
    ----------
    inputs : StoryInputs
        The tables (see :class:`StoryInputs`).
    settings : StorySettings, optional
        Thresholds; the defaults otherwise.

    Returns
    -------
    list of Story
        Most compelling first (ties by id); at most ``per_account`` per account.
    """
    settings = settings or StorySettings()
    tables = Tables(inputs)
    found: list[_Found] = []
    clusters = _clusters(find_problems(inputs, settings), settings.merge_days)
    windows = _windows(clusters, tables, datetime.combine(inputs.as_of, time()), settings)
    hopeful = _hopeful(windows, tables, settings.min_effort)
    for k in np.flatnonzero(hopeful).tolist():
        first, stop = windows[k].tolist()
        one = _episode(clusters[k], (first, stop), tables, inputs, settings)
        if one is not None and one.episode.scores.total >= settings.min_score:
            found.append(one)
    found.sort(key=lambda f: (-f.episode.scores.total, f.episode.account_id, f.episode.started_at))
    kept: list[_Found] = []
    per_account: dict[str, list[_Found]] = {}
    for f in found:
        mine = per_account.setdefault(f.episode.account_id, [])
        told = _told(f.episode)
        if len(mine) >= settings.per_account or any(told & _told(m.episode) for m in mine):
            continue  # one story per turnaround: the better one
        mine.append(f)
        kept.append(f)
    contacts = _contact_names(inputs.contacts, {f.episode.account_id for f in kept})
    stories = []
    for f in kept:
        anchor = (
            f.episode.problem_ids[0]
            if f.episode.problem_ids
            else (f.episode.conflict_ids[0] if f.episode.conflict_ids else f.episode.effort_ids[0])
        )
        account = f.episode.account_id
        name = tables.account_names.get(account, account)
        redactor = Redactor.for_story(
            employees=tables.names,
            contacts=contacts.get(account, []),
            companies=[name],
            allow_amounts=True,  # the service hides amounts unless the customer allowed them
        )
        stories.append(
            draft_story(
                story_id(account, anchor),
                f.episode,
                f.records,
                account_name=name,
                quotes=f.quotes,
                private=f.private,
                redactor=redactor,
            )
        )
    stories.sort(key=lambda s: (-s.episode.scores.total, s.story_id))
    return stories
