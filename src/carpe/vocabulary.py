"""carpe's vocabulary, declared once: the words every layer shares.

Kinds of moment and which of them are sensitive, channels, touchpoint kinds and
directions, the statuses of orders, quotes and invoices, conflict types (with
their names and meanings in plain words), story themes, and the roles and token
scopes of users. Ingest validates against these words, the simulator writes
them, memory and analytics reason with them, the store derives from them and
the web offers them; nobody keeps a copy.

A closed set is declared as a ``Literal`` type (for pydantic and mypy) and its
tuple of values is read from that type, so the two cannot disagree. Facts about
a word are derived here, never stored beside it: :func:`is_sensitive` is the
one answer to "is a moment of this kind sensitive?".
"""

from __future__ import annotations

from typing import Final, Literal, get_args

__all__ = [
    "BILLING_DEPARTMENT",
    "CHANNELS",
    "CONFLICT_STATUSES",
    "CONFLICT_TYPES",
    "CONFLICT_TYPE_MEANINGS",
    "CONFLICT_TYPE_NAMES",
    "CONSENT_STATUSES",
    "DIRECTIONS",
    "DURABLE_KINDS",
    "FOLLOW_UP_STATUSES",
    "INVOICE_STATUSES",
    "MOMENT_KINDS",
    "MOMENT_REVIEWS",
    "OPERATIONS_DEPARTMENT",
    "ORDER_STATUSES",
    "PERSONAL_CHANNELS",
    "QUOTE_STATUSES",
    "ROLES",
    "SALES_DEPARTMENT",
    "SCOPES",
    "SENSITIVE_KINDS",
    "SEVERITY_MEANINGS",
    "STORY_THEMES",
    "SUPPORT_DEPARTMENT",
    "SURVEYS",
    "TOUCHPOINT_KINDS",
    "Channel",
    "ConflictType",
    "ConsentStatus",
    "Direction",
    "MomentKind",
    "StoryTheme",
    "TouchpointKind",
    "conflict_type_name",
    "is_sensitive",
]

# --- customer memory -------------------------------------------------------------------

MomentKind = Literal[
    "health",
    "pet",
    "family",
    "loss",
    "celebration",
    "milestone",
    "hardship",
    "travel",
    "interest",
    "preference",
]
MOMENT_KINDS: Final[tuple[MomentKind, ...]] = get_args(MomentKind)
"""The ten kinds of personal moment, in the order of issue 3."""

SENSITIVE_KINDS: Final[frozenset[MomentKind]] = frozenset({"health", "loss"})
"""Kinds shown only to roles allowed to see them, phrased discreetly, never quoted by a story."""

DURABLE_KINDS: Final[frozenset[MomentKind]] = frozenset({"interest", "preference"})
"""Kinds that are facts rather than events: no ``when``, no follow-up."""


MOMENT_REVIEWS: Final = ("suggested", "confirmed", "dismissed")
"""A moment is suggested by the extractor, then confirmed (possibly edited) or dismissed."""

FOLLOW_UP_STATUSES: Final = ("open", "done", "snoozed", "dismissed", "expired")
"""A follow-up is open until done, snoozed or dismissed; one already past when made is expired."""


def is_sensitive(kind: str) -> bool:
    """Whether a moment of this kind is sensitive: the one place that decides it.

    Examples
    --------
    >>> is_sensitive("health"), is_sensitive("pet")
    (True, False)
    """
    return kind in SENSITIVE_KINDS


# --- touchpoints -----------------------------------------------------------------------

Channel = Literal[
    "in_person", "phone", "video", "email", "chat", "web", "app", "sms", "letter", "social"
]
CHANNELS: Final[tuple[Channel, ...]] = get_args(Channel)
"""How a touchpoint happened; the simulator codes them by position, so the order is fixed."""

PERSONAL_CHANNELS: Final[tuple[Channel, ...]] = ("in_person", "phone", "video")
"""Channels where a person spoke with the customer."""

TouchpointKind = Literal[
    "visit", "call", "meeting", "ticket", "order", "delivery", "invoice", "quote", "survey", "other"
]
TOUCHPOINT_KINDS: Final[tuple[TouchpointKind, ...]] = get_args(TouchpointKind)
"""What a touchpoint was; coded by position in the simulator."""

Direction = Literal["inbound", "outbound", "internal"]
DIRECTIONS: Final[tuple[Direction, ...]] = get_args(Direction)
"""Who started a touchpoint: the customer, us, or an internal note."""

SURVEYS: Final = ("nps", "csat", "ces", "review")
ORDER_STATUSES: Final = ("open", "delivered", "cancelled", "returned")
QUOTE_STATUSES: Final = ("open", "won", "lost")
INVOICE_STATUSES: Final = ("open", "paid", "void", "disputed")

# --- experience conflicts --------------------------------------------------------------

ConflictType = Literal[
    "duplicate_invoice",
    "overbilling",
    "backbilling",
    "billing_returned",
    "promise_lead_time",
    "promise_price",
    "kpi_disagreement",
    "handoff_gap",
]
CONFLICT_TYPES: Final[tuple[ConflictType, ...]] = get_args(ConflictType)
"""Every conflict type, in the order the radar shows them."""

CONFLICT_TYPE_NAMES: Final[dict[str, str]] = {
    "duplicate_invoice": "Duplicate invoice",
    "overbilling": "Billed above the order",
    "backbilling": "Billed again after payment",
    "billing_returned": "Billed for returned goods",
    "promise_lead_time": "Delivery promised too soon",
    "promise_price": "Charged above the quote",
    "kpi_disagreement": "Departments disagree",
    "handoff_gap": "Nobody took over",
}
"""A short name for each conflict type."""

CONFLICT_TYPE_MEANINGS: Final[dict[str, str]] = {
    "duplicate_invoice": (
        "The same order was invoiced twice, under a new number: the customer is asked "
        "to pay once more for what they already owe."
    ),
    "overbilling": "An invoice asks for more than the order it bills.",
    "backbilling": ("An order the customer already paid was invoiced again months later."),
    "billing_returned": ("An order came back or was cancelled, but its invoice still stands."),
    "promise_lead_time": (
        "Sales quoted a delivery time that Operations does not manage: the customer "
        "will wait longer than promised."
    ),
    "promise_price": "The customer was charged more than the price they were quoted.",
    "kpi_disagreement": (
        "One department reports the account as healthy while others report trouble "
        "in the same month: someone is missing what the customer feels."
    ),
    "handoff_gap": ("The account changed hands and nobody from the new side has been in touch."),
}
"""One plain sentence on what each conflict type means for the customer."""

CONFLICT_STATUSES: Final = ("open", "acknowledged", "resolved", "dismissed")
"""open → acknowledged → resolved | dismissed (open may go straight to resolved or dismissed)."""

SEVERITY_MEANINGS: Final = {
    "high": "act this week: much money or a customer likely to leave",
    "medium": "worth a look soon",
    "low": "small: put right when convenient",
}
"""What each severity word asks of the person who owns the conflict."""


def conflict_type_name(conflict_type: str) -> str:
    """A short name for a conflict type (its code, readable, when unknown).

    Examples
    --------
    >>> conflict_type_name("handoff_gap"), conflict_type_name("something_new")
    ('Nobody took over', 'Something new')
    """
    return CONFLICT_TYPE_NAMES.get(conflict_type, conflict_type.replace("_", " ").capitalize())


# --- retention stories -----------------------------------------------------------------

ConsentStatus = Literal["internal", "requested", "granted", "declined"]
CONSENT_STATUSES: Final[tuple[ConsentStatus, ...]] = get_args(ConsentStatus)
"""internal → requested → granted | declined (a decision may be recorded again later)."""

StoryTheme = Literal["billing trust", "delivery rescue", "going the extra mile", "personal care"]
STORY_THEMES: Final[tuple[StoryTheme, ...]] = get_args(StoryTheme)
"""Every story theme, in the order the library shows them."""

# --- departments ----------------------------------------------------------------------

BILLING_DEPARTMENT: Final = "Billing"
"""The department that invoices: a billing conflict is (partly) theirs."""
OPERATIONS_DEPARTMENT: Final = "Operations"
"""The department that delivers: a broken delivery promise is (partly) theirs."""
SALES_DEPARTMENT: Final = "Sales"
"""Who quoted, when the quote's employee has no known department."""
SUPPORT_DEPARTMENT: Final = "Support"
"""Who should have taken over an account left without anyone, when nobody is known."""

# --- people ----------------------------------------------------------------------------

ROLES: Final = ("frontline", "manager", "admin")
"""A user's role: frontline staff see their own; managers see their team; admins run carpe."""

SCOPES: Final = ("read", "write", "admin")
"""What an API token may do."""
