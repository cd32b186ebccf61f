"""Accounts and contacts of one block, and which employee serves each account."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from carpe.simulate.people import (
    COMPANY_FORMS,
    COMPANY_HEADS,
    COMPANY_TRADES,
    DECOY_DEPARTMENTS,
    FIRST_NAMES,
    LAST_NAMES,
    OWNER_DEPARTMENTS,
    SERVICE_DEPARTMENTS,
    Staff,
)
from carpe.simulate.schema import Kind
from carpe.simulate.timeline import Timeline, make_ids, with_nulls

Array = npt.NDArray[Any]

SEGMENTS = {
    "b2b": ("enterprise", "mid-market", "small business"),
    "b2c": ("loyal", "regular", "occasional"),
}
B2B_TITLES = (
    "Plant Manager",
    "Purchasing Manager",
    "Maintenance Lead",
    "Operations Director",
    "Buyer",
    "Production Engineer",
    "CFO",
    "Quality Manager",
)


@dataclass
class Accounts:
    """One block of accounts as parallel arrays (index = position in the block)."""

    first: int
    """Global number of the block's first account."""
    n: int
    size_z: Array
    value: Array
    segment: Array
    region: Array
    start_day: Array
    friendliness: Array
    base_logit: Array
    owner: Array
    successor: Array
    switch_day: Array
    assigned: dict[str, Array]
    contact_first: Array
    """Global number of each account's first contact."""
    contact_count: Array
    contact_first_name: Array
    """First-name index (into FIRST_NAMES) of every contact of the block."""
    contact_last_name: Array
    name_parts: tuple[Array, Array, Array]
    """Company-name word indices (b2b)."""
    end_day: Array
    """Last active day (inclusive), set once churn is drawn; ``n_days - 1`` while active."""

    @property
    def numbers(self) -> Array:
        """Global account numbers."""
        return np.arange(self.first, self.first + self.n, dtype=np.int64)

    def employee_at(self, department: str, acc: Array, day: Array) -> Array:
        """The employee of ``department`` serving accounts ``acc`` on ``day``."""
        if department == "owner":
            old = self.owner[acc]
            new = self.successor[acc]
            return np.where((new >= 0) & (day >= self.switch_day[acc]), new, old)
        return np.asarray(self.assigned[department][acc])

    def random_contact(
        self, acc: Array, rng: np.random.Generator, primary_bias: float = 0.6
    ) -> Array:
        """Pick a contact (global number) of each account, the primary one more often."""
        count = self.contact_count[acc]
        pick = np.where(
            rng.random(len(acc)) < primary_bias, 0, rng.integers(0, 1 << 30, len(acc)) % count
        )
        return np.asarray(self.contact_first[acc] + pick)


def build_accounts(
    kind: Kind,
    *,
    first: int,
    n: int,
    contact_first: int,
    n_regions: int,
    staff: Staff,
    timeline: Timeline,
    rng: np.random.Generator,
) -> Accounts:
    """Draw a block of accounts, their contacts and the employees that serve them."""
    size_z = rng.standard_normal(n)
    if kind == "b2b":
        value = np.round(np.exp(11.0 + 1.0 * size_z), -2)
        segment = np.where(size_z > 1.0, 0, np.where(size_z > -0.3, 1, 2))
        contact_count = np.minimum(1 + rng.poisson(1.0 + 0.5 * (size_z > 0), n), 5)
    else:
        value = np.round(np.exp(6.2 + 0.6 * size_z), 0)
        segment = np.where(size_z > 0.7, 0, np.where(size_z > -0.5, 1, 2))
        contact_count = 1 + (rng.random(n) < 0.15)
    region = rng.integers(0, n_regions, n)
    existing = rng.random(n) < 0.65
    start_day = np.where(
        existing,
        -rng.integers(30, 10 * 365, n),
        rng.integers(0, max(1, int(0.85 * timeline.n_days)), n),
    )
    friendliness = rng.standard_normal(n)
    base = -3.85 - 0.45 * size_z - 0.45 * friendliness + 0.2 * rng.standard_normal(n)
    if kind == "b2c":
        base = base + 0.35

    owner_depts = OWNER_DEPARTMENTS[kind]
    owner_dept = np.where(segment == 2, len(owner_depts) - 1, 0) if len(owner_depts) > 1 else 0
    owner = np.empty(n, dtype=np.int64)
    assigned: dict[str, Array] = {}
    for dname in (*owner_depts, *SERVICE_DEPARTMENTS[kind]):
        picks = np.empty(n, dtype=np.int64)
        for r in range(n_regions):
            pool = staff.pool(dname, r)
            in_region = np.flatnonzero(region == r)
            picks[in_region] = pool[rng.integers(0, len(pool), len(in_region))]
        if dname in DECOY_DEPARTMENTS[kind]:
            decoys = np.flatnonzero(
                staff.decoy & (staff.dept == staff.department_names.index(dname))
            )
            safe = (size_z > np.quantile(size_z, 0.8)) & (friendliness > 0)
            safe &= rng.random(n) < 0.85
            safe_idx = np.flatnonzero(safe)
            picks[safe_idx] = decoys[rng.integers(0, len(decoys), len(safe_idx))]
        assigned[dname] = picks
    if len(owner_depts) > 1:
        owner = np.where(owner_dept == 0, assigned[owner_depts[0]], assigned[owner_depts[1]])
    else:
        owner = assigned[owner_depts[0]]
    successor = staff.successor[owner]
    switch_day = np.where(successor >= 0, staff.left_day[owner] + 1, timeline.n_days + 1)
    # accounts that join after their owner left are served by the successor from the start
    joined_late = (successor >= 0) & (start_day >= switch_day)
    owner = np.where(joined_late, successor, owner)
    successor = np.where(joined_late, -1, successor)
    switch_day = np.where(joined_late, timeline.n_days + 1, switch_day)

    counts = contact_count.astype(np.int64)
    starts = contact_first + np.concatenate([[0], np.cumsum(counts)[:-1]])
    last_names = rng.integers(0, len(LAST_NAMES), int(counts.sum()))
    if kind == "b2c":  # household members share the primary contact's last name
        last_names = last_names[np.repeat(starts - contact_first, counts)]
    return Accounts(
        first=first,
        n=n,
        size_z=size_z,
        value=value,
        segment=segment,
        region=region,
        start_day=start_day,
        friendliness=friendliness,
        base_logit=base,
        owner=owner,
        successor=successor,
        switch_day=switch_day,
        assigned=assigned,
        contact_first=starts,
        contact_count=counts,
        contact_first_name=rng.integers(0, len(FIRST_NAMES), int(counts.sum())),
        contact_last_name=last_names,
        name_parts=(
            rng.integers(0, len(COMPANY_HEADS), n),
            rng.integers(0, len(COMPANY_TRADES), n),
            rng.integers(0, len(COMPANY_FORMS), n),
        ),
        end_day=np.full(n, timeline.n_days - 1, dtype=np.int64),
    )


def accounts_table(
    kind: Kind, acc: Accounts, staff_ids: pa.Array, timeline: Timeline, regions: tuple[str, ...]
) -> pa.Table:
    """The ``accounts.csv`` rows of a block."""
    n = acc.n
    if kind == "b2b":
        names = pc.binary_join_element_wise(
            pa.array(list(COMPANY_HEADS)).take(acc.name_parts[0]),
            pa.array(list(COMPANY_TRADES)).take(acc.name_parts[1]),
            pa.array(list(COMPANY_FORMS)).take(acc.name_parts[2]),
            " ",
        )
    else:
        primary = acc.contact_first - acc.contact_first[0]
        names = pc.binary_join_element_wise(
            pa.array(list(FIRST_NAMES)).take(acc.contact_first_name[primary]),
            pa.array(list(LAST_NAMES)).take(acc.contact_last_name[primary]),
            " ",
        )
    ended = acc.end_day < timeline.n_days - 1
    return pa.table(
        {
            "account_id": make_ids("A", acc.numbers, 7),
            "name": names,
            "kind": pa.array(["business" if kind == "b2b" else "consumer"] * n),
            "segment": pa.array(list(SEGMENTS[kind])).take(acc.segment),
            "region": pa.array(list(regions)).take(acc.region),
            "owner_employee_id": staff_ids.take(
                acc.employee_at("owner", np.arange(n), acc.end_day)
            ),
            "started_on": timeline.dates(acc.start_day),
            "ended_on": timeline.dates(acc.end_day, ended),
            "annual_value": pa.array(acc.value, type=pa.float64()),
        }
    )


def contacts_table(kind: Kind, acc: Accounts, rng: np.random.Generator) -> pa.Table:
    """The ``contacts.csv`` rows of a block."""
    total = int(acc.contact_count.sum())
    numbers = acc.contact_first[0] + np.arange(total, dtype=np.int64)
    owner_acc = np.repeat(np.arange(acc.n), acc.contact_count)
    is_primary = (numbers - acc.contact_first[owner_acc]) == 0
    first = pa.array(list(FIRST_NAMES)).take(acc.contact_first_name)
    last = pa.array(list(LAST_NAMES)).take(acc.contact_last_name)
    local = pc.binary_join_element_wise(
        pc.utf8_lower(first), pc.replace_substring(pc.utf8_lower(last), " ", ""), "."
    )
    if kind == "b2b":
        heads = pa.array([h.lower() for h in COMPANY_HEADS]).take(acc.name_parts[0][owner_acc])
        trades = pa.array([t.lower() for t in COMPANY_TRADES]).take(acc.name_parts[1][owner_acc])
        domain = pc.binary_join_element_wise(heads, trades, "-")
        email = pc.binary_join_element_wise(local, domain, "@")
        email = pc.binary_join_element_wise(email, pa.array([".example"] * total), "")
        titles = pa.array(list(B2B_TITLES)).take(rng.integers(0, len(B2B_TITLES), total))
    else:
        numbered = pc.binary_join_element_wise(
            local, make_ids("", rng.integers(1, 99, total), 2), ""
        )
        email = pc.binary_join_element_wise(numbered, pa.array(["mail.example"] * total), "@")
        titles = pa.nulls(total, pa.string())
    has_birthday = rng.random(total) < (0.35 if kind == "b2b" else 0.8)
    birth = rng.integers(-20 * 365, 32 * 365, total).astype(np.int32)  # days since 1970
    return pa.table(
        {
            "contact_id": make_ids("C", numbers, 8),
            "account_id": make_ids("A", acc.numbers[owner_acc], 7),
            "first_name": first,
            "last_name": last,
            "email": email,
            "phone": make_ids("+351 9", rng.integers(10_000_000, 99_999_999, total), 8),
            "title": titles,
            "birthday": with_nulls(birth, has_birthday, pa.date32()),
            "is_primary": pa.array(is_primary),
        }
    )
