"""Components, praise by name, key-person risk, engagement link, recognition."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from carpe.analytics.specialists import (
    AccountDependence,
    SpecialistInputs,
    choose_windows,
    compare_components,
    dependent_value,
    find_praise,
    key_person_risk,
    link_engagement,
    name_variants,
    suggest_recognition,
)
from carpe.analytics.specialists.components import involved_months
from carpe.analytics.specialists.praise import PRAISE_HINT, PRAISE_WORDS

EMPLOYEES = pd.DataFrame(
    {
        "employee_id": ["E1", "E2", "E3", "E4"],
        "name": ["Ana Lopez", "Ana Berg", "Rebecca Stone", "Max Weber"],
        "department": ["Operations", "Billing", "Support", "Sales"],
        "role": ["dispatcher", "clerk", "agent", "rep"],
        "left_on": [None] * 4,
    }
)
INVOLVED = pd.DataFrame(
    {"account_id": ["A1", "A1", "A1", "A2", "A2"], "employee_id": ["E1", "E2", "E3", "E4", "E3"],
     "n": [5, 9, 2, 3, 1]}
)  # fmt: skip


def _texts(rows: list[tuple[str, str, str | None, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"source": s, "source_id": f"X{i}", "account_id": a, "employee_id": e,
             "at": "2026-01-05T10:00:00", "text": t}
            for i, (s, a, e, t) in enumerate(rows)
        ]
    )  # fmt: skip


def test_name_variants_include_common_nicknames() -> None:
    assert name_variants("Rebecca Stone") == ["Rebecca", "Becky"]
    assert name_variants("Ana Lopez") == ["Ana"]
    assert name_variants("") == []


def test_praise_links_a_name_to_the_employee_on_the_account_named_by_department() -> None:
    texts = _texts(
        [
            ("feedback", "A1", None, "Ana in dispatch saved us again!"),  # E1, not E2
            ("feedback", "A1", None, "Becky fixed it in one call."),  # nickname of E3
            ("note", "A2", "E4", "Max says thanks, Rebecca was brilliant."),  # praise in a note
            ("note", "A2", "E3", "Asked about Max. Max is fine now."),  # a contact, no praise
            ("feedback", "A2", None, "Ana was great."),  # no Ana served A2
        ]
    )
    found = find_praise(EMPLOYEES, texts, INVOLVED)
    assert [(m.employee_id, m.source_id) for m in found] == [
        ("E1", "X0"),
        ("E3", "X1"),
        ("E3", "X2"),
    ]


def test_praise_prefers_who_served_most_without_a_department_word() -> None:
    found = find_praise(EMPLOYEES, _texts([("feedback", "A1", None, "Thanks Ana!")]), INVOLVED)
    assert [m.employee_id for m in found] == ["E2"]  # E2 served A1 nine times, E1 five


def test_key_person_risk_measures_concentration_including_non_owners() -> None:
    accounts = pd.DataFrame(
        {
            "account_id": ["A1", "A2", "A3"],
            "name": ["Acme", "Beta", "Gone"],
            "owner_employee_id": ["E4", "E4", "E4"],
            "started_on": ["2020-01-01"] * 3,
            "ended_on": [None, None, "2025-01-01"],
            "annual_value": [1000.0, 500.0, 900.0],
        }
    )
    activity = pd.DataFrame(
        {"account_id": ["A1", "A1", "A2", "A2", "A3"], "employee_id": ["E1", "E4", "E4", "E3", "E1"],
         "positive": [4.0, 1.0, 1.0, 1.0, 9.0]}
    )  # fmt: skip
    found = key_person_risk(accounts, activity, [], date(2026, 4, 1))
    assert [(d.account_id, d.employee_id, d.share) for d in found] == [
        ("A1", "E1", 0.8),
        ("A2", "E3", 0.5),
    ]
    assert dependent_value(found) == {"E1": (1000.0, 1), "E3": (500.0, 1)}
    assert dependent_value([AccountDependence("A9", "x", "E9", 0.2, 5.0, None)]) == {}


def test_components_list_what_is_better_than_department_peers() -> None:
    w = choose_windows(date(2026, 4, 1), date(2024, 4, 1))
    staff = pd.DataFrame(
        {"employee_id": ["E1", "E2", "E3"], "name": ["A B", "C D", "E F"],
         "department": ["Support"] * 3, "role": ["agent"] * 3, "left_on": [None] * 3}
    )  # fmt: skip
    rows = []
    for e, fcr, sentiment in (("E1", 95, 0.6), ("E2", 40, 0.1), ("E3", 45, 0.1)):
        for a in range(20):
            rows.append({"account_id": f"{e}-{a}", "employee_id": e, "touches": 10,
                         "personal": 1, "proactive": 1, "sentiment_sum": 10 * sentiment,
                         "sentiment_n": 10, "positive": 1.0, "tickets": 5,
                         "first_contact": 5 if a < fcr / 5 else 0})  # fmt: skip
    activity = pd.DataFrame(rows)
    inputs = SpecialistInputs(
        windows=w, accounts=pd.DataFrame(), employees=staff, activity=activity
    )
    found = compare_components(inputs)
    assert {c.name for c in found["E1"]} == {
        "sentiment of their touchpoints",
        "first-contact resolution",
    }
    assert "E2" not in found


def test_proactive_outreach_is_contacts_per_account_and_month_not_a_share() -> None:
    """Field technicians: every touch is an outbound visit, so a share cannot tell them apart.

    E1 also calls each account about every other month; E2 and E3 only visit.
    Half of E3's accounts left in the middle of the year: their months count
    only until then, so the departures do not lower E3's rate.
    """
    w = choose_windows(date(2026, 4, 1), date(2024, 4, 1))
    staff = pd.DataFrame(
        {"employee_id": ["E1", "E2", "E3"], "name": ["A B", "C D", "E F"],
         "department": ["Field Service"] * 3, "role": ["technician"] * 3,
         "left_on": [None] * 3}
    )  # fmt: skip
    visits = {"E1": 3 + 6, "E2": 3, "E3": 3}  # a visit every four months; E1 calls six times
    rows, accounts = [], []
    for e, n in visits.items():
        for a in range(20):
            gone = e == "E3" and a < 10
            rows.append({"account_id": f"{e}-{a}", "employee_id": e,
                         "touches": 2 if gone else n, "personal": 0,
                         "proactive": 2 if gone else n, "sentiment_sum": 0.0, "sentiment_n": 0,
                         "positive": 0.0, "tickets": 0, "first_contact": 0})  # fmt: skip
            accounts.append({"account_id": f"{e}-{a}",
                             "ended_on": date(2025, 10, 1) if gone else None})  # fmt: skip
    inputs = SpecialistInputs(
        windows=w,
        accounts=pd.DataFrame(accounts),
        employees=staff,
        activity=pd.DataFrame(rows),
    )
    found = compare_components(inputs)
    outreach = {c.name: c for c in found["E1"]}["proactive outreach"]
    assert outreach.value == pytest.approx(9 / 12, rel=0.01)  # per account and month
    assert outreach.peers == pytest.approx(0.25, rel=0.05)
    assert outreach.n == 240  # account-months
    assert "E3" not in found  # two visits in six months is the usual rate, not a worse one
    months = involved_months(inputs)
    assert months["E3"] == pytest.approx(10 * 12 + 10 * 6, rel=0.02)


def test_engagement_link_shows_apathy_spreading() -> None:
    periods = [f"2025-{m:02d}" for m in range(1, 13)]
    engagement = pd.DataFrame(
        {"employee_id": ["E1"] * 12 + ["E2"] * 12, "period": periods * 2,
         "score": [8.0] * 4 + [5.0] * 8 + [7.5] * 12}
    )  # fmt: skip
    activity = pd.DataFrame(
        {"employee_id": ["E1", "E2"], "sentiment_sum": [-2.0, 8.0], "sentiment_n": [10, 10]}
    )
    found = link_engagement(engagement, activity, {"E1": 0.3, "E2": 0.1}, 0.15)
    assert [(e.employee_id, e.declining, e.apathy_spreads) for e in found] == [
        ("E1", True, True),
        ("E2", False, False),
    ]
    assert link_engagement(engagement.iloc[:0], activity, {}, 0.1) == []


def test_recognition_names_the_strongest_component() -> None:
    from carpe.analytics.specialists import Component

    text = suggest_recognition("Ana Lopez", [Component("on-time delivery", 0.98, 0.9, 3.1, 50)], 2)
    assert text.startswith("Recognise Ana for on-time delivery")
    assert "2 customer comments" in text


def test_windows_shrink_to_a_short_history() -> None:
    full = choose_windows(date(2026, 4, 1), date(2024, 4, 1))
    assert full.outcome_days == 365 and full.exposure_start == date(2024, 4, 1)
    short = choose_windows(date(2026, 4, 1), date(2025, 10, 1))
    assert 90 <= short.outcome_days < 365
    assert short.exposure_start < short.outcome_start


def test_windows_read_up_to_four_years_of_history() -> None:
    long = choose_windows(date(2026, 4, 1), date(2022, 10, 1))
    assert long.outcome_days == 365 and long.exposure_start == date(2022, 10, 1)
    capped = choose_windows(date(2026, 4, 1), date(2015, 1, 1))
    assert capped.exposure_start == date(2022, 4, 1)
    two_years = choose_windows(date(2026, 4, 1), date(2015, 1, 1), history_days=730)
    assert two_years.exposure_start == date(2024, 4, 1)
    # never less than a year of involvement before the retention window
    assert choose_windows(date(2026, 4, 1), None, history_days=30).exposure_start == date(
        2024, 4, 1
    )


HINT_SAMPLES = (
    "Thanks a lot, Ana!",
    "THANK you for the quick fix",
    "She went the EXTRA MILE again",
    "he praised the dispatcher",
    "starry night, no praise here",
    "thankful but not a word of it",
    "Ana was a hero; the order came on Saturday",
    "Ölwechsel erledigt, danke",
    "great-grandmother's birthday",
    "nothing to report",
    "",
)


def test_the_engine_hint_keeps_every_note_that_praises() -> None:
    import duckdb

    hits = duckdb.execute(
        "SELECT regexp_matches(t, ?) FROM unnest(?::VARCHAR[]) AS u(t)",
        [PRAISE_HINT, list(HINT_SAMPLES)],
    ).fetchall()
    for text, (hint,) in zip(HINT_SAMPLES, hits, strict=True):
        if PRAISE_WORDS.search(text):
            assert hint, text  # the engine never drops a note find_praise would read
        if text.isascii():
            assert hint == bool(PRAISE_WORDS.search(text)), text  # and on ASCII, exactly it
    assert hits[7] == (True,)  # outside ASCII: always handed over
