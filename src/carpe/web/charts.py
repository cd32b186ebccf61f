"""Charts as inline SVG, drawn on the server: nothing to download, readable without JavaScript."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

PALETTE = ("#0b6e4f", "#b4441f", "#2f5fa7", "#8a6bb8", "#c28a00", "#3b8ea5", "#6b7280", "#a23b72")


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
) -> str:
    """Step lines (as survival curves are drawn) with axes and a legend, as an SVG string.

    The SVG scales to its container (``viewBox``) and carries a ``<title>`` and
    a text description for screen readers.
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
    steps = 6
    for i in range(steps + 1):
        value = x_max * i / steps
        parts.append(_text(px(value), height - bottom + 16, "tick", f"{value:.0f}"))
    parts.append(_text(left + plot_w / 2, height - 4, "axis", x_label))
    parts.append(
        f'<text x="12" y="{top + plot_h / 2}" class="axis" text-anchor="middle" '
        f'transform="rotate(-90 12 {top + plot_h / 2})">{escape(y_label)}</text>'
    )
    for index, line in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
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
