"""Which contact a moment is about, and whether two notes tell the same moment.

Pure helpers for the store's side of the memory (issue 18):

* :func:`named_contact`: a note logged against one contact often tells news about
  another contact of the same account ("Ivan's cat Luna has an operation tomorrow" in a
  call with Felix). The moment belongs on the card of the contact it names.
* :func:`same_moment`: the same anniversary mentioned in three notes is one moment with
  three pieces of evidence, not three moments.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date

__all__ = ["named_contact", "same_moment"]

_CAPITALISED = re.compile(r"\b([A-Z][a-z]+)(?:'s|’s)?\b")
_GENERIC = frozenset(
    {"contact", "the", "a", "an", "his", "her", "their", "my", "our", "new", "first", "big"}
)
_WORD = re.compile(r"[a-z0-9]+")


def named_contact(evidence: str, names: Mapping[str, str], own: str | None) -> str | None:
    """The contact id the evidence names, when it is another contact of the account.

    Parameters
    ----------
    evidence : str
        The moment's evidence, as written in the note.
    names : mapping of str to str
        First name -> contact id, for the contacts of the note's account whose first
        name is unique in the account.
    own : str or None
        The contact the note was logged against.

    Returns
    -------
    str or None
        Another contact's id when the evidence names them and not the note's own
        contact; ``None`` to keep the moment where it is.

    Examples
    --------
    >>> named_contact("Ivan's cat Luna has an operation", {"Ivan": "C1", "Felix": "C2"}, "C2")
    'C1'
    >>> named_contact("Her dog Max is sick", {"Ivan": "C1"}, "C2") is None
    True
    """
    named = [names[w] for w in _CAPITALISED.findall(evidence) if w in names]
    if not named or own in named:
        return None
    return named[0]


_SAME_WORD = {"turns": "birthday", "turning": "birthday", "turned": "birthday", "bday": "birthday"}


def _words(subject: str) -> set[str]:
    words = set()
    for word in _WORD.findall(subject.lower()):
        word = _SAME_WORD.get(word, re.sub(r"^(\d+)(?:st|nd|rd|th)$", r"\1", word))
        if word not in _GENERIC and (len(word) > 2 or word.isdigit()):
            words.add(word)
    return words


def same_moment(
    kind: str, subject: str, when: date | None, other_kind: str, other_subject: str,
    other_when: date | None,
) -> bool:  # fmt: skip
    """Whether two moments of one contact are the same event told twice.

    The kind must agree, and either both carry the same day, or their subjects share
    a word ("50th birthday" and "birthday", "dog Max" and "Max") and their days do not
    contradict each other.

    Examples
    --------
    >>> same_moment("celebration", "turns 50", None, "celebration", "50th birthday", None)
    True
    >>> same_moment("family", "wedding", None, "family", "baby", None)
    False
    >>> same_moment("pet", "dog Max", None, "pet", "Max", date(2026, 3, 5))
    True
    """
    if kind != other_kind:
        return False
    if when is not None and other_when is not None:
        return when == other_when or bool(_words(subject) & _words(other_subject))
    return bool(_words(subject) & _words(other_subject))
