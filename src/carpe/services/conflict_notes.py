"""What a conflict says about the invoices and orders it names, wherever they are mentioned.

A brief that lists "Invoice INV9 is overdue" while billing has found INV9 billed
twice sends the caller to chase money the customer does not owe. Every place
that mentions a document (the brief's open problems, the account page's
invoices and orders) asks :func:`notes_by_document` and shows the conflict's
state beside it, in words: what billing found, and what to do meanwhile.
Dismissed conflicts say nothing (billing decided there was nothing to it).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from carpe.store.conflicts import StoredConflict

FINDINGS: Final = {
    "duplicate_invoice": "billed twice",
    "overbilling": "billed for more than was ordered",
    "backbilling": "billed again for something already paid",
    "billing_returned": "billed for an order that was returned or cancelled",
    "promise_price": "charged more than the quote",
    "promise_lead_time": "promised sooner than operations delivers",
}
"""What each conflict type found about a document, in a caller's words."""

ADVICE: Final = {
    ("invoice", "open"): "billing is looking into it; don't chase payment yet",
    ("invoice", "acknowledged"): "billing is correcting it; don't chase payment",
    ("invoice", "resolved"): "billing has corrected it; don't chase the original",
    ("order", "open"): "being looked into; mention it only if they do",
    ("order", "acknowledged"): "being put right; mention it only if they do",
    ("order", "resolved"): "put right already",
}
"""What to do meanwhile, by document kind and the conflict's state."""

_STATES = ("open", "acknowledged", "resolved")


@dataclass(frozen=True, slots=True)
class DocumentNote:
    """A conflict about one invoice or order, in words."""

    conflict_id: str
    type: str
    status: str
    sentence: str
    """For example "billed twice — billing is looking into it; don't chase payment yet"."""


def notes_by_document(*, session: Session, account_id: str) -> dict[str, DocumentNote]:
    """Each invoice and order of an account that a live or resolved conflict names.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        A session on the store.
    account_id : str
        The account.

    Returns
    -------
    dict of str to DocumentNote
        Keyed ``"invoice:ID"`` or ``"order:ID"``. Where several conflicts name one
        document, the live one wins over a resolved one, then the latest seen.
    """
    rows = session.execute(
        select(
            StoredConflict.conflict_id,
            StoredConflict.type,
            StoredConflict.status,
            StoredConflict.evidence,
        )
        .where(
            StoredConflict.account_id == account_id,
            StoredConflict.status.in_(_STATES),
            StoredConflict.type.in_(sorted(FINDINGS)),
        )
        .order_by(StoredConflict.last_seen_at, StoredConflict.conflict_id)
    ).all()
    found: dict[str, DocumentNote] = {}
    for conflict_id, type_, status, evidence in rows:
        try:
            named = json.loads(evidence or "{}")
        except ValueError:
            continue
        for kind, field in (("invoice", "invoice_ids"), ("order", "order_ids")):
            for document_id in named.get(field) or ():
                key = f"{kind}:{document_id}"
                kept = found.get(key)
                if kept is not None and kept.status != "resolved" and status == "resolved":
                    continue
                sentence = f"{FINDINGS[type_]} — {ADVICE[(kind, status)]}"
                found[key] = DocumentNote(conflict_id, type_, status, sentence)
    return found
