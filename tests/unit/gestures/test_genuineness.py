"""The genuineness guard: templated giving scores low with readable flags; personal giving high."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd

from carpe.gestures import score_genuineness


def gestures(rows: list[tuple[str, str, str, str, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "employee_id": e,
                "contact_id": c,
                "account_id": "A" + c,
                "given_on": d,
                "kind": k,
                "description": t,
            }
            for e, c, d, k, t in rows
        ]
    )


def templated(
    employee: str = "T1", months: int = 6, contacts: int = 5
) -> list[tuple[str, str, str, str, str]]:
    start = date(2026, 1, 5)
    return [
        (
            employee,
            f"C{c}",
            (start + timedelta(days=30 * m)).isoformat(),
            "gift card",
            "€20 voucher for valued customers",
        )
        for m in range(months)
        for c in range(contacts)
    ]


def personal(employee: str = "P1") -> tuple[list[tuple[str, str, str, str, str]], pd.DataFrame]:
    rows = [
        (employee, "C10", "2026-01-10", "card", "Get-well card for Max"),
        (employee, "C11", "2026-02-21", "book", "A book on marathon training"),
        (
            employee,
            "C12",
            "2026-02-25",
            "gift card",
            "Voucher for her favourite bar after the car theft",
        ),
        (employee, "C13", "2026-04-02", "flowers", "Flowers for the new baby"),
    ]
    moments = pd.DataFrame(
        {
            "contact_id": ["C10", "C11", "C12", "C13"],
            "account_id": ["AC10", "AC11", "AC12", "AC13"],
            "noted_on": ["2026-01-06", "2026-02-14", "2026-02-20", "2026-03-30"],
        }
    )
    return rows, moments


def test_score_genuineness_puts_templated_giving_below_personal_giving() -> None:
    rows, moments = personal()
    scores = score_genuineness(gestures(templated() + rows), moments)
    assert [s.employee_id for s in scores] == ["T1", "P1"]
    low, high = scores
    assert low.score < 0.3 < 0.8 < high.score
    assert high.flags == ()


def test_score_genuineness_flags_each_templated_pattern_in_words() -> None:
    (low,) = score_genuineness(gestures(templated()))
    text = " | ".join(low.flags)
    assert 'the same gesture ("gift card: €20 voucher for valued customers") for 5 contacts' in text
    assert "30 gestures handed out in same-day batches" in text
    assert "fixed cadence (about every 30 days)" in text
    assert "30 of 30 gestures follow no occasion" in text
    assert "e.g. gift card to C0 on 5 Jan 2026" in text  # says what was seen and where
    named = gestures(templated())
    named["contact_name"] = "Lea " + named["contact_id"]
    (again,) = score_genuineness(named)
    assert "e.g. gift card to Lea C0 on 5 Jan 2026" in " | ".join(again.flags)  # by name


def test_a_birthday_an_anniversary_a_problem_or_a_note_the_extractor_missed_is_an_occasion() -> (
    None
):
    rows, _ = personal()
    alone = score_genuineness(gestures(rows))[0]
    occasions = pd.DataFrame(
        {
            "contact_id": ["C10", None, None],
            "account_id": [None, "AC11", "AC12"],
            "on": ["2026-01-14", "2026-02-01", "2026-02-24"],  # birthday 4 days later is fine
            "what": ["birthday", "anniversary", "problem"],
        }
    )
    notes = pd.DataFrame(
        {
            "account_id": ["AC13", "AC13"],
            "occurred_at": ["2026-03-28T10:00:00", "2026-03-01T10:00:00"],
            "note": ["she just had a baby girl!", "invoice query"],
        }
    )
    linked = score_genuineness(gestures(rows), occasions=occasions, notes=notes)[0]
    assert alone.unlinked_share == 1.0 and alone.flags
    assert linked.unlinked_share == 0.0 and linked.flags == ()


def test_a_stock_word_in_a_note_does_not_link_a_templated_gesture() -> None:
    notes = pd.DataFrame(
        {
            "account_id": [f"AC{c}" for c in range(5)],
            "occurred_at": ["2026-01-04T10:00:00"] * 5,
            "note": ["asked about the voucher for valued customers"] * 5,
        }
    )
    (low,) = score_genuineness(gestures(templated()), notes=notes)
    assert low.unlinked_share == 1.0


def test_score_genuineness_credits_a_gesture_that_follows_a_moment() -> None:
    rows, moments = personal()
    with_moments = score_genuineness(gestures(rows), moments)[0]
    without = score_genuineness(gestures(rows))[0]
    assert with_moments.unlinked_share == 0.0
    assert without.unlinked_share == 1.0
    assert with_moments.score > without.score


def test_score_genuineness_skips_givers_with_too_few_gestures() -> None:
    assert score_genuineness(gestures(templated(months=1, contacts=2))) == []
    assert score_genuineness(gestures([])) == []


def _varied(
    employee: str, n: int, linked: int
) -> tuple[list[tuple[str, str, str, str, str]], list[str]]:
    """``n`` varied gestures at irregular days, no batch, the first ``linked`` after a moment."""
    start = date(2026, 1, 1)
    rows = [
        (
            employee,
            f"{employee}C{i}",
            (start + timedelta(days=11 * i + (i * i * 7) % 10)).isoformat(),
            "gift",
            f"small gift number {i}",
        )
        for i in range(n)
    ]
    return rows, [r[1] for r in rows[:linked]]


def test_no_occasion_is_flagged_only_when_it_stands_out_from_the_other_givers() -> None:
    rows: list[tuple[str, str, str, str, str]] = []
    noted: list[str] = []
    # Ordinary givers here link about 40-60 %: what the business writes down allows no more.
    for employee, n, linked in [("O1", 20, 12), ("O2", 15, 9), ("O3", 25, 10), ("O4", 12, 6)]:
        own, found = _varied(employee, n, linked)
        rows += own
        noted += found
    usual, found = _varied("U1", 32, 12)  # 20 of 32 with no occasion: like the others
    never, _ = _varied("N1", 30, 0)  # 30 of 30: beyond any colleague
    rows += usual + never
    noted += found
    moments = pd.DataFrame(
        {
            "contact_id": noted,
            "account_id": ["A" + c for c in noted],
            "noted_on": [next(r[2] for r in rows if r[1] == c) for c in noted],
        }
    )
    scores = {s.employee_id: s for s in score_genuineness(gestures(rows), moments)}
    assert scores["U1"].unlinked_share == 0.625 and scores["U1"].flags == ()
    (flag,) = scores["N1"].flags
    assert flag.startswith("30 of 30 gestures follow no occasion")
    assert "% for a usual giver here" in flag
