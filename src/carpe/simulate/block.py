"""Simulate one block of accounts from start to finish, returning its rows and truth."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from carpe.simulate.accounts import accounts_table, build_accounts, contacts_table
from carpe.simulate.activity import TouchpointBuffer, overlap_days, spread
from carpe.simulate.churn import COEFFICIENTS, after, churn_probability, draw_churn, recent
from carpe.simulate.commerce import draw_orders, draw_quotes, order_lead_days
from carpe.simulate.conflicts import plant_conflicts, touch
from carpe.simulate.context import Block, Business
from carpe.simulate.gestures import ad_hoc_gestures, templated_gestures
from carpe.simulate.kpis import kpi_table
from carpe.simulate.moments import GESTURE_FOR, RESOLVABLE, follow_up_text, render_moment
from carpe.simulate.people import FIRST_NAMES, SERVICE_DEPARTMENTS
from carpe.simulate.routine import (
    checkins,
    introductions,
    simple,
    surveys,
    tickets,
)
from carpe.simulate.schema import channel_code, direction_code
from carpe.simulate.stories import plant_heroes
from carpe.simulate.tables import build_tables
from carpe.vocabulary import MOMENT_KINDS

Array = npt.NDArray[Any]
MOMENT_WEIGHTS = np.asarray([0.12, 0.1, 0.12, 0.06, 0.1, 0.12, 0.08, 0.12, 0.1, 0.08])


@dataclass
class BlockResult:
    """The rows of every file for one block, and its ground-truth fragments."""

    tables: dict[str, pa.Table]
    truth: dict[str, list[dict[str, Any]]]


def simulate_block(biz: Business, index: int, first: int, n: int) -> BlockResult:
    """Simulate accounts ``first .. first + n - 1`` (block ``index``)."""
    rng = np.random.default_rng(np.random.SeedSequence([biz.seed, 1, index]))
    tl = biz.timeline
    acc = build_accounts(
        biz.kind,
        first=first,
        n=n,
        contact_first=biz.counters["contact"].value,
        n_regions=biz.n_regions,
        staff=biz.staff,
        timeline=tl,
        rng=rng,
    )
    biz.counters["contact"].take(int(acc.contact_count.sum()))
    blk = Block(
        biz=biz,
        acc=acc,
        rng=rng,
        tp=TouchpointBuffer(len(biz.pool.texts)),
        lead=order_lead_days(biz.kind, acc, rng),
        billing_error=np.zeros((n, tl.n_months)),
        conflict=np.zeros((n, tl.n_months)),
        protect_month=np.full(n, -1, dtype=np.int64),
        held=np.zeros((n, tl.n_months), dtype=bool),
        never_churn=np.zeros(n, dtype=bool),
    )
    served = _served(blk)
    decline = _declining(blk, served)
    late_boost = np.where(_has_specialist(blk, "Operations"), 0.35, 1.0)[:, None] * np.where(
        decline, 2.5, 1.0
    )
    draw_orders(biz.kind, acc, blk.lead, late_boost, tl, blk.orders, biz.counters["order"], rng)
    draw_quotes(biz.kind, acc, blk.lead, tl, blk.quotes, blk.orders, biz.counters, rng)
    if biz.plant_conflicts:
        plant_conflicts(blk)
    plant_heroes(blk)
    # an account still a customer when its owner leaves stays for the successor's introduction
    for a in np.flatnonzero((acc.successor >= 0) & (acc.switch_day < tl.n_days)):
        blk.hold(int(a), int(acc.switch_day[a]), int(acc.switch_day[a]) + 12)
    _moments(blk)

    # churn: monthly hazard from the experiences drawn so far
    orders = blk.orders.collect()
    late = np.zeros((n, tl.n_months))
    delivered = orders["delivered"] >= 0
    np.add.at(
        late,
        (orders["acc"][delivered], tl.month_of(orders["delivered"][delivered])),
        orders["late"][delivered].astype(float),
    )
    disputes = orders["dispute"].astype(bool) & delivered
    np.add.at(
        blk.billing_error, (orders["acc"][disputes], tl.month_of(orders["delivered"][disputes])), 1
    )
    neglected = rng.random(n) < 0.15
    c = COEFFICIENTS
    logit = (
        acc.base_logit[:, None]
        + c["late_delivery"] * recent(late)
        + c["billing_error"] * recent(blk.billing_error)
        + c["conflict"] * recent(blk.conflict)
        + c["neglect"] * neglected[:, None]
        + c["declining_employee"] * decline
        + _specialist_effect(blk, served)
    )
    care = c["personal_follow_up"] * after(blk.care_month, tl.n_months)
    gesture = c["genuine_gesture"] * after(blk.gesture_month, tl.n_months)
    months = np.arange(tl.n_months)[None, :]
    at_risk = (overlap_days(tl, acc.start_day) > 0) & (months > blk.protect_month[:, None])
    at_risk &= ~blk.never_churn[:, None] & ~blk.held
    at_risk &= months > tl.month_of(np.maximum(acc.start_day, 0))[:, None]
    draw = draw_churn(logit + care + gesture, at_risk, acc.start_day, tl, rng)
    acc.end_day = draw.end_day
    truth_accounts = _account_truth(blk, logit, care, gesture, at_risk, draw.probability, neglected)

    # everyday activity, now that each account's last day is known
    checkin_rate = np.where(neglected, 0.12, 0.55)[:, None] * np.where(
        _owner_declining(blk), 0.4, 1.0
    )
    checkins(blk, checkin_rate)
    kind = biz.kind
    tickets(blk, 0.22 if kind == "b2b" else 0.04)
    inbound, outbound = direction_code("inbound"), direction_code("outbound")
    if kind == "b2b":
        simple(
            blk,
            "Field Service",
            "visit",
            0.2,
            channel="in_person",
            kind="visit",
            direction=outbound,
            subjects=("Service visit", "Maintenance visit"),
        )
    for dept in (*SERVICE_DEPARTMENTS[kind], "owner"):
        rate = np.where(_has_specialist(blk, dept), 0.35, 0.0)
        if rate.any():
            simple(
                blk,
                dept,
                "proactive",
                rate[:, None],
                channel="phone",
                kind="call",
                direction=outbound,
                subjects=("Proactive call", "Heads-up"),
            )
    introductions(blk)
    templated_gestures(blk)
    ad_hoc_gestures(blk)
    _ = inbound
    trouble = blk.billing_error + blk.conflict
    surveys(blk, late, trouble)
    tables, refs = build_tables(blk, orders)
    tables["accounts.csv"] = accounts_table(kind, acc, biz.staff_ids, tl, biz.regions)
    tables["contacts.csv"] = contacts_table(kind, acc, rng)
    tables["kpis.csv"] = kpi_table(blk, tables)
    return BlockResult(tables, _truth(blk, refs, truth_accounts))


def _served(blk: Block) -> dict[str, Array]:
    """Employee per (account, month) for the owner and each service department."""
    acc, tl = blk.acc, blk.biz.timeline
    days = np.broadcast_to(tl.month_start[None, :-1], (acc.n, tl.n_months))
    rows = np.broadcast_to(np.arange(acc.n)[:, None], (acc.n, tl.n_months))
    out = {"owner": acc.employee_at("owner", rows.ravel(), days.ravel()).reshape(acc.n, -1)}
    for dept in SERVICE_DEPARTMENTS[blk.biz.kind]:
        out[dept] = np.broadcast_to(acc.assigned[dept][:, None], (acc.n, tl.n_months))
    return out


def _declining(blk: Block, served: dict[str, Array]) -> Array:
    dm = blk.biz.staff.decline_month
    months = np.arange(blk.biz.timeline.n_months)[None, :]
    out = np.zeros((blk.acc.n, blk.biz.timeline.n_months), dtype=bool)
    for emp in served.values():
        out |= (dm[emp] >= 0) & (months > dm[emp] + 1)
    return out


def _owner_declining(blk: Block) -> Array:
    served = _served(blk)["owner"]
    dm = blk.biz.staff.decline_month[served]
    return (dm >= 0) & (np.arange(blk.biz.timeline.n_months)[None, :] > dm + 1)


def _has_specialist(blk: Block, dept: str) -> Array:
    if dept == "owner":
        return np.asarray(blk.biz.staff.specialist[blk.acc.owner])
    return np.asarray(blk.biz.staff.specialist[blk.acc.assigned[dept]])


def _specialist_effect(blk: Block, served: dict[str, Array]) -> Array:
    total = np.zeros((blk.acc.n, blk.biz.timeline.n_months))
    for emp in served.values():
        total += blk.biz.staff.effect[emp]
    return total


def _moments(blk: Block) -> None:
    """Personal moments in notes, the follow-ups that ask after them, and genuine gestures."""
    acc, rng, tl, staff = blk.acc, blk.rng, blk.biz.timeline, blk.biz.staff
    rate = (0.035 if blk.biz.kind == "b2b" else 0.08) * acc.contact_count
    counts = rng.poisson(rate[:, None] * overlap_days(tl, acc.start_day) / 30.4)
    a_all, day_all = spread(counts, tl, acc.start_day, rng)
    kinds = rng.choice(len(MOMENT_KINDS), size=len(a_all), p=MOMENT_WEIGHTS / MOMENT_WEIGHTS.sum())
    propensity = 1 / (1 + np.exp(-(-0.4 + 0.9 * acc.friendliness + 0.5 * acc.size_z)))
    blk.care_month = np.full(acc.n, -1, dtype=np.int64)
    blk.gesture_month = np.full(acc.n, -1, dtype=np.int64)
    blk.potential_care_month = np.full(acc.n, -1, dtype=np.int64)
    blk.potential_gesture_month = np.full(acc.n, -1, dtype=np.int64)
    dept = "owner"
    for a, day, k in zip(a_all.tolist(), day_all.tolist(), kinds.tolist(), strict=True):
        day = min(day, tl.n_days - 1)
        kind = MOMENT_KINDS[k]
        contact = int(acc.contact_first[a] + rng.integers(0, acc.contact_count[a]))
        first = FIRST_NAMES[int(acc.contact_first_name[contact - acc.contact_first[0]])]
        moment = render_moment(kind, first, tl.date_of(day), rng)
        emp = int(acc.employee_at(dept, np.asarray([a]), np.asarray([day]))[0])
        lead = (
            "Call about the spare-parts forecast.",
            "Site visit went well.",
            "Quick catch-up on the open order.",
            "Visit notes.",
        )[int(rng.integers(0, 4))]
        if blk.biz.kind == "b2c":
            lead = ("Cut and blow-dry.", "Colour refresh.", "Usual trim.")[int(rng.integers(0, 3))]
        channel = (
            "in_person"
            if blk.biz.kind == "b2c"
            else ("phone", "in_person")[int(rng.integers(0, 2))]
        )
        ref = touch(
            blk,
            a,
            day,
            dept,
            channel=channel_code(channel),
            kind="visit" if channel == "in_person" else "call",
            direction=direction_code("outbound"),
            subject="Visit notes",
            note=f"{lead} {moment.sentence}",
            sentiment=_moment_sentiment(kind),
            emp=emp,
        )
        entry: dict[str, Any] = {
            "ref": ref,
            "contact": contact,
            "acc": a,
            "moment": moment,
            "day": day,
            "follow_ref": None,
            "resolved_ref": None,
            "employee": emp,
        }
        blk.moments.append(entry)
        timed = kind not in ("interest", "preference")
        delay = int(rng.integers(5, 30))
        fday = day + delay
        if timed and fday < tl.n_days:
            fmonth = int(tl.day_month[fday])
            if blk.potential_care_month[a] < 0:
                blk.potential_care_month[a] = fmonth
            if rng.random() < propensity[a] or staff.genuine_giver[emp]:
                resolved = kind in RESOLVABLE and rng.random() < 0.6
                femp = int(acc.employee_at(dept, np.asarray([a]), np.asarray([fday]))[0])
                fref = touch(
                    blk,
                    a,
                    fday,
                    dept,
                    channel=channel_code("phone"),
                    kind="call",
                    subject="Follow-up",
                    note=follow_up_text(moment, first, resolved),
                    sentiment=0.5,
                    emp=femp,
                    origin="follow_up",
                )
                entry["follow_ref"] = fref
                entry["follow_day"] = fday
                if resolved:
                    entry["resolved_ref"] = fref
                if blk.care_month[a] < 0 or fmonth < blk.care_month[a]:
                    blk.care_month[a] = fmonth
        gday = day + int(rng.integers(2, 10))
        if staff.genuine_giver[emp] and gday < tl.n_days and kind != "preference":
            gmonth = int(tl.day_month[gday])
            if blk.potential_gesture_month[a] < 0:
                blk.potential_gesture_month[a] = gmonth
            if rng.random() < 0.8:
                gkind, text, cost = GESTURE_FOR[kind]
                number = blk.biz.counters["gesture"].one()
                blk.gesture_rows.append(
                    {
                        "num": number,
                        "acc": a,
                        "contact": contact,
                        "emp": emp,
                        "day": gday,
                        "kind": gkind,
                        "description": text.format(name=moment.pet, subject=moment.subject),
                        "cost": round(cost * float(rng.uniform(0.8, 1.3)), 2),
                        "moment_ref": ref,
                    }
                )
                touch(
                    blk,
                    a,
                    gday,
                    dept,
                    channel=channel_code("letter"),
                    kind="other",
                    subject="Gesture",
                    note=f"Sent {text.format(name=moment.pet, subject=moment.subject).lower()} "
                    f"after what {first} told us.",
                    sentiment=0.6,
                    emp=emp,
                    origin="gesture",
                )
                if blk.gesture_month[a] < 0:
                    blk.gesture_month[a] = gmonth


def _moment_sentiment(kind: str) -> float:
    return {
        "loss": -0.4,
        "health": -0.3,
        "hardship": -0.4,
        "celebration": 0.5,
        "family": 0.5,
        "milestone": 0.4,
        "travel": 0.3,
    }.get(kind, 0.2)


def _account_truth(
    blk: Block,
    logit: Array,
    care: Array,
    gesture: Array,
    at_risk: Array,
    probability: Array,
    neglected: Array,
) -> dict[str, Array]:
    tl = blk.biz.timeline
    c = COEFFICIENTS
    no_care = churn_probability(logit + gesture, at_risk)
    all_care = churn_probability(
        logit + gesture + c["personal_follow_up"] * after(blk.potential_care_month, tl.n_months),
        at_risk,
    )
    no_gesture = churn_probability(logit + care, at_risk)
    all_gesture = churn_probability(
        logit + care + c["genuine_gesture"] * after(blk.potential_gesture_month, tl.n_months),
        at_risk,
    )
    return {
        "probability": probability,
        "no_follow_up": no_care,
        "all_follow_up": all_care,
        "no_gesture": no_gesture,
        "all_gesture": all_gesture,
        "neglected": neglected,
        "hazard": np.where(at_risk, 1.0 / (1.0 + np.exp(-(logit + care + gesture))), 0.0),
    }


def _truth(blk: Block, refs: Array, acc_truth: dict[str, Array]) -> dict[str, list[dict[str, Any]]]:
    from carpe.simulate.truth import block_truth

    return block_truth(blk, refs, acc_truth)
