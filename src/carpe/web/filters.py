"""Jinja filters for dates, money and sentiment, shared by every template."""

from __future__ import annotations

from datetime import date, datetime

from jinja2 import Environment

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


def format_money(value: float | None) -> str:
    """``12,300`` (no currency: the store keeps it per invoice)."""
    if value is None:
        return ""
    return f"{value:,.0f}"


def sentiment_class(value: float | None) -> str:
    """A CSS class for a sentiment score."""
    if value is None:
        return "neutral"
    if value >= 0.25:
        return "positive"
    if value <= -0.25:
        return "negative"
    return "neutral"


def install(env: Environment) -> None:
    """Register the filters on a Jinja environment."""
    env.filters["date"] = format_date
    env.filters["datetime"] = format_datetime
    env.filters["money"] = format_money
    env.filters["sentiment"] = sentiment_class
    env.filters["channel"] = lambda c: CHANNEL_LABELS.get(c, c)
