"""Touchpoints of a block: a buffer that gathers them, and helpers that spread events in time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from carpe.simulate.timeline import Timeline

Array = npt.NDArray[Any]


def overlap_days(timeline: Timeline, start_day: Array) -> Array:
    """Days each account is a customer in each month, before churn: shape (accounts, months)."""
    lo = np.maximum(timeline.month_start[None, :-1], start_day[:, None])
    return np.asarray(np.maximum(0, timeline.month_start[None, 1:] - lo))


def spread(
    counts: Array, timeline: Timeline, start_day: Array, rng: np.random.Generator
) -> tuple[Array, Array]:
    """Expand per (account, month) counts into events: (account index, day index)."""
    n, m = counts.shape
    flat = counts.ravel()
    acc = np.repeat(np.repeat(np.arange(n), m), flat)
    month = np.repeat(np.tile(np.arange(m), n), flat)
    lo = np.maximum(timeline.month_start[month], start_day[acc])
    hi = timeline.month_start[month + 1]
    day = lo + (rng.random(len(acc)) * np.maximum(hi - lo, 1)).astype(np.int64)
    return acc, day


def business_minutes(n: int, rng: np.random.Generator, open_h: int = 8, close_h: int = 18) -> Array:
    """Minutes of the day within business hours."""
    return rng.integers(open_h * 60, close_h * 60, n)


def workday(days: Array, timeline: Timeline, saturday_ok: bool) -> Array:
    """Move weekend days to the nearest workday (Saturday kept when the business opens then)."""
    wd = timeline.weekday_of(days)
    out = np.where(wd == 6, days + 1, days)
    if not saturday_ok:
        out = np.where(wd == 5, days - 1, out)
    return np.asarray(out)


@dataclass
class TouchpointBuffer:
    """Gathers a block's touchpoints; notes are indices into the pool plus block extras."""

    pool_size: int
    parts: list[dict[str, Any]] = field(default_factory=list)
    extras: list[str] = field(default_factory=list)
    origins: dict[int, str] = field(default_factory=dict)
    """Note index -> who wrote it, for the notes carpe itself writes (follow-up, gesture)."""
    rows: dict[str, list[Any]] = field(
        default_factory=lambda: {
            k: []
            for k in (
                "acc",
                "day",
                "minute",
                "channel",
                "kind",
                "direction",
                "emp",
                "contact",
                "subject",
                "note",
                "sentiment",
                "ref",
            )
        }
    )
    next_ref: int = 0

    def add(
        self,
        *,
        acc: Array,
        day: Array,
        minute: Array,
        channel: Array | int,
        kind: int,
        direction: int,
        emp: Array,
        contact: Array,
        subject: pa.Array,
        note: Array,
        sentiment: Array,
        tag: Array | None = None,
    ) -> None:
        """Add a vectorised batch of touchpoints (``note`` indexes the pool)."""
        n = len(acc)
        if n == 0:
            return
        self.parts.append(
            {
                "acc": np.asarray(acc, dtype=np.int64),
                "day": np.asarray(day, dtype=np.int64),
                "minute": np.asarray(minute, dtype=np.int64),
                "channel": np.broadcast_to(np.asarray(channel, dtype=np.int8), (n,)),
                "kind": np.full(n, kind, dtype=np.int8),
                "direction": np.full(n, direction, dtype=np.int8),
                "emp": np.asarray(emp, dtype=np.int64),
                "contact": np.asarray(contact, dtype=np.int64),
                "subject": subject,
                "note": np.asarray(note, dtype=np.int64),
                "sentiment": np.asarray(sentiment, dtype=np.float64),
                "ref": np.full(n, -1, dtype=np.int64) if tag is None else np.asarray(tag),
            }
        )

    def add_one(
        self,
        *,
        acc: int,
        day: int,
        minute: int,
        channel: int,
        kind: int,
        direction: int,
        emp: int,
        contact: int,
        subject: str,
        note: str,
        sentiment: float,
        origin: str | None = None,
    ) -> int:
        """Add one touchpoint with its own note text; returns a reference for the truth.

        ``origin`` marks a note carpe writes itself (``follow_up``, ``gesture``).
        """
        self.extras.append(note)
        if origin is not None:
            self.origins[self.pool_size + len(self.extras) - 1] = origin
        ref = self.next_ref
        self.next_ref += 1
        for key, value in (
            ("acc", acc),
            ("day", day),
            ("minute", minute),
            ("channel", channel),
            ("kind", kind),
            ("direction", direction),
            ("emp", emp),
            ("contact", contact),
            ("subject", subject),
            ("note", self.pool_size + len(self.extras) - 1),
            ("sentiment", sentiment),
            ("ref", ref),
        ):
            self.rows[key].append(value)
        return ref

    def collect(self) -> dict[str, Any]:
        """All touchpoints as concatenated columns (not yet filtered or sorted)."""
        parts = list(self.parts)
        r = self.rows
        if r["acc"]:
            parts.append(
                {
                    "acc": np.asarray(r["acc"], dtype=np.int64),
                    "day": np.asarray(r["day"], dtype=np.int64),
                    "minute": np.asarray(r["minute"], dtype=np.int64),
                    "channel": np.asarray(r["channel"], dtype=np.int8),
                    "kind": np.asarray(r["kind"], dtype=np.int8),
                    "direction": np.asarray(r["direction"], dtype=np.int8),
                    "emp": np.asarray(r["emp"], dtype=np.int64),
                    "contact": np.asarray(r["contact"], dtype=np.int64),
                    "subject": pa.array(r["subject"], type=pa.string()),
                    "note": np.asarray(r["note"], dtype=np.int64),
                    "sentiment": np.asarray(r["sentiment"], dtype=np.float64),
                    "ref": np.asarray(r["ref"], dtype=np.int64),
                }
            )
        out: dict[str, Any] = {}
        for key in ("acc", "day", "minute", "channel", "kind", "direction", "emp", "contact"):
            out[key] = np.concatenate([p[key] for p in parts])
        for key in ("note", "sentiment", "ref"):
            out[key] = np.concatenate([p[key] for p in parts])
        out["subject"] = pa.concat_arrays([p["subject"] for p in parts])
        return out
