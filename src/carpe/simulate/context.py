"""State shared by the steps that simulate one block of accounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from carpe.simulate.accounts import Accounts
from carpe.simulate.activity import TouchpointBuffer
from carpe.simulate.commerce import (
    INVOICE_COLUMNS,
    ORDER_COLUMNS,
    QUOTE_COLUMNS,
    Counter,
    Table,
)
from carpe.simulate.notes import NotePool
from carpe.simulate.people import Staff
from carpe.simulate.schema import Kind
from carpe.simulate.timeline import Timeline, make_id

Array = npt.NDArray[Any]

ID_FORMATS = {
    "account": ("A", 7),
    "contact": ("C", 8),
    "employee": ("E", 5),
    "touchpoint": ("TP", 9),
    "feedback": ("F", 8),
    "order": ("O", 8),
    "quote": ("Q", 7),
    "invoice": ("INV", 8),
    "gesture": ("G", 7),
    "budget": ("B", 6),
    "ticket": ("S", 8),
    "conflict": ("K", 6),
    "episode": ("H", 5),
}


def fmt_id(table: str, number: int) -> str:
    """The id string of a numbered row of ``table``."""
    prefix, width = ID_FORMATS[table]
    return make_id(prefix, int(number), width)


@dataclass
class Business:
    """Everything fixed for the whole simulated business."""

    kind: Kind
    seed: int
    timeline: Timeline
    staff: Staff
    staff_ids: pa.Array
    pool: NotePool
    n_regions: int
    regions: tuple[str, ...]
    plant_conflicts: bool
    heroes: dict[int, str]
    """Global account number -> story theme of its planted hero episode."""
    counters: dict[str, Counter] = field(
        default_factory=lambda: {k: Counter() for k in ID_FORMATS if k != "account"}
    )


@dataclass
class Block:
    """One block of accounts being simulated."""

    biz: Business
    acc: Accounts
    rng: np.random.Generator
    tp: TouchpointBuffer
    lead: Array
    billing_error: Array
    conflict: Array
    protect_month: Array
    """No churn in months up to this index (-1: none), so planted truth is not cut off."""
    held: Array
    """(account, month) -> no churn in that month (:meth:`hold`); earlier months keep their risk."""
    never_churn: Array
    orders: Table = field(default_factory=lambda: Table(ORDER_COLUMNS))
    quotes: Table = field(default_factory=lambda: Table(QUOTE_COLUMNS))
    invoices: Table = field(default_factory=lambda: Table(INVOICE_COLUMNS))
    feedback_rows: list[dict[str, Any]] = field(default_factory=list)
    gesture_rows: list[dict[str, Any]] = field(default_factory=list)
    kpi_override: dict[tuple[int, int], float] = field(default_factory=dict)
    """(account index, month) -> owner-department health reported despite trouble elsewhere."""
    csat_override: dict[tuple[int, int], float] = field(default_factory=dict)
    """(account index, month) -> Support's CSAT in a planted disagreement (the customer unhappy)."""
    no_intro: set[int] = field(default_factory=set)
    silent: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    """account index -> (department, first day, last day): nobody of it contacts the account."""
    conflicts: list[dict[str, Any]] = field(default_factory=list)
    heroes: list[dict[str, Any]] = field(default_factory=list)
    moments: list[dict[str, Any]] = field(default_factory=list)
    care_month: Array = field(default_factory=lambda: np.zeros(0))
    gesture_month: Array = field(default_factory=lambda: np.zeros(0))
    potential_care_month: Array = field(default_factory=lambda: np.zeros(0))
    potential_gesture_month: Array = field(default_factory=lambda: np.zeros(0))
    feedback_bulk: dict[str, Any] = field(default_factory=dict)
    final: dict[str, Any] = field(default_factory=dict)
    """The block's rows as written (after churn), for the KPIs and the truth."""
    genuine_links: list[tuple[int, int]] = field(default_factory=list)
    """(gesture number, touchpoint ref of the moment it answers)."""

    def protect(self, a: int, day: int) -> None:
        """Keep account ``a`` from leaving before ``day`` (and through that month)."""
        month = int(
            self.biz.timeline.month_of(np.asarray([min(day, self.biz.timeline.n_days - 1)]))[0]
        )
        self.protect_month[a] = max(int(self.protect_month[a]), month)

    def hold(self, a: int, first_day: int, last_day: int) -> None:
        """Keep account ``a`` from leaving in the months from ``first_day`` to ``last_day``.

        Unlike :meth:`protect`, the months before stay at risk: an account
        that would have left earlier still does, so its survival up to
        ``first_day`` is not made certain (which would credit whoever served
        it then).
        """
        months = self.biz.timeline.month_of(
            np.clip(np.asarray([first_day, last_day]), 0, self.biz.timeline.n_days - 1)
        )
        self.held[a, int(months[0]) : int(months[1]) + 1] = True

    def active_from(self, a: int) -> int:
        """First day account ``a`` is a customer inside the window."""
        return max(0, int(self.acc.start_day[a]))
