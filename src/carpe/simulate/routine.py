"""The everyday touchpoints of a block, drawn in bulk after churn is known."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from carpe.simulate.activity import business_minutes, overlap_days, spread, workday
from carpe.simulate.commerce import DELIVERED, RETURNED
from carpe.simulate.context import Block
from carpe.simulate.people import DEPARTMENTS
from carpe.simulate.schema import channel_code, direction_code, kind_code
from carpe.simulate.timeline import make_ids

Array = npt.NDArray[Any]
INBOUND, OUTBOUND, INTERNAL = (direction_code(d) for d in ("inbound", "outbound", "internal"))
SPECIALIST_SENTIMENT_LIFT = 0.15
"""What a specialist adds to the sentiment of every everyday touchpoint they serve."""
DECLINE_SENTIMENT_DROP = 0.25
"""What a declining employee takes off it in every month after their decline month."""


def _subject(texts: tuple[str, ...], n: int, rng: np.random.Generator) -> pa.Array:
    return pa.array(list(texts), type=pa.string()).take(rng.integers(0, len(texts), n))


def _prefixed(prefix: str, ids: pa.Array, suffix: pa.Array | None = None) -> pa.Array:
    n = len(ids)
    out = pc.binary_join_element_wise(pa.array([prefix] * n, type=pa.string()), ids, "")
    if suffix is not None:
        out = pc.binary_join_element_wise(out, suffix, "")
    return out


def _channels(options: tuple[str, ...], n: int, rng: np.random.Generator) -> Array:
    codes = np.asarray([channel_code(c) for c in options], dtype=np.int8)
    return codes[rng.integers(0, len(codes), n)]


def _sentiment(blk: Block, note: Array, emp: Array, day: Array) -> Array:
    _, base, _ = blk.biz.pool.arrays()
    staff = blk.biz.staff
    s = base[note] + blk.rng.normal(0, 0.12, len(note))
    s += np.where(staff.specialist[emp], SPECIALIST_SENTIMENT_LIFT, 0.0)
    month = blk.biz.timeline.month_of(day)
    dm = staff.decline_month[emp]
    s -= np.where((dm >= 0) & (month > dm), DECLINE_SENTIMENT_DROP, 0.0)
    return np.round(np.clip(s, -1, 1), 2)


def order_touchpoints(blk: Block, orders: dict[str, Array]) -> None:
    """Intake, delivery (and, for salons, booking, reminder and visit) touchpoints of orders."""
    pool, rng = blk.biz.pool, blk.rng
    keep = ~orders["planted"]
    o = {k: v[keep] for k, v in orders.items()}
    n = len(o["acc"])
    ids = make_ids("O", o["num"], 8)
    quote_note = pc.if_else(
        pa.array(o["quote"] >= 0),
        pc.binary_join_element_wise(
            pa.array([" (quote "] * n), make_ids("Q", o["quote"], 7), pa.array([")"] * n), ""
        ),
        pa.array([""] * n),
    )
    service = o["service"].astype(bool)
    goods = np.flatnonzero(~service)
    subj = _prefixed("Order ", ids, quote_note)
    emp = o["emp"]
    note = pool.pick("order", len(goods), rng)
    blk.tp.add(
        acc=o["acc"][goods],
        day=o["day"][goods],
        minute=business_minutes(len(goods), rng),
        channel=_channels(("email", "web", "phone"), len(goods), rng),
        kind=kind_code("order"),
        direction=INBOUND,
        emp=emp[goods],
        contact=o["contact"][goods],
        subject=subj.take(goods),
        note=note,
        sentiment=_sentiment(blk, note, emp[goods], o["day"][goods]),
    )
    shipped = goods[(o["status"][goods] == DELIVERED) | (o["status"][goods] == RETURNED)]
    shipped = shipped[o["delivered"][shipped] >= 0]
    late = o["late"][shipped].astype(bool)
    note = np.where(
        late,
        pool.pick("delivery_late", len(shipped), rng),
        pool.pick("delivery_ok", len(shipped), rng),
    )
    day = o["delivered"][shipped]
    blk.tp.add(
        acc=o["acc"][shipped],
        day=day,
        minute=business_minutes(len(shipped), rng),
        channel=channel_code("email"),
        kind=kind_code("delivery"),
        direction=OUTBOUND,
        emp=emp[shipped],
        contact=o["contact"][shipped],
        subject=subj.take(shipped),
        note=note,
        sentiment=_sentiment(blk, note, emp[shipped], day),
    )
    visits = np.flatnonzero(service)
    if len(visits) == 0:
        return
    a, day = o["acc"][visits], o["day"][visits]
    desk = blk.acc.employee_at("Front Desk", a, day)
    book = np.maximum(day - rng.integers(1, 20, len(visits)), np.maximum(blk.acc.start_day[a], 0))
    note = pool.pick("booking", len(visits), rng)
    blk.tp.add(
        acc=a,
        day=book,
        minute=business_minutes(len(visits), rng, 9, 19),
        channel=_channels(("app", "phone", "web", "in_person"), len(visits), rng),
        kind=kind_code("other"),
        direction=INBOUND,
        emp=desk,
        contact=o["contact"][visits],
        subject=_subject(("Booking",), len(visits), rng),
        note=note,
        sentiment=_sentiment(blk, note, desk, book),
    )
    note = pool.pick("reminder", len(visits), rng)
    blk.tp.add(
        acc=a,
        day=np.maximum(day - 1, book),
        minute=np.full(len(visits), 10 * 60),
        channel=channel_code("sms"),
        kind=kind_code("other"),
        direction=OUTBOUND,
        emp=desk,
        contact=o["contact"][visits],
        subject=_subject(("Reminder",), len(visits), rng),
        note=note,
        sentiment=np.full(len(visits), np.nan),
    )
    note = pool.pick("visit", len(visits), rng)
    blk.tp.add(
        acc=a,
        day=day,
        minute=business_minutes(len(visits), rng, 9, 19),
        channel=channel_code("in_person"),
        kind=kind_code("visit"),
        direction=INBOUND,
        emp=emp[visits],
        contact=o["contact"][visits],
        subject=_subject(("Appointment",), len(visits), rng),
        note=note,
        sentiment=_sentiment(blk, note, emp[visits], day),
    )


def invoice_touchpoints(blk: Block, invoices: dict[str, Array], natural: Array) -> None:
    """E-mails that send the ordinary invoices."""
    idx = np.flatnonzero(natural)
    a, day = invoices["acc"][idx], invoices["issued"][idx]
    emp = blk.acc.employee_at("Billing", a, day)
    note = blk.biz.pool.pick("invoice", len(idx), blk.rng)
    blk.tp.add(
        acc=a,
        day=day,
        minute=business_minutes(len(idx), blk.rng),
        channel=channel_code("email"),
        kind=kind_code("invoice"),
        direction=OUTBOUND,
        emp=emp,
        contact=blk.acc.contact_first[a],
        subject=_prefixed("Invoice ", make_ids("INV", invoices["num"][idx], 8)),
        note=note,
        sentiment=np.full(len(idx), np.nan),
    )


def quote_touchpoints(blk: Block, quotes: dict[str, Array]) -> None:
    """E-mails that send the ordinary quotes."""
    idx = np.flatnonzero(~quotes["planted"])
    a, day, emp = quotes["acc"][idx], quotes["day"][idx], quotes["emp"][idx]
    note = blk.biz.pool.pick("quote", len(idx), blk.rng)
    blk.tp.add(
        acc=a,
        day=day,
        minute=business_minutes(len(idx), blk.rng),
        channel=channel_code("email"),
        kind=kind_code("quote"),
        direction=OUTBOUND,
        emp=emp,
        contact=blk.acc.contact_first[a],
        subject=_prefixed("Quote ", make_ids("Q", quotes["num"][idx], 7)),
        note=note,
        sentiment=_sentiment(blk, note, emp, day),
    )


def tickets(blk: Block, rate: float) -> None:
    """Support tickets: opened, answered, confirmed by the customer, then closed."""
    acc, rng, tl, pool = blk.acc, blk.rng, blk.biz.timeline, blk.biz.pool
    days_in = overlap_days(tl, acc.start_day) / 30.4
    counts = rng.poisson(rate * days_in)
    a, day = spread(counts, tl, acc.start_day, rng)
    day = workday(day, tl, saturday_ok=blk.biz.kind == "b2c")
    day = np.maximum(day, np.maximum(acc.start_day[a], 0))
    n = len(a)
    numbers = blk.biz.counters["ticket"].take(n)
    topic_lo, topic_hi = pool.ranges["ticket_open"]
    topic = rng.integers(topic_lo, topic_hi, n)
    texts = pa.array(pool.texts[topic_lo:topic_hi], type=pa.string())
    subject = pc.binary_join_element_wise(
        _prefixed("Ticket ", make_ids("S", numbers, 8)), texts.take(topic - topic_lo), ": "
    )
    emp = acc.employee_at("Support", a, day)
    contact = acc.random_contact(a, rng)
    chan = _channels(("email", "chat", "phone", "web"), n, rng)
    blk.tp.add(
        acc=a,
        day=day,
        minute=business_minutes(n, rng),
        channel=chan,
        kind=kind_code("ticket"),
        direction=INBOUND,
        emp=emp,
        contact=contact,
        subject=subject,
        note=topic,
        sentiment=_sentiment(blk, topic, emp, day),
    )
    rounds = np.where(blk.biz.staff.specialist[emp], 1, rng.integers(1, 4, n))
    cursor = day.copy()
    for r in range(1, 4):
        live = np.flatnonzero(rounds >= r)
        cursor[live] += rng.integers(0, 3, len(live)) + 1
        note = pool.pick("ticket_reply", len(live), rng)
        blk.tp.add(
            acc=a[live],
            day=cursor[live],
            minute=business_minutes(len(live), rng),
            channel=chan[live],
            kind=kind_code("ticket"),
            direction=OUTBOUND,
            emp=emp[live],
            contact=contact[live],
            subject=subject.take(live),
            note=note,
            sentiment=_sentiment(blk, note, emp[live], cursor[live]),
        )
    cursor += rng.integers(0, 3, n) + 1
    note = pool.pick("ticket_confirm", n, rng)
    blk.tp.add(
        acc=a,
        day=cursor,
        minute=np.full(n, 16 * 60 + 30),
        channel=chan,
        kind=kind_code("ticket"),
        direction=INBOUND,
        emp=emp,
        contact=contact,
        subject=subject,
        note=note,
        sentiment=_sentiment(blk, note, emp, cursor),
    )
    cursor += 1
    note = pool.pick("ticket_close", n, rng)
    blk.tp.add(
        acc=a,
        day=cursor,
        minute=np.full(n, 9 * 60),
        channel=chan,
        kind=kind_code("ticket"),
        direction=INTERNAL,
        emp=emp,
        contact=contact,
        subject=subject,
        note=note,
        sentiment=np.full(n, np.nan),
    )


def checkins(blk: Block, rate: Array) -> None:
    """Owner check-ins (b2b) or stylist messages (b2c); ``rate`` is per account and month."""
    acc, rng, tl, pool = blk.acc, blk.rng, blk.biz.timeline, blk.biz.pool
    counts = rng.poisson(rate * overlap_days(tl, acc.start_day) / 30.4)
    a, day = spread(counts, tl, acc.start_day, rng)
    day = np.maximum(workday(day, tl, blk.biz.kind == "b2c"), np.maximum(acc.start_day[a], 0))
    from carpe.simulate.notes import SUBJECTS, pick_checkin

    n = len(a)
    emp = acc.employee_at("owner", a, day)
    note = pick_checkin(pool, n, rng)
    options = (
        ("phone", "video", "email", "in_person")
        if blk.biz.kind == "b2b"
        else ("sms", "app", "phone")
    )
    chan = _channels(options, n, rng)
    kinds = {
        channel_code("phone"): "call",
        channel_code("video"): "meeting",
        channel_code("in_person"): "meeting",
    }
    for c in np.unique(chan):
        sel = np.flatnonzero(chan == c)
        blk.tp.add(
            acc=a[sel],
            day=day[sel],
            minute=business_minutes(len(sel), rng),
            channel=int(c),
            kind=kind_code(kinds.get(int(c), "other")),
            direction=OUTBOUND,
            emp=emp[sel],
            contact=acc.random_contact(a[sel], rng),
            subject=_subject(SUBJECTS["checkin"], len(sel), rng),
            note=note[sel],
            sentiment=_sentiment(blk, note[sel], emp[sel], day[sel]),
        )


def simple(
    blk: Block,
    dept: str,
    topic: str,
    rate: Array | float,
    *,
    channel: str,
    kind: str,
    direction: int,
    subjects: tuple[str, ...],
) -> None:
    """A recurring kind of touchpoint by one department (field visits, proactive calls...)."""
    acc, rng, tl, pool = blk.acc, blk.rng, blk.biz.timeline, blk.biz.pool
    r = np.broadcast_to(np.asarray(rate, dtype=np.float64), (acc.n, tl.n_months))
    counts = rng.poisson(r * overlap_days(tl, acc.start_day) / 30.4)
    a, day = spread(counts, tl, acc.start_day, rng)
    day = np.maximum(workday(day, tl, blk.biz.kind == "b2c"), np.maximum(acc.start_day[a], 0))
    n = len(a)
    emp = acc.employee_at(dept, a, day)
    note = pool.pick(topic, n, rng)
    blk.tp.add(
        acc=a,
        day=day,
        minute=business_minutes(n, rng),
        channel=channel_code(channel),
        kind=kind_code(kind),
        direction=direction,
        emp=emp,
        contact=acc.random_contact(a, rng),
        subject=_subject(subjects, n, rng),
        note=note,
        sentiment=_sentiment(blk, note, emp, day),
    )


def introductions(blk: Block) -> None:
    """A successor introduces themself to every account of an owner who left (unless planted)."""
    acc, tl = blk.acc, blk.biz.timeline
    for index in np.flatnonzero((acc.successor >= 0) & (acc.switch_day < tl.n_days)):
        a = int(index)
        if a in blk.no_intro:
            continue
        day = int(acc.switch_day[a]) + int(blk.rng.integers(2, 10))
        if day > min(int(acc.end_day[a]), tl.n_days - 1):
            continue
        old = blk.biz.staff.names[int(acc.owner[a])]
        from carpe.simulate.conflicts import touch

        touch(
            blk,
            a,
            day,
            "owner",
            channel=channel_code("phone"),
            kind="call",
            subject="Introduction",
            note=f"Introduced myself as the new account manager, taking over from {old}.",
            sentiment=0.3,
        )


def surveys(blk: Block, late: Array, trouble: Array) -> None:
    """Surveys and the feedback they bring; scores follow the account's recent experience."""
    acc, rng, tl, pool, staff = blk.acc, blk.rng, blk.biz.timeline, blk.biz.pool, blk.biz.staff
    rate = 0.12 if blk.biz.kind == "b2b" else 0.2
    counts = rng.poisson(rate * overlap_days(tl, acc.start_day) / 30.4)
    a, day = spread(counts, tl, acc.start_day, rng)
    n = len(a)
    month = tl.month_of(day)
    prev = np.maximum(month - 1, 0)
    badness = late[a, month] + late[a, prev] + 2 * (trouble[a, month] + trouble[a, prev])
    quality = 0.6 * acc.friendliness[a] - 0.8 * badness + rng.normal(0, 1, n)
    owner = acc.employee_at("owner", a, day)
    quality += np.where(staff.specialist[owner], 0.6, 0.0)
    survey = "nps" if blk.biz.kind == "b2b" else "csat"
    if survey == "nps":
        score = np.clip(np.round(8 + 1.2 * quality), 0, 10)
        band = np.where(score >= 9, 2, np.where(score >= 7, 1, 0))
    else:
        score = np.clip(np.round(4.2 + 0.6 * quality), 1, 5)
        band = np.where(score >= 5, 2, np.where(score >= 3, 1, 0))
    refs = np.arange(blk.tp.next_ref, blk.tp.next_ref + n)
    blk.tp.next_ref += n
    note = pool.pick("survey", n, rng)
    contact = acc.random_contact(a, rng)
    blk.tp.add(
        acc=a,
        day=day,
        minute=business_minutes(n, rng),
        channel=channel_code("email"),
        kind=kind_code("survey"),
        direction=INBOUND,
        emp=owner,
        contact=contact,
        subject=_subject(("Survey",), n, rng),
        note=note,
        sentiment=np.round((score / score.max() - 0.5) * 1.6, 2) if n else np.zeros(0),
        tag=refs,
    )
    comments = (
        (
            "Too many problems lately.",
            "Deliveries keep slipping and nobody tells us.",
            "Invoices are a mess.",
            "Not happy with the service.",
        ),
        ("Fine overall.", "OK, some delays.", "Good products, communication could be better.", ""),
        ("Great service as always.", "Reliable partner.", "Very happy.", "Quick and friendly."),
    )
    texts = [c for group in comments for c in group]
    pick = band * 4 + rng.integers(0, 4, n)
    comment = pa.array(texts, type=pa.string()).take(pick)
    phrases = {s.name: s.phrase for spec in [DEPARTMENTS[blk.biz.kind]] for s in spec}
    praise = np.flatnonzero(
        (band == 2) & (rng.random(n) < np.where(staff.specialist[owner], 0.5, 0.12))
    )
    if len(praise):
        names = [staff.first_names[int(e)] for e in owner[praise]]
        depts = [phrases[staff.departments[int(e)]] for e in owner[praise]]
        lines = [
            f"{x} in {d} always takes good care of us." for x, d in zip(names, depts, strict=True)
        ]
        mask = np.zeros(n, dtype=bool)
        mask[praise] = True
        full = np.asarray(comment.to_pylist(), dtype=object)
        full[praise] = lines
        comment = pa.array(full.tolist(), type=pa.string())
    blk.feedback_bulk = {
        "num": blk.biz.counters["feedback"].take(n),
        "acc": a,
        "contact": contact,
        "day": day,
        "survey": survey,
        "score": score,
        "comment": comment,
        "ref": refs,
    }
