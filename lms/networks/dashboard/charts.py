"""The cohort's aggregates: key figures, funnel, module statistics, levers, heat map."""

from dataclasses import dataclass

import sqlalchemy as sa

from lms.catalog.models import Lever, Module
from lms.extensions import db
from lms.networks.dashboard.learners import (
    LearnerRow,
    ModuleCounts,
    Scope,
    all_learners,
    cohort_enrollments,
)
from lms.progress.models import LevelProgress


@dataclass
class Summary:
    learners: int
    started: int
    completed: int
    inactive: int
    stuck: int
    average_percent: int


def summary(scope: Scope) -> Summary:
    rows = all_learners(scope)
    total_modules = len(scope.modules)
    # A completed parcours counts in full even if modules were added since.
    done = sum(total_modules if row.completed_at else row.modules_done for row in rows)
    average = round(100 * done / (len(rows) * total_modules)) if rows and total_modules else 0
    return Summary(
        learners=len(rows),
        started=sum(row.is_started or row.completed_at is not None for row in rows),
        completed=sum(row.completed_at is not None for row in rows),
        inactive=sum(row.is_inactive for row in rows),
        stuck=sum(row.is_stuck for row in rows),
        average_percent=average,
    )


@dataclass
class FunnelStep:
    label_key: str  # "enrolled", "started", a level key, "completed", "certified"
    count: int


def funnel(scope: Scope, stats: Summary) -> list[FunnelStep]:
    levels = dict(
        db.session.execute(
            sa.select(LevelProgress.level_id, sa.func.count())
            .where(LevelProgress.enrollment_id.in_(cohort_enrollments(scope)))
            .group_by(LevelProgress.level_id)
        ).all()
    )
    certified = sum(
        row.certificate_code is not None and not row.certificate_revoked
        for row in all_learners(scope)
    )
    steps = [FunnelStep("enrolled", stats.learners), FunnelStep("started", stats.started)]
    steps += [FunnelStep(level.key.value, levels.get(level.id, 0)) for level in scope.levels]
    steps += [FunnelStep("completed", stats.completed), FunnelStep("certified", certified)]
    return steps


@dataclass
class ModuleStats:
    module: Module
    started: int
    completed: int
    # Learners per best-score bucket of the module's quiz (empty without a quiz).
    score_buckets: list[int]


def module_stats(scope: Scope) -> list[ModuleStats]:
    """Per module: learners who started it, finished it, and the best-score distribution of
    its quiz."""
    result = []
    for module in scope.modules:
        counts = scope.progress.modules.get(module.id) or ModuleCounts()
        has_quiz = module.quiz is not None and not module.quiz.is_archived
        result.append(
            ModuleStats(
                module=module,
                started=counts.started,
                completed=counts.completed,
                score_buckets=list(counts.buckets) if has_quiz else [],
            )
        )
    return result


@dataclass
class LeverStats:
    lever: str
    modules: int
    percent: int  # share of (learner, module) pairs completed


def lever_stats(scope: Scope, modules: list[ModuleStats], learners: int) -> list[LeverStats]:
    result = []
    for lever in Lever:
        tagged = [stats for stats in modules if lever.value in (stats.module.levers or [])]
        possible = learners * len(tagged)
        done = sum(stats.completed for stats in tagged)
        result.append(
            LeverStats(lever.value, len(tagged), round(100 * done / possible) if possible else 0)
        )
    return result


def heat_map(scope: Scope, rows: list[LearnerRow]) -> dict[int, dict[int, str]]:
    """{member id: {module id: "completed" | "in_progress"}} for the learners shown."""
    return {row.member_id: scope.progress.of(row.enrollment_id).states for row in rows}
