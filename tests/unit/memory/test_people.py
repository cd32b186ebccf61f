"""How people really write: shorthand, first person, dates as written, openers that name."""

from __future__ import annotations

from datetime import date

import pytest

from carpe.memory import Extractor, extract_moments
from carpe.memory.dates import find_date_mentions
from carpe.memory.filing import named_contact, same_moment
from carpe.memory.opener import suggest_opener

DAY = date(2026, 3, 2)  # a Monday


@pytest.mark.parametrize(
    ("note", "kind", "when"),
    [
        ("cust said mum's knee op is April 1, asked us to ring after", "health", date(2026, 4, 1)),
        ("Ade's old dog Luna was pts on Monday at home, owner devastated", "loss", None),
        ('pasted: "sorry for the delay, we\'ve had a death in the family"', "loss", None),
        ("in-laws over from canada next fri so callum is slammed", "family", date(2026, 3, 6)),
        ("Declan turns 50 Sat 21st - party at the rugby club", "celebration", date(2026, 3, 21)),
        ("tom says their dog mochi had pups yday, 6 of them!!", "pet", date(2026, 3, 1)),
        (
            'cust email: "Hi, I\'m moving to York after Easter, pls update my address"',
            "milestone",
            None,
        ),
        ("i love rock climbing", "interest", None),
        ("pref text not calls", "preference", None),
    ],
)
def test_the_four_styles_are_read(note: str, kind: str, when: date | None) -> None:
    found = [m for m in extract_moments(note, DAY) if m.kind == kind]
    assert len(found) == 1
    if when is not None:
        assert found[0].when == when


@pytest.mark.parametrize(
    "note",
    [
        "the integration is sick - API throwing 502s since the weekend",
        "release is on holiday freeze until Jan",
        "go-live feels like a marathon",
        "We'd love to help with the rollout",
        "can we move the meeting to Friday",
    ],
)
def test_business_look_alikes_stay_out(note: str) -> None:
    assert extract_moments(note, DAY) == []


def test_an_all_number_date_follows_the_order_unless_it_cannot() -> None:
    assert Extractor(date_order="dmy").extract("surgery on 3/4", DAY)[0].when == date(2026, 4, 3)
    assert Extractor(date_order="mdy").extract("surgery on 3/4", DAY)[0].when == date(2026, 3, 4)
    assert Extractor(date_order="mdy").extract("surgery on 14/3", DAY)[0].when == date(2026, 3, 14)
    with pytest.raises(ValueError, match="date_order"):
        Extractor(date_order="ymd")


def test_a_vague_date_gives_a_window_not_a_day() -> None:
    (easter,) = find_date_mentions("after Easter", DAY)
    assert easter.when is None
    assert easter.horizon == date(2026, 4, 19)  # Easter Sunday 5 April + 14 days
    assert [m.when for m in find_date_mentions("in 2 wks", DAY)] == [date(2026, 3, 16)]
    assert [m.when for m in find_date_mentions("3 days ago", DAY)] == [date(2026, 2, 27)]
    assert find_date_mentions("we work 24/7", DAY) == []


@pytest.mark.parametrize(
    ("kind", "subject", "when", "sensitive", "expected"),
    [
        ("celebration", "turns 50", date(2026, 3, 1), False, "Ask how Lena's 50th birthday went."),
        ("pet", "dog Max", None, False, "Ask how Max is doing."),
        ("family", "in-laws", None, False, "Ask how Lena's in-laws are doing."),
        ("milestone", "first marathon", None, False, "Ask how Lena's first marathon went."),
        (
            "health",
            "husband",
            None,
            True,
            "If the moment is right, ask gently how Lena's husband is doing; don't press for "
            "details.",
        ),
    ],
)
def test_openers_are_sentences_naming_the_subject(
    kind: str, subject: str, when: date | None, sensitive: bool, expected: str
) -> None:
    opener = suggest_opener(
        kind=kind,
        subject=subject,
        summary="",
        sensitive=sensitive,
        when=when,
        today=date(2026, 3, 9),
        contact="Lena",
    )
    assert opener == expected


def test_a_moment_naming_another_contact_of_the_account_is_theirs() -> None:
    names = {"Ivan": "C1", "Felix": "C2"}
    assert named_contact("Ivan's cat Luna has an operation tomorrow", names, "C2") == "C1"
    assert named_contact("Felix says Ivan's cat is ill", names, "C2") is None  # his own call
    assert named_contact("Her dog Max is sick", names, "C2") is None


def test_the_same_event_told_twice_is_one_moment() -> None:
    assert same_moment("celebration", "turns 50", None, "celebration", "50th birthday", None)
    assert same_moment("pet", "dog Max", None, "pet", "Max", DAY)
    assert not same_moment("family", "wedding", None, "family", "baby", None)
    assert not same_moment("pet", "dog Max", None, "health", "Max", None)
