"""What the estimated effect of gestures on leaving says, in one sentence.

The effect (:func:`carpe.services.retention.gesture_effect`) is a difference in
the rate of leaving; only an interval wholly on one side of zero says anything.
"""

from __future__ import annotations

from carpe.analytics.effects import EffectEstimate

__all__ = ["effect_verdict"]


def effect_verdict(effect: EffectEstimate) -> str:
    """The sentence the interval of gestures' effect on leaving supports.

    Examples
    --------
    >>> from carpe.analytics.effects import EffectEstimate
    >>> e = EffectEstimate(-0.05, -0.08, -0.02, 0.015, 0.001, 40, 400, "aipw", "att", -0.07, 0.95)
    >>> effect_verdict(e)
    'Gestures go with customers staying.'
    """
    if effect.ci_high < 0:
        return "Gestures go with customers staying."
    if effect.ci_low > 0:
        return "Gestures go with customers leaving — look at how they are given."
    return "The data cannot tell yet whether gestures make a difference."
