"""Retention analytics: the in-process models fitted on the pipeline's output.

Modules (imported on use, so ``import carpe.analytics`` stays light):

``carpe.analytics.bgnbd``
    BG/NBD for non-contractual customers: probability alive, expected purchases,
    and the RFM summary of a transaction table.
``carpe.analytics.survival``
    Retention rate, Kaplan-Meier curves by segment and start cohort, median
    lifetime.
``carpe.analytics.early_warning``
    Contractual churn early warning: calibrated risk with per-account reasons.
``carpe.analytics.effects``
    Effects of micro-experiences on retention adjusted for confounders (AIPW),
    and many effects at once with shrinkage and false-discovery-rate flags.
``carpe.analytics.payoff``
    Does it pay? Gestures' effects on retention and sentiment (a landmark design).

Every model is pure: tables and arrays in, fitted attributes (ending in ``_``),
frozen dataclasses and tables out; nothing here opens a connection or reads
settings. See docs/retention.md.
"""

__all__ = ["bgnbd", "early_warning", "effects", "payoff", "survival"]
