"""A learned second opinion on the rules' moments: keep or drop, by a small linear model.

The rules propose moments; this logistic regression over hashed words of the moment's
evidence (each word also paired with the kind) says how likely a person would have
labelled it. Moments below the threshold are dropped. Weights and threshold live in
``moment_filter.json`` beside this module, trained by ``benchmarks/train_moment_filter.py``
on the chitchat train split and the outside worlds' tuning seeds 4-6 (never on a test
split); nothing is downloaded. Numpy is the only dependency.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable
from functools import cache
from itertools import pairwise
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["MomentFilter", "features", "load_filter"]

WEIGHTS = Path(__file__).with_name("moment_filter.json")
DIMS = 1 << 14
_TOKEN = re.compile(r"[a-z']+|\d+")


def features(kind: str, evidence: str) -> list[int]:
    """Hashed feature indices of a moment: words, word pairs, each alone and with the kind.

    Examples
    --------
    >>> len(features("pet", "her dog is sick")) > 0
    True
    """
    words = _TOKEN.findall(evidence.lower())
    grams = words + [f"{a} {b}" for a, b in pairwise(words)]
    keys = [f"k={kind}"] + grams + [f"{kind}|{g}" for g in grams]
    return sorted({zlib.crc32(k.encode()) % DIMS for k in keys})


class MomentFilter:
    """A trained filter: ``keep(kind, evidence)`` is true when the model believes it."""

    def __init__(self, weights: npt.NDArray[np.float64], bias: float, threshold: float) -> None:
        self.weights = weights
        self.bias = bias
        self.threshold = threshold

    def probability(self, kind: str, evidence: str) -> float:
        """The model's probability that the moment is one a person would label."""
        z = self.bias + float(self.weights[features(kind, evidence)].sum())
        return float(1.0 / (1.0 + np.exp(-z)))

    def keep(self, kind: str, evidence: str) -> bool:
        """Whether the moment passes the filter."""
        return self.probability(kind, evidence) >= self.threshold

    def to_json(self) -> str:
        """The filter as JSON (sparse weights), as stored in ``moment_filter.json``."""
        nonzero = np.flatnonzero(np.abs(self.weights) > 1e-4)
        return json.dumps(
            {
                "dims": DIMS,
                "bias": round(self.bias, 5),
                "threshold": round(self.threshold, 4),
                "index": nonzero.tolist(),
                "weight": [round(float(w), 4) for w in self.weights[nonzero]],
            }
        )

    @classmethod
    def from_json(cls, text: str) -> MomentFilter:
        """Read a filter written by :meth:`to_json`."""
        data = json.loads(text)
        weights = np.zeros(int(data["dims"]))
        weights[np.asarray(data["index"], dtype=np.int64)] = data["weight"]
        return cls(weights, float(data["bias"]), float(data["threshold"]))


def train(
    rows: Iterable[tuple[str, str, int]], *, l2: float = 1e-3, epochs: int = 300
) -> MomentFilter:
    """Fit the logistic regression on ``(kind, evidence, label)`` rows (threshold 0.5)."""
    data = list(rows)
    lists = [features(kind, evidence) for kind, evidence, _ in data]
    rows_of = np.repeat(np.arange(len(data)), [len(f) for f in lists])
    cols = np.concatenate([np.asarray(f, dtype=np.int64) for f in lists])
    y = np.asarray([label for _, _, label in data], dtype=np.float64)
    w = np.zeros(DIMS)
    b = 0.0
    rate = 0.5
    for _ in range(epochs):
        z = b + np.bincount(rows_of, weights=w[cols], minlength=len(data))
        grad = 1.0 / (1.0 + np.exp(-z)) - y
        w -= rate * (np.bincount(cols, weights=grad[rows_of], minlength=DIMS) / len(data) + l2 * w)
        b -= rate * float(grad.mean())
    return MomentFilter(w, b, 0.5)


@cache
def load_filter() -> MomentFilter | None:
    """The committed filter, or ``None`` when none has been trained."""
    if not WEIGHTS.exists():
        return None
    return MomentFilter.from_json(WEIGHTS.read_text(encoding="utf-8"))
