"""Retention stories inside the pipeline: Ibis narrows the history to the windows around problems.

:class:`StoriesStep` computes on the engine (the same expressions on DuckDB
and Spark) each employee's routine over every touchpoint before the run's
day, and the *anchors* of possible episodes — touchpoints at or below the
negative-sentiment threshold, feedback answers in the bottom of their scale,
hardship, health and loss moments from customer memory, and the conflicts
the conflicts step found. Only the touchpoints and feedback within
``words_days`` after an anchor, each account's latest touchpoint, its orders
and contacts leave the engine; :func:`carpe.analytics.stories.mine_stories`
then finds, ranks and drafts the stories in process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Final

import ibis
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.conflicts import ConflictReport
from carpe.analytics.pipeline.context import Context
from carpe.analytics.stories import ConflictSignal, Story, StoryInputs, StorySettings, mine_stories
from carpe.analytics.stories.signals import (
    EFFORT_KINDS,
    HARDSHIP_KINDS,
    OFF_HOURS_END,
    OFF_HOURS_START,
    ROUTINE_COLUMNS,
)
from carpe.vocabulary import PERSONAL_CHANNELS

TOUCHPOINT_COLUMNS: Final = (
    "touchpoint_id",
    "account_id",
    "contact_id",
    "employee_id",
    "occurred_at",
    "channel",
    "kind",
    "direction",
    "subject",
    "note",
    "sentiment",
)
FEEDBACK_COLUMNS: Final = (
    "feedback_id",
    "account_id",
    "contact_id",
    "received_at",
    "survey",
    "score",
    "comment",
)
NEEDS: Final[dict[str, tuple[str, ...]]] = {
    "accounts": ("account_id", "name", "ended_on"),
    "employees": ("employee_id", "name", "department"),
    "contacts": ("contact_id", "account_id", "first_name", "last_name"),
    "touchpoints": TOUCHPOINT_COLUMNS,
    "feedback": FEEDBACK_COLUMNS,
    "orders": ("account_id", "ordered_at", "amount"),
    "moments": ("account_id", "touchpoint_id", "kind", "evidence", "review"),
}
"""The snapshot columns the step reads, per table."""


def routine_expression(touchpoints: Any) -> Any:
    """Each employee's routine on the engine (as ``stories.employee_routine`` in pandas)."""
    tp = touchpoints.filter(touchpoints.employee_id.notnull())
    hour = tp.occurred_at.hour()
    off = (
        (tp.occurred_at.day_of_week.index() >= 5)
        | (hour < OFF_HOURS_END)
        | (hour >= OFF_HOURS_START)
    )
    personal = (
        (tp.direction == "outbound")
        & tp.channel.isin(PERSONAL_CHANNELS)
        & tp.kind.fill_null("other").isin(EFFORT_KINDS)
    )
    length = tp.note.fill_null("").length().cast("float64")
    grouped = tp.group_by("employee_id").aggregate(
        touches=tp.count(),
        off_hours_share=off.cast("float64").mean(),
        personal_share=personal.cast("float64").mean(),
        note_mean=length.mean(),
        note_std=length.std(how="pop"),
    )
    return grouped.select(*ROUTINE_COLUMNS).order_by("employee_id")


def _satisfaction(fb: Any) -> Any:
    score = fb.score.cast("float64")
    return ibis.cases(
        (fb.survey == "nps", score / 10.0),
        (fb.survey.isin(["csat", "review"]), (score - 1.0) / 4.0),
        (fb.survey == "ces", (7.0 - score) / 6.0),
        else_=score / 10.0,
    )


def _conflicts(context: Context) -> list[ConflictSignal]:
    report = context.output(ConflictReport)
    found: list[ConflictSignal] = []
    for c in report.conflicts:
        period = c.evidence.period
        if period is None:
            continue
        found.append(
            ConflictSignal(
                conflict_id=c.conflict_id,
                type=c.type,
                account_id=c.account_id,
                at=datetime.strptime(period + "-01", "%Y-%m-%d"),
                severity=float(c.severity),
                touchpoint_ids=tuple(c.evidence.touchpoint_ids),
            )
        )
    return found


def _anchors(context: Context, cut: datetime, settings: StorySettings, loose: list[Any]) -> Any:
    t = context.tables
    tp, fb, moments = t["touchpoints"], t["feedback"], t["moments"]
    before = tp.filter(tp.occurred_at < cut)
    bad = before.filter(
        (before.sentiment <= settings.negative_sentiment) & (before.direction != "internal")
    ).select("account_id", at=before.occurred_at)
    answers = fb.filter((fb.received_at < cut) & fb.score.notnull())
    low = answers.filter(_satisfaction(answers) <= settings.low_satisfaction).select(
        "account_id", at=answers.received_at
    )
    hard = moments.filter(moments.kind.isin(HARDSHIP_KINDS) & (moments.review != "dismissed"))
    hard = hard.join(before, hard.touchpoint_id == before.touchpoint_id).select(
        account_id=hard.account_id, at=before.occurred_at
    )
    parts = [bad, low, hard]
    if loose:
        parts.append(ibis.memtable(pd.DataFrame(loose, columns=["account_id", "at"])))
    same = [
        p.select(account_id=p.account_id.cast("string"), at=p.at.cast("timestamp")) for p in parts
    ]
    return ibis.union(*same, distinct=True)


def gather_inputs(context: Context, settings: StorySettings) -> StoryInputs:
    """Narrow the snapshot to what the miner reads, on the engine.

    Parameters
    ----------
    context : Context
        The run's context, with the tables of :data:`NEEDS`.
    settings : StorySettings
        The thresholds (the anchors and windows depend on them).

    Returns
    -------
    StoryInputs
        Small pandas frames.
    """
    t = context.tables
    cut = datetime.combine(context.options.as_of, time())
    tp = t["touchpoints"]
    before = tp.filter(tp.occurred_at < ibis.literal(cut))
    conflicts = _conflicts(context)
    loose = [(c.account_id, c.at) for c in conflicts]
    anchors = _anchors(context, cut, settings, loose)
    span = ibis.interval(days=settings.words_days)
    # Semi joins: each row once, however many anchors it follows (no DISTINCT over the notes).
    windowed = before.semi_join(
        anchors,
        [
            before.account_id == anchors.account_id,
            before.occurred_at >= anchors.at,
            before.occurred_at <= anchors.at + span,
        ],
    ).select(*TOUCHPOINT_COLUMNS)
    fb = t["feedback"].filter(t["feedback"].received_at < ibis.literal(cut))
    feedback = fb.semi_join(
        anchors,
        [
            fb.account_id == anchors.account_id,
            fb.received_at >= anchors.at,
            fb.received_at <= anchors.at + span,
        ],
    ).select(*FEEDBACK_COLUMNS)
    accounts = anchors.select("account_id").distinct()
    last = before.group_by("account_id").aggregate(occurred_at=before.occurred_at.max())
    last = last.join(accounts, "account_id")
    latest = (
        before.join(last, ["account_id", "occurred_at"])
        .group_by(["account_id", "occurred_at"])
        .aggregate(touchpoint_id=before.touchpoint_id.min())
    )
    orders = t["orders"]
    since = cut - timedelta(days=3 * 365)
    recent_orders = orders.filter(
        (orders.ordered_at < ibis.literal(cut)) & (orders.ordered_at >= ibis.literal(since))
    )
    contacts = t["contacts"]

    def frame(expression: Any, columns: tuple[str, ...] | list[str], *keys: str) -> pd.DataFrame:
        out = context.execute(expression)[list(columns)]
        return out.sort_values(list(keys), kind="stable").reset_index(drop=True) if keys else out

    return StoryInputs(
        as_of=context.options.as_of,
        accounts=frame(t["accounts"].select(*NEEDS["accounts"]), NEEDS["accounts"], "account_id"),
        employees=frame(
            t["employees"].select(*NEEDS["employees"]), NEEDS["employees"], "employee_id"
        ),
        touchpoints=frame(windowed, TOUCHPOINT_COLUMNS, "touchpoint_id"),
        feedback=frame(feedback, FEEDBACK_COLUMNS, "feedback_id"),
        routine=frame(routine_expression(before), ROUTINE_COLUMNS, "employee_id"),
        orders=frame(
            recent_orders.join(accounts, "account_id").select(*NEEDS["orders"]),
            NEEDS["orders"],
            "account_id",
            "ordered_at",
        ),
        latest=frame(latest, ["account_id", "touchpoint_id", "occurred_at"], "account_id"),
        moments=frame(
            t["moments"]
            .filter((t["moments"].review != "dismissed") & t["moments"].kind.isin(HARDSHIP_KINDS))
            .select(*NEEDS["moments"]),
            NEEDS["moments"],
            "account_id",
            "touchpoint_id",
        ),
        contacts=frame(
            contacts.join(accounts, "account_id").select(*NEEDS["contacts"]),
            NEEDS["contacts"],
            "contact_id",
        ),
        conflicts=conflicts,
    )


@dataclass(frozen=True, slots=True)
class StoriesResult:
    """The stories step's output: the stories found, most compelling first."""

    stories: tuple[Story, ...]


class StoriesStep:
    """Find, rank and draft the retention stories as of the run's day (issue 9).

    Parameters
    ----------
    settings : StorySettings, optional
        The miner's thresholds.
    """

    def __init__(self, settings: StorySettings | None = None) -> None:
        self.settings = settings

    def run(self, context: Context) -> StoriesResult:
        """Gather the windows on the engine and mine them (see :func:`mine_stories`)."""
        settings = self.settings or StorySettings()
        return StoriesResult(tuple(mine_stories(gather_inputs(context, settings), settings)))
