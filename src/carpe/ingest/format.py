"""The interchange format, v1, as data.

One :class:`FileSpec` per file of the folder that ``carpe import`` reads and
``carpe export`` writes. The readers, the validator, the exporter and the
documentation all derive from :data:`FILES`; nothing else spells out a column.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from carpe.vocabulary import (
    CHANNELS,
    DIRECTIONS,
    INVOICE_STATUSES,
    ORDER_STATUSES,
    QUOTE_STATUSES,
    SURVEYS,
    TOUCHPOINT_KINDS,
)


class Kind(StrEnum):
    """The type of one column's values."""

    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    ENUM = "enum"
    PERIOD = "period"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of an interchange file."""

    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    choices: tuple[str, ...] = ()
    references: str | None = None
    """Name of the file whose key this column must name (e.g. ``"accounts"``)."""
    minimum: float | None = None
    maximum: float | None = None
    doc: str = ""


@dataclass(frozen=True, slots=True)
class FileSpec:
    """One file of the interchange folder and the table it fills."""

    name: str
    """File stem: ``accounts`` for ``accounts.csv`` / ``accounts.jsonl``."""
    table: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    doc: str = ""
    required_file: bool = False
    ordered: tuple[tuple[str, str], ...] = ()
    """``(earlier, later)`` column pairs: a row's later day may not come before its earlier one."""
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    def column(self, name: str) -> Column:
        """Return the column called ``name``."""
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)


NOTE_ORIGINS = ("follow_up", "gesture", "generated")
"""Notes carpe wrote itself (touchpoints.origin); a person's notes have none."""
ACCOUNT_KINDS = ("business", "consumer")

T, INT, N, B, D, DT, E, P = (
    Kind.TEXT,
    Kind.INTEGER,
    Kind.NUMBER,
    Kind.BOOLEAN,
    Kind.DATE,
    Kind.DATETIME,
    Kind.ENUM,
    Kind.PERIOD,
)

FILES: tuple[FileSpec, ...] = (
    FileSpec(
        "employees",
        "employees",
        ("employee_id",),
        (
            Column("employee_id", T, True, doc="the source system's id"),
            Column("name", T, True),
            Column("department", T, True, doc="any name: Sales, Billing, Operations, ..."),
            Column("role", T),
            Column("frontline", B, doc="`true` or `false`"),
            Column("hired_on", D),
            Column("left_on", D, doc="blank while employed"),
        ),
        doc="Everyone who touches customers, in every department.",
        ordered=(("hired_on", "left_on"),),
    ),
    FileSpec(
        "accounts",
        "accounts",
        ("account_id",),
        (
            Column("account_id", T, True),
            Column("name", T, True),
            Column("kind", E, choices=ACCOUNT_KINDS),
            Column("segment", T),
            Column("region", T),
            Column("owner_employee_id", T, references="employees"),
            Column("started_on", D, True),
            Column("ended_on", D, doc="the day the customer left; blank while active"),
            Column("annual_value", N, minimum=0),
        ),
        doc="The customers: a company (B2B) or a person or household (B2C).",
        required_file=True,
        ordered=(("started_on", "ended_on"),),
    ),
    FileSpec(
        "contacts",
        "contacts",
        ("contact_id",),
        (
            Column("contact_id", T, True),
            Column("account_id", T, True, references="accounts"),
            Column("first_name", T, True),
            Column("last_name", T),
            Column("email", T),
            Column("phone", T),
            Column("title", T),
            Column("birthday", D),
            Column("is_primary", B),
        ),
        doc="The people at an account whom staff meet.",
    ),
    FileSpec(
        "touchpoints",
        "touchpoints",
        ("touchpoint_id",),
        (
            Column("touchpoint_id", T, True),
            Column("account_id", T, True, references="accounts"),
            Column("contact_id", T, references="contacts"),
            Column("employee_id", T, references="employees"),
            Column("occurred_at", DT, True),
            Column("channel", E, True, choices=CHANNELS),
            Column("kind", E, choices=TOUCHPOINT_KINDS),
            Column("direction", E, choices=DIRECTIONS),
            Column("subject", T),
            Column("note", T, doc="free text; carpe extracts personal moments from it"),
            Column("sentiment", N, minimum=-1.0, maximum=1.0),
            Column(
                "origin",
                E,
                choices=NOTE_ORIGINS,
                doc="empty when a person wrote the note; follow_up, gesture or generated when "
                "carpe wrote it (never read for moments)",
            ),
        ),
        doc="Every interaction, in every department and channel.",
    ),
    FileSpec(
        "feedback",
        "feedback",
        ("feedback_id",),
        (
            Column("feedback_id", T, True),
            Column("account_id", T, True, references="accounts"),
            Column("contact_id", T, references="contacts"),
            Column("received_at", DT, True),
            Column("survey", E, True, choices=SURVEYS),
            Column("score", N),
            Column("comment", T),
            Column("touchpoint_id", T, references="touchpoints"),
        ),
        doc="Survey answers and reviews.",
    ),
    FileSpec(
        "orders",
        "orders",
        ("order_id",),
        (
            Column("order_id", T, True),
            Column("account_id", T, True, references="accounts"),
            Column("contact_id", T, references="contacts"),
            Column("employee_id", T, references="employees"),
            Column("ordered_at", DT, True),
            Column("promised_on", D),
            Column("delivered_on", D),
            Column("amount", N, True),
            Column("status", E, choices=ORDER_STATUSES),
        ),
        ordered=(("ordered_at", "delivered_on"),),
    ),
    FileSpec(
        "quotes",
        "quotes",
        ("quote_id",),
        (
            Column("quote_id", T, True),
            Column("account_id", T, True, references="accounts"),
            Column("employee_id", T, references="employees"),
            Column("issued_at", DT, True),
            Column("promised_lead_days", INT, minimum=0),
            Column("price", N, minimum=0),
            Column("status", E, choices=QUOTE_STATUSES),
        ),
    ),
    FileSpec(
        "invoices",
        "invoices",
        ("invoice_id",),
        (
            Column("invoice_id", T, True),
            Column("account_id", T, True, references="accounts"),
            Column("order_id", T, references="orders"),
            Column("issued_on", D, True),
            Column("due_on", D),
            Column("amount", N, True),
            Column("currency", T, doc="ISO 4217 code, e.g. EUR"),
            Column("status", E, choices=INVOICE_STATUSES),
            Column("paid_on", D),
        ),
        ordered=(("issued_on", "due_on"),),
    ),
    FileSpec(
        "kpis",
        "kpis",
        ("department", "account_id", "period", "metric"),
        (
            Column("department", T, True),
            Column("account_id", T, True, references="accounts"),
            Column("period", P, True, doc="a month `2026-03` or an ISO week `2026-W09`"),
            Column("metric", T, True, doc="the department's own metric name"),
            Column("value", N, True),
        ),
        doc="Each department's own measure of an account, as it reports it.",
    ),
    FileSpec(
        "gestures",
        "gestures",
        ("gesture_id",),
        (
            Column("gesture_id", T, True),
            Column("account_id", T, True, references="accounts"),
            Column("contact_id", T, references="contacts"),
            Column("employee_id", T, True, references="employees"),
            Column("given_on", D, True),
            Column("kind", T, True, doc="card, gift_card, book, call, flowers, ..."),
            Column("description", T),
            Column("cost", N, minimum=0),
        ),
    ),
    FileSpec(
        "budgets",
        "budgets",
        ("budget_id",),
        (
            Column("budget_id", T, True),
            Column("owner", T, True, doc="an employee_id or a department name"),
            Column("period_start", D, True),
            Column("period_end", D, True),
            Column("amount", N, True, minimum=0),
        ),
        ordered=(("period_start", "period_end"),),
    ),
    FileSpec(
        "engagement",
        "engagement",
        ("employee_id", "period"),
        (
            Column("employee_id", T, True, references="employees"),
            Column("period", P, True, doc="a month, `2026-03`"),
            Column("score", N, True, minimum=0, maximum=10),
        ),
        doc="Each employee's own engagement-survey answer (0..10).",
    ),
)

FILES_BY_NAME: dict[str, FileSpec] = {spec.name: spec for spec in FILES}
