"""Server-drawn charts: round ticks and a colour of its own for every line."""

from __future__ import annotations

import re

from carpe.web.charts import Series, series_colours, step_chart


def test_step_chart_ticks_months_at_whole_years_or_quarters_never_28_56_84() -> None:
    svg = step_chart(
        [Series("all", [0, 40, 84], [1.0, 0.8, 0.6])],
        title="t",
        x_label="months as a customer",
        y_label="still a customer",
    )
    ticks = [int(t) for t in re.findall(r'class="tick" text-anchor="middle">(\d+)<', svg)]
    assert ticks == [0, 12, 24, 36, 48, 60, 72, 84]
    short = step_chart([Series("a", [0, 20], [1.0, 0.9])], title="t", x_label="x", y_label="y")
    assert [int(t) for t in re.findall(r'text-anchor="middle">(\d+)<', short)][:3] == [0, 3, 6]


def test_every_line_of_a_chart_has_its_own_colour_however_many_start_years() -> None:
    for count in (1, 5, 8, 9, 12, 30):
        for ordered in (False, True):
            colours = series_colours(count, ordered=ordered)
            assert len(colours) == count and len(set(colours)) == count
    years = [Series(str(2015 + i), [0, 12], [1.0, 0.9 - i / 100]) for i in range(11)]
    svg = step_chart(years, title="t", x_label="x", y_label="y", ordered=True)
    strokes = re.findall(r'stroke="(#[0-9a-f]{6})"', svg)
    assert len(strokes) == 11 and len(set(strokes)) == 11
