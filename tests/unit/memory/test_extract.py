"""Extraction: every kind, the business traps, negations, several moments per note."""

from __future__ import annotations

from datetime import date

import pytest

from carpe.memory import Extractor, Moment, extract_moments
from carpe.vocabulary import MOMENT_KINDS as KINDS

MONDAY = date(2026, 3, 2)


def kinds(note: str, on: date = MONDAY) -> list[str]:
    return [m.kind for m in extract_moments(note, on)]


def only(note: str, on: date = MONDAY) -> Moment:
    moments = extract_moments(note, on)
    assert len(moments) == 1, moments
    return moments[0]


def test_extract_moments_finds_pet_when_dog_is_sick() -> None:
    m = only("Called Dana about the Q2 reorder. Her dog Max is sick, vet on Thursday.")
    assert m.kind == "pet"
    assert m.subject == "dog Max"
    assert m.when == date(2026, 3, 5)
    assert m.follow_up_on == date(2026, 3, 6)
    assert not m.sensitive


@pytest.mark.parametrize(
    ("note", "kind"),
    [
        ("Her husband is having knee surgery next Tuesday.", "health"),
        ("Adopted a rescue puppy called Biscuit over the weekend.", "pet"),
        ("Tom from Acme just got engaged!", "family"),
        ("Mr. Okafor's mother passed away last week.", "loss"),
        ("Maria's birthday is on Friday, she turns 50.", "celebration"),
        ("Jenna is training for her first marathon in October.", "milestone"),
        ("Sarah's car was stolen over the weekend.", "hardship"),
        ("Ben is off to Portugal for two weeks from next Monday.", "travel"),
        ("She is an avid gardener and loves roses.", "interest"),
        ("Bill prefers invoices as PDF attachments, never paper.", "preference"),
    ],
)
def test_extract_moments_finds_each_of_the_ten_kinds(note: str, kind: str) -> None:
    assert kinds(note) == [kind]


def test_kinds_are_the_ten_of_the_issue_in_its_order() -> None:
    issue = "health pet family loss celebration milestone hardship travel interest preference"
    assert issue.split() == list(KINDS)


@pytest.mark.parametrize(
    "note",
    [
        "The migration project is our baby, said the CTO.",
        "Fire drill at their warehouse delayed the pickup by two hours.",
        "The deal died after procurement pushed back on payment terms.",
        "Moving the meeting to next Wednesday because their CFO is travelling.",
        "Our marathon quarter-end close starts Monday; hold all non-urgent tickets.",
        "Brightline Dental celebrates its 25th anniversary next month.",
        "Northfield GP Surgery renewed for another year; surgery reception wants prices.",
        "Called the surgery to confirm the delivery window for the vaccines fridge.",
        "Their office moved to Harbour Street; update the delivery address.",
        "Killing the old SKU next quarter; retiring the old product line anyway.",
        "Lost the Henderson bid to a cheaper competitor.",
        "Their warehouse had a fire last night, nobody hurt, orders paused.",
        "Ticket 8812: portal login loop on Safari. Workaround sent.",
    ],
)
def test_extract_moments_ignores_business_traps(note: str) -> None:
    assert extract_moments(note, MONDAY) == []


@pytest.mark.parametrize(
    "note",
    [
        "Asked Liam about kids for the shoot: no kids yet, he said.",
        "Karen is not planning a trip this year.",
        "If Jenny ever gets a dog she will need our pet insurance add-on.",
        "Would love to visit Italy someday but no plans, said Omar.",
        "Chris isn't sick anymore, just tired.",
        "No news on the wedding front, Jasmine says.",
        "Holiday plans cancelled: Kate's trip to Japan is off.",
        "Alan does not have any pets, so skip the brochure.",
    ],
)
def test_extract_moments_ignores_negations_and_hypotheticals(note: str) -> None:
    assert extract_moments(note, MONDAY) == []


def test_extract_moments_returns_nothing_for_a_plain_business_note() -> None:
    assert extract_moments("Invoice #4411 disputed, credit note issued.", MONDAY) == []
    assert extract_moments("", MONDAY) == []


def test_extract_moments_finds_every_moment_of_a_multi_moment_note() -> None:
    note = "Jake is getting married on Saturday, off all next week for the honeymoon in Mexico."
    moments = extract_moments(note, date(2026, 1, 30))
    assert [m.kind for m in moments] == ["family", "travel"]
    assert moments[0].when == date(2026, 1, 31)
    assert moments[1].when is None


def test_extract_moments_keeps_interest_and_preference_apart() -> None:
    note = "Huge Packers fan. Usual order is the 40-pack of HEPA filters, delivered Tuesdays."
    moments = extract_moments(note, MONDAY)
    assert [m.kind for m in moments] == ["interest", "preference"]
    assert all(m.when is None and m.follow_up_on is None for m in moments)


def test_extract_moments_evidence_is_an_exact_substring_of_the_note() -> None:
    note = "Whiskers, Mrs. Lopez's cat, had surgery yesterday and is recovering."
    m = only(note)
    assert m.kind == "pet"
    assert m.subject == "cat Whiskers"
    assert m.evidence in note
    assert m.when == date(2026, 3, 1)


def test_extract_moments_marks_health_and_loss_sensitive() -> None:
    health = only("Frank is recovering from a heart attack.")
    loss = only("Janet's husband passed away on Tuesday after a long illness.")
    assert (health.kind, health.sensitive) == ("health", True)
    assert (loss.kind, loss.sensitive) == ("loss", True)
    assert loss.subject == "husband"


def test_extract_moments_turns_an_accident_with_an_injury_into_health() -> None:
    assert kinds("Jacob was in a car accident on Monday, broke his wrist.") == ["health"]
    assert kinds("Noel had a minor car crash on Monday, nobody was hurt.") == ["hardship"]


def test_extract_moments_counts_a_pets_death_as_loss() -> None:
    m = only("Mrs. Green's budgie Kiwi died on Thursday.")
    assert (m.kind, m.subject) == ("loss", "budgie Kiwi")


def test_extract_moments_separates_a_childs_graduation_from_the_contacts_own() -> None:
    assert kinds("Derek's son graduates from the police academy tomorrow.") == ["family"]
    assert kinds("Kevin passed his bar exam!") == ["milestone"]


def test_extract_moments_handles_first_person_statements() -> None:
    assert kinds("i have two dogs and i love country music .") == ["pet", "interest"]
    assert only("i only eat kosher .").kind == "preference"


def test_extract_moments_skips_the_question_part_of_a_sentence() -> None:
    assert kinds("what is your favorite color ?") == []
    assert kinds("i like chocolate , do you ?") == ["interest"]


def test_moment_to_dict_gives_the_json_fields_of_the_issue() -> None:
    m = only("Her husband is having knee surgery next Tuesday.", date(2026, 1, 14))
    d = m.to_dict()
    assert list(d) == [
        "kind",
        "subject",
        "summary",
        "when",
        "follow_up_on",
        "sensitive",
        "confidence",
        "evidence",
    ]
    assert d["when"] == "2026-01-20"
    assert d["follow_up_on"] == "2026-01-21"
    assert 0.0 <= d["confidence"] <= 1.0


def test_extractor_extract_many_matches_one_by_one_and_is_deterministic() -> None:
    notes = [
        ("Priya's daughter had twins on Saturday!", date(2026, 10, 1)),
        ("Pricing review with procurement.", date(2026, 10, 1)),
        ("Gloria's house had a fire last night.", date(2026, 10, 21)),
    ]
    ex = Extractor()
    batch = list(ex.extract_many(notes))
    assert batch == [extract_moments(n, d) for n, d in notes]
    assert batch == list(Extractor().extract_many(notes))
    assert [len(b) for b in batch] == [1, 0, 1]


def test_extract_moments_does_not_repeat_a_family_moment_that_names_nobody() -> None:
    moments = extract_moments("Tom got engaged! Wedding next summer.", MONDAY)
    assert [(m.kind, m.subject) for m in moments] == [("family", "Tom")]


def test_memory_package_exports_its_public_api() -> None:
    import carpe.memory

    assert len(set(carpe.memory.__all__)) == len(carpe.memory.__all__)
    assert {"extract_moments", "Extractor", "Moment", "find_resolutions"} <= set(
        carpe.memory.__all__
    )
