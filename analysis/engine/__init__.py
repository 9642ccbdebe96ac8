"""The rating engine: every figure of the report, computed from a loaded dataset.

:mod:`~analysis.engine.ratings` rates measures under the dataset's framework and finds
their direction of travel; :mod:`~analysis.engine.items` sees the kinds of item as one
list; :mod:`~analysis.engine.summary` counts statuses, changes and the headline
figures; :mod:`~analysis.engine.risks` builds the risk register and its matrices.
Functions here read a dataset and return new frames; they never change it. The answers
asked for again and again (the items, a quarter's statuses, the risk register, the
headline figures) are worked out once per dataset and handed out as copies
(:mod:`~analysis.engine.memo`).
"""

from analysis.engine.items import amendments_for, list_items, theme_names, updates_for
from analysis.engine.ratings import count_met, direction_of_travel, rate_measures
from analysis.engine.risks import risk_matrix, risk_register
from analysis.engine.summary import (
    action_status_counts,
    headline_figures,
    item_statuses,
    monitoring_counts,
    rated_measures,
    status_changes,
)

__all__ = [
    "amendments_for",
    "list_items",
    "theme_names",
    "updates_for",
    "count_met",
    "direction_of_travel",
    "rate_measures",
    "risk_matrix",
    "risk_register",
    "action_status_counts",
    "headline_figures",
    "item_statuses",
    "monitoring_counts",
    "rated_measures",
    "status_changes",
]
