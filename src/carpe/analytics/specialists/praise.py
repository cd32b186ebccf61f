"""Praise by name: employees mentioned by name or nickname in feedback and notes.

A mention is an employee's first name (or a common nickname of it, e.g.
"Alex" for Alexander) as a whole word in a feedback comment, or in a
touchpoint note next to a word of praise. It is linked to an employee who
served that account (touchpoints, orders, quotes) with that name; when several
did, a department named in the text ("Ana in dispatch") decides, then who
served the account most. A name nobody on the account carries is ignored, so a
contact who shares an employee's first name is not mistaken for them unless the
text praises.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

import pandas as pd  # type: ignore[import-untyped]

NICKNAMES: Final[dict[str, tuple[str, ...]]] = {
    "alexander": ("alex",), "alexandra": ("alex", "sasha"), "anastasia": ("ana", "stacy"),
    "benjamin": ("ben",), "catherine": ("cathy", "kate"), "christopher": ("chris",),
    "daniel": ("dan", "danny"), "elizabeth": ("liz", "beth"), "francesca": ("fran",),
    "isabella": ("bella",), "jonathan": ("jon",), "katarina": ("kat",), "margaret": ("maggie",),
    "matthew": ("matt",), "michael": ("mike",), "nicholas": ("nick",), "patricia": ("pat",),
    "rebecca": ("becky",), "robert": ("rob", "bob"), "samuel": ("sam",), "thomas": ("tom",),
    "valentina": ("vale",), "william": ("will", "bill"),
}  # fmt: skip
"""Common nicknames of first names (lower case); the first name itself always counts."""

DEPARTMENT_WORDS: Final[dict[str, tuple[str, ...]]] = {
    "Operations": ("dispatch", "operations", "logistics", "warehouse", "online orders"),
    "Billing": ("billing", "accounts", "invoicing", "finance"),
    "Support": ("support", "helpdesk", "service desk"),
    "Field Service": ("field service", "technician", "service team"),
    "Sales": ("sales",),
    "Customer Success": ("customer success",),
    "Stylists": ("stylist", "salon"),
    "Front Desk": ("front desk", "reception"),
}
"""Words that name a department in customers' own language."""

PRAISE_TERMS: Final = (
    "thank", "thanks", "grateful", "great", "saved", "rescued", "amazing", "excellent", "star",
    "hero", "praised?", "above and beyond", "extra mile", "takes good care", "helped",
    "brilliant", "wonderful",
)  # fmt: skip
"""Words of praise (regular expressions, matched as whole words and in any case)."""
PRAISE_WORDS: Final = re.compile(r"\b(" + "|".join(PRAISE_TERMS) + r")\b", re.IGNORECASE)
PRAISE_HINT: Final = r"(?i)\b(" + "|".join(PRAISE_TERMS) + r")\b|[^\x00-\x7f]"
"""What :data:`PRAISE_WORDS` finds, for any regular-expression engine: the same on ASCII
text, and every text with a character outside ASCII (engines differ on its case and on
word boundaries next to it). The pipeline step hands :func:`find_praise` only the notes
this finds."""


@dataclass(frozen=True, slots=True)
class Mention:
    """An employee named in a feedback comment or a note.

    Attributes
    ----------
    employee_id : str
        The employee named.
    source : str
        ``"feedback"`` or ``"note"``.
    source_id, account_id : str
        The feedback or touchpoint, and its account.
    at : str
        When (ISO).
    text : str
        The text (up to 300 characters).
    """

    employee_id: str
    source: str
    source_id: str
    account_id: str
    at: str
    text: str


def name_variants(name: str) -> list[str]:
    """The first name of ``name`` and its common nicknames, capitalised.

    Examples
    --------
    >>> name_variants("Rebecca Stone")
    ['Rebecca', 'Becky']
    """
    parts = name.split()
    if not parts:
        return []
    first = parts[0].strip(",.")
    return [first, *(n.capitalize() for n in NICKNAMES.get(first.lower(), ()))]


def find_praise(
    employees: pd.DataFrame, texts: pd.DataFrame, involvement: pd.DataFrame
) -> list[Mention]:
    """Link mentions of employees' names in feedback and notes to the employees.

    Parameters
    ----------
    employees : pandas.DataFrame
        ``employee_id``, ``name``, ``department``.
    texts : pandas.DataFrame
        ``source``, ``source_id``, ``account_id``, ``employee_id`` (a note's
        author), ``at``, ``text``.
    involvement : pandas.DataFrame
        ``account_id``, ``employee_id``, ``n``: who served which account.

    Returns
    -------
    list of Mention
        In the order of ``texts``; at most one mention per employee per text.
    """
    by_variant: dict[str, list[str]] = {}
    department: dict[str, str] = {}
    for row in employees.itertuples(index=False):
        department[str(row.employee_id)] = str(row.department)
        for variant in name_variants(str(row.name)):
            by_variant.setdefault(variant.lower(), []).append(str(row.employee_id))
    if not by_variant or texts.empty:
        return []
    notes = (texts["source"] == "note").to_numpy()
    read = [not note or PRAISE_WORDS.search(str(t)) is not None
            for note, t in zip(notes, texts["text"], strict=True)]  # fmt: skip
    texts = texts[read]
    accounts = set(texts["account_id"].astype(str))
    involvement = involvement[involvement["account_id"].astype(str).isin(accounts)]
    served: dict[str, dict[str, float]] = {}
    for account, employee, n in zip(
        involvement["account_id"], involvement["employee_id"], involvement["n"], strict=True
    ):
        served.setdefault(str(account), {})[str(employee)] = float(n)
    word = re.compile(r"\b(" + "|".join(re.escape(v) for v in by_variant) + r")\b", re.IGNORECASE)
    found: list[Mention] = []
    for row in texts.itertuples(index=False):
        text = str(row.text)
        on_account = served.get(str(row.account_id), {})
        named: set[str] = set()
        for match in word.finditer(text):
            if not match.group(0)[0].isupper():
                continue
            candidates = [e for e in by_variant[match.group(0).lower()] if e in on_account]
            author = None if pd.isna(row.employee_id) else str(row.employee_id)
            candidates = [e for e in candidates if e != author]
            if not candidates:
                continue
            lowered = text.lower()
            told = [
                e
                for e in candidates
                if any(w in lowered for w in DEPARTMENT_WORDS.get(department[e], ()))
            ]
            pool = told or candidates
            named.add(max(pool, key=lambda e: (on_account[e], e)))
        for employee in sorted(named):
            found.append(
                Mention(
                    employee_id=employee,
                    source=str(row.source),
                    source_id=str(row.source_id),
                    account_id=str(row.account_id),
                    at=pd.Timestamp(row.at).isoformat(),
                    text=text[:300],
                )
            )
    return found
