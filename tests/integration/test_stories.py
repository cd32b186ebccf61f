"""Retention stories on a store: found by the pipeline, recorded with stable ids, consent, erasure.

Runs on SQLite and (with CARPE_TEST_POSTGRES_URL) PostgreSQL, on a small
simulated business (b2b, 120 accounts, seed 5: three planted hero episodes).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from carpe.analytics.conflicts import ConflictReport
from carpe.analytics.pipeline import PIPELINE
from carpe.errors import NotFoundError, UsageError
from carpe.services import personal_data, story_consent
from carpe.services import stories as service
from carpe.services.analysis import run_analysis
from carpe.services.data import import_data
from carpe.services.permissions import SYSTEM, Viewer
from carpe.store.access import AuditEntry
from carpe.store.models import Account, Touchpoint
from carpe.store.stories import StoredStory, StoryConsent
from tests.factories import simulated_business

pytestmark = pytest.mark.filterwarnings(
    "ignore:fetch_arrow_table\\(\\) is deprecated:DeprecationWarning"
)

SEED = 5
END = date(2026, 3, 31)
AS_OF = date(2026, 4, 1)


@pytest.fixture(scope="module")
def business(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small simulated B2B business (120 accounts, 24 months, seed 5)."""
    return simulated_business(tmp_path_factory.mktemp("business"), accounts=120, seed=SEED, end=END)


@pytest.fixture
def analysed(engine: Engine, business: Path, tmp_path: Path) -> Engine:
    """The business imported (memory extracted) and analysed for stories."""
    import_data(engine=engine, folder=business, today=AS_OF)
    run_analysis(engine=engine, as_of=AS_OF, steps=["stories"], workdir=tmp_path / "run")
    return engine


def _heroes(folder: Path) -> dict[str, dict[str, object]]:
    truth = json.loads((folder / "ground_truth.json").read_text())
    return {h["account_id"]: h for h in truth["hero_episodes"]}


def test_stories_step_is_declared_and_needs_the_conflicts() -> None:
    assert "stories" in PIPELINE.names and PIPELINE["stories"].inputs == (ConflictReport,)
    assert [step.name for step in PIPELINE.plan(["stories"])] == ["conflicts", "stories"]


def test_the_top_stories_are_the_planted_hero_episodes_with_their_evidence(
    analysed: Engine, business: Path
) -> None:
    heroes = _heroes(business)
    with Session(analysed) as session:
        page = service.list_stories(viewer=SYSTEM, session=session, limit=len(heroes))
        assert page.total >= len(heroes)
        assert {s.account_id for s in page.items} == set(heroes)
        for story in page.items:
            planted = heroes[story.account_id]
            cited = set(story.evidence["touchpoint_ids"]) | set(story.evidence["feedback_ids"])
            assert cited & set(planted["touchpoint_ids"])  # type: ignore[arg-type]
            assert story.employee_ids[0] == planted["hero_employee_id"]
            assert all(s["touchpoint_ids"] or s["feedback_ids"] for s in story.sentences)
        evidence = service.story_evidence(
            viewer=SYSTEM, session=session, story_id=page.items[0].story_id
        )
        assert [e.at for e in evidence] == sorted(e.at for e in evidence)
        assert all(e.sentences for e in evidence)


def test_a_rerun_keeps_ids_consent_and_edits_and_never_duplicates(
    analysed: Engine, tmp_path: Path
) -> None:
    with Session(analysed) as session, session.begin():
        before = service.list_stories(viewer=SYSTEM, session=session, limit=1000)
        first = before.items[0].story_id
        story_consent.record_consent(
            viewer=SYSTEM, session=session, story_id=first, status="requested"
        )
        story_consent.record_consent(
            viewer=SYSTEM, session=session, story_id=first, status="granted", note="signed release"
        )
        story_consent.edit_title(
            viewer=SYSTEM, session=session, story_id=first, title="The Saturday refund"
        )
    run_analysis(engine=analysed, as_of=AS_OF, steps=["stories"], workdir=tmp_path / "again")
    with Session(analysed) as session:
        after = service.list_stories(viewer=SYSTEM, session=session, limit=1000)
        assert [s.story_id for s in after.items] == [s.story_id for s in before.items]
        assert session.scalar(select(func.count()).select_from(StoredStory)) == before.total
        story = service.get_story(viewer=SYSTEM, session=session, story_id=first)
        assert story.consent.status == "granted" and story.title == "The Saturday refund"
        assert [h["status"] for h in story.consent.history] == ["requested", "granted"]
        assert session.scalar(select(func.count()).select_from(StoryConsent)) == 2
        actions = set(session.scalars(select(AuditEntry.action)))
        assert {"story.consent.requested", "story.consent.granted"} <= actions


def test_consent_follows_its_workflow_and_ownership(analysed: Engine) -> None:
    with Session(analysed) as session:
        story = service.list_stories(viewer=SYSTEM, session=session, limit=1).items[0]
        owner = session.scalar(
            select(Account.owner_employee_id).where(Account.account_id == story.account_id)
        )
        other = "E-nobody"
        with pytest.raises(UsageError):
            story_consent.record_consent(
                viewer=SYSTEM, session=session, story_id=story.story_id, status="granted"
            )
        with pytest.raises(UsageError):
            story_consent.record_consent(
                viewer=SYSTEM, session=session, story_id=story.story_id, status="maybe"
            )
        stranger = Viewer(0, "ben", "frontline", other)
        with pytest.raises(NotFoundError):
            story_consent.record_consent(
                session=session, story_id=story.story_id, status="requested", viewer=stranger
            )
        me = Viewer(0, "ana", "frontline", owner)
        mine = service.list_stories(session=session, viewer=me, limit=1000).items
        assert story.story_id in {s.story_id for s in mine}
        assert service.list_stories(session=session, viewer=stranger).total == 0
        done = story_consent.record_consent(
            session=session, story_id=story.story_id, status="requested", viewer=me
        )
        assert done.consent.status == "requested" and done.consent.recorded_by == "ana"
        with pytest.raises(NotFoundError):
            story_consent.record_consent(
                session=session,
                story_id=story.story_id,
                status="granted",
                viewer=me,
                contact_id="C-not-theirs",
            )
        nobody = Viewer(0, "eve", "frontline", None)
        with pytest.raises(NotFoundError):
            service.get_story(session=session, story_id=story.story_id, viewer=nobody)
        with pytest.raises(NotFoundError):
            story_consent.edit_title(
                session=session, story_id=story.story_id, title="x", viewer=stranger
            )


def test_anonymised_version_hides_names_and_amounts_unless_allowed(analysed: Engine) -> None:
    with Session(analysed) as session, session.begin():
        story = service.list_stories(
            viewer=SYSTEM, session=session, theme="billing trust", limit=1
        ).items[0]
        anonymous = service.anonymised_story(
            viewer=SYSTEM, session=session, story_id=story.story_id
        )
        assert story.account_name not in anonymous.narrative
        hero = story.title.split(": ", 1)[1].split(" (")[0]
        assert hero and hero not in anonymous.narrative and hero.split()[0] not in anonymous.title
        assert not anonymous.external_use
        markdown = service.story_markdown(
            viewer=SYSTEM, session=session, story_id=story.story_id, anonymised=True
        )
        assert markdown.startswith("# ") and "Internal only" in markdown
        assert story.account_name not in markdown
        named = service.story_markdown(viewer=SYSTEM, session=session, story_id=story.story_id)
        assert story.account_name in named and story.evidence["touchpoint_ids"][0] in named


def test_erasing_a_contact_removes_their_words_from_the_stories(analysed: Engine) -> None:
    with Session(analysed) as session, session.begin():
        story = service.list_stories(viewer=SYSTEM, session=session, limit=1).items[0]
        quoted = session.scalar(
            select(Touchpoint.contact_id).where(
                Touchpoint.touchpoint_id.in_(story.evidence["touchpoint_ids"]),
                Touchpoint.contact_id.is_not(None),
            )
        )
        assert quoted is not None
        personal_data.erase_contact(session=session, viewer=SYSTEM, contact_id=quoted)
    with Session(analysed) as session:
        after = service.get_story(viewer=SYSTEM, session=session, story_id=story.story_id)
        assert after.redacted
        assert "“[erased]”" in after.narrative
        assert after.narrative != story.narrative


def test_search_finds_stories_by_words(analysed: Engine) -> None:
    with Session(analysed) as session:
        page = service.list_stories(viewer=SYSTEM, session=session, q="refund invoices")
        assert page.search == "words" and page.items
        assert page.items[0].theme == "billing trust"
        assert service.list_stories(viewer=SYSTEM, session=session, q="zzzz qqqq").total == 0
        with pytest.raises(UsageError):
            service.list_stories(viewer=SYSTEM, session=session, theme="heroics")
