"""Retention stories, pure code: mining, ranking, drafts backed by evidence, anonymisation, search."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
import pytest

from carpe.analytics.pipeline.stories_step import TOUCHPOINT_COLUMNS
from carpe.analytics.stories import (
    ConflictSignal,
    Record,
    Redactor,
    SemanticIndex,
    Sentence,
    StoryInputs,
    WordIndex,
    choose_theme,
    employee_routine,
    make_index,
    mine_stories,
    quote_of,
    redact_amounts,
    satisfaction,
    unsupported_sentences,
)

AS_OF = date(2025, 12, 1)
EMPLOYEES = pd.DataFrame(
    {
        "employee_id": ["E1", "E2", "E3"],
        "name": ["Nora Berg", "Erik Olsen", "Sam Lee"],
        "department": ["Billing", "Sales", "Support"],
    }
)


def _tp(rows: list[tuple[Any, ...]]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=list(TOUCHPOINT_COLUMNS))
    frame["occurred_at"] = pd.to_datetime(frame["occurred_at"])
    return frame


def _routine_rows() -> list[tuple[Any, ...]]:
    """Everyone's ordinary weekday work: short notes, in office hours, by e-mail."""
    rows = []
    start = datetime(2025, 1, 6, 10, 0)
    for n in range(60):
        day = start + timedelta(days=7 * (n // 3), hours=n % 3)
        for emp, account in (("E1", "A9"), ("E2", "A9"), ("E3", "A9")):
            rows.append(
                (
                    f"R{emp}{n:03d}",
                    account,
                    None,
                    emp,
                    day,
                    "email",
                    "invoice",
                    "outbound",
                    "Routine",
                    "Sent as usual.",
                    0.2,
                )
            )
    return rows


def _hero(account: str, prefix: str, start: datetime) -> list[tuple[Any, ...]]:
    saturday = start + timedelta(days=(5 - start.weekday()) % 7)
    return [
        (
            f"{prefix}1",
            account,
            "C1",
            "E1",
            start,
            "phone",
            "ticket",
            "inbound",
            "Urgent",
            "Very upset call: they were double-invoiced for March and talk to another supplier.",
            -0.7,
        ),
        (
            f"{prefix}2",
            account,
            None,
            "E1",
            saturday.replace(hour=8, minute=30),
            "in_person",
            "visit",
            "outbound",
            "Beyond",
            "Went through every invoice on my own time, found the duplicate and brought the "
            "refund cheque over in person on Saturday morning.",
            0.5,
        ),
        (
            f"{prefix}3",
            account,
            None,
            "E2",
            saturday + timedelta(days=1, hours=11),
            "email",
            "other",
            "internal",
            "Coordination",
            "Nora asked us to help; we fixed our side the same day.",
            0.3,
        ),
        (
            f"{prefix}4",
            account,
            "C1",
            "E1",
            saturday + timedelta(days=2, hours=14),
            "email",
            "other",
            "inbound",
            "Thanks",
            "Customer confirmed everything is sorted.",
            0.8,
        ),
    ]


def _history(*, leaves: bool = False) -> StoryInputs:
    start = datetime(2025, 3, 6, 10, 0)  # a Thursday
    rows = _routine_rows() + _hero("A1", "H", start)
    rows += [
        (
            "N1",
            "A2",
            "C2",
            "E3",
            start,
            "chat",
            "ticket",
            "inbound",
            "Ticket",
            "The portal is slow today.",
            -0.6,
        ),
        (
            "N2",
            "A2",
            None,
            "E3",
            start + timedelta(hours=2),
            "chat",
            "ticket",
            "outbound",
            "Ticket",
            "Sent as usual.",
            0.1,
        ),
        (
            "N3",
            "A2",
            "C2",
            "E3",
            start + timedelta(days=1),
            "chat",
            "ticket",
            "inbound",
            "Ticket",
            "Works now, thanks.",
            0.6,
        ),
    ]
    rows += [
        (
            "L9",
            "A1",
            None,
            "E2",
            datetime(2025, 11, 20, 9, 0),
            "email",
            "quote",
            "outbound",
            "Quote",
            "Quote sent.",
            0.2,
        ),
        (
            "L8",
            "A2",
            None,
            "E3",
            datetime(2025, 11, 21, 9, 0),
            "email",
            "quote",
            "outbound",
            "Quote",
            "Quote sent.",
            0.2,
        ),
    ]
    feedback = pd.DataFrame(
        {
            "feedback_id": ["F1", "F2"],
            "account_id": ["A1", "A2"],
            "contact_id": ["C1", "C2"],
            "received_at": pd.to_datetime(["2025-03-18 18:00", "2025-03-18 18:00"]),
            "survey": ["nps", "nps"],
            "score": [10.0, 8.0],
            "comment": [
                "Nora in billing found the errors before we did. That is why we stay.",
                "Fine.",
            ],
        }
    )
    accounts = pd.DataFrame(
        {
            "account_id": ["A1", "A2", "A9"],
            "name": ["Acme Tools GmbH", "Beta Bakery", "Routine Corp"],
            "ended_on": [date(2025, 4, 20) if leaves else None, None, None],
        }
    )
    contacts = pd.DataFrame(
        {"account_id": ["A1", "A2"], "first_name": ["Lea", "Tom"], "last_name": ["Vogel", "Ray"]}
    )
    return StoryInputs(
        as_of=AS_OF,
        accounts=accounts,
        employees=EMPLOYEES,
        touchpoints=_tp(rows),
        feedback=feedback,
        contacts=contacts,
    )


def test_mine_stories_finds_the_episode_beyond_routine_and_not_routine_handling() -> None:
    stories = mine_stories(_history())
    assert [s.episode.account_id for s in stories] == ["A1"]
    story = stories[0]
    e = story.episode
    assert e.hero_id == "E1" and e.employee_ids == ("E1", "E2")
    assert e.problem_ids == ("H1",) and e.effort_ids == ("H2",) and e.helper_ids == ("H3",)
    assert e.resolution_id == "H4" and e.words_id == "F1"
    assert {"off-hours", "in person", "long note", "crossing departments"} <= set(e.effort_signals)
    assert "praised by name" in e.outcomes and "stayed" in e.outcomes
    assert e.theme == "billing trust"
    assert story.story_id.startswith("ST") and set(story.touchpoint_ids) >= {"H1", "H2", "H3"}
    assert story.feedback_ids == ("F1",)


def test_mine_stories_tells_no_story_of_a_customer_who_left() -> None:
    assert mine_stories(_history(leaves=True)) == []


def test_story_id_is_stable_when_later_history_arrives() -> None:
    first = mine_stories(_history())[0]
    later = _history()
    extra = _hero("A2", "X", datetime(2025, 9, 4, 10, 0))
    later.touchpoints = pd.concat([later.touchpoints, _tp(extra)], ignore_index=True)
    again = {s.episode.account_id: s for s in mine_stories(later)}
    assert again["A1"].story_id == first.story_id
    assert "A2" in again and again["A2"].story_id != first.story_id


def test_ranking_puts_the_praised_turnaround_above_one_without_words() -> None:
    history = _history()
    extra = _hero("A2", "X", datetime(2025, 9, 4, 10, 0))
    history.touchpoints = pd.concat([history.touchpoints, _tp(extra)], ignore_index=True)
    ranked = mine_stories(history)
    assert [s.episode.account_id for s in ranked] == ["A1", "A2"]
    assert ranked[0].episode.scores.words > ranked[1].episode.scores.words


@pytest.mark.parametrize("month", [2, 3])
def test_a_conflict_known_only_by_month_joins_the_episode(month: int) -> None:
    history = _history()
    history.conflicts = [
        ConflictSignal("CF1", "duplicate_invoice", "A1", datetime(2025, month, 1), 0.9)
    ]
    story = mine_stories(history)[0]
    assert story.episode.conflict_ids == ("CF1",)
    assert "duplicate_invoice" in story.episode.problem_kinds
    assert story.episode.scores.problem >= 0.9
    assert story.episode.effort_ids == ("H2",)  # the window starts at the complaint


def _with_moment(kind: str, sentiment: float) -> StoryInputs:
    history = _history()
    tp = history.touchpoints
    tp.loc[tp["touchpoint_id"] == "H1", "sentiment"] = sentiment
    history.moments = pd.DataFrame(
        {
            "account_id": ["A1"],
            "touchpoint_id": ["H1"],
            "kind": [kind],
            "evidence": ["they were double-invoiced for March"],
        }
    )
    return history


def test_hardship_moment_makes_a_personal_care_story_quoting_the_moment() -> None:
    story = mine_stories(_with_moment("hardship", -0.6))[0]
    assert story.episode.theme == "personal care"
    assert "“they were double-invoiced for March”" in story.sentences[0].text
    assert "“[name]" not in story.anonymous_sentences[0].text
    assert "double-invoiced for March" in story.anonymous_sentences[0].text


def test_a_larger_complaint_keeps_its_theme_and_sensitive_moments_stay_unquoted() -> None:
    story = mine_stories(_with_moment("health", -0.9))[0]
    assert story.episode.theme == "billing trust"
    assert story.episode.problem_kinds == ("complaint", "hardship")
    assert "double-invoiced" in story.sentences[0].text  # internal: owner and managers
    assert "“" not in story.anonymous_sentences[0].text  # never quoted outside


def _records(stories: Any, history: StoryInputs) -> dict[str, Record]:
    names = dict(zip(EMPLOYEES["employee_id"], EMPLOYEES["name"], strict=True))
    depts = dict(zip(EMPLOYEES["employee_id"], EMPLOYEES["department"], strict=True))
    out: dict[str, Record] = {}
    for row in history.touchpoints.itertuples(index=False):
        emp = row.employee_id
        out[row.touchpoint_id] = Record(
            row.touchpoint_id,
            "touchpoint",
            row.occurred_at.to_pydatetime(),
            row.note or "",
            emp,
            names.get(emp),
            depts.get(emp),
        )
    for row in history.feedback.itertuples(index=False):
        out[row.feedback_id] = Record(
            row.feedback_id,
            "feedback",
            row.received_at.to_pydatetime(),
            row.comment,
            survey=row.survey,
            score=row.score,
        )
    return out


def test_every_sentence_of_the_draft_is_backed_by_the_records_it_cites() -> None:
    history = _history()
    story = mine_stories(history)[0]
    records = _records([story], history)
    names = dict(zip(EMPLOYEES["employee_id"], EMPLOYEES["name"], strict=True))
    depts = dict(zip(EMPLOYEES["employee_id"], EMPLOYEES["department"], strict=True))
    assert len(story.sentences) >= 5
    assert unsupported_sentences(story.sentences, records, employees=names, departments=depts) == []
    redactor = Redactor.for_story(employees=names, contacts=["Lea Vogel"], companies=["Acme"])
    hidden = unsupported_sentences(
        story.anonymous_sentences, records, employees=names, transform=redactor.redact
    )
    assert hidden == []
    assert "Saturday" in story.sentences[1].text and "at 08:30" in story.sentences[1].text
    assert "Nora Berg (Billing)" in story.narrative


def test_draft_tells_the_episode_in_date_order_whatever_the_role_of_each_record() -> None:
    from carpe.analytics.stories import draft_story

    history = _history()
    story = mine_stories(history)[0]
    records = _records([story], history)
    # a helper from another department who worked on it before the effort
    first_effort = records[story.episode.effort_ids[0]]
    helper = replace(first_effort, record_id="H1", at=first_effort.at - timedelta(hours=1))
    episode = replace(story.episode, helper_ids=("H1",))
    redrafted = draft_story("S", episode, records | {"H1": helper}, account_name="Acme")
    cited = [
        s.touchpoint_ids[0] if s.touchpoint_ids else s.feedback_ids[0] for s in redrafted.sentences
    ]
    times = [(records | {"H1": helper})[rid].at for rid in cited]
    assert times == sorted(times)
    assert cited.index("H1") < cited.index(story.episode.effort_ids[0])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("On 6 March 2025, they wrote: “We love you.”", "quotes words"),
        ("On 7 March 2025, they called.", "states a date"),
        ("On Friday 6 March 2025, they called.", "wrong weekday"),
        ("On 6 March 2025 at 11:00, they called.", "states a time"),
        ("On 6 March 2025, Erik Olsen (Sales) called.", "names Erik Olsen"),
        ("On 6 March 2025, Nora Berg (Sales) called.", "department"),
        ("They gave 9 out of 10.", "states a score"),
    ],
)
def test_check_catches_sentences_their_records_do_not_back(text: str, reason: str) -> None:
    records = {
        "T1": Record(
            "T1",
            "touchpoint",
            datetime(2025, 3, 6, 10, 0),
            "It broke.",
            "E1",
            "Nora Berg",
            "Billing",
        ),
        "F1": Record(
            "F1", "feedback", datetime(2025, 3, 6, 10, 0), "Great", survey="nps", score=10.0
        ),
    }
    names = {"E1": "Nora Berg", "E2": "Erik Olsen"}
    depts = {"E1": "Billing", "E2": "Sales"}
    found = unsupported_sentences(
        [Sentence(text, ("T1",), ("F1",))], records, employees=names, departments=depts
    )
    assert len(found) == 1 and reason in found[0].reason


def test_check_refuses_a_sentence_without_evidence_or_citing_nothing_real() -> None:
    found = unsupported_sentences([Sentence("They stayed."), Sentence("Yes.", ("T9",))], {})
    assert [f.reason.split(":")[0] for f in found] == [
        "cites no evidence",
        "cites records that do not exist",
    ]


def test_anonymised_draft_names_no_person_company_or_amount() -> None:
    story = mine_stories(_history())[0]
    text = story.anonymous_title + " " + story.anonymous_narrative
    for word in ("Nora", "Berg", "Erik", "Acme", "Lea"):
        assert word not in text
    assert "a colleague in Billing" in text and "[name] in billing" in text
    redactor = Redactor.for_story(
        employees={"E1": "Nora Berg"}, contacts=["Lea Vogel"], companies=["Acme Tools GmbH"]
    )
    assert redactor.redact("Lea at Acme Tools paid €1,200.50 to nora@x.io") == (
        "[name] at [company] paid [amount] to [e-mail]"
    )
    assert redactor.leaks("Nora refunded 300 EUR") == ["Nora", "300 EUR"]
    assert redact_amounts("a refund of $40") == "a refund of [amount]"


def test_word_index_finds_stories_by_their_words() -> None:
    index = WordIndex().fit(
        ["S1", "S2", "S3"],
        ["refund of a double invoice", "drove the spare part over on Saturday", "a late order"],
    )
    assert [i for i, _ in index.search("double invoice refund")] == ["S1"]
    assert index.search("") == []
    assert WordIndex().fit([], []).search("refund") == []


def test_semantic_index_is_used_when_an_encoder_is_given() -> None:
    vocabulary = {"money": 0, "refund": 0, "invoice": 0, "truck": 1, "part": 1, "drove": 1}

    def encoder(texts: Any) -> np.ndarray:
        out = np.zeros((len(texts), 2))
        for n, text in enumerate(texts):
            for word in text.lower().split():
                if word in vocabulary:
                    out[n, vocabulary[word]] += 1
        return out

    index = make_index(["S1", "S2"], ["refund invoice", "drove the part"], encoder=encoder)
    assert isinstance(index, SemanticIndex) and index.kind == "semantic"
    assert index.search("money")[0][0] == "S1"  # no shared word: matched by meaning
    assert index.search("truck")[0][0] == "S2"
    assert make_index(["S1"], ["refund"]).kind == "words"


def test_themes_satisfaction_quotes_and_routine() -> None:
    assert choose_theme(["hardship"], ["x"], ["Sales"]) == "personal care"
    assert choose_theme(["overbilling"], [""], ["Support"]) == "billing trust"
    assert choose_theme(["complaint"], ["Their line is down"], ["Field Service"]) == (
        "delivery rescue"
    )
    assert choose_theme(["complaint"], ["The order is late"], ["Operations"]) == (
        "going the extra mile"
    )
    assert satisfaction("csat", 1) == 0.0 and satisfaction("review", 5) == 1.0
    assert np.isnan(satisfaction("nps", float("nan")))
    assert quote_of("One. Two is longer than the limit allows.", 10) == "One."
    routine = employee_routine(_history().touchpoints).set_index("employee_id")
    assert routine.loc["E3", "off_hours_share"] == 0.0
    assert routine.loc["E1", "note_mean"] > 14


def test_min_effort_setting_filters_out_the_story() -> None:
    from carpe.analytics.stories import StorySettings

    assert mine_stories(_history(), replace(StorySettings(), min_effort=0.99)) == []
