"""The "does it pay" chart: gesture effects with intervals, as inline SVG drawn on the server.

One row per group (any gesture, each kind, each cost band): a dot at the
adjusted effect on retention (percentage points) and a bar over its 95%
interval, a dashed line at zero. Groups too small to estimate are left out (the
table under the chart says so).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from typing import Any

ROW = 20
LEFT = 200
WIDTH = 640
TOP = 28


def _x(value: float, low: float, high: float) -> float:
    return LEFT + (value - low) / (high - low) * (WIDTH - LEFT - 20)


def payoff_chart(rows: Sequence[Mapping[str, Any]], *, outcome: str = "stayed") -> str:
    """An SVG forest plot of one outcome's effects, in percentage points.

    Parameters
    ----------
    rows : sequence of mapping
        ``dimension``, ``group``, ``outcome``, ``effect``, ``ci_low``, ``ci_high``
        (risk differences, 0..1).
    outcome : str, default "stayed"
        Which outcome to draw.

    Returns
    -------
    str
        ``<svg>`` markup ("" when nothing could be estimated).

    Examples
    --------
    >>> "<svg" in payoff_chart([{"dimension": "all", "group": "any gesture", "outcome": "stayed",
    ...                          "effect": 0.02, "ci_low": -0.01, "ci_high": 0.05}])
    True
    """
    shown = [r for r in rows if r.get("outcome") == outcome and r.get("effect") is not None]
    if not shown:
        return ""
    pp = [
        (r, 100 * float(r["effect"]), 100 * float(r["ci_low"]), 100 * float(r["ci_high"]))
        for r in shown
    ]
    low = min(0.0, *(p[2] for p in pp)) - 1.0
    high = max(0.0, *(p[3] for p in pp)) + 1.0
    height = TOP + ROW * len(pp) + 24
    zero = _x(0.0, low, high)
    what = "retention" if outcome == "stayed" else "warmer sentiment"
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
        f'class="chart intervals" role="img" aria-labelledby="payoff-{outcome}-title">',
        f'<title id="payoff-{outcome}-title">Effect of gestures on {what}, percentage points, '
        "with 95% intervals</title>",
        f'<line x1="{zero:.1f}" y1="{TOP - 8}" x2="{zero:.1f}" y2="{height - 20}" '
        'stroke="#6b7280" stroke-dasharray="3 3"/>',
        f'<text x="{zero:.1f}" y="{TOP - 12}" text-anchor="middle" class="axis">0</text>',
    ]
    step = 5 if high - low <= 60 else 10
    for tick in range(int(low // step * step), int(high) + 1, step):
        if tick == 0 or not low <= tick <= high:
            continue
        x = _x(float(tick), low, high)
        parts.append(
            f'<text x="{x:.1f}" y="{height - 6}" text-anchor="middle" class="axis">{tick:+d}</text>'
        )
    for i, (r, effect, ci_low, ci_high) in enumerate(pp):
        y = TOP + i * ROW + ROW / 2
        clear = ci_low > 0 or ci_high < 0
        colour = "#0b6e4f" if clear and effect > 0 else "#b45309" if clear else "#6b7280"
        a, b, dot = _x(ci_low, low, high), _x(ci_high, low, high), _x(effect, low, high)
        label = r["group"] if r["dimension"] != "cost band" else f"cost: {r['group']}"
        parts += [
            f'<text x="{LEFT - 8}" y="{y + 4:.1f}" text-anchor="end" class="label">'
            f"{escape(str(label))}</text>",
            f'<line x1="{a:.1f}" y1="{y:.1f}" x2="{b:.1f}" y2="{y:.1f}" stroke="{colour}" '
            'stroke-width="2"/>',
            f'<circle cx="{dot:.1f}" cy="{y:.1f}" r="4" fill="{colour}">'
            f"<title>{escape(str(label))}: {effect:+.1f} pp ({ci_low:+.1f} to {ci_high:+.1f})"
            "</title></circle>",
        ]
    parts.append("</svg>")
    return "".join(parts)
