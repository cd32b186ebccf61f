"""Customer memory: personal moments and facts extracted from notes.

Pure code: no store, no network, no data files, deterministic. See ``docs/memory.md``.

- :func:`extract_moments` / :class:`Extractor`: the moments of a note.
- :func:`find_resolutions` / :func:`drop_resolved`: a later note that closes an
  open moment ("Max is fine now").
"""

from __future__ import annotations

from carpe.memory.extract import Extractor, extract_moments
from carpe.memory.moment import Moment
from carpe.memory.resolve import Resolution, drop_resolved, find_resolutions

__all__ = [
    "Extractor",
    "Moment",
    "Resolution",
    "drop_resolved",
    "extract_moments",
    "find_resolutions",
]
