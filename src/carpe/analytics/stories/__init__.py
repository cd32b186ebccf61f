"""Retention stories: episodes mined from each account's history, ranked, drafted with evidence.

See docs/stories.md. :func:`mine_stories` finds and drafts the stories;
:func:`unsupported_sentences` checks a draft against its evidence;
:class:`Redactor` anonymises; :func:`make_index` searches by words (or meaning,
when an embedding model is installed).
"""

from __future__ import annotations

from carpe.analytics.stories.anonymise import Redactor, company_names, redact_amounts
from carpe.analytics.stories.check import Finding, unsupported_sentences
from carpe.analytics.stories.draft import draft_story, quote_of
from carpe.analytics.stories.inputs import ConflictSignal, StoryInputs
from carpe.analytics.stories.mine import find_problems, mine_stories
from carpe.analytics.stories.model import (
    Episode,
    Record,
    Scores,
    Sentence,
    Story,
    StorySettings,
    story_id,
)
from carpe.analytics.stories.search import (
    SemanticIndex,
    StoryIndex,
    WordIndex,
    load_encoder,
    make_index,
)
from carpe.analytics.stories.signals import employee_routine, satisfaction
from carpe.analytics.stories.themes import choose_theme

__all__ = [
    "ConflictSignal",
    "Episode",
    "Finding",
    "Record",
    "Redactor",
    "Scores",
    "SemanticIndex",
    "Sentence",
    "Story",
    "StoryIndex",
    "StoryInputs",
    "StorySettings",
    "WordIndex",
    "choose_theme",
    "company_names",
    "draft_story",
    "employee_routine",
    "find_problems",
    "load_encoder",
    "make_index",
    "mine_stories",
    "quote_of",
    "redact_amounts",
    "satisfaction",
    "story_id",
    "unsupported_sentences",
]
