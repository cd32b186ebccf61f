"""Gestures: the genuineness guard (pure code over tables of gestures and moments)."""

from carpe.gestures.genuineness import GenuinenessScore, score_genuineness

__all__ = ["GenuinenessScore", "score_genuineness"]
