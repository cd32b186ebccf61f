"""What a rule is, and the pattern fragments the rules share.

A rule fires on a sentence when one of its ``keys`` (cheap lower-case substrings)
occurs in it and its pattern matches. The pattern's ``cue`` group is the phrase the
summary quotes; an ``obj`` group, when present, is the subject (``"fly fishing"``).
A rule's ``guard`` is a pattern that, found anywhere in the sentence, marks the
look-alike business phrase ("fire drill", "GP surgery", "retiring the old SKU").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from carpe.memory.lexicon import BUSINESS_PLACES
from carpe.vocabulary import MomentKind

__all__ = ["BUSINESS_OBJECT", "NAME", "OBJ", "PET_KEYS", "Rule", "make_rule"]

NAME = r"(?-i:[A-Z][a-z]+)"
POSS = r"(?:his|her|their|my|our|the|a|an|(?-i:[A-Z][a-z]+)(?:'s|’s))"
BE = r"(?:is|are|was|were|'s|’s|'re|’re|am|has been|have been|will be|be)"
OBJ = r"(?P<obj>[\w'’&-]+(?:\s+[\w'’&-]+){0,3})"


@dataclass(frozen=True, slots=True)
class Rule:
    """One way of saying a moment.

    Attributes
    ----------
    kind : str
        The kind of moment the rule finds.
    keys : tuple of str
        Lower-case substrings, one of which must occur for the pattern to be tried.
    pattern : re.Pattern
        The pattern, with a ``cue`` group and optionally an ``obj`` group.
    confidence : float
        The confidence given to what it finds.
    durable : bool
        ``True`` for facts (no date, no follow-up).
    negatable : bool
        Whether a negation or hypothetical before it cancels it.
    guard : re.Pattern or None
        A business look-alike; when found in the sentence the rule does not fire.
    accident : bool
        ``True`` for accident rules, which give way to an injury (a health moment).
    """

    kind: MomentKind
    keys: tuple[str, ...]
    pattern: re.Pattern[str]
    confidence: float
    durable: bool = False
    negatable: bool = True
    guard: re.Pattern[str] | None = None
    accident: bool = False


def make_rule(
    kind: MomentKind,
    keys: str,
    pattern: str,
    confidence: float,
    *,
    durable: bool = False,
    negatable: bool = True,
    guard: str | None = None,
    accident: bool = False,
) -> Rule:
    return Rule(
        kind=kind,
        keys=tuple(keys.split("|") if "|" in keys else keys.split()),
        pattern=re.compile(pattern, re.IGNORECASE),
        confidence=confidence,
        durable=durable,
        negatable=negatable,
        guard=re.compile(guard, re.IGNORECASE) if guard else None,
        accident=accident,
    )


SURGERY_GUARD = (
    r"\b(?:gp|dental|doctor'?s|doctors'|vet'?s|veterinary|medical)\s+surgery\b"
    r"|\bsurgery\s+(?:hours|reception|staff|renewed|manager|team|phone|opening|closed|is a client)"
    r"|\b(?:called|call|phoned|rang|visited|at|to)\s+the\s+surgery\b"
)
BODY = (
    r"(?:leg|arm|wrist|ankle|hip|rib|ribs|collarbone|nose|foot|hand|finger|toe|back|shoulder"
    r"|elbow|knee|jaw|pelvis|neck|skull|thumb|heel)"
)
CONDITIONS = (
    r"cancer|chemo(?:therapy)?|radiotherapy|dialysis|leuka?emia|tumou?r|(?<!of )stroke(?! of)"
    r"|heart attack|pneumonia|dementia|alzheimer'?s|parkinson'?s|covid|the flu|concussion"
    r"|appendicitis|sepsis|diabetes|multiple sclerosis|migraines|shingles|bronchitis"
    r"|whiplash|miscarriage|hip replacement|knee replacement|a heart condition|long covid"
    r"|broken " + BODY + r"|fractured " + BODY + r"|sprained " + BODY
)
PET_NEWS = (
    r"sick|ill|unwell|poorly|vet|vet's|surgery|operation|injured|hurt|lame|limping|missing"
    r"|got lost|is lost|ran away|escaped|diagnosed|recovering|hit by a car|swallowed|poisoned"
    r"|had (?:puppies|kittens|a litter)|pregnant|arthritis|diabetes|cancer|tumou?r|stitches"
    r"|cone|spayed|neutered|medication|insulin|seizures?|not eating|broke|broken"
)
BUSINESS_BEFORE_MOVE = (
    r"\b(?:" + BUSINESS_PLACES + r")\s+(?:is\s+|are\s+|was\s+|were\s+|has\s+|have\s+)?"
    r"(?:moving|moved|relocat\w+)"
)
WEEKDAYS_MONTHS = (
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march|april"
    r"|may|june|july|august|september|october|november|december"
)
WEEKDAYS_CAP = (
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April"
    r"|May|June|July|August|September|October|November|December|Safari|Chrome|Teams|Zoom"
)
CHANNELS = (
    r"(?:email|e-mail|phone|calls?|texts?|sms|whatsapp|letters?|video calls?|in person"
    r"|voicemail|pdf|paper|post|mobile)"
)
LANGUAGES = r"(?:spanish|french|german|polish|portuguese|italian|arabic|mandarin|cantonese)"
BUSINESS_OBJECT_TEXT = (
    r"^(?:our|your|us|it|this|that|these|those|them|the new|working|the (?:product|service"
    r"|platform|app|tool|portal|idea|approach|format|dashboard|report|results|demo|quote"
    r"|proposal|update|changes|new|price|pricing|team|support|rollout|system))\b"
    r"|^(?:to be|being|to get|to have|to receive|it when|when)\b"
)
BUSINESS_OBJECT = re.compile(BUSINESS_OBJECT_TEXT + r"|^" + CHANNELS + r"\b", re.IGNORECASE)

TRAVEL_GUARD = (
    r"\b(?:business|work|sales|buying|site|company|team|offsite|off-site)\s+trip"
    r"|\bfor (?:the|a|an|our|their) (?:meeting|conference|trade ?show|expo|summit|site visit"
    r"|audit|training|workshop|demo|install(?:ation)?|kick-?off|review|presentation)"
    r"|\b(?:conference|trade ?show|site visit|customer visit|on business|for work)\b"
    r"|\b(?:holiday|change|code|release|year-end) freeze\b"
    r"|\bholiday (?:hours|schedule|closure|opening|rota|cover|season|sale|promo|orders?|stock"
    r"|catalogue|rush|period|party|menu|campaign)"
    r"|\bcruise control|\b(?:cancel(?:l)?ed|called off|postponed|fell through|scrapped)\b"
    r"|\btrip (?:is|was) off\b"
)

PET_KEYS = (
    "dog|cat|pupp|pup|kitten|kitty|lab|labrador|retriever|terrier|spaniel|poodle|beagle|collie"
    "|dachshund|pug|husk|bulldog|greyhound|chihuahua|sheepdog|whippet|horse|pony|ponies|budgie"
    "|parrot|rabbit|bunny|hamster|guinea|tortoise|turtle|goldfish|ferret|cockatiel|gerbil|pet"
)
