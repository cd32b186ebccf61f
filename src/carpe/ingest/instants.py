"""Instants as the store keeps them: one rule for import, the API and the forms.

The store's datetimes carry no time zone. A value that states an offset
(``2026-03-02T10:00+02:00``) is converted to UTC and the offset dropped; a value
without one is kept as written. Every way in applies :func:`stored_instant`, so
the same moment is stored the same way however it arrives.
"""

from __future__ import annotations

from datetime import UTC, datetime

__all__ = ["parse_instant", "stored_instant"]


def stored_instant(moment: datetime) -> datetime:
    """The datetime as the store keeps it: UTC without offset when one is given.

    Examples
    --------
    >>> from datetime import timedelta, timezone
    >>> stored_instant(datetime(2026, 3, 2, 10, 0, tzinfo=timezone(timedelta(hours=2))))
    datetime.datetime(2026, 3, 2, 8, 0)
    >>> stored_instant(datetime(2026, 3, 2, 10, 0))
    datetime.datetime(2026, 3, 2, 10, 0)
    """
    if moment.tzinfo is None:
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None)


def parse_instant(text: str) -> datetime:
    """Parse an ISO 8601 date and time and return it as the store keeps it.

    Raises
    ------
    ValueError
        Not an ISO 8601 date and time, or an offset that moves it past year 1 or 9999.

    Examples
    --------
    >>> parse_instant("2026-03-02T10:00+02:00")
    datetime.datetime(2026, 3, 2, 8, 0)
    """
    try:
        return stored_instant(datetime.fromisoformat(text.strip()))
    except OverflowError as error:
        raise ValueError(f"{text!r} is out of range") from error
