"""Hidden specialists inside the pipeline: Ibis aggregations on the engine, then the analysis.

:class:`SpecialistsStep` reduces the snapshot to small per-account, per-employee
and per-(account, employee) tables with Ibis (so the same expressions run on
DuckDB and Spark), hands them to
:func:`carpe.analytics.specialists.find_specialists` and returns its
:class:`~carpe.analytics.specialists.SpecialistsResult`. The step is declared
in :mod:`carpe.analytics.pipeline.steps`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time
from typing import Any, Final

import ibis
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.conflicts.ledger import period_month
from carpe.analytics.pipeline.context import Context
from carpe.analytics.specialists import (
    SpecialistInputs,
    SpecialistsResult,
    Windows,
    choose_windows,
    find_specialists,
    name_variants,
)
from carpe.analytics.specialists.inputs import (
    ACCOUNT_COLUMNS,
    ACCOUNT_KPI_COLUMNS,
    ACCOUNT_MONTH_COLUMNS,
    ACCOUNT_STATS_COLUMNS,
    ACTIVITY_COLUMNS,
    EMPLOYEE_COLUMNS,
    ENGAGEMENT_COLUMNS,
    FIRST_INVOLVEMENT_COLUMNS,
    FOLLOW_UP_COLUMNS,
    HANDLING_COLUMNS,
    INVOLVEMENT_COLUMNS,
    INVOLVEMENT_MONTH_COLUMNS,
    OUTCOME_DAYS,
    REOPEN_DAYS,
    TEXT_COLUMNS,
)
from carpe.analytics.specialists.praise import PRAISE_HINT
from carpe.vocabulary import PERSONAL_CHANNELS

PROACTIVE_KINDS: Final = ("call", "visit", "meeting")

NEEDS: Final[dict[str, tuple[str, ...]]] = {
    "accounts": ACCOUNT_COLUMNS,
    "employees": EMPLOYEE_COLUMNS,
    "touchpoints": (
        "touchpoint_id",
        "account_id",
        "employee_id",
        "occurred_at",
        "channel",
        "kind",
        "direction",
        "subject",
        "note",
        "sentiment",
    ),
    "orders": ("account_id", "employee_id", "ordered_at", "promised_on", "delivered_on", "status"),
    "quotes": ("account_id", "employee_id", "issued_at"),
    "invoices": ("account_id", "issued_on", "status"),
    "feedback": ("feedback_id", "account_id", "received_at", "survey", "score", "comment"),
    "follow_ups": ("employee_id", "due_on", "status"),
    "gestures": ("account_id", "given_on"),
    "engagement": ENGAGEMENT_COLUMNS,
    "kpis": ("department", "account_id", "period", "metric", "value"),
}
"""The snapshot columns the step reads, per table."""


def _ts(day: date) -> Any:
    return ibis.literal(datetime.combine(day, time()))


def _frame(context: Context, expression: Any, columns: Sequence[str]) -> pd.DataFrame:
    frame = context.execute(expression)
    return frame[list(columns)].reset_index(drop=True)


def history_start(context: Context) -> date | None:
    """The first touchpoint's day, or None without touchpoints."""
    tp = context.tables["touchpoints"]
    first = context.execute(tp.occurred_at.min())
    return None if first is None or pd.isna(first) else pd.Timestamp(first).date()


def _involved(tables: dict[str, Any], w: Windows) -> Any:
    """Every touchpoint, order and quote with an employee in ``[exposure_start, T)``, dated."""
    lo, hi = w.exposure_start, w.as_of
    tp, orders, quotes = tables["touchpoints"], tables["orders"], tables["quotes"]
    parts = [
        tp.filter(
            tp.occurred_at >= _ts(lo), tp.occurred_at < _ts(hi), tp.employee_id.notnull()
        ).select("account_id", "employee_id", at=tp.occurred_at),
        orders.filter(
            orders.ordered_at >= _ts(lo), orders.ordered_at < _ts(hi), orders.employee_id.notnull()
        ).select("account_id", "employee_id", at=orders.ordered_at),
        quotes.filter(
            quotes.issued_at >= _ts(lo), quotes.issued_at < _ts(hi), quotes.employee_id.notnull()
        ).select("account_id", "employee_id", at=quotes.issued_at),
    ]
    return ibis.union(*parts, distinct=False)


def _involvement(tables: dict[str, Any], w: Windows) -> Any:
    """Per (account, employee) in ``[exposure_start, T)``: the first day, and how many before T0.

    One scan gives both the involvement before the retention window (``n``;
    pairs with ``n == 0`` started later) and the hazard model's first day.
    """
    union = _involved(tables, w)
    before = (union.at < _ts(w.outcome_start)).cast("int64")
    return union.group_by(["account_id", "employee_id"]).aggregate(
        n=before.sum(), first_at=union.at.min()
    )


def _month_index(column: Any) -> Any:
    return column.year() * 12 + column.month() - 1


def _involvement_months(tables: dict[str, Any], w: Windows) -> Any:
    """Per (account, employee, calendar month): their touchpoints, orders and quotes."""
    union = _involved(tables, w)
    dated = union.select("account_id", "employee_id", month=_month_index(union.at))
    return dated.group_by(["account_id", "employee_id", "month"]).aggregate(n=dated.count())


def _account_months(tables: dict[str, Any], w: Windows) -> Any:
    """Per account and month: touchpoints, NPS sum and count, gestures (hazard confounders)."""
    tp, feedback, gestures = tables["touchpoints"], tables["feedback"], tables["gestures"]
    lo, hi = w.exposure_start, w.as_of
    zero_i, zero_f = ibis.literal(0, "int64"), ibis.literal(0.0, "float64")
    touches = tp.filter(tp.occurred_at >= _ts(lo), tp.occurred_at < _ts(hi)).select(
        "account_id",
        month=_month_index(tp.occurred_at),
        touches=ibis.literal(1, "int64"),
        nps_sum=zero_f,
        nps_n=zero_i,
        gestures=zero_i,
    )
    fb = feedback.filter(
        feedback.received_at >= _ts(lo),
        feedback.received_at < _ts(hi),
        feedback.survey == "nps",
        feedback.score.notnull(),
    )
    nps = fb.select(
        "account_id",
        month=_month_index(fb.received_at),
        touches=zero_i,
        nps_sum=fb.score.cast("float64"),
        nps_n=ibis.literal(1, "int64"),
        gestures=zero_i,
    )
    given = gestures.filter(
        gestures.given_on >= ibis.literal(lo), gestures.given_on < ibis.literal(hi)
    )
    gifts = given.select(
        "account_id",
        month=_month_index(given.given_on),
        touches=zero_i,
        nps_sum=zero_f,
        nps_n=zero_i,
        gestures=ibis.literal(1, "int64"),
    )
    union = ibis.union(touches, nps, gifts, distinct=False)
    return union.group_by(["account_id", "month"]).aggregate(
        touches=union.touches.sum(),
        nps_sum=union.nps_sum.sum(),
        nps_n=union.nps_n.sum(),
        gestures=union.gestures.sum(),
    )


def _kpi_months(context: Context, w: Windows) -> dict[str, int]:
    """Each KPI period label in the window's months -> its month index (weeks: their Thursday's)."""
    kpis = context.tables["kpis"]
    labels = context.execute(kpis.select("period").distinct())["period"].dropna().astype(str)
    first, last = w.exposure_start, w.as_of
    wanted = {}
    for label in labels:
        month = period_month(label)
        try:
            year, number = int(month[:4]), int(month[5:7])
        except ValueError:
            continue  # not a period carpe reads (reported as such by the conflicts step)
        index = year * 12 + number - 1
        if first.year * 12 + first.month - 1 <= index and date(year, number, 1) < last:
            wanted[label] = index
    return wanted


def _account_kpis(tables: dict[str, Any], months: dict[str, int]) -> Any:
    """Per account, month and metric: sum and count of what the owner's department reported."""
    kpis, accounts, staff = tables["kpis"], tables["accounts"], tables["employees"]
    owners = accounts.join(staff, accounts.owner_employee_id == staff.employee_id).select(
        owner_account=accounts.account_id, owner_department=staff.department
    )
    reported = kpis.filter(kpis.value.notnull(), kpis.period.isin(list(months))).join(
        owners,
        (kpis.account_id == owners.owner_account) & (kpis.department == owners.owner_department),
    )
    dated = reported.select(
        "account_id",
        "metric",
        value=reported.value.cast("float64"),
        month=reported.period.substitute(months, else_=ibis.null("int64")).cast("int64"),
    )
    return dated.group_by(["account_id", "month", "metric"]).aggregate(
        value_sum=dated.value.sum(), value_n=dated.count()
    )


def _activity(tables: dict[str, Any], w: Windows) -> Any:
    tp = tables["touchpoints"]
    recent = tp.filter(
        tp.occurred_at >= _ts(w.recent_start),
        tp.occurred_at < _ts(w.as_of),
        tp.employee_id.notnull(),
    )
    personal = recent.channel.isin(PERSONAL_CHANNELS)
    proactive = (recent.direction == "outbound") & recent.kind.isin(PROACTIVE_KINDS)
    has_sentiment = recent.sentiment.notnull()
    touches = recent.group_by(["account_id", "employee_id"]).aggregate(
        touches=recent.count(),
        personal=personal.cast("int64").sum(),
        proactive=proactive.cast("int64").sum(),
        sentiment_sum=recent.sentiment.sum(),
        sentiment_n=has_sentiment.cast("int64").sum(),
        positive=ibis.greatest(recent.sentiment.fill_null(0.0), 0.0).sum(),
    )
    tickets = recent.filter((recent.kind == "ticket") & recent.subject.notnull())
    replies = tickets.filter(tickets.direction == "outbound")
    threads = replies.group_by(["account_id", "subject"]).aggregate(total=replies.count())
    handled = replies.group_by(["account_id", "subject", "employee_id"]).aggregate(
        mine=replies.count()
    )
    handled = handled.join(threads, ["account_id", "subject"])
    per_handler = handled.group_by(["account_id", "employee_id"]).aggregate(
        tickets=handled.count(), first_contact=(handled.total == 1).cast("int64").sum()
    )
    joined = touches.left_join(
        per_handler,
        [
            touches.account_id == per_handler.account_id,
            touches.employee_id == per_handler.employee_id,
        ],
    )
    return joined.select(
        touches.account_id,
        touches.employee_id,
        touches.touches,
        touches.personal,
        touches.proactive,
        touches.sentiment_sum.fill_null(0.0).name("sentiment_sum"),
        touches.sentiment_n,
        touches.positive,
        per_handler.tickets.fill_null(0).name("tickets"),
        per_handler.first_contact.fill_null(0).name("first_contact"),
    )


def _handling(tables: dict[str, Any], w: Windows) -> Any:
    """Per employee, recent year: problems given, replied, days to reply, back again; own orders.

    A problem is an inbound ticket touchpoint with an employee; its reply is
    the same employee's next outbound ticket touchpoint on the account; it is
    back when the account raises another problem within ``REOPEN_DAYS`` of
    the reply.
    """
    tp, orders = tables["touchpoints"], tables["orders"]
    tickets = tp.filter(
        tp.kind == "ticket",
        tp.employee_id.notnull(),
        tp.occurred_at >= _ts(w.recent_start),
        tp.occurred_at < _ts(w.as_of),
    )
    asked = tickets.filter(tickets.direction == "inbound").select(
        "touchpoint_id", "account_id", "employee_id", at=tickets.occurred_at
    )
    out = tickets.filter(tickets.direction == "outbound").select(
        r_account=tickets.account_id, r_employee=tickets.employee_id, r_at=tickets.occurred_at
    )
    pairs = asked.left_join(
        out,
        [
            asked.account_id == out.r_account,
            asked.employee_id == out.r_employee,
            out.r_at > asked.at,
        ],
    )
    first = pairs.group_by(["touchpoint_id", "account_id", "employee_id", "at"]).aggregate(
        reply_at=pairs.r_at.min()
    )
    again = asked.select(g_account=asked.account_id, g_at=asked.at)
    back = first.left_join(
        again,
        [
            first.account_id == again.g_account,
            again.g_at > first.reply_at,
            again.g_at <= first.reply_at + ibis.interval(days=REOPEN_DAYS),
        ],
    )
    per_problem = back.group_by(["touchpoint_id", "employee_id", "at", "reply_at"]).aggregate(
        back=back.g_at.count()
    )
    days = (per_problem.reply_at.epoch_seconds() - per_problem.at.epoch_seconds()) / 86400.0
    log_days = (days.clip(lower=0) + 1.0).ln()
    problems = per_problem.group_by("employee_id").aggregate(
        problems=per_problem.count(),
        replied=per_problem.reply_at.count(),
        log_days_sum=log_days.sum(),
        log_days_sq=(log_days * log_days).sum(),
        reopened=(per_problem.back > 0).cast("int64").sum(),
    )
    own = orders.filter(
        orders.employee_id.notnull(),
        orders.delivered_on.notnull(),
        orders.promised_on.notnull(),
        orders.delivered_on >= ibis.literal(w.recent_start),
        orders.delivered_on < ibis.literal(w.as_of),
    )
    delivered = own.group_by("employee_id").aggregate(
        own_orders=own.count(),
        own_late=(own.delivered_on > own.promised_on).cast("int64").sum(),
    )
    joined = problems.outer_join(delivered, problems.employee_id == delivered.employee_id)
    return joined.select(
        employee_id=ibis.coalesce(problems.employee_id, delivered.employee_id),
        problems=problems.problems.fill_null(0),
        replied=problems.replied.fill_null(0),
        log_days_sum=problems.log_days_sum.fill_null(0.0),
        log_days_sq=problems.log_days_sq.fill_null(0.0),
        reopened=problems.reopened.fill_null(0),
        own_orders=delivered.own_orders.fill_null(0),
        own_late=delivered.own_late.fill_null(0),
    )


def _account_stats(tables: dict[str, Any], w: Windows) -> Any:
    accounts, tp, orders = tables["accounts"], tables["touchpoints"], tables["orders"]
    invoices, feedback = tables["invoices"], tables["feedback"]
    pre_tp = tp.filter(
        tp.occurred_at >= _ts(w.exposure_start), tp.occurred_at < _ts(w.outcome_start)
    )
    touches = pre_tp.group_by("account_id").aggregate(touches_pre=pre_tp.count())
    delivered = orders.filter(orders.delivered_on.notnull() & orders.promised_on.notnull())
    is_late = (delivered.delivered_on > delivered.promised_on).cast("int64")
    pre_orders = delivered.filter(
        (delivered.delivered_on >= ibis.literal(w.exposure_start))
        & (delivered.delivered_on < ibis.literal(w.outcome_start))
    )
    late_pre = pre_orders.group_by("account_id").aggregate(
        late_pre=(pre_orders.delivered_on > pre_orders.promised_on).cast("int64").sum()
    )
    recent = delivered.filter(
        (delivered.delivered_on >= ibis.literal(w.recent_start))
        & (delivered.delivered_on < ibis.literal(w.as_of))
    )
    _ = is_late
    deliveries = recent.group_by("account_id").aggregate(
        delivered=recent.count(),
        late=(recent.delivered_on > recent.promised_on).cast("int64").sum(),
    )
    pre_fb = feedback.filter(
        (feedback.received_at >= _ts(w.exposure_start))
        & (feedback.received_at < _ts(w.outcome_start))
        & (feedback.survey == "nps")
        & feedback.score.notnull()
    )
    nps = pre_fb.group_by("account_id").aggregate(nps_pre=pre_fb.score.mean())
    inv = invoices.filter(
        (invoices.issued_on >= ibis.literal(w.recent_start))
        & (invoices.issued_on < ibis.literal(w.as_of))
    )
    billed = inv.group_by("account_id").aggregate(
        invoices=inv.count(), disputed=(inv.status == "disputed").cast("int64").sum()
    )
    gestures = tables["gestures"]
    pre_g = gestures.filter(
        (gestures.given_on >= ibis.literal(w.exposure_start))
        & (gestures.given_on < ibis.literal(w.outcome_start))
    )
    given = pre_g.group_by("account_id").aggregate(gestures_pre=pre_g.count())
    out = accounts.select("account_id")
    for part in (touches, late_pre, nps, deliveries, billed, given):
        out = out.left_join(part, "account_id").drop("account_id_right")
    return out


def _texts(tables: dict[str, Any], w: Windows, first_names: Sequence[str]) -> Any:
    tp, feedback = tables["touchpoints"], tables["feedback"]
    pattern = r"\b(" + "|".join(re.escape(n) for n in sorted(set(first_names))) + r")\b"
    notes = tp.filter(
        tp.note.notnull(),
        tp.occurred_at < _ts(w.as_of),
        tp.note.re_search(pattern),
        tp.note.re_search(PRAISE_HINT),  # find_praise reads a note only when it praises
    )
    comments = feedback.filter(
        feedback.comment.notnull(),
        feedback.received_at < _ts(w.as_of),
        feedback.comment.re_search(pattern),
    )
    return ibis.union(
        notes.select(
            source=ibis.literal("note"),
            source_id=notes.touchpoint_id,
            account_id=notes.account_id,
            employee_id=notes.employee_id,
            at=notes.occurred_at,
            text=notes.note,
        ),
        comments.select(
            source=ibis.literal("feedback"),
            source_id=comments.feedback_id,
            account_id=comments.account_id,
            employee_id=ibis.null().cast("string"),
            at=comments.received_at,
            text=comments.comment,
        ),
    )


def _follow_ups(tables: dict[str, Any], w: Windows) -> Any:
    fu = tables["follow_ups"]
    due = fu.filter(
        fu.employee_id.notnull(), fu.due_on < ibis.literal(w.as_of), fu.status != "dismissed"
    )
    return due.group_by("employee_id").aggregate(
        due=due.count(), kept=(due.status == "done").cast("int64").sum()
    )


def gather_inputs(
    context: Context, *, outcome_days: int = OUTCOME_DAYS, health_kpis: bool = False
) -> SpecialistInputs:
    """Reduce the snapshot to the analysis's small input tables on the engine.

    Parameters
    ----------
    context : Context
        The run's context, with the tables of :data:`NEEDS`.
    outcome_days : int, default 365
        Length of the naive view's retention window.
    health_kpis : bool, default False
        Also aggregate the health scores the account owners' departments
        report in ``kpis`` (``account_kpis``), so that the hazard model adjusts
        for them. Off by default: on the benchmark it raised recall a little
        but tipped ordinary owners over the flag (docs/specialists.md).

    Returns
    -------
    SpecialistInputs
        Pandas frames, one row per account, employee or (account, employee).
    """
    t = context.tables
    w = choose_windows(context.options.as_of, history_start(context), outcome_days=outcome_days)
    employees = _frame(context, t["employees"].select(*EMPLOYEE_COLUMNS), EMPLOYEE_COLUMNS)
    first_names = sorted({v for n in employees["name"].dropna() for v in name_variants(str(n))})
    engagement = t["engagement"]
    month = w.as_of.strftime("%Y-%m")
    stats = _frame(context, _account_stats(t, w), ACCOUNT_STATS_COLUMNS)
    involved = _frame(context, _involvement(t, w), ("account_id", "employee_id", "n", "first_at"))
    return SpecialistInputs(
        windows=w,
        accounts=_frame(context, t["accounts"].select(*ACCOUNT_COLUMNS), ACCOUNT_COLUMNS),
        employees=employees,
        involvement=involved.loc[involved["n"] > 0, list(INVOLVEMENT_COLUMNS)].reset_index(
            drop=True
        ),
        activity=_frame(context, _activity(t, w), ACTIVITY_COLUMNS),
        account_stats=stats,
        texts=(
            _frame(context, _texts(t, w, first_names), TEXT_COLUMNS)
            if first_names
            else pd.DataFrame({c: [] for c in TEXT_COLUMNS})
        ),
        follow_ups=_frame(context, _follow_ups(t, w), FOLLOW_UP_COLUMNS),
        engagement=_frame(
            context, engagement.filter(engagement.period < month), ENGAGEMENT_COLUMNS
        ),
        first_involvement=involved[list(FIRST_INVOLVEMENT_COLUMNS)],
        involvement_months=_frame(context, _involvement_months(t, w), INVOLVEMENT_MONTH_COLUMNS),
        handling=_frame(context, _handling(t, w), HANDLING_COLUMNS),
        account_months=_frame(context, _account_months(t, w), ACCOUNT_MONTH_COLUMNS),
        account_kpis=(
            _frame(context, _account_kpis(t, months), ACCOUNT_KPI_COLUMNS)
            if health_kpis and (months := _kpi_months(context, w))
            else pd.DataFrame({c: [] for c in ACCOUNT_KPI_COLUMNS})
        ),
    )


class SpecialistsStep:
    """Find the employees who measurably keep customers (issue 6).

    Parameters
    ----------
    health_kpis : bool, default False
        Adjust for the owners' health reports (see :func:`gather_inputs`).
    """

    def __init__(self, *, health_kpis: bool = False) -> None:
        self.health_kpis = health_kpis

    def run(self, context: Context) -> SpecialistsResult:
        """Gather the inputs on the engine and run the analysis (see :func:`find_specialists`)."""
        inputs = gather_inputs(context, health_kpis=self.health_kpis)
        return find_specialists(inputs, seed=context.options.seed)
