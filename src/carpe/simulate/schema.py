"""The interchange-format files the simulator writes, and the integer codes of its words.

The words themselves (channels, kinds, statuses, ...) are :mod:`carpe.vocabulary`'s.
"""

from __future__ import annotations

from typing import Final, Literal

from carpe.vocabulary import CHANNELS, DIRECTIONS, TOUCHPOINT_KINDS

Kind = Literal["b2b", "b2c"]
"""The kind of business: an industrial supplier (``b2b``) or a chain of salons (``b2c``)."""

KINDS: Final[tuple[Kind, ...]] = ("b2b", "b2c")

COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "accounts.csv": (
        "account_id",
        "name",
        "kind",
        "segment",
        "region",
        "owner_employee_id",
        "started_on",
        "ended_on",
        "annual_value",
    ),
    "contacts.csv": (
        "contact_id",
        "account_id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "title",
        "birthday",
        "is_primary",
    ),
    "employees.csv": (
        "employee_id",
        "name",
        "department",
        "role",
        "frontline",
        "hired_on",
        "left_on",
    ),
    "touchpoints.csv": (
        "touchpoint_id",
        "account_id",
        "contact_id",
        "employee_id",
        "occurred_at",
        "channel",
        "kind",
        "direction",
        "subject",
        "note",
        "sentiment",
        "origin",
    ),
    "feedback.csv": (
        "feedback_id",
        "account_id",
        "contact_id",
        "received_at",
        "survey",
        "score",
        "comment",
        "touchpoint_id",
    ),
    "orders.csv": (
        "order_id",
        "account_id",
        "contact_id",
        "employee_id",
        "ordered_at",
        "promised_on",
        "delivered_on",
        "amount",
        "status",
    ),
    "quotes.csv": (
        "quote_id",
        "account_id",
        "employee_id",
        "issued_at",
        "promised_lead_days",
        "price",
        "status",
    ),
    "invoices.csv": (
        "invoice_id",
        "account_id",
        "order_id",
        "issued_on",
        "due_on",
        "amount",
        "currency",
        "status",
        "paid_on",
    ),
    "kpis.csv": ("department", "account_id", "period", "metric", "value"),
    "gestures.csv": (
        "gesture_id",
        "account_id",
        "contact_id",
        "employee_id",
        "given_on",
        "kind",
        "description",
        "cost",
    ),
    "budgets.csv": ("budget_id", "owner", "period_start", "period_end", "amount"),
    "engagement.csv": ("employee_id", "period", "score"),
}
"""Every CSV file the simulator writes, with its columns in order."""

FILES: Final[tuple[str, ...]] = tuple(COLUMNS)
GROUND_TRUTH_FILE: Final = "ground_truth.json"

CURRENCY: Final = "EUR"


def channel_code(name: str) -> int:
    """Return the integer code of a channel name."""
    return CHANNELS.index(name)


def kind_code(name: str) -> int:
    """Return the integer code of a touchpoint kind."""
    return TOUCHPOINT_KINDS.index(name)


def direction_code(name: str) -> int:
    """Return the integer code of a touchpoint direction."""
    return DIRECTIONS.index(name)
