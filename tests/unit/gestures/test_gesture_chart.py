"""The "does it pay" chart: one labelled row per estimated group, nothing for the rest."""

from __future__ import annotations

from carpe.web.gesture_chart import payoff_chart


def _row(
    group: str, effect: float | None, low: float, high: float, **extra: str
) -> dict[str, object]:
    return {
        "dimension": "kind",
        "group": group,
        "outcome": "stayed",
        "effect": effect,
        "ci_low": low,
        "ci_high": high,
    } | extra


def test_payoff_chart_draws_estimated_groups_with_their_interval_in_points() -> None:
    svg = payoff_chart(
        [
            _row("card", 0.06, 0.01, 0.11),
            _row("book", None, 0, 0),
            _row("gift <b>", -0.02, -0.07, 0.03, dimension="cost band"),
        ]
    )
    assert svg.count("<circle") == 2
    assert "card: +6.0 pp (+1.0 to +11.0)" in svg
    assert "cost: gift &lt;b&gt;" in svg and "book" not in svg
    assert 'fill="#0b6e4f"' in svg  # clearly positive in green


def test_payoff_chart_is_empty_without_an_estimate_for_the_outcome() -> None:
    assert payoff_chart([_row("card", 0.06, 0.01, 0.11)], outcome="warmer") == ""
    assert payoff_chart([]) == ""
