"""Sentence vectors from a static model distilled from all-MiniLM-L6-v2, with numpy alone.

``static_minilm.npz`` beside this module holds the WordPiece vocabulary of
all-MiniLM-L6-v2 and one float16 vector per token, distilled with model2vec by
``benchmarks/distill_static_model.py`` (torch is needed there, never here). A sentence's
vector is the mean of its tokens' vectors, normalised: what model2vec's ``StaticModel``
computes, reimplemented here so that carpe needs neither ``tokenizers`` nor torch. The
tokenizer is BERT's uncased one: lower case, accents stripped, split at spaces and
punctuation, then the longest vocabulary pieces first (``##`` marks a continuation).
Nothing is downloaded.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["StaticEmbedder", "load_embedder", "wordpiece"]

MODEL = Path(__file__).with_name("static_minilm.npz")
_WORD = re.compile(r"[^\W_]+|[^\w\s]|_")
_MAX_WORD = 100

Vectors = npt.NDArray[np.float32]


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFD", text.lower())
    return "".join(c for c in text if unicodedata.category(c) != "Mn")


def wordpiece(word: str, vocab: dict[str, int]) -> list[int]:
    """The token ids of one word, longest vocabulary piece first; ``[]`` when unknown.

    Examples
    --------
    >>> wordpiece("remission", {"remission": 7})
    [7]
    >>> wordpiece("dogs", {"dog": 1, "##s": 2})
    [1, 2]
    >>> wordpiece("zzz", {"dog": 1})
    []
    """
    if len(word) > _MAX_WORD:
        return []
    ids: list[int] = []
    start = 0
    while start < len(word):
        end = len(word)
        while end > start:
            piece = word[start:end] if start == 0 else "##" + word[start:end]
            found = vocab.get(piece)
            if found is not None:
                ids.append(found)
                break
            end -= 1
        else:
            return []
        start = end
    return ids


class StaticEmbedder:
    """Mean-of-token-vectors sentence embedding over a fixed vocabulary."""

    def __init__(self, tokens: list[str], vectors: npt.NDArray[np.floating]) -> None:
        if len(tokens) != vectors.shape[0]:
            raise ValueError(f"{len(tokens)} tokens but {vectors.shape[0]} vectors")
        self.vocab = {t: i for i, t in enumerate(tokens)}
        self.vectors = np.asarray(vectors, dtype=np.float32)
        self.dims = int(self.vectors.shape[1])
        self._pieces: dict[str, list[int]] = {}

    def token_ids(self, text: str) -> list[int]:
        """The ids of the known word pieces of ``text`` (unknown words are left out)."""
        ids: list[int] = []
        cached = self._pieces
        for word in _WORD.findall(_normalise(text)):
            pieces = cached.get(word)
            if pieces is None:
                pieces = cached[word] = wordpiece(word, self.vocab)
            ids.extend(pieces)
        return ids

    def embed(self, texts: list[str]) -> Vectors:
        """One unit-length row per text (a text with no known word gives zeros)."""
        out = np.zeros((len(texts), self.dims), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = self.token_ids(text)
            if ids:
                mean = self.vectors[ids].mean(axis=0)
                norm = float(np.linalg.norm(mean))
                out[row] = mean / norm if norm > 0 else mean
        return out


@cache
def load_embedder() -> StaticEmbedder | None:
    """The committed static model, or ``None`` when it has not been distilled."""
    if not MODEL.exists():
        return None
    with np.load(MODEL) as data:
        tokens = str(data["tokens"]).split("\n")
        return StaticEmbedder(tokens, data["vectors"])
