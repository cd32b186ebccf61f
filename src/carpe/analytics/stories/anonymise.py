"""Anonymisation: a story's text without names of people or companies, nor amounts unless allowed.

A :class:`Redactor` knows the names to hide — every employee's full name,
first name and its nicknames, the account's contacts, the company's name
with and without its legal form — and replaces them as whole words with
``[name]`` and ``[company]``; e-mail addresses and phone numbers become
``[e-mail]`` and ``[phone]``; amounts of money (a currency sign or code next to
a number) become ``[amount]`` unless ``allow_amounts``. In the sentences
themselves people are named by role ("a colleague in Billing") and the
company as "the customer" (:mod:`~carpe.analytics.stories.draft`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Final

from carpe.analytics.specialists.praise import name_variants

LEGAL_FORMS: Final = re.compile(
    r"[,\s]+(?:B\.V\.|N\.V\.|GmbH|AG|KG|S\.A\.|S\.L\.|S\.p\.A\.|S\.r\.l\.|SAS|SARL|Ltd\.?|"
    r"Limited|LLC|Inc\.?|Corp\.?|plc|Oy|AB|A/S|AS|ApS|Sp\. z o\.o\.|s\.r\.o\.|Co\.)$",
    re.IGNORECASE,
)
EMAIL: Final = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
PHONE: Final = re.compile(r"(?<!\w)\+?\d[\d ()./-]{7,}\d(?!\w)")
AMOUNT: Final = re.compile(
    r"(?:[$€£¥]\s?\d(?:[\d,.']*\d)?(?:\s?(?:k|m|million|thousand)\b)?"
    r"|\b\d(?:[\d,.']*\d)?\s?(?:k\s)?"
    r"(?:EUR|USD|GBP|CHF|SEK|NOK|DKK|PLN|euros?|dollars?|pounds?|francs?)\b)",
    re.IGNORECASE,
)


def redact_amounts(text: str) -> str:
    """The text with amounts of money replaced by ``[amount]``.

    Examples
    --------
    >>> redact_amounts("a refund of €1,250.00 and 300 EUR")
    'a refund of [amount] and [amount]'
    """
    return AMOUNT.sub("[amount]", text)


def company_names(name: str) -> list[str]:
    """A company's name as written, and without its legal form.

    Examples
    --------
    >>> company_names("Tirol Ceramics B.V.")
    ['Tirol Ceramics B.V.', 'Tirol Ceramics']
    """
    short = LEGAL_FORMS.sub("", name).strip()
    return [name] if not short or short == name else [name, short]


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    cleaned = sorted({w.strip() for w in words if w and len(w.strip()) > 1}, key=len, reverse=True)
    if not cleaned:
        return None
    body = "|".join(re.escape(w) for w in cleaned)
    return re.compile(r"(?<![\w])(?:" + body + r")(?![\w])")


@dataclass(frozen=True, slots=True)
class Redactor:
    """Hides the names it knows, contact details and amounts in a text.

    Parameters
    ----------
    people : tuple of str
        Names of people (full names, first names, nicknames).
    companies : tuple of str
        Names of companies.
    allow_amounts : bool, default False
        Keep amounts of money.
    """

    people: tuple[str, ...] = ()
    companies: tuple[str, ...] = ()
    allow_amounts: bool = False

    @classmethod
    def for_story(
        cls,
        *,
        employees: Mapping[str, str],
        contacts: Iterable[str] = (),
        companies: Iterable[str] = (),
        allow_amounts: bool = False,
    ) -> Redactor:
        """A redactor for the people and companies a story may mention.

        Parameters
        ----------
        employees : mapping of str to str
            Employee id → full name (first names and nicknames are added).
        contacts : iterable of str
            Contacts' names (first and last names are hidden too).
        companies : iterable of str
            Company names (their forms without the legal suffix are added).
        allow_amounts : bool, default False
            Keep amounts of money.
        """
        people: list[str] = []
        for name in [*employees.values(), *contacts]:
            if not name:
                continue
            people.append(name)
            people.extend(name_variants(name))
            people.extend(p for p in name.split()[1:] if len(p) > 2)
        firms = [n for c in companies if c for n in company_names(c)]
        return cls(tuple(sorted(set(people))), tuple(sorted(set(firms))), allow_amounts)

    def redact(self, text: str) -> str:
        """The text with the names, contact details and (unless allowed) amounts hidden.

        Examples
        --------
        >>> Redactor(people=("Nora",), companies=("Acme",)).redact("Nora refunded Acme €120.")
        '[name] refunded [company] [amount].'
        """
        out = EMAIL.sub("[e-mail]", text)
        firms = _pattern(self.companies)
        if firms is not None:
            out = firms.sub("[company]", out)
        people = _pattern(self.people)
        if people is not None:
            out = people.sub("[name]", out)
        out = PHONE.sub("[phone]", out)
        return out if self.allow_amounts else redact_amounts(out)

    def leaks(self, text: str) -> list[str]:
        """Names or amounts this redactor would hide that are still in ``text`` (for checks)."""
        found: list[str] = []
        for pattern in (_pattern(self.companies), _pattern(self.people)):
            if pattern is not None:
                found.extend(m.group(0) for m in pattern.finditer(text))
        if not self.allow_amounts:
            found.extend(m.group(0) for m in AMOUNT.finditer(text))
        return found
