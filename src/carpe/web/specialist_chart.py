"""The specialists' intervals chart, as inline SVG drawn on the server (no JavaScript).

One row per employee: a dot at the shrunk effect and a bar over its 95%
interval, a vertical line at zero; flagged specialists in colour. Server-side
SVG needs no vendored library, works without JavaScript, prints, and its labels
are real text for screen readers and tests.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

ROW = 18
LEFT = 230
WIDTH = 720
TOP = 28


def _x(value: float, low: float, high: float) -> float:
    return LEFT + (value - low) / (high - low) * (WIDTH - LEFT - 20)


def interval_chart(rows: Sequence[Mapping[str, Any]], *, limit: int = 40) -> str:
    """An SVG forest plot of effects and intervals (percentage points).

    Parameters
    ----------
    rows : sequence of mapping
        ``name``, ``department``, ``effect``, ``ci_low``, ``ci_high``, ``flagged``;
        largest effect first.
    limit : int, default 40
        At most this many rows.

    Returns
    -------
    str
        ``<svg>`` markup ("" without rows).

    Examples
    --------
    >>> "<svg" in interval_chart([{"name": "Ana", "department": "Billing", "effect": 5.0,
    ...                             "ci_low": 1.0, "ci_high": 9.0, "flagged": True}])
    True
    """
    shown = [r for r in rows if r.get("ci_low") is not None and r.get("ci_high") is not None]
    shown = list(shown[:limit])
    if not shown:
        return ""
    low = min(0.0, *(float(r["ci_low"]) for r in shown)) - 1.0
    high = max(0.0, *(float(r["ci_high"]) for r in shown)) + 1.0
    height = TOP + ROW * len(shown) + 24
    zero = _x(0.0, low, high)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="chart intervals" role="img" aria-labelledby="intervals-title">',
        '<title id="intervals-title">Effect on 12-month retention with 95% intervals, '
        "percentage points</title>",
        f'<line x1="{zero:.1f}" y1="{TOP - 8}" x2="{zero:.1f}" y2="{height - 20}" '
        'stroke="#6b7280" stroke-dasharray="3 3"/>',
        f'<text x="{zero:.1f}" y="{TOP - 12}" text-anchor="middle" class="axis">0</text>',
    ]
    for tick in range(int(low // 5 * 5), int(high) + 1, 5):
        if tick == 0 or not low <= tick <= high:
            continue
        x = _x(float(tick), low, high)
        parts.append(
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" class="axis">{tick:+d}</text>'
        )
    for i, r in enumerate(shown):
        y = TOP + i * ROW + ROW / 2
        colour = "#0b6e4f" if r.get("flagged") else "#6b7280"
        a, b = _x(float(r["ci_low"]), low, high), _x(float(r["ci_high"]), low, high)
        dot = _x(float(r["effect"]), low, high)
        label = f"{r['name']} · {r['department']}"
        parts += [
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" class="label">'
            f"{escape(label)}</text>",
            f'<line x1="{a:.1f}" y1="{y:.1f}" x2="{b:.1f}" y2="{y:.1f}" stroke="{colour}" '
            'stroke-width="2"/>',
            f'<circle cx="{dot:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
            f"<title>{escape(label)}: {float(r['effect']):+.1f} pp "
            f"({float(r['ci_low']):+.1f} to {float(r['ci_high']):+.1f})</title></circle>",
        ]
    parts.append("</svg>")
    return "".join(parts)
