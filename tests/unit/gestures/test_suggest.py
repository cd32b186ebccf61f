"""Gesture ideas: suited to the moment, named, within budget, never the same kind twice in a row."""

from __future__ import annotations

from carpe.gestures import MomentCue, suggest_gestures


def test_suggest_gestures_names_the_pet() -> None:
    (first, *_) = suggest_gestures(moments=[MomentCue("pet", "dog Max", "dog Max: sick")])
    assert (first.kind, first.idea) == ("gift", "A treat or toy for Max")


def test_suggest_gestures_answers_a_loss_with_a_card_only() -> None:
    ideas = suggest_gestures(moments=[MomentCue("loss", "mother", "her mother passed away")])
    assert [i.kind for i in ideas] == ["card"]
    assert "no gift" in ideas[0].idea


def test_suggest_gestures_uses_their_favourite_place_after_a_hardship() -> None:
    (first, *_) = suggest_gestures(
        moments=[MomentCue("hardship", "stolen car", "car was stolen")],
        interests=["loves the Blue Door café"],
    )
    assert first.idea == "A card and a gift card to loves the Blue Door café, after stolen car"


def test_suggest_gestures_stays_within_budget_and_varies_from_the_last_gesture() -> None:
    cue = MomentCue("pet", "cat Luna", "cat Luna: surgery")
    assert [i.kind for i in suggest_gestures(moments=[cue], budget_left=10)] == ["card"]
    assert [i.kind for i in suggest_gestures(moments=[cue], last_kind="gift")] == ["card", "gift"]


def test_suggest_gestures_gives_nothing_for_facts() -> None:
    assert suggest_gestures(moments=[MomentCue("preference", "coffee", "takes it black")]) == []
