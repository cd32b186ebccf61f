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
from functools import lru_cache
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


WORD: Final = re.compile(r"\w+")


@lru_cache(maxsize=4096)
def _pattern(words: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern matching any of ``words`` as a whole word, the longest first."""
    if not words:
        return None
    body = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(r"(?<![\w])(?:" + body + r")(?![\w])")


@lru_cache(maxsize=64)
def _by_first_word(names: frozenset[str]) -> dict[str, tuple[str, ...]]:
    """The names (stripped, longer than one character) by their first word ("" if none)."""
    found: dict[str, list[str]] = {}
    for name in names:
        cleaned = name.strip()
        if len(cleaned) > 1:
            first = WORD.match(cleaned)
            found.setdefault(first.group(0) if first else "", []).append(cleaned)
    return {word: tuple(group) for word, group in found.items()}


def _names_in(text: str, *groups: frozenset[str]) -> re.Pattern[str] | None:
    """A pattern for the names of ``groups`` that may occur in ``text``.

    A name found as a whole word starts with a whole word of the text, so only
    names whose first word is one of the text's words can match: the pattern
    over those finds exactly what one over every name would, and stays small
    (a business has thousands of staff names; a note mentions a few).
    """
    words = {"", *WORD.findall(text)}
    found: set[str] = set()
    for names in groups:
        index = _by_first_word(names)
        for word in words:
            found.update(index.get(word, ()))
    return _pattern(tuple(sorted(found)))


@lru_cache(maxsize=16)
def _staff_names(names: tuple[str, ...]) -> frozenset[str]:
    """Every employee's names to hide (see :func:`_person_names`), computed once per staff."""
    return frozenset(_person_names(names))


def _person_names(names: Iterable[str]) -> set[str]:
    """Full names, their first names and nicknames, and surnames longer than two letters."""
    people: set[str] = set()
    for name in names:
        if not name:
            continue
        people.add(name)
        people.update(name_variants(name))
        people.update(p for p in name.split()[1:] if len(p) > 2)
    return people


@dataclass(frozen=True, slots=True)
class Redactor:
    """Hides the names it knows, contact details and amounts in a text.

    Parameters
    ----------
    people : iterable of str
        Names of people (full names, first names, nicknames).
    companies : iterable of str
        Names of companies.
    allow_amounts : bool, default False
        Keep amounts of money.
    staff : iterable of str
        More names of people: every employee's, shared by all the stories of a
        run (kept apart from ``people`` so that they are indexed once).
    """

    people: frozenset[str] = frozenset()
    companies: frozenset[str] = frozenset()
    allow_amounts: bool = False
    staff: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        for name in ("people", "companies", "staff"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))

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
        firms = [n for c in companies if c for n in company_names(c)]
        staff = _staff_names(tuple(employees.values()))
        return cls(_person_names(contacts), firms, allow_amounts, staff)  # type: ignore[arg-type]

    def redact(self, text: str) -> str:
        """The text with the names, contact details and (unless allowed) amounts hidden.

        Examples
        --------
        >>> Redactor(people=("Nora",), companies=("Acme",)).redact("Nora refunded Acme €120.")
        '[name] refunded [company] [amount].'
        """
        out = EMAIL.sub("[e-mail]", text)
        firms = _names_in(out, self.companies)
        if firms is not None:
            out = firms.sub("[company]", out)
        people = _names_in(out, self.people, self.staff)
        if people is not None:
            out = people.sub("[name]", out)
        out = PHONE.sub("[phone]", out)
        return out if self.allow_amounts else redact_amounts(out)

    def leaks(self, text: str) -> list[str]:
        """Names or amounts this redactor would hide that are still in ``text`` (for checks)."""
        found: list[str] = []
        for pattern in (
            _names_in(text, self.companies),
            _names_in(text, self.people, self.staff),
        ):
            if pattern is not None:
                found.extend(m.group(0) for m in pattern.finditer(text))
        if not self.allow_amounts:
            found.extend(m.group(0) for m in AMOUNT.finditer(text))
        return found
