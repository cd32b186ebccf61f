"""Charts as inline SVG, drawn on the server: nothing to download, readable without JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#0b6e4f", "#b4441f", "#2f5fa7", "#8a6bb8", "#c28a00", "#3b8ea5", "#6b7280", "#a23b72")
RAMP = (
    (0x44, 0x01, 0x54),
    (0x3B, 0x52, 0x8B),
    (0x21, 0x91, 0x8C),
    (0x5E, 0xC9, 0x62),
    (0x9A, 0xC4, 0x1C),
)
"""Viridis, its pale yellow end left out (unreadable on white): for ordered groups."""
X_STEPS = (1, 3, 6, 12, 24, 36, 60, 120)
"""Spacing of the x ticks, in the axis's units (months: a quarter, half a year, years)."""


def series_colours(count: int, *, ordered: bool = False) -> list[str]:
    """One colour per line, never the same twice.

    Up to eight unordered groups take the categorical palette; ordered groups (start
    years) and more than eight take evenly spaced colours of a dark-to-light ramp.

    Examples
    --------
    >>> series_colours(2)
    ['#0b6e4f', '#b4441f']
    >>> series_colours(3, ordered=True)
    ['#440154', '#21918c', '#9ac41c']
    """
    if not ordered and count <= len(PALETTE):
        return list(PALETTE[:count])
    out: list[str] = []
    for i in range(count):
        at = (len(RAMP) - 1) * (i / (count - 1) if count > 1 else 0.0)
        low = min(int(at), len(RAMP) - 2)
        share = at - low
        rgb = (round(a + (b - a) * share) for a, b in zip(RAMP[low], RAMP[low + 1], strict=True))
        out.append("#" + "".join(f"{c:02x}" for c in rgb))
    return out


def x_ticks(x_max: float, most: int = 8) -> list[float]:
    """Ticks at a round spacing (1, 3, 6, 12, 24… units), at most ``most`` + 1 of them.

    Examples
    --------
    >>> x_ticks(84)
    [0, 12, 24, 36, 48, 60, 72, 84]
    >>> x_ticks(20)
    [0, 3, 6, 9, 12, 15, 18]
    """
    step = next((s for s in X_STEPS if x_max / s <= most), X_STEPS[-1])
    return [step * i for i in range(int(x_max // step) + 1)]


@dataclass(frozen=True, slots=True)
class Series:
    """One line: a label and its points."""

    label: str
    x: Sequence[float]
    y: Sequence[float]


def _text(x: float, y: float, cls: str, content: str, anchor: str = "middle") -> str:
    position = f'x="{x:.1f}" y="{y:.1f}" class="{cls}" text-anchor="{anchor}"'
    return f"<text {position}>{escape(content)}</text>"


def step_chart(
    series: Sequence[Series],
    *,
    title: str,
    x_label: str,
    y_label: str,
    width: int = 640,
    height: int = 300,
    ordered: bool = False,
) -> str:
    """Step lines (as survival curves are drawn) with axes and a legend, as an SVG string.

    The SVG scales to its container (``viewBox``) and carries a ``<title>`` and
    a text description for screen readers. ``ordered``: the series follow an order
    (start years) and are coloured along a ramp; every line has its own colour.
    """
    left, right, top, bottom = 48, 12, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    x_max = max((max(s.x) for s in series if s.x), default=1.0) or 1.0

    def px(x: float) -> float:
        return left + plot_w * x / x_max

    def py(y: float) -> float:
        return top + plot_h * (1 - y)

    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height + 22 * ((len(series) + 2) // 3)}" '
        f'role="img" aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1.0):
        y = py(tick)
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
        )
        parts.append(_text(left - 6, y + 4, "tick", f"{tick:.0%}", anchor="end"))
    for value in x_ticks(x_max):
        parts.append(_text(px(value), height - bottom + 16, "tick", f"{value:.0f}"))
    parts.append(_text(left + plot_w / 2, height - 4, "axis", x_label))
    parts.append(
        f'<text x="12" y="{top + plot_h / 2}" class="axis" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + plot_h / 2})">{escape(y_label)}</text>'
    )
    colours = series_colours(len(series), ordered=ordered)
    for index, line in enumerate(series):
        colour = colours[index]
        points: list[str] = []
        previous_y: float | None = None
        for x, y in zip(line.x, line.y, strict=True):
            if previous_y is not None:
                points.append(f"{px(x):.1f},{py(previous_y):.1f}")
            points.append(f"{px(x):.1f},{py(y):.1f}")
            previous_y = y
        drawn = " ".join(points)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{drawn}"/>')
        row, col = divmod(index, 3)
        lx, ly = left + col * (plot_w / 3), height + 4 + row * 22
        parts.append(f'<rect x="{lx:.0f}" y="{ly:.0f}" width="12" height="12" fill="{colour}"/>')
        parts.append(_text(lx + 18, ly + 11, "legend", line.label, anchor="start"))
    parts.append("</svg>")
    return "".join(parts)
