"""Every analysis step of carpe, declared in this one place.

Each declaration names the step, the snapshot columns it reads, the outputs of
other steps it reads (by type: ``inputs`` are needed and pulled into the run,
``optional_inputs`` are used when computed or stored), the frozen dataclass it
produces and the function computing it. :data:`PIPELINE` runs them; the order
here breaks ties of the dependency order. Adding a step is one new module (the
function and its output type) and one declaration below (docs/analytics.md,
"Adding a step").
"""

from __future__ import annotations

from typing import Final

from carpe.analytics.conflicts import ConflictReport
from carpe.analytics.payoff import PayoffResult
from carpe.analytics.pipeline import (
    alive_step,
    conflicts_step,
    features,
    gestures_step,
    specialists_step,
    stories_step,
)
from carpe.analytics.pipeline.alive_step import AliveResult, AliveStep
from carpe.analytics.pipeline.conflicts_step import ConflictsStep
from carpe.analytics.pipeline.context import Step
from carpe.analytics.pipeline.gestures_step import GesturesStep
from carpe.analytics.pipeline.risk import EarlyWarningStep, Features, FeaturesStep, RiskResult
from carpe.analytics.pipeline.run import Pipeline
from carpe.analytics.pipeline.specialists_step import SpecialistsStep
from carpe.analytics.pipeline.stories_step import StoriesResult, StoriesStep
from carpe.analytics.specialists import SpecialistsResult

PIPELINE: Final = Pipeline(
    [
        Step(
            "features",
            reads=features.NEEDS,
            produces=Features,
            run=FeaturesStep().run,
        ),
        Step(
            "early_warning",
            reads=features.NEEDS,
            inputs=(Features,),
            produces=RiskResult,
            run=EarlyWarningStep().run,
        ),
        Step(
            "conflicts",
            reads=conflicts_step.NEEDS,
            optional_inputs=(RiskResult,),
            produces=ConflictReport,
            run=ConflictsStep().run,
        ),
        Step(
            "alive",
            reads=alive_step.NEEDS,
            produces=AliveResult,
            run=AliveStep().run,
        ),
        Step(
            "gestures",
            reads=gestures_step.NEEDS,
            produces=PayoffResult,
            run=GesturesStep().run,
        ),
        Step(
            "specialists",
            reads=specialists_step.NEEDS,
            produces=SpecialistsResult,
            run=SpecialistsStep().run,
        ),
        Step(
            "stories",
            reads=stories_step.NEEDS,
            inputs=(ConflictReport,),
            produces=StoriesResult,
            run=StoriesStep().run,
        ),
    ]
)
"""carpe's analysis steps (``carpe analyze --steps`` names them)."""
