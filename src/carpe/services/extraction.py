"""Reading notes for moments outside the store (``carpe extract``): the extractor, set up once."""

from __future__ import annotations

from carpe.memory import Extractor
from carpe.memory.dates import DATE_ORDERS

__all__ = ["DATE_ORDERS", "Extractor", "note_extractor"]


def note_extractor(*, date_order: str, use_classifier: bool = False) -> Extractor:
    """An extractor reading numeric dates in ``date_order`` (one of :data:`DATE_ORDERS`),
    with the sentence classifier reading beside the rules when ``use_classifier``."""
    return Extractor(date_order=date_order, use_classifier=use_classifier)
