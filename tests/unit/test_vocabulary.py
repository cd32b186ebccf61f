"""The vocabulary has one home: change a declaration there and every layer follows."""

from __future__ import annotations

import json
import subprocess
import sys
from textwrap import dedent

from carpe.vocabulary import CONFLICT_TYPE_NAMES, CONFLICT_TYPES, MOMENT_KINDS, is_sensitive

# In a fresh process, health stops being sensitive and pet becomes so, *before* any
# other module is imported: whatever they read, they must read it from the vocabulary.
CHANGED = dedent(
    """
    import json
    from datetime import date

    import carpe.vocabulary as vocabulary

    vocabulary.SENSITIVE_KINDS = frozenset({"pet"})

    from carpe.analytics.stories import mine
    from carpe.memory import Extractor
    from carpe.services import accounts, brief
    from carpe.simulate.moments import RenderedMoment
    from carpe.store.memory import StoredMoment
    from sqlalchemy import select

    note = "Her dog Max is sick. Her husband is in hospital after a fall."
    found = {m.kind: m.sensitive for m in Extractor().extract(note, date(2026, 3, 2))}

    def kinds_in(statement):
        params = statement.compile().params.values()
        return sorted(k for v in params if isinstance(v, list) for k in v)

    print(json.dumps({
        "extracted": found,
        "stored": [StoredMoment(kind="pet").sensitive, StoredMoment(kind="health").sensitive],
        "store_sql": kinds_in(select(StoredMoment.id).where(StoredMoment.sensitive)),
        "brief_page": kinds_in(brief._MOMENTS),
        "account_page": kinds_in(accounts._SENSITIVE_IN_TOUCHPOINTS),
        "simulated": RenderedMoment("pet", "", "", None, "Max").sensitive,
        "story_drafts": mine.is_sensitive("pet"),
    }))
    """
)


def test_a_kinds_sensitivity_comes_from_the_one_declaration() -> None:
    done = subprocess.run(
        [sys.executable, "-c", CHANGED], capture_output=True, text=True, check=True
    )
    seen = json.loads(done.stdout)
    assert seen == {
        "extracted": {"pet": True, "health": False},
        "stored": [True, False],
        "store_sql": ["pet"],
        "brief_page": ["pet"],
        "account_page": ["pet"],
        "simulated": True,
        "story_drafts": True,
    }


def test_health_and_loss_are_the_sensitive_kinds() -> None:
    assert [k for k in MOMENT_KINDS if is_sensitive(k)] == ["health", "loss"]


def test_every_conflict_type_has_a_name() -> None:
    assert set(CONFLICT_TYPE_NAMES) == set(CONFLICT_TYPES)
