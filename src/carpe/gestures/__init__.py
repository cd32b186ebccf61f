"""Gestures: ideas that fit the person, and the genuineness guard (pure code)."""

from carpe.gestures.genuineness import GenuinenessScore, score_genuineness
from carpe.gestures.suggest import FITTING, MomentCue, Suggestion, suggest_gestures

__all__ = [
    "FITTING",
    "GenuinenessScore",
    "MomentCue",
    "Suggestion",
    "score_genuineness",
    "suggest_gestures",
]
