"""A learned reader of sentences: which kind of moment, if any, a sentence tells.

A softmax regression over the sentence vectors of :mod:`carpe.memory.embedding` (a static
model distilled from all-MiniLM-L6-v2), with one class per moment kind and ``none``.
The rules keep the subject, the date and the evidence; the classifier does two things
the rules cannot:

* **adds** a moment for a sentence no rule read, when one kind is likely enough
  (``add_threshold``): "i'm in remission", "i work at a bank", written in words no rule
  has;
* **vetoes** a rule's moment when the sentence is most likely ``none``
  (``veto_threshold``): "We'd like to help", "thought you'd like to know".

Weights and both thresholds live in ``sentence_classifier.json`` beside this module,
trained by ``benchmarks/train_sentence_model.py`` on the chitchat train split, the outside
worlds' tuning seeds 4-6 and carpe's own labelled notes, the thresholds chosen on the
chitchat development split. Numpy is the only dependency; nothing is downloaded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from carpe.memory.embedding import StaticEmbedder, load_embedder

__all__ = ["NONE", "SentenceClassifier", "load_classifier", "softmax"]

WEIGHTS = Path(__file__).with_name("sentence_classifier.json")
NONE = "none"

Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SentenceClassifier:
    """Trained weights, the classes they score and the two decision thresholds."""

    classes: tuple[str, ...]
    weights: Matrix
    bias: Matrix
    add_threshold: float
    veto_threshold: float
    embedder: StaticEmbedder

    def probabilities(self, sentences: Sequence[str]) -> Matrix:
        """One row of class probabilities per sentence (columns in ``classes`` order)."""
        x = self.embedder.embed(list(sentences)).astype(np.float64)
        return softmax(x @ self.weights + self.bias)

    def to_json(self) -> str:
        """The weights and thresholds as JSON, as stored in ``sentence_classifier.json``."""
        return json.dumps(
            {
                "classes": list(self.classes),
                "add_threshold": round(self.add_threshold, 4),
                "veto_threshold": round(self.veto_threshold, 4),
                "bias": [round(float(b), 5) for b in self.bias],
                "weights": [[round(float(w), 5) for w in row] for row in self.weights],
            }
        )


def softmax(z: Matrix) -> Matrix:
    """Row-wise softmax, stable for large logits.

    Examples
    --------
    >>> softmax(np.array([[0.0, 0.0]])).tolist()
    [[0.5, 0.5]]
    """
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    out: Matrix = e / e.sum(axis=1, keepdims=True)
    return out


def from_json(text: str, embedder: StaticEmbedder) -> SentenceClassifier:
    """Read a classifier written by :meth:`SentenceClassifier.to_json`."""
    data = json.loads(text)
    weights = np.asarray(data["weights"], dtype=np.float64)
    if weights.shape != (embedder.dims, len(data["classes"])):
        raise ValueError(
            f"{WEIGHTS.name}: weights of shape {weights.shape} do not fit a "
            f"{embedder.dims}-dimension model with {len(data['classes'])} classes"
        )
    return SentenceClassifier(
        classes=tuple(data["classes"]),
        weights=weights,
        bias=np.asarray(data["bias"], dtype=np.float64),
        add_threshold=float(data["add_threshold"]),
        veto_threshold=float(data["veto_threshold"]),
        embedder=embedder,
    )


@cache
def load_classifier() -> SentenceClassifier | None:
    """The committed classifier, or ``None`` when it or the static model is missing."""
    embedder = load_embedder()
    if embedder is None or not WEIGHTS.exists():
        return None
    return from_json(WEIGHTS.read_text(encoding="utf-8"), embedder)
