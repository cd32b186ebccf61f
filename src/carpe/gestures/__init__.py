"""Gestures: budgets, ideas that fit the person, the genuineness guard (pure code).

Whether gestures pay is an analysis: :mod:`carpe.analytics.payoff`.
"""

from carpe.gestures.budget import BudgetLine, BudgetUse, Charge, allocate, needs_approval
from carpe.gestures.genuineness import GenuinenessScore, score_genuineness
from carpe.gestures.suggest import FITTING, MomentCue, Suggestion, suggest_gestures

__all__ = [
    "FITTING",
    "BudgetLine",
    "BudgetUse",
    "Charge",
    "GenuinenessScore",
    "MomentCue",
    "Suggestion",
    "allocate",
    "needs_approval",
    "score_genuineness",
    "suggest_gestures",
]
