"""The better-day estimator judges contacts from the customer's words before and after."""

from __future__ import annotations

import pandas as pd
import pytest

from carpe.analytics.better_day import BetterDayEstimator, feedback_sentiment, resolved_tickets

T = pd.Timestamp


def _contacts(*rows: tuple[str, str, str, str]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "touchpoint_id": tp,
                "account_id": account,
                "contact_id": None,
                "employee_id": employee,
                "occurred_at": T(at),
            }
            for tp, account, employee, at in rows
        ]
    )


def _words(*rows: tuple[str, str, str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "source": "feedback" if sid.startswith("f") else "touchpoint",
                "source_id": sid,
                "account_id": account,
                "at": T(at),
                "sentiment": s,
            }
            for sid, account, at, s in rows
        ],
        columns=["source", "source_id", "account_id", "at", "sentiment"],
    )


def _verdicts(model: BetterDayEstimator) -> dict[str, str]:
    c = model.contacts_
    return dict(zip(c.account_id, c.verdict, strict=True))


def test_better_day_estimator_judges_better_worse_and_nothing_to_go_on() -> None:
    contacts = _contacts(
        ("t1", "up", "e", "2026-03-02 10:00"),
        ("t2", "down", "e", "2026-03-02 11:00"),
        ("t3", "silent", "e", "2026-03-02 12:00"),
    )
    words = _words(
        ("p1", "up", "2026-02-20", -0.4),
        ("f1", "up", "2026-03-04", 0.5),
        ("p2", "down", "2026-02-25", 0.6),
        ("t2", "down", "2026-03-02 11:00", -0.2),
        ("old", "silent", "2025-12-01", 0.9),
    )
    model = BetterDayEstimator().fit(contacts, words)
    assert _verdicts(model) == {"up": "better", "down": "worse", "silent": "unknown"}
    shares = model.shares().set_index("employee_id")
    assert shares.loc["e", ["better", "worse", "unknown", "judged"]].tolist() == [1, 1, 1, 2]
    assert shares.loc["e", "share"] == pytest.approx(0.5)


def test_better_day_estimator_reads_the_last_words_before_and_the_first_after() -> None:
    contacts = _contacts(("t1", "a", "e", "2026-03-02 10:00"))
    words = _words(
        ("p0", "a", "2026-02-10", 0.9),
        ("p1", "a", "2026-02-28", -0.5),
        ("t1", "a", "2026-03-02 10:00", 0.0),
        ("n1", "a", "2026-03-05", -0.9),
    )
    model = BetterDayEstimator().fit(contacts, words)
    row = model.contacts_.iloc[0]
    assert (row.before, row.after, row.verdict) == (-0.5, 0.0, "better")
    basis = model.basis_
    assert set(zip(basis.role, basis.source_id, strict=True)) == {("before", "p1"), ("after", "t1")}


def test_better_day_estimator_with_next_words_only_ignores_the_contacts_own_sentiment() -> None:
    contacts = _contacts(("t1", "a", "e", "2026-03-02 10:00"))
    words = _words(
        ("p1", "a", "2026-02-28", 0.0),
        ("t1", "a", "2026-03-02 10:00", 0.9),
    )
    assert _verdicts(BetterDayEstimator().fit(contacts, words)) == {"a": "better"}
    assert _verdicts(BetterDayEstimator(own_words=False).fit(contacts, words)) == {"a": "unknown"}


def test_better_day_estimator_merges_one_days_touchpoints_into_one_contact() -> None:
    contacts = _contacts(
        ("t1", "a", "e", "2026-03-02 09:00"),
        ("t2", "a", "e", "2026-03-02 16:00"),
        ("t3", "a", "e", "2026-03-03 09:00"),
    )
    model = BetterDayEstimator().fit(contacts, _words())
    assert [tuple(ids) for ids in model.contacts_.touchpoint_ids] == [("t1", "t2"), ("t3",)]


def test_better_day_estimator_counts_an_event_as_better_and_gives_a_lonely_one_its_own_contact() -> (
    None
):
    contacts = _contacts(("t1", "a", "e", "2026-03-02 10:00"))
    words = _words(("p1", "a", "2026-02-28", 0.5), ("t1", "a", "2026-03-02 10:00", 0.1))
    events = pd.DataFrame(
        [
            {"kind": "praise", "source": "feedback", "source_id": "f9", "account_id": "a",
             "employee_id": "e", "at": T("2026-03-04"), "text": "Eve was great"},
            {"kind": "follow_up", "source": "follow_up", "source_id": "7", "account_id": "b",
             "employee_id": "e", "at": T("2026-03-05"), "text": "asked about the marathon"},
        ]
    )  # fmt: skip
    model = BetterDayEstimator().fit(contacts, words, events)
    assert _verdicts(model) == {"a": "better", "b": "better"}
    assert set(model.basis_[model.basis_.role == "event"].source_id) == {"f9", "7"}


def test_better_day_estimator_asks_more_than_the_usual_lift_of_a_kind_of_contact() -> None:
    """Tickets usually lift a customer by 0.6: a lift of 0.3 after a ticket is not a better day."""
    rows = [(f"t{i}", f"a{i}", "e" if i == 0 else "o", "2026-03-02 10:00") for i in range(5)]
    contacts = _contacts(*rows).assign(kind="ticket")
    words = _words(
        *[(f"p{i}", f"a{i}", "2026-03-01", -0.5) for i in range(5)],
        ("t0", "a0", "2026-03-02 10:00", -0.2),
        *[(f"t{i}", f"a{i}", "2026-03-02 10:00", 0.1) for i in range(1, 5)],
    )
    assert _verdicts(BetterDayEstimator(usual=True).fit(contacts, words))["a0"] == "worse"
    assert _verdicts(BetterDayEstimator().fit(contacts, words))["a0"] == "better"


def test_better_day_estimator_reads_the_words_before_away_from_the_employee_judged() -> None:
    """Her own cheerful note of yesterday is no measure of how the customer came in."""
    contacts = _contacts(("t2", "a", "e", "2026-03-02 10:00"))
    words = _words(
        ("p0", "a", "2026-02-26", -0.4),  # with a colleague
        ("p1", "a", "2026-03-01", 0.6),  # her own note of yesterday
        ("t2", "a", "2026-03-02 10:00", 0.3),
    ).assign(employee_id=["o", "e", "e"])
    assert _verdicts(BetterDayEstimator().fit(contacts, words))["a"] == "better"
    assert _verdicts(BetterDayEstimator(others_before=False).fit(contacts, words))["a"] == "worse"


def test_resolved_tickets_are_answers_the_customer_did_not_come_back_on() -> None:
    tp = pd.DataFrame(
        [
            ("k1", "a", "e", "2026-03-01", "inbound", "Ticket S1: printer", -0.6, "jams"),
            ("k2", "a", "e", "2026-03-02", "outbound", "Ticket S1: printer", 0.1, "fixed"),
            ("k3", "a", "e", "2026-03-04", "inbound", "Ticket S1: printer", 0.7, "thanks!"),
            ("k4", "b", "e", "2026-03-01", "inbound", "Ticket S2: login", -0.5, "locked"),
            ("k5", "b", "e", "2026-03-02", "outbound", "Ticket S2: login", 0.1, "reset"),
            ("k6", "b", "f", "2026-03-05", "inbound", "Ticket S2: login", -0.1, "reopened"),
            ("k7", "b", "f", "2026-03-06", "outbound", "Ticket S2: login", 0.2, "reset again"),
            ("k8", "c", "e", "2026-03-18", "inbound", "Ticket S3: fan", -0.4, "noisy"),
            ("k9", "c", "e", "2026-03-19", "outbound", "Ticket S3: fan", 0.1, "replaced"),
        ],
        columns=["touchpoint_id", "account_id", "employee_id", "occurred_at", "direction",
                 "subject", "sentiment", "note"],
    ).assign(kind="ticket")  # fmt: skip
    found = resolved_tickets(tp, as_of=T("2026-03-20"))
    # k5 came back reopened (f resolved it, k7); k9 is too recent to know.
    assert list(zip(found.source_id, found.employee_id, strict=True)) == [
        ("k2", "e"),
        ("k7", "f"),
    ]
    assert set(found.kind) == {"ticket"}


def test_better_day_estimator_is_deterministic_and_refuses_bad_settings() -> None:
    contacts = _contacts(("t1", "a", "e", "2026-03-02 10:00"))
    words = _words(("p1", "a", "2026-02-28", 0.5))
    first = BetterDayEstimator().fit(contacts, words).contacts_
    pd.testing.assert_frame_equal(first, BetterDayEstimator().fit(contacts, words).contacts_)
    with pytest.raises(ValueError, match="margin"):
        BetterDayEstimator(margin=-1).fit(contacts, words)
    with pytest.raises(ValueError, match="occurred_at"):
        BetterDayEstimator().fit(contacts.drop(columns="occurred_at"), words)


def test_feedback_sentiment_maps_each_surveys_scale_onto_minus_one_to_one() -> None:
    got = feedback_sentiment(
        pd.Series(["nps", "nps", "csat", "review", "ces", "other"]),
        pd.Series([0, 10, 5, 1, 4, 3]),
    )
    assert got.tolist()[:5] == [-1.0, 1.0, 1.0, -1.0, 0.0]
    assert pd.isna(got.iloc[5])
