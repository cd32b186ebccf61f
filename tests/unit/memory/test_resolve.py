"""A later note that resolves an open moment closes it instead of opening a new one."""

from __future__ import annotations

from datetime import date

from carpe.memory import extract_moments
from carpe.memory.resolve import drop_resolved, find_resolutions

DAY = date(2026, 3, 2)
LATER = date(2026, 3, 9)


def test_find_resolutions_closes_the_pet_moment_when_max_is_fine() -> None:
    open_ = extract_moments("Her dog Max is sick, vet on Thursday.", DAY)
    open_ += extract_moments("Her husband is having knee surgery next Tuesday.", DAY)
    found = find_resolutions("Dana says Max is fine now, just a bug.", LATER, open_)
    assert [(r.index, r.moment.subject) for r in found] == [(0, "dog Max")]
    assert found[0].evidence in "Dana says Max is fine now, just a bug."


def test_find_resolutions_matches_by_relation() -> None:
    open_ = extract_moments("Mel's husband had his gallbladder out on Monday.", DAY)
    found = find_resolutions("Mel's husband is back on his feet and back at work.", LATER, open_)
    assert len(found) == 1


def test_find_resolutions_ignores_a_negated_recovery() -> None:
    open_ = extract_moments("Her dog Max is sick.", DAY)
    assert find_resolutions("Max is not better yet.", LATER, open_) == []


def test_find_resolutions_needs_the_subject_to_be_named() -> None:
    open_ = extract_moments("Her dog Max is sick.", DAY)
    assert find_resolutions("The printer is fine now.", LATER, open_) == []
    assert find_resolutions("Max is fine now.", LATER, []) == []


def test_find_resolutions_closes_a_milestone_once_it_happened() -> None:
    open_ = extract_moments("Jenna is training for her first marathon in October.", DAY)
    found = find_resolutions("Jenna ran the marathon on Sunday in 3:58!", LATER, open_)
    assert [r.moment.kind for r in found] == ["milestone"]


def test_drop_resolved_removes_the_new_moment_that_restates_a_resolved_one() -> None:
    open_ = extract_moments("Lucy's grandmother is in hospital with pneumonia.", DAY)
    note = "Lucy says her grandmother is home from hospital and feeling much better."
    fresh = extract_moments(note, LATER)
    found = find_resolutions(note, LATER, open_)
    assert len(found) == 1
    assert drop_resolved(fresh, found) == []
    assert drop_resolved(fresh, []) == fresh
