"""Orders, quotes and invoices of a block: drawn in bulk, planted one by one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from carpe.simulate.accounts import Accounts
from carpe.simulate.activity import overlap_days, spread, workday
from carpe.simulate.schema import Kind
from carpe.simulate.timeline import Timeline
from carpe.vocabulary import INVOICE_STATUSES, ORDER_STATUSES, QUOTE_STATUSES

Array = npt.NDArray[Any]

OPEN, DELIVERED, CANCELLED, RETURNED = (ORDER_STATUSES.index(s) for s in ORDER_STATUSES)
INV_OPEN, INV_PAID, INV_VOID, INV_DISPUTED = (INVOICE_STATUSES.index(s) for s in INVOICE_STATUSES)
Q_OPEN, Q_WON, Q_LOST = (QUOTE_STATUSES.index(s) for s in QUOTE_STATUSES)

ORDER_COLUMNS = (
    "num",
    "acc",
    "contact",
    "emp",
    "day",
    "promised",
    "delivered",
    "amount",
    "status",
    "late",
    "dispute",
    "quote",
    "service",
    "planted",
)
QUOTE_COLUMNS = ("num", "acc", "emp", "day", "lead", "price", "status", "planted")
INVOICE_COLUMNS = ("num", "acc", "order", "issued", "due", "amount", "status", "paid")


@dataclass
class Counter:
    """Running id numbers of one table, shared by all blocks."""

    value: int = 1

    def take(self, n: int) -> Array:
        """Reserve ``n`` consecutive numbers."""
        out = np.arange(self.value, self.value + n, dtype=np.int64)
        self.value += n
        return out

    def one(self) -> int:
        """Reserve one number."""
        self.value += 1
        return self.value - 1


@dataclass
class Table:
    """Columns gathered in parts: bulk arrays and single planted rows."""

    columns: tuple[str, ...]
    parts: list[dict[str, Array]] = field(default_factory=list)
    rows: list[tuple[Any, ...]] = field(default_factory=list)

    def extend(self, **cols: Array) -> None:
        """Add a bulk part."""
        self.parts.append({k: np.asarray(cols[k]) for k in self.columns})

    def append(self, **row: Any) -> None:
        """Add one row."""
        self.rows.append(tuple(row[k] for k in self.columns))

    def collect(self) -> dict[str, Array]:
        """Every row as concatenated columns."""
        parts = list(self.parts)
        if self.rows:
            cols = list(zip(*self.rows, strict=True))
            parts.append({k: np.asarray(v) for k, v in zip(self.columns, cols, strict=True)})
        if not parts:
            return {k: np.zeros(0, dtype=np.int64) for k in self.columns}
        return {k: np.concatenate([p[k] for p in parts]) for k in self.columns}


def order_lead_days(kind: Kind, acc: Accounts, rng: np.random.Generator) -> Array:
    """Each account's usual lead time: what operations really delivers."""
    if kind == "b2b":
        return rng.integers(6, 22, acc.n)
    return rng.integers(2, 6, acc.n)


def draw_orders(
    kind: Kind,
    acc: Accounts,
    lead: Array,
    late_boost: Array,
    timeline: Timeline,
    orders: Table,
    counter: Counter,
    rng: np.random.Generator,
) -> None:
    """Draw the block's ordinary orders (b2c: salon visits and online orders).

    ``late_boost`` (accounts x months) multiplies each order's chance of arriving late.
    """
    days_in = overlap_days(timeline, acc.start_day) / 30.4
    rate = np.clip(0.9 * np.exp(0.25 * acc.size_z), 0.3, 3.0)
    kinds: list[tuple[Array, bool]] = [(rate, kind == "b2c")]
    if kind == "b2c":
        kinds.append((np.full(acc.n, 0.12), False))
    for r, service in kinds:
        counts = rng.poisson(r[:, None] * days_in)
        a, day = spread(counts, timeline, acc.start_day, rng)
        day = workday(day, timeline, saturday_ok=kind == "b2c")
        day = np.maximum(day, np.maximum(acc.start_day[a], 0))
        n = len(a)
        month = timeline.month_of(day)
        p_late = 0.0 if service else 0.07 * late_boost[a, month]
        late = rng.random(n) < p_late
        lead_a = np.zeros(n, dtype=np.int64) if service else lead[a] + rng.integers(-1, 2, n)
        lead_a = np.maximum(lead_a, 0)
        promised = day + lead_a
        delivered = np.where(
            late, promised + rng.integers(3, 15, n), promised - (rng.random(n) < 0.3)
        )
        delivered = np.maximum(delivered, day)
        status = np.full(n, DELIVERED, dtype=np.int64)
        u = rng.random(n)
        status[u < (0.03 if not service else 0.0)] = RETURNED
        if not service:
            status[u > 0.99] = CANCELLED
        if kind == "b2b":
            amount = np.round(acc.value[a] / 12 / rate[a] * rng.lognormal(0, 0.35, n), 2)
            emp = acc.employee_at("Operations", a, day)
        elif service:
            amount = np.round(rng.uniform(25, 140, n), 2)
            emp = acc.employee_at("owner", a, day)
        else:
            amount = np.round(rng.uniform(15, 90, n), 2)
            emp = acc.employee_at("Operations", a, day)
        orders.extend(
            num=counter.take(n),
            acc=a,
            contact=acc.random_contact(a, rng),
            emp=emp,
            day=day,
            promised=promised,
            delivered=np.where(status == CANCELLED, -1, delivered),
            amount=amount,
            status=status,
            late=late & (status != CANCELLED),
            dispute=rng.random(n) < 0.003,
            quote=np.full(n, -1),
            service=np.full(n, service),
            planted=np.zeros(n, dtype=bool),
        )


def draw_quotes(
    kind: Kind,
    acc: Accounts,
    lead: Array,
    timeline: Timeline,
    quotes: Table,
    orders: Table,
    counters: dict[str, Counter],
    rng: np.random.Generator,
) -> None:
    """Draw quotes; won ones become orders at the quoted price, placed days later."""
    days_in = overlap_days(timeline, acc.start_day) / 30.4
    rate = 0.2 if kind == "b2b" else 0.02
    counts = rng.poisson(rate * np.exp(0.2 * acc.size_z)[:, None] * days_in)
    a, day = spread(counts, timeline, acc.start_day, rng)
    day = np.maximum(
        workday(day, timeline, saturday_ok=kind == "b2c"), np.maximum(acc.start_day[a], 0)
    )
    n = len(a)
    promised_lead = np.ceil(lead[a] * rng.uniform(1.0, 1.35, n)).astype(np.int64)
    if kind == "b2b":
        price = np.round(acc.value[a] * rng.uniform(0.05, 0.3, n), -1)
    else:
        price = np.round(rng.uniform(120, 600, n), 0)
    recent = day > timeline.n_days - 30
    status = np.where(rng.random(n) < 0.55, Q_WON, Q_LOST)
    status = np.where(recent & (rng.random(n) < 0.7), Q_OPEN, status)
    numbers = counters["quote"].take(n)
    emp = acc.employee_at("owner", a, day)
    quotes.extend(
        num=numbers,
        acc=a,
        emp=emp,
        day=day,
        lead=promised_lead,
        price=price,
        status=status,
        planted=np.zeros(n, dtype=bool),
    )
    won = np.flatnonzero(status == Q_WON)
    ordered = day[won] + rng.integers(1, 10, len(won))
    keep = ordered < timeline.n_days
    won, ordered = won[keep], ordered[keep]
    m = len(won)
    promised = ordered + promised_lead[won]
    delivered = ordered + lead[a[won]] + rng.integers(0, 2, m)
    orders.extend(
        num=counters["order"].take(m),
        acc=a[won],
        contact=acc.random_contact(a[won], rng),
        emp=acc.employee_at("Operations", a[won], ordered),
        day=ordered,
        promised=promised,
        delivered=delivered,
        amount=price[won],
        status=np.full(m, DELIVERED),
        late=delivered > promised,
        dispute=np.zeros(m, dtype=bool),
        quote=numbers[won],
        service=np.zeros(m, dtype=bool),
        planted=np.zeros(m, dtype=bool),
    )


def bill_orders(
    kind: Kind,
    orders: dict[str, Array],
    timeline: Timeline,
    end_day: Array,
    invoices: Table,
    counter: Counter,
    rng: np.random.Generator,
) -> None:
    """Invoice the ordinary orders that were delivered (or returned: then the invoice is void)."""
    billable = (~orders["planted"]) & (orders["delivered"] >= 0)
    billable &= orders["delivered"] <= end_day[orders["acc"]]
    idx = np.flatnonzero(billable)
    n = len(idx)
    issued = orders["delivered"][idx]
    terms = 30 if kind == "b2b" else 0
    paid = issued + (rng.integers(5, 45, n) if kind == "b2b" else np.zeros(n, dtype=np.int64))
    limit = end_day[orders["acc"][idx]]
    status = np.where(paid <= limit, INV_PAID, INV_OPEN)
    status = np.where(orders["dispute"][idx], INV_DISPUTED, status)
    status = np.where(orders["status"][idx] == RETURNED, INV_VOID, status)
    paid = np.where(status == INV_PAID, paid, -1)
    invoices.extend(
        num=counter.take(n),
        acc=orders["acc"][idx],
        order=orders["num"][idx],
        issued=issued,
        due=issued + terms,
        amount=orders["amount"][idx],
        status=status,
        paid=paid,
    )
