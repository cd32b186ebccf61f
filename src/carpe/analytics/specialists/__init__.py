"""Hidden specialists: the employees, in any department, who measurably keep customers.

Pure code: pandas frames in (:class:`SpecialistInputs`, built by the pipeline
step from Ibis aggregations), frozen results out (:class:`SpecialistsResult`).

* :mod:`.hazard` — the monthly churn-hazard model with every employee in it;
* :mod:`.attribution` — each employee's effect on 12-month retention of the
  accounts they served, against a typical colleague, shrunk, with
  false-discovery-rate flags;
* :mod:`.components` — the experience components where their accounts differ;
* :mod:`.praise` — praise by name in feedback and notes;
* :mod:`.keyperson` — key-person (poaching) risk and dependent value;
* :mod:`.engagement` — engagement trends beside the accounts' experience;
* :mod:`.report` — :func:`find_specialists`, all of it together.
"""

from __future__ import annotations

from carpe.analytics.specialists.attribution import (
    Attribution,
    attribute_retention,
    naive_retention,
    retention_cohort,
)
from carpe.analytics.specialists.components import COMPONENTS, Component, compare_components
from carpe.analytics.specialists.engagement import EngagementLink, link_engagement
from carpe.analytics.specialists.inputs import SpecialistInputs, Windows, choose_windows
from carpe.analytics.specialists.keyperson import (
    AccountDependence,
    dependent_value,
    key_person_risk,
)
from carpe.analytics.specialists.praise import Mention, find_praise, name_variants
from carpe.analytics.specialists.report import (
    Specialist,
    SpecialistsResult,
    find_specialists,
    suggest_recognition,
)

__all__ = [
    "COMPONENTS",
    "AccountDependence",
    "Attribution",
    "Component",
    "EngagementLink",
    "Mention",
    "Specialist",
    "SpecialistInputs",
    "SpecialistsResult",
    "Windows",
    "attribute_retention",
    "choose_windows",
    "compare_components",
    "dependent_value",
    "find_praise",
    "find_specialists",
    "key_person_risk",
    "link_engagement",
    "naive_retention",
    "name_variants",
    "retention_cohort",
    "suggest_recognition",
]
