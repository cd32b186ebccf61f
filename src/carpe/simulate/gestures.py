"""Gestures (templated and genuine), budgets, and the employees' engagement survey."""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from carpe.simulate.activity import overlap_days, spread
from carpe.simulate.context import Block, Business
from carpe.simulate.schema import channel_code, direction_code, kind_code
from carpe.simulate.timeline import Timeline, add_months, make_ids

Array = npt.NDArray[Any]

NUMBER_WORDS = ("two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def tenure_words(days: int) -> str:
    """How long a customer has been with us, as a thank-you call says it.

    Examples
    --------
    >>> tenure_words(200), tenure_words(400), tenure_words(3 * 365 + 10)
    ('choosing us this year', 'a year with us', 'three years with us')
    """
    years = days // 365
    if years < 1:
        return "choosing us this year"
    if years == 1:
        return "a year with us"
    return f"{NUMBER_WORDS[years - 2] if years <= 10 else years} years with us"


TEMPLATED = ("gift card", "€20 thank-you voucher for our valued customers", 20.0)
AD_HOC = (
    ("card", "Thank-you card after the big order", 4.0),
    ("gift", "Box of pastries for their team", 25.0),
    ("personal call", "Called to thank them for {tenure}", 0.0),
    ("sample", "Free sample of the new range", 12.0),
)


def templated_gestures(blk: Block) -> None:
    """Templated givers send the same voucher on a fixed day each month to many contacts."""
    acc, tl, rng, staff = blk.acc, blk.biz.timeline, blk.rng, blk.biz.staff
    cols: dict[str, list[Array]] = {"acc": [], "day": [], "emp": []}
    for m in range(tl.n_months):
        day = np.full(acc.n, tl.month_start[m] + 2)
        emp = acc.employee_at("owner", np.arange(acc.n), day)
        give = staff.templated_giver[emp] & (day >= np.maximum(acc.start_day, 0))
        give &= (day < tl.n_days) & (rng.random(acc.n) < 0.5)
        sel = np.flatnonzero(give)
        cols["acc"].append(sel)
        cols["day"].append(day[sel])
        cols["emp"].append(emp[sel])
    a = np.concatenate(cols["acc"])
    day = np.concatenate(cols["day"])
    emp = np.concatenate(cols["emp"])
    n = len(a)
    kind, text, cost = TEMPLATED
    _bulk(
        blk,
        a,
        day,
        emp,
        np.full(n, kind, dtype=object),
        np.full(n, text, dtype=object),
        np.full(n, cost),
    )
    pool = blk.biz.pool
    blk.tp.add(
        acc=a,
        day=day,
        minute=np.full(n, 9 * 60),
        channel=channel_code("letter"),
        kind=kind_code("other"),
        direction=direction_code("outbound"),
        emp=emp,
        contact=acc.contact_first[a],
        subject=pa.array(["Thank you"] * n),
        note=pool.pick("gesture", n, rng),
        sentiment=np.full(n, 0.3),
    )


def ad_hoc_gestures(blk: Block) -> None:
    """Occasional varied gestures by other employees, tied to no moment."""
    acc, tl, rng, staff = blk.acc, blk.biz.timeline, blk.rng, blk.biz.staff
    counts = rng.poisson(0.01 * overlap_days(tl, acc.start_day) / 30.4)
    a, day = spread(counts, tl, acc.start_day, rng)
    emp = acc.employee_at("owner", a, day)
    keep = ~staff.templated_giver[emp] & ~staff.genuine_giver[emp]
    a, day, emp = a[keep], day[keep], emp[keep]
    pick = rng.integers(0, len(AD_HOC), len(a))
    _bulk(
        blk,
        a,
        day,
        emp,
        np.asarray([AD_HOC[i][0] for i in pick], dtype=object),
        np.asarray(
            [
                AD_HOC[i][1].format(tenure=tenure_words(int(d - acc.start_day[k])))
                for i, d, k in zip(pick, day, a, strict=True)
            ],
            dtype=object,
        ),
        np.asarray([AD_HOC[i][2] for i in pick], dtype=np.float64),
    )


def _bulk(
    blk: Block, a: Array, day: Array, emp: Array, kind: Array, text: Array, cost: Array
) -> None:
    for i in range(len(a)):
        blk.gesture_rows.append(
            {
                "num": blk.biz.counters["gesture"].one(),
                "acc": int(a[i]),
                "contact": int(blk.acc.contact_first[a[i]]),
                "emp": int(emp[i]),
                "day": int(day[i]),
                "kind": str(kind[i]),
                "description": str(text[i]),
                "cost": float(cost[i]),
            }
        )


def budgets_table(biz: Business) -> pa.Table:
    """Quarterly budgets for every frontline employee and every department."""
    tl = biz.timeline
    quarters: list[tuple[date, date]] = []
    q = date(tl.start.year, 3 * ((tl.start.month - 1) // 3) + 1, 1)
    while q <= tl.end:
        nxt = add_months(q, 3)
        quarters.append((q, date.fromordinal(nxt.toordinal() - 1)))
        q = nxt
    staff = biz.staff
    each = 300.0 if biz.kind == "b2b" else 120.0
    owners: list[str] = []
    amounts: list[float] = []
    starts: list[date] = []
    ends: list[date] = []
    ids = biz.staff_ids.to_pylist()
    for first, last in quarters:
        for e in range(staff.size):
            left = int(staff.left_day[e])
            if left >= 0 and tl.date_of(left) < first:
                continue
            owners.append(str(ids[e]))
            amounts.append(each)
            starts.append(first)
            ends.append(last)
        for dept in staff.department_names:
            owners.append(dept)
            amounts.append(
                each * 4 * float(np.count_nonzero(staff.dept == staff.department_names.index(dept)))
            )
            starts.append(first)
            ends.append(last)
    n = len(owners)
    return pa.table(
        {
            "budget_id": make_ids("B", np.arange(1, n + 1), 6),
            "owner": pa.array(owners),
            "period_start": pa.array(starts, type=pa.date32()),
            "period_end": pa.array(ends, type=pa.date32()),
            "amount": pa.array(amounts, type=pa.float64()),
        }
    )


def engagement_table(biz: Business, rng: np.random.Generator) -> pa.Table:
    """Monthly engagement score (0..10) per employee; declining ones fall after their month."""
    staff, tl = biz.staff, biz.timeline
    e = np.repeat(np.arange(staff.size), tl.n_months)
    m = np.tile(np.arange(tl.n_months), staff.size)
    base = np.repeat(rng.uniform(6.5, 8.5, staff.size), tl.n_months)
    decline = staff.decline_month[e]
    fall = np.where((decline >= 0) & (m > decline), 0.7 * (m - decline), 0.0)
    score = np.round(np.clip(base - np.minimum(fall, 5.5) + rng.normal(0, 0.4, len(e)), 0, 10), 1)
    left = staff.left_day[e]
    keep = (left < 0) | (tl.month_start[m] <= left)
    return pa.table(
        {
            "employee_id": biz.staff_ids.take(e[keep]),
            "period": pa.array(list(tl.labels)).take(m[keep]),
            "score": pa.array(score[keep]),
        }
    )


def timeline_months(tl: Timeline) -> Array:
    """Month index of each day."""
    return tl.day_month
