"""Which theme a story belongs to, from what the problem was and who handled it.

- **personal care**: the largest problem is a hardship, health or loss moment
  from customer memory;
- **billing trust**: a billing conflict (duplicate, over-, back-billing, billed
  returns), the Billing department handling it, or money words in the problem;
- **delivery rescue**: something broken, down, lost or stuck that the customer
  needed (a failed part, an outage, a lost shipment);
- **going the extra mile**: every other problem met with effort beyond routine
  (a late order hurried out, a question answered on a Saturday).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from carpe.vocabulary import BILLING_DEPARTMENT

BILLING_WORDS: Final = re.compile(
    r"\b(invoic\w*|bill(?:ed|ing)?|back-billed|charg\w*|refund\w*|overcharg\w*|credit note|"
    r"payment|paid twice)\b",
    re.IGNORECASE,
)
RESCUE_WORDS: Final = re.compile(
    r"\b(outage|down|broke\w*|fail\w*|lost|stuck|stopp\w*|not working|stand(?:s|ing)? still|"
    r"breakdown|urgent\w*|emergency)\b",
    re.IGNORECASE,
)
BILLING_CONFLICTS: Final = frozenset(
    {"duplicate_invoice", "overbilling", "backbilling", "billing_returned", "promise_price"}
)


def choose_theme(kinds: Sequence[str], texts: Sequence[str], departments: Sequence[str]) -> str:
    """The theme of an episode.

    Parameters
    ----------
    kinds : sequence of str
        The problem's kinds (``complaint``, ``negative feedback``, ``hardship``, a
        conflict type), the largest problem first.
    texts : sequence of str
        The problem's notes and comments.
    departments : sequence of str
        The hero's department first, then those of the problem's touchpoints.

    Returns
    -------
    str
        One of :data:`carpe.vocabulary.STORY_THEMES`.

    Examples
    --------
    >>> choose_theme(["complaint"], ["They were double-invoiced"], ["Sales"])
    'billing trust'
    """
    if kinds and kinds[0] == "hardship":
        return "personal care"
    text = " ".join(texts)
    if BILLING_CONFLICTS & set(kinds) or BILLING_WORDS.search(text):
        return "billing trust"
    if departments and departments[0] == BILLING_DEPARTMENT:
        return "billing trust"
    if RESCUE_WORDS.search(text):
        return "delivery rescue"
    return "going the extra mile"
