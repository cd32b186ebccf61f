"""Billing-error complaints in free text: charged twice, wrong amount, billed after cancelling.

A rule-based detector for customer messages (tickets, e-mails, social posts):
a message reports a billing error when it speaks of money taken (charged,
billed, paid, a fee, a refund) together with a sign that the charge is wrong
(twice, over-, wrong, instead of, after cancelling, never arrived, still
trying to make me pay, not refunded...). Wording only, no model download.
"""

from __future__ import annotations

import re
from typing import Final

MONEY: Final = re.compile(
    r"\b(?:over[- ]?charg\w*|charg\w*|bill(?:ed|ing|s)?|paid|pay(?:ing)?|fees?|refund\w*|"
    r"invoice\w*|debited|price)\b",
    re.IGNORECASE,
)
WRONG: Final = re.compile(
    r"(?:\btwice\b|\bdouble[- ]?(?:charg|bill)\w*|\bover[- ]?charg\w*|\bover[- ]?bill\w*|"
    r"\bwrong\b|\bincorrect\b|\binstead of\b|\bonly (?:getting|got|received)\b|"
    r"\bafter (?:i )?cancel\w*|\bcancel\w* .{0,40}\b(?:still|charg\w*|bill\w*)|"
    r"\bstill (?:trying to )?(?:charg|bill|make me pay)\w*|\b(?:didn['’]?t|did not|never) "
    r"(?:arrive|come|get|receive)\w*|\bnot (?:arrive|deliver|receiv)\w*|\bghosted\b|"
    r"\bno(?:t|n['’]?t)? (?:got|get|received?) (?:a |my |the )?refund|\bhaven['’]?t got (?:a |my )?"
    r"refund|\bproper refund|\bcharge removed|\bremove the charge|\bfull price\b|"
    r"\b(?:price|deal|promise)\w* .{0,30}\blie\b|\blie\b.{0,40}\b(?:price|deal|free)\b|"
    r"\blost \$?\d|\bcharged me\b|\bcharge me\b.{0,40}\bfee\b|\bbills? will update\b|"
    r"\bmessed up\b.{0,80}\bpaid\b|\bpaid\b.{0,60}\bmessed up\b)",
    re.IGNORECASE,
)


def reports_billing_error(text: str) -> bool:
    """Whether a customer's message reports a billing error.

    Parameters
    ----------
    text : str
        The message.

    Returns
    -------
    bool
        True when it mentions money taken and a sign that the charge is wrong.

    Examples
    --------
    >>> reports_billing_error("You charged my credit card twice for one order!")
    True
    >>> reports_billing_error("Thanks for the $3 burrito!")
    False
    """
    return bool(MONEY.search(text)) and bool(WRONG.search(text))
