"""Gestures: budgets, ideas that fit the person, the genuineness guard, does it pay (pure code)."""

from carpe.gestures.budget import BudgetLine, BudgetUse, Charge, allocate, needs_approval
from carpe.gestures.genuineness import GenuinenessScore, score_genuineness
from carpe.gestures.payoff import PayoffResult, PayoffRow, PayoffWindows, cost_band, estimate_payoff
from carpe.gestures.suggest import FITTING, MomentCue, Suggestion, suggest_gestures

__all__ = [
    "FITTING",
    "BudgetLine",
    "BudgetUse",
    "Charge",
    "GenuinenessScore",
    "MomentCue",
    "PayoffResult",
    "PayoffRow",
    "PayoffWindows",
    "Suggestion",
    "allocate",
    "cost_band",
    "estimate_payoff",
    "needs_approval",
    "score_genuineness",
    "suggest_gestures",
]
