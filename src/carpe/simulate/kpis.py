"""Each department's own KPI per account and month, as it would report it.

Trouble bands (documented in docs/simulator.md): Operations ``on_time_rate`` < 0.6,
Billing ``dispute_count`` >= 1, Support ``csat`` <= 2.5. The owner's department (Sales
``pipeline_health``, Customer Success ``health_score``, Stylists ``loyalty_score``, 0-100)
reports healthy at >= 70. Outside planted ``kpi_disagreement`` conflicts, an owner never
reports healthy in a month another department is in trouble.
"""

from __future__ import annotations

from typing import Any, Final

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from carpe.simulate.activity import overlap_days
from carpe.simulate.commerce import INV_DISPUTED
from carpe.simulate.context import Block
from carpe.simulate.schema import direction_code, kind_code
from carpe.simulate.timeline import dictionary, make_ids

Array = npt.NDArray[Any]

OWNER_METRICS: Final = {
    "Sales": "pipeline_health",
    "Customer Success": "health_score",
    "Stylists": "loyalty_score",
}
METRICS: Final = {
    "Operations": "on_time_rate",
    "Billing": "dispute_count",
    "Support": "csat",
    "Field Service": "first_time_fix_rate",
    "Front Desk": "no_show_count",
}
HEALTHY_AT: Final = 70.0
TROUBLE: Final = {"on_time_rate": ("<", 0.6), "dispute_count": (">=", 1.0), "csat": ("<=", 2.5)}


def _grid(n: int, m: int, acc: Array, month: Array, weight: Array | None = None) -> Array:
    out = np.zeros((n, m))
    np.add.at(out, (acc, month), 1.0 if weight is None else weight)
    return out


def kpi_table(blk: Block, tables: dict[str, pa.Table]) -> pa.Table:
    """The ``kpis.csv`` rows of a block."""
    acc, tl, rng, staff = blk.acc, blk.biz.timeline, blk.rng, blk.biz.staff
    n, m = acc.n, tl.n_months
    o, inv, tp = blk.final["orders"], blk.final["invoices"], blk.final["touchpoints"]
    shipped = o["delivered"] >= 0
    dmonth = tl.month_of(o["delivered"][shipped])
    deliveries = _grid(n, m, o["acc"][shipped], dmonth)
    late = _grid(n, m, o["acc"][shipped], dmonth, o["late"][shipped].astype(float))
    imonth = tl.month_of(inv["issued"])
    invoices = _grid(n, m, inv["acc"], imonth)
    disputes = _grid(n, m, inv["acc"], imonth, (inv["status"] == INV_DISPUTED).astype(float))
    tmonth = tl.month_of(tp["day"])
    is_ticket = (tp["kind"] == kind_code("ticket")) & (tp["direction"] == direction_code("inbound"))
    tickets = _grid(n, m, tp["acc"][is_ticket], tmonth[is_ticket])
    fs_dept = (
        staff.department_names.index("Field Service")
        if "Field Service" in staff.department_names
        else -1
    )
    is_visit = (tp["kind"] == kind_code("visit")) & (
        staff.dept[np.maximum(tp["emp"], 0)] == fs_dept
    )
    visits = _grid(n, m, tp["acc"][is_visit], tmonth[is_visit])
    is_booking = (tp["kind"] == kind_code("visit")) & (blk.biz.kind == "b2c")
    bookings = _grid(n, m, tp["acc"][is_booking], tmonth[is_booking])

    on_time = np.where(deliveries > 0, 1 - late / np.maximum(deliveries, 1), np.nan)
    csat = np.clip(
        np.round(
            4.4
            + 0.3 * acc.friendliness[:, None]
            - 0.8 * late
            - 1.2 * disputes
            + rng.normal(0, 0.3, (n, m)),
            1,
        ),
        1,
        5,
    )
    csat = np.where(tickets > 0, np.maximum(csat, np.where(late + disputes > 0, 1, 2.6)), np.nan)
    for (row, col), value in blk.csat_override.items():
        csat[row, col] = value
    trouble = (np.nan_to_num(on_time, nan=1) < 0.6) | (disputes >= 1)
    trouble |= np.nan_to_num(csat, nan=5) <= 2.5
    owner_value = 74 + 8 * acc.friendliness[:, None] + 5 * acc.size_z[:, None]
    owner_value = owner_value + rng.normal(0, 6, (n, m)) - 8 * late
    owner_value = np.clip(owner_value, 45, 98)
    owner_value = np.where(trouble, np.minimum(owner_value, 62), owner_value)
    for (row, col), value in blk.kpi_override.items():
        owner_value[row, col] = value
    owner_value = np.round(owner_value, 1)

    end_month = tl.month_of(acc.end_day)
    active = (overlap_days(tl, acc.start_day) > 0) & (np.arange(m)[None, :] <= end_month[:, None])
    owner_grid = np.broadcast_to(tl.month_start[None, :-1], (n, m))
    owner_emp = acc.employee_at("owner", np.repeat(np.arange(n), m), owner_grid.ravel()).reshape(
        n, m
    )
    depts: list[Array] = []
    metric: list[Array] = []
    accs: list[Array] = []
    months: list[Array] = []
    values: list[Array] = []
    names = list(OWNER_METRICS) + list(METRICS)
    metric_names = list(OWNER_METRICS.values()) + list(METRICS.values())
    dept_of_owner = staff.dept[owner_emp]
    for d_name, metric_name in OWNER_METRICS.items():
        if d_name not in staff.department_names:
            continue
        mask = active & (dept_of_owner == staff.department_names.index(d_name))
        _emit(
            mask,
            owner_value,
            names.index(d_name),
            metric_names.index(metric_name),
            depts,
            metric,
            accs,
            months,
            values,
        )
    extra = {
        "Operations": (deliveries > 0, on_time),
        "Billing": (invoices > 0, disputes),
        "Support": (tickets > 0, csat),
        "Field Service": (visits > 0, np.where(rng.random((n, m)) < 0.9, 1.0, 0.5)),
        "Front Desk": (bookings > 0, (rng.random((n, m)) < 0.05).astype(float)),
    }
    for d_name, (mask, grid) in extra.items():
        if d_name not in staff.department_names:
            continue
        _emit(
            active & mask,
            np.round(grid, 3),
            names.index(d_name),
            metric_names.index(METRICS[d_name]),
            depts,
            metric,
            accs,
            months,
            values,
        )
    a = np.concatenate(accs)
    mo = np.concatenate(months)
    order = np.lexsort((np.concatenate(depts), mo, a))
    return pa.table(
        {
            "department": dictionary(np.concatenate(depts)[order], names),
            "account_id": make_ids("A", acc.first + a[order], 7),
            "period": dictionary(mo[order], tl.labels),
            "metric": dictionary(np.concatenate(metric)[order], metric_names),
            "value": pa.array(np.concatenate(values)[order]),
        }
    )


def _emit(
    mask: Array,
    value: Array,
    dept: int,
    metric_index: int,
    depts: list[Array],
    metric: list[Array],
    accs: list[Array],
    months: list[Array],
    values: list[Array],
) -> None:
    a, mo = np.nonzero(mask)
    depts.append(np.full(len(a), dept))
    metric.append(np.full(len(a), metric_index))
    accs.append(a)
    months.append(mo)
    values.append(np.asarray(value[a, mo], dtype=np.float64))
