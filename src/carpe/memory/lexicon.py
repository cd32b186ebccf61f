"""Word lists the extraction rules are built from.

Each list is a regular-expression fragment (an alternation without groups), so the
rules in :mod:`carpe.memory.rules` read like sentences.
"""

from __future__ import annotations

import re
from typing import Final

__all__ = [
    "BUSINESS_PLACES",
    "NEGATION",
    "PERSON",
    "PETS",
    "RELATIONS",
    "find_pet",
    "find_relation",
]

RELATIONS: Final = (
    r"husband|wife|partner|fianc[ée]e?|boyfriend|girlfriend|spouse|son|daughter|kids?|children"
    r"|child|baby|babies|twins|toddler|little (?:boy|girl|one)|mother-in-law|father-in-law"
    r"|mother|mum|mom|mam|mummy|mommy|father|dad|daddy|parents|in-laws|brother|sister"
    r"|sibling|grandmother|grandma|granny|nan|nana|grandfather|grandpa|granddad|grandad"
    r"|grandson|granddaughter|grandchild|grandchildren|grandkids?|grandparents|aunt|auntie"
    r"|uncle|niece|nephew|cousin|stepson|stepdaughter|stepmother|stepfather|stepdad|stepmum"
    r"|family"
)
"""Family members (a health or loss moment is about one of these, or the contact)."""

PETS: Final = (
    r"dogs?|pupp(?:y|ies)|pups?|cats?|kittens?|kitty|lab|labrador|retriever|terrier|spaniel"
    r"|poodle|beagle|collie|dachshund|pug|husky|bulldog|greyhound|chihuahua|sheepdog|whippet"
    r"|horses?|pony|ponies|budgie|parrot|rabbits?|bunny|hamsters?|guinea pigs?|tortoise"
    r"|turtle|goldfish|ferret|cockatiel|gerbil|pets?"
)
"""Pet nouns."""

PERSON: Final = (
    r"(?:[A-Z][a-z]+(?:'s|’s)?|she|he|they|i|her|his|their|my|we|our|customer(?:'s|’s)?"
    r"|client(?:'s|’s)?|patient(?:'s|’s)?|owner(?:'s|’s)?)"
)

BUSINESS_PLACES: Final = (
    r"warehouse|office|offices|plant|factory|site|depot|premises|store|shop|branch|facility"
    r"|building|hq|headquarters|server|data ?cent(?:er|re)|company|firm|business|practice"
    r"|clinic|restaurant|team|department|project|account|deal|bid|quote|contract|system"
)
"""Nouns that make a look-alike phrase about the business, not the person."""

NEGATION: Final = re.compile(
    r"\b(?:no|not|never|nobody|none|without|n't|isn't|wasn't|aren't|doesn't|don't|didn't"
    r"|hasn't|haven't|won't|cannot|can't|if|unless|whether|would|could|might|maybe|perhaps"
    r"|someday|some day|one day|hopes? to|hoping to|wants? to|wish(?:es)?|dreams? of"
    r"|thinking (?:about|of)|considering|no longer|anymore|yet)\b|n['’]t\b",
    re.IGNORECASE,
)
"""Cues that make a nearby trigger a negation or a hypothetical."""

_PET_NAME = re.compile(
    r"\b(?P<pet>" + PETS + r")\b(?:\s*,)?\s+(?:(?:called|named)\s+)?(?P<name>[A-Z][a-z]+)\b"
    r"|\b(?P<name2>[A-Z][a-z]+)\s*,\s+(?:[\w.]+(?:'s|’s)?\s+){0,3}(?P<pet2>" + PETS + r")\b"
    r"|\b(?P<pet3>" + PETS + r")\b",
    re.IGNORECASE,
)
_RELATION = re.compile(r"\b(?P<rel>" + RELATIONS + r")\b", re.IGNORECASE)
_NOT_NAMES: Final = frozenset(
    {
        "is",
        "was",
        "had",
        "has",
        "got",
        "and",
        "the",
        "who",
        "after",
        "with",
        "from",
        "on",
        "in",
        "at",
        "to",
        "for",
        "of",
        "went",
        "ran",
        "died",
        "passed",
        "turned",
    }
)


def find_pet(text: str) -> tuple[str, str | None] | None:
    """Find the pet a sentence talks about, with its name when given.

    Parameters
    ----------
    text : str
        One sentence.

    Returns
    -------
    tuple of (str, str or None), or None
        The pet noun (lower case) and its name, or ``None`` when no pet is mentioned.

    Examples
    --------
    >>> find_pet("Her dog Max is sick")
    ('dog', 'Max')
    >>> find_pet("Whiskers, Mrs. Lopez's cat, had surgery")
    ('cat', 'Whiskers')
    """
    for m in _PET_NAME.finditer(text):
        if m.group("pet"):
            name = m.group("name")
            if name.lower() in _NOT_NAMES or name[0].islower():
                return m.group("pet").lower(), None
            return m.group("pet").lower(), name
        if m.group("pet2"):
            return m.group("pet2").lower(), m.group("name2")
        return m.group("pet3").lower(), None
    return None


def find_relation(text: str) -> str | None:
    """Find the first family member a text names.

    Parameters
    ----------
    text : str
        Part of a sentence.

    Returns
    -------
    str or None
        The relation in lower case (``"husband"``, ``"mother-in-law"``), or ``None``.

    Examples
    --------
    >>> find_relation("Mrs. Patel's husband is having knee surgery")
    'husband'
    """
    m = _RELATION.search(text)
    return m.group("rel").lower() if m else None
