"""The currency of amounts that carry none: budgets, gestures, orders, conflicts at stake.

Invoices carry their own currency; everything else carpe shows in money is in the
business's house currency. It is the ``currency`` setting when given, otherwise
the currency most of the store's invoices are in, otherwise unknown (amounts are
then shown as bare numbers rather than with a made-up sign).
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from carpe.store.models import Invoice


def house_currency(*, session: Session, configured: str | None = None) -> str | None:
    """The ISO code amounts without a currency are in, or None when nothing says.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session on the store.
    configured : str, optional
        The ``currency`` setting; wins when given.
    """
    if configured:
        return configured.upper()
    found = session.execute(
        select(Invoice.currency)
        .where(Invoice.currency.is_not(None), Invoice.currency != "")
        .group_by(Invoice.currency)
        .order_by(func.count().desc(), Invoice.currency)
        .limit(1)
    ).scalar()
    return found.upper() if found else None
