"""Turn a block's gathered rows into the interchange-format tables (after churn)."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from carpe.simulate.commerce import DELIVERED, INV_PAID, OPEN, bill_orders
from carpe.simulate.context import Block
from carpe.simulate.routine import invoice_touchpoints, order_touchpoints, quote_touchpoints
from carpe.simulate.schema import (
    CURRENCY,
)
from carpe.simulate.timeline import dictionary, make_ids, with_nulls
from carpe.vocabulary import (
    CHANNELS,
    DIRECTIONS,
    INVOICE_STATUSES,
    ORDER_STATUSES,
    QUOTE_STATUSES,
    TOUCHPOINT_KINDS,
)

Array = npt.NDArray[Any]


def _ids(prefix: str, numbers: Array, width: int) -> pa.Array:
    valid = np.asarray(numbers) >= 0
    return make_ids(prefix, numbers, width, None if valid.all() else valid)


def _emp(blk: Block, emp: Array) -> pa.Array:
    emp = np.asarray(emp, dtype=np.int64)
    return blk.biz.staff_ids.take(with_nulls(np.maximum(emp, 0), emp >= 0, pa.int64()))


def build_tables(blk: Block, orders: dict[str, Array]) -> tuple[dict[str, pa.Table], Array]:
    """Build every per-block table; returns them and the map from truth reference to touchpoint."""
    acc, tl, rng = blk.acc, blk.biz.timeline, blk.rng
    last = tl.n_days - 1
    end = acc.end_day
    first_day = np.maximum(acc.start_day, 0)
    out: dict[str, pa.Table] = {}

    # orders: drop what would happen after the account left; still in transit at the end = open
    o = orders
    future = o["delivered"] > last
    ok_delivery = (o["delivered"] <= end[o["acc"]]) | (future & (end[o["acc"]] == last))
    keep = (o["day"] <= end[o["acc"]]) & (o["day"] >= first_day[o["acc"]]) & ok_delivery
    o = {k: v[keep] for k, v in o.items()}
    still = o["delivered"] > last
    o["status"] = np.where(still, OPEN, o["status"])
    o["delivered"] = np.where(still, -1, o["delivered"])
    o["late"] = o["late"].astype(bool) & ~still
    bill_orders(blk.biz.kind, o, tl, end, blk.invoices, blk.biz.counters["invoice"], rng)
    order_touchpoints(blk, o)
    out["orders.csv"] = pa.table(
        {
            "order_id": _ids("O", o["num"], 8),
            "account_id": _ids("A", acc.first + o["acc"], 7),
            "contact_id": _ids("C", o["contact"], 8),
            "employee_id": _emp(blk, o["emp"]),
            "ordered_at": tl.datetimes(o["day"], rng.integers(8 * 60, 17 * 60, len(o["day"]))),
            "promised_on": tl.dates(o["promised"]),
            "delivered_on": tl.dates(np.maximum(o["delivered"], 0), o["delivered"] >= 0),
            "amount": pa.array(o["amount"].astype(np.float64)),
            "status": dictionary(o["status"], ORDER_STATUSES),
        }
    )

    inv = blk.invoices.collect()
    bulk = sum(len(p["num"]) for p in blk.invoices.parts)
    keep = inv["issued"] <= end[inv["acc"]]
    natural = (np.arange(len(keep)) < bulk)[keep]
    inv = {k: v[keep] for k, v in inv.items()}
    late_pay = inv["paid"] > end[inv["acc"]]
    inv["status"] = np.where(late_pay & (inv["status"] == INV_PAID), 0, inv["status"])
    inv["paid"] = np.where(late_pay, -1, inv["paid"])
    invoice_touchpoints(blk, inv, natural)
    out["invoices.csv"] = pa.table(
        {
            "invoice_id": _ids("INV", inv["num"], 8),
            "account_id": _ids("A", acc.first + inv["acc"], 7),
            "order_id": _ids("O", inv["order"], 8),
            "issued_on": tl.dates(inv["issued"]),
            "due_on": tl.dates(inv["due"]),
            "amount": pa.array(inv["amount"].astype(np.float64)),
            "currency": dictionary(np.zeros(len(inv["num"])), (CURRENCY,)),
            "status": dictionary(inv["status"], INVOICE_STATUSES),
            "paid_on": tl.dates(np.maximum(inv["paid"], 0), inv["paid"] >= 0),
        }
    )
    blk.final["orders"] = o
    blk.final["invoices"] = inv

    q = blk.quotes.collect()
    keep = (q["day"] <= end[q["acc"]]) & (q["day"] >= first_day[q["acc"]])
    q = {k: v[keep] for k, v in q.items()}
    quote_touchpoints(blk, q)
    out["quotes.csv"] = pa.table(
        {
            "quote_id": _ids("Q", q["num"], 7),
            "account_id": _ids("A", acc.first + q["acc"], 7),
            "employee_id": _emp(blk, q["emp"]),
            "issued_at": tl.datetimes(q["day"], rng.integers(8 * 60, 17 * 60, len(q["day"]))),
            "promised_lead_days": pa.array(q["lead"].astype(np.int64)),
            "price": pa.array(q["price"].astype(np.float64)),
            "status": dictionary(q["status"], QUOTE_STATUSES),
        }
    )

    g = blk.gesture_rows
    gacc = np.asarray([r["acc"] for r in g], dtype=np.int64)
    gday = np.asarray([r["day"] for r in g], dtype=np.int64)
    gkeep = (
        np.flatnonzero((gday <= end[gacc]) & (gday >= first_day[gacc])) if g else np.zeros(0, int)
    )
    rows = [g[i] for i in gkeep.tolist()]
    blk.final["gestures"] = rows
    out["gestures.csv"] = pa.table(
        {
            "gesture_id": _ids("G", np.asarray([r["num"] for r in rows], dtype=np.int64), 7),
            "account_id": _ids("A", acc.first + gacc[gkeep], 7),
            "contact_id": _ids("C", np.asarray([r["contact"] for r in rows], dtype=np.int64), 8),
            "employee_id": _emp(blk, np.asarray([r["emp"] for r in rows], dtype=np.int64)),
            "given_on": tl.dates(gday[gkeep]),
            "kind": pa.array([r["kind"] for r in rows], type=pa.string()),
            "description": pa.array([r["description"] for r in rows], type=pa.string()),
            "cost": pa.array([float(r["cost"]) for r in rows], type=pa.float64()),
        }
    )

    # touchpoints: filter to the account's life, sort along each account's timeline, number
    t = blk.tp.collect()
    a = t["acc"]
    ok = (t["day"] >= first_day[a]) & (t["day"] <= end[a]) & (t["day"] >= 0) & (t["day"] <= last)
    for account, (department, quiet_from, quiet_to) in blk.silent.items():  # planted hand-off gaps
        ok &= ~(
            (a == account)
            & (blk.biz.staff.dept[np.maximum(t["emp"], 0)] == department)
            & (t["day"] >= quiet_from)
            & (t["day"] < quiet_to)
        )
    sel = np.flatnonzero(ok)
    order = sel[np.lexsort((t["minute"][sel], t["day"][sel], a[sel]))]
    numbers = blk.biz.counters["touchpoint"].take(len(order))
    refs = np.full(blk.tp.next_ref, -1, dtype=np.int64)
    tagged = t["ref"][order] >= 0
    refs[t["ref"][order][tagged]] = numbers[tagged]
    texts = pa.concat_arrays([blk.biz.pool.arrays()[0], pa.array(blk.tp.extras, type=pa.string())])
    sentiment = t["sentiment"][order]
    out["touchpoints.csv"] = pa.table(
        {
            "touchpoint_id": make_ids("TP", numbers, 9),
            "account_id": make_ids("A", acc.first + a[order], 7),
            "contact_id": _ids("C", t["contact"][order], 8),
            "employee_id": _emp(blk, t["emp"][order]),
            "occurred_at": tl.datetimes(t["day"][order], t["minute"][order]),
            "channel": dictionary(t["channel"][order], CHANNELS),
            "kind": dictionary(t["kind"][order], TOUCHPOINT_KINDS),
            "direction": dictionary(t["direction"][order], DIRECTIONS),
            "subject": t["subject"].take(pa.array(order)),
            "note": pa.DictionaryArray.from_arrays(
                pa.array(t["note"][order].astype(np.int32)), texts
            ),
            "sentiment": with_nulls(sentiment, ~np.isnan(sentiment), pa.float64()),
            "origin": _origins(blk, t["note"][order]),
        }
    )
    blk.final["touchpoints"] = {
        "numbers": numbers,
        "note": t["note"][order],
        "acc": a[order],
        "kind": t["kind"][order],
        "direction": t["direction"][order],
        "day": t["day"][order],
        "emp": t["emp"][order],
    }

    out["feedback.csv"] = _feedback(blk, refs)
    return out, refs


def _origins(blk: Block, notes: Array) -> pa.Array:
    """Who wrote each note: null for staff, ``follow_up`` or ``gesture`` for carpe's own."""
    written = blk.tp.origins
    values = sorted(set(written.values()))
    lookup = np.full(blk.tp.pool_size + len(blk.tp.extras), -1, dtype=np.int32)
    for index, origin in written.items():
        lookup[index] = values.index(origin)
    codes = lookup[notes]
    indices = with_nulls(np.maximum(codes, 0).astype(np.int32), codes >= 0, pa.int32())
    return pa.DictionaryArray.from_arrays(indices, pa.array(values or [""], type=pa.string()))


def _feedback(blk: Block, refs: Array) -> pa.Table:
    tl, fb = blk.biz.timeline, blk.feedback_bulk
    rows = blk.feedback_rows
    num = np.concatenate([fb["num"], np.asarray([r["num"] for r in rows], dtype=np.int64)])
    acc = np.concatenate([fb["acc"], np.asarray([r["acc"] for r in rows], dtype=np.int64)])
    contact = np.concatenate(
        [fb["contact"], np.asarray([r["contact"] for r in rows], dtype=np.int64)]
    )
    day = np.concatenate([fb["day"], np.asarray([r["day"] for r in rows], dtype=np.int64)])
    ref = np.concatenate([fb["ref"], np.asarray([r["ref"] for r in rows], dtype=np.int64)])
    score = np.concatenate([fb["score"], np.asarray([r["score"] for r in rows], dtype=np.float64)])
    survey = [fb["survey"]] * len(fb["num"]) + [r["survey"] for r in rows]
    comment = pa.concat_arrays(
        [fb["comment"], pa.array([r["comment"] for r in rows], type=pa.string())]
    )
    tp = refs[ref]
    keep = np.flatnonzero(tp >= 0)
    comment_arr = comment.take(pa.array(keep))
    comment_arr = pa.array([c if c else None for c in comment_arr.to_pylist()], type=pa.string())
    return pa.table(
        {
            "feedback_id": _ids("F", num[keep], 8),
            "account_id": _ids("A", blk.acc.first + acc[keep], 7),
            "contact_id": _ids("C", contact[keep], 8),
            "received_at": tl.datetimes(day[keep], np.full(len(keep), 18 * 60)),
            "survey": pa.array([survey[i] for i in keep.tolist()], type=pa.string()),
            "score": pa.array(score[keep]),
            "comment": comment_arr,
            "touchpoint_id": _ids("TP", tp[keep], 9),
        }
    )


__all__ = ["DELIVERED", "build_tables"]
