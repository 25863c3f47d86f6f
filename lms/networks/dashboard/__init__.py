"""The cohort dashboard's read models, from the progress projection only.

Nothing here replays statements: each figure is an aggregate over `parcours_progress`,
`module_progress`, `level_progress` and `certificates`, restricted to the cohort's
enrolments through indexed columns, so a page costs a fixed number of queries whatever the
size of the statement store.
"""

from lms.networks.dashboard.charts import (
    FunnelStep,
    LeverStats,
    ModuleStats,
    Summary,
    funnel,
    heat_map,
    lever_stats,
    module_stats,
    summary,
)
from lms.networks.dashboard.learners import (
    FAILED_ATTEMPTS_STUCK,
    SCORE_BUCKETS,
    Filters,
    LearnerRow,
    LearnerStatus,
    Scope,
    Sort,
    learner_rows,
    scope_for,
)

__all__ = [
    "FAILED_ATTEMPTS_STUCK",
    "SCORE_BUCKETS",
    "Filters",
    "FunnelStep",
    "LearnerRow",
    "LearnerStatus",
    "LeverStats",
    "ModuleStats",
    "Scope",
    "Sort",
    "Summary",
    "funnel",
    "heat_map",
    "learner_rows",
    "lever_stats",
    "module_stats",
    "scope_for",
    "summary",
]
