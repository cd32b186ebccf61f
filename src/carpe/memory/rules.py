"""The extraction rules: one compiled pattern per way of saying a moment.

A rule fires on a sentence when one of its ``keys`` (cheap lower-case prefixes of
words) occurs in it and its pattern matches. The pattern's ``cue`` group is the phrase
that triggered it; an ``obj`` group, when present, is the subject (``"fly fishing"``).
A rule's ``guard`` is a pattern that, found anywhere in the sentence, marks the
look-alike business phrase ("fire drill", "GP surgery", "retiring the old SKU").

The rules live in three modules by concept: :mod:`carpe.memory.rules_life`,
:mod:`carpe.memory.rules_change`, :mod:`carpe.memory.rules_facts` and
:mod:`carpe.memory.rules_people` (shorthand, first person, chat).
"""

from __future__ import annotations

from carpe.memory.rule import BUSINESS_OBJECT, Rule
from carpe.memory.rules_change import CHANGE_RULES
from carpe.memory.rules_facts import FACT_RULES
from carpe.memory.rules_life import LIFE_RULES
from carpe.memory.rules_people import PEOPLE_RULES

__all__ = ["BUSINESS_OBJECT", "RULES", "Rule"]

RULES: tuple[Rule, ...] = LIFE_RULES + CHANGE_RULES + FACT_RULES + PEOPLE_RULES
"""Every rule, grouped by kind; within a sentence the most confident rule of a kind wins."""
