"""Jinja filters for dates, money and sentiment, shared by every template."""

from __future__ import annotations

from datetime import date, datetime

from jinja2 import Environment, pass_context
from jinja2.runtime import Context

from carpe.vocabulary import CHANNELS

CHANNEL_LABELS = {
    "in_person": "in person",
    "phone": "phone",
    "video": "video",
    "email": "email",
    "chat": "chat",
    "web": "web",
    "app": "app",
    "sms": "SMS",
    "letter": "letter",
    "social": "social",
}


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
"""Month abbreviations as ``%b`` writes them in the C locale (without strftime's cost)."""


def format_date(value: date | datetime | None) -> str:
    """``3 Mar 2026`` (blank for none)."""
    if value is None:
        return ""
    return f"{value.day} {MONTHS[value.month - 1]} {value.year}"


def format_datetime(value: datetime | None) -> str:
    """``3 Mar 2026, 14:05``."""
    if value is None:
        return ""
    return (
        f"{value.day} {MONTHS[value.month - 1]} {value.year}, {value.hour:02d}:{value.minute:02d}"
    )


CURRENCY_SIGNS = {"EUR": "€", "GBP": "£", "USD": "$", "JPY": "¥", "CHF": "CHF "}
"""Signs written before an amount; any other currency code is written after it."""


def format_money(value: float | None, currency: str | None = None, *, whole: bool = False) -> str:
    """``€12,300`` or ``€25.50``: cents only when there are any, the currency when known.

    ``whole`` rounds to whole units (estimates such as money at stake).

    Examples
    --------
    >>> format_money(12300.0, "EUR"), format_money(25.5, "GBP"), format_money(-3.0, "SEK")
    ('€12,300', '£25.50', '-3 SEK')
    >>> format_money(4800.0), format_money(1234.56, "EUR", whole=True)
    ('4,800', '€1,235')
    """
    if value is None:
        return ""
    exact = whole or round(value, 2) == round(value)
    number = f"{abs(value):,.0f}" if exact else f"{abs(value):,.2f}"
    sign = "-" if value < 0 and number.strip("0.,") else ""
    if not currency:
        return f"{sign}{number}"
    prefix = CURRENCY_SIGNS.get(currency.upper())
    return f"{sign}{prefix}{number}" if prefix else f"{sign}{number} {currency.upper()}"


@pass_context
def _money(
    context: Context, value: float | None, currency: str | None = None, whole: bool = False
) -> str:
    """The ``money`` filter: the amount in the given currency, else the store's."""
    if not currency:
        house = context.get("currency")
        currency = house() if callable(house) else house
    return format_money(value, currency, whole=whole)


def sentiment_class(value: float | None) -> str:
    """A CSS class for a sentiment score."""
    if value is None:
        return "neutral"
    if value >= 0.25:
        return "positive"
    if value <= -0.25:
        return "negative"
    return "neutral"


def format_how_often(difference: float, than: str = "than") -> str:
    """A difference in a share, as people say it: never "−0.5 percentage points more often".

    Examples
    --------
    >>> format_how_often(-0.00512), format_how_often(0.0002)
    ('0.5 percentage points less often than', 'about as often as')
    >>> format_how_often(0.031)
    '3.1 percentage points more often than'
    >>> format_how_often(0.01, than="")
    '1 percentage point more often'
    """
    points = round(abs(difference) * 100, 1)
    if points == 0:
        return "about as often as" if than else "about as often"
    unit = "percentage point" if points == 1 else "percentage points"
    told = f"{points:g} {unit} {'less' if difference < 0 else 'more'} often"
    return f"{told} {than}" if than else told


def install(env: Environment) -> None:
    """Register the filters on a Jinja environment."""
    env.filters["date"] = format_date
    env.filters["datetime"] = format_datetime
    env.filters["money"] = _money
    env.filters["sentiment"] = sentiment_class
    env.filters["how_often"] = format_how_often
    env.filters["channel"] = lambda c: CHANNEL_LABELS.get(c, c)
    env.globals["all_channels"] = CHANNELS
