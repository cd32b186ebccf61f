"""Each conflict type and severity in plain words, for the pages, the API and the CLI."""

from __future__ import annotations

from typing import Final

TYPE_NAMES: Final = {
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

TYPE_MEANINGS: Final = {
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

SEVERITY_MEANINGS: Final = {
    "high": "act this week: much money or a customer likely to leave",
    "medium": "worth a look soon",
    "low": "small: put right when convenient",
}
"""What each severity word asks of the person who owns the conflict."""


def type_name(conflict_type: str) -> str:
    """A short name for a conflict type (its code, readable, when unknown).

    Examples
    --------
    >>> type_name("handoff_gap"), type_name("something_new")
    ('Nobody took over', 'Something new')
    """
    return TYPE_NAMES.get(conflict_type, conflict_type.replace("_", " ").capitalize())
