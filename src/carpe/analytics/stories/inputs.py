"""The miner's inputs: the small tables it reads, indexed for the per-episode look-ups."""

from __future__ import annotations

import math
from bisect import bisect_right
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Final

import numpy as np
import pandas as pd  # type: ignore[import-untyped]

from carpe.analytics.specialists.praise import name_variants
from carpe.analytics.stories.model import Record
from carpe.analytics.stories.signals import employee_routine, is_off_hours, is_personal_outreach


@dataclass(frozen=True, slots=True)
class ConflictSignal:
    """A conflict of the conflicts step, as a problem (id, type, account, when, severity)."""

    conflict_id: str
    type: str
    account_id: str
    at: datetime
    severity: float
    touchpoint_ids: tuple[str, ...] = ()


@dataclass(slots=True)
class StoryInputs:
    """The small tables the miner reads (see the module docstring).

    Attributes
    ----------
    as_of : date
        Nothing on or after this day is used.
    accounts : pandas.DataFrame
        ``account_id``, ``name``, ``ended_on``.
    employees : pandas.DataFrame
        ``employee_id``, ``name``, ``department``.
    touchpoints : pandas.DataFrame
        ``touchpoint_id``, ``account_id``, ``contact_id``, ``employee_id``,
        ``occurred_at``, ``channel``, ``kind``, ``direction``, ``subject``,
        ``note``, ``sentiment`` — at least the ones around each problem.
    feedback : pandas.DataFrame
        ``feedback_id``, ``account_id``, ``contact_id``, ``received_at``,
        ``survey``, ``score``, ``comment``.
    routine : pandas.DataFrame, optional
        Each employee's routine (:func:`~carpe.analytics.stories.signals.employee_routine`);
        computed from ``touchpoints`` when omitted.
    orders : pandas.DataFrame, optional
        ``account_id``, ``ordered_at``, ``amount`` (for "grew").
    latest : pandas.DataFrame, optional
        ``account_id``, ``touchpoint_id``, ``occurred_at``: each account's latest
        touchpoint; taken from ``touchpoints`` when omitted.
    moments : pandas.DataFrame, optional
        ``account_id``, ``touchpoint_id``, ``kind``, ``evidence``: moments from customer memory.
    contacts : pandas.DataFrame, optional
        ``account_id``, ``first_name``, ``last_name``: names the anonymised draft hides.
    conflicts : list of ConflictSignal
        Conflicts as problems.
    """

    as_of: date
    accounts: pd.DataFrame
    employees: pd.DataFrame
    touchpoints: pd.DataFrame
    feedback: pd.DataFrame
    routine: pd.DataFrame | None = None
    orders: pd.DataFrame | None = None
    latest: pd.DataFrame | None = None
    moments: pd.DataFrame | None = None
    contacts: pd.DataFrame | None = None
    conflicts: list[ConflictSignal] = field(default_factory=list)


EPOCH: Final = datetime(1970, 1, 1)


def as_datetime(value: Any) -> datetime:
    """A naive datetime from a pandas, numpy or Python value (the epoch for a missing one)."""
    if type(value) is np.datetime64:  # what the numpy columns hold: no pandas on the way
        if np.isnat(value):
            return EPOCH
        moment: datetime = value.astype("datetime64[us]").item()
        return moment
    stamp = pd.Timestamp(value)
    return EPOCH if pd.isna(stamp) else stamp.to_pydatetime().replace(tzinfo=None)


def as_datetimes(values: pd.Series) -> list[datetime]:
    """:func:`as_datetime` of every value, converted at once."""
    moments = _naive(values).to_numpy("datetime64[us]").tolist()
    return [EPOCH if at is None else at for at in moments]


def as_text(value: Any) -> str:
    """A text value, ``""`` for a missing one."""
    return "" if value is None or (isinstance(value, float) and math.isnan(value)) else str(value)


def _tick(at: datetime) -> int:
    """A naive datetime in nanoseconds since the epoch (as ``datetime64[ns]`` counts)."""
    return (at - EPOCH) // timedelta(microseconds=1) * 1000


class Rows:
    """A table's rows as numpy columns, grouped by account, for quick per-episode look-ups.

    Each account's rows are contiguous (in the order the frame was given); ``span``
    finds them, ``window`` those in a time window, ``row`` gives one row with
    attribute access (as ``itertuples`` would). Picking rows by index from small
    spans costs microseconds where filtering a DataFrame costs a millisecond.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows sorted (or at least grouped) by ``account_id``.
    time_column : str
        The column ``window`` searches (converted to ``datetime64``).
    """

    def __init__(self, frame: pd.DataFrame, time_column: str) -> None:
        self.columns = {str(c): frame[c].to_numpy() for c in frame.columns}
        self.time = pd.to_datetime(frame[time_column]).to_numpy()
        nanoseconds = self.time.astype("datetime64[ns]").view(np.int64)
        self.ticks = np.where(np.isnat(self.time), np.iinfo(np.int64).max, nanoseconds).tolist()
        """Each row's time in nanoseconds since the epoch, a missing one last (as sorted)."""
        self._row = namedtuple("Row", list(self.columns), rename=True)  # type: ignore[misc]
        accounts = frame["account_id"].astype(str).to_numpy()
        starts = [0, *(np.flatnonzero(accounts[1:] != accounts[:-1]) + 1).tolist()]
        stops = [*starts[1:], len(accounts)]
        self.spans = {str(accounts[a]): (a, b) for a, b in zip(starts, stops, strict=True) if b > a}

    def span(self, account: str) -> np.ndarray[Any, Any]:
        """Indices of the account's rows, in the frame's order (empty when it has none)."""
        a, b = self.spans.get(account, (0, 0))
        return np.arange(a, b)

    def window(self, account: str, start: datetime, end: datetime) -> tuple[int, int]:
        """``(first, stop)``: the account's rows after ``start``, at most ``end``, by position.

        A binary search, so each account's rows must be in time order (as
        :class:`Tables` sorts the touchpoints).
        """
        a, b = self.spans.get(account, (0, 0))
        return bisect_right(self.ticks, _tick(start), a, b), bisect_right(
            self.ticks, _tick(end), a, b
        )

    def column(self, name: str, rows: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        """One column's values at ``rows``."""
        values: np.ndarray[Any, Any] = self.columns[name][rows]
        return values

    def row(self, i: int) -> Any:
        """Row ``i`` with attribute access by column name."""
        return self._row(*(values[i] for values in self.columns.values()))


class Tables:
    """The inputs indexed for the per-episode look-ups."""

    def __init__(self, inputs: StoryInputs) -> None:
        tp = _in_time_order(inputs.touchpoints)
        routine = inputs.routine if inputs.routine is not None else employee_routine(tp)
        staff = inputs.employees.set_index(inputs.employees["employee_id"].astype(str))
        self.department = staff["department"].astype(str).to_dict()
        self.names = staff["name"].astype(str).to_dict()
        tp = _with_routine(tp, routine)
        length = tp["note"].fillna("").astype(str).str.len()
        spread = tp["note_std"].fillna(0.0).clip(lower=10.0)
        tp["off"] = is_off_hours(tp["occurred_at"]) * (1.0 - tp["off_hours_share"].fillna(0.0))
        tp["personal"] = is_personal_outreach(tp) * (1.0 - tp["personal_share"].fillna(0.0))
        tp["long"] = ((length - tp["note_mean"].fillna(length)) / spread / 3.0).clip(0.0, 1.0)
        tp["department"] = tp["employee_id"].map(self.department)
        tp["effort"] = 0.4 * tp["off"] + 0.3 * tp["personal"] + 0.3 * tp["long"]
        self.reach = (0.3 * tp["off"] + 0.25 * tp["personal"] + 0.25 * tp["long"]).to_numpy()
        """The effort score a touchpoint's own signals give (``mine._episode`` adds crossing)."""
        self.touchpoints = Rows(tp, "occurred_at")
        direction = self.touchpoints.columns["direction"]
        self.inbound = direction == "inbound"
        self.internal = direction == "internal"
        self.acting = tp["employee_id"].notna().to_numpy() & ~self.inbound
        """Touchpoints by an employee, not inbound: those that may show effort."""
        self.feedback = Rows(_grouped(inputs.feedback), "received_at")
        orders = inputs.orders
        self.orders = Rows(_grouped(orders if orders is not None else _NO_ORDERS), "ordered_at")
        ended = _naive(inputs.accounts["ended_on"]).to_numpy("datetime64[D]").tolist()
        self.ended = dict(zip(inputs.accounts["account_id"].astype(str), ended, strict=True))
        self.account_names = dict(
            zip(
                inputs.accounts["account_id"].astype(str),
                inputs.accounts["name"].astype(str),
                strict=True,
            )
        )
        latest = inputs.latest
        if latest is None:
            last = tp.groupby("account_id", sort=False).tail(1)
            latest = last[["account_id", "touchpoint_id", "occurred_at"]]
        latest_at = as_datetimes(latest["occurred_at"])
        self.latest = {
            str(a): (str(t), at)
            for a, t, at in zip(
                latest["account_id"], latest["touchpoint_id"], latest_at, strict=True
            )
        }
        self.variants = {e: name_variants(n) for e, n in self.names.items()}


def _in_time_order(touchpoints: pd.DataFrame) -> pd.DataFrame:
    """A copy of the touchpoints by account, time and id (ids as text, times as datetimes).

    As a stable ``sort_values`` by the three; rows already in id order (as the
    pipeline step gives them) need only a stable sort on account and time,
    done on integer codes rather than text.
    """
    at = touchpoints["occurred_at"]
    ids = touchpoints["touchpoint_id"].astype(str)
    if at.dtype.kind != "M" or touchpoints["account_id"].hasnans or not ids.is_monotonic_increasing:
        tp = touchpoints.copy()
        tp["occurred_at"] = pd.to_datetime(at)
        tp["touchpoint_id"] = ids
        return tp.sort_values(["account_id", "occurred_at", "touchpoint_id"], kind="stable")
    accounts = pd.factorize(touchpoints["account_id"], sort=True)[0]
    ticks = at.to_numpy("datetime64[ns]").view(np.int64)
    ticks = np.where(at.isna().to_numpy(), np.iinfo(np.int64).max, ticks)  # missing times last
    order = np.lexsort((ticks, accounts))
    tp = touchpoints.iloc[order]
    tp["touchpoint_id"] = ids.to_numpy()[order]
    return tp


def _with_routine(tp: pd.DataFrame, routine: pd.DataFrame) -> pd.DataFrame:
    """The touchpoints with their employee's routine (a left merge on ``employee_id``)."""
    if not routine["employee_id"].is_unique:
        return tp.merge(routine, on="employee_id", how="left")
    found = routine.set_index("employee_id").reindex(tp["employee_id"])
    for column in found.columns:
        tp[column] = found[column].to_numpy()
    return tp


def _naive(values: pd.Series) -> pd.Series:
    """Values as naive datetimes, each as :func:`as_datetime` reads it (wall time kept)."""
    at = pd.to_datetime(values)
    return at.dt.tz_localize(None) if at.dt.tz is not None else at


_NO_ORDERS: Final = pd.DataFrame({"account_id": [], "ordered_at": [], "amount": []})


def _grouped(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows grouped by account (first appearance order), each group in its given order."""
    key = frame["account_id"].astype(str)
    order = pd.factorize(key)[0]
    return frame.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)


def record_of_touchpoint(row: Any, names: dict[str, str]) -> Record:
    """A touchpoint row (with its ``department``) as a citable record."""
    emp = None if pd.isna(row.employee_id) else str(row.employee_id)
    return Record(
        record_id=str(row.touchpoint_id),
        source="touchpoint",
        at=as_datetime(row.occurred_at),
        text=as_text(row.note),
        employee_id=emp,
        employee_name=names.get(emp) if emp else None,
        department=None if pd.isna(row.department) else str(row.department),
        channel=as_text(row.channel) or None,
        kind=as_text(row.kind) or None,
        direction=as_text(row.direction) or None,
        sentiment=None if pd.isna(row.sentiment) else float(row.sentiment),
        contact_id=None if pd.isna(row.contact_id) else str(row.contact_id),
    )


def record_of_feedback(row: Any) -> Record:
    """A feedback row as a citable record."""
    return Record(
        record_id=str(row.feedback_id),
        source="feedback",
        at=as_datetime(row.received_at),
        text=as_text(row.comment),
        survey=str(row.survey),
        score=None if pd.isna(row.score) else float(row.score),
        contact_id=None if pd.isna(row.contact_id) else str(row.contact_id),
    )
