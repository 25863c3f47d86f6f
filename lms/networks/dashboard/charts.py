"""The cohort's aggregates: key figures, funnel, module statistics, levers, heat map."""

from dataclasses import dataclass

import sqlalchemy as sa

from lms.catalog.models import Lever, Module
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.networks.dashboard.learners import (
    SCORE_BUCKETS,
    LearnerRow,
    Scope,
    all_learners,
    cohort_enrollments,
)
from lms.networks.models import CohortMember
from lms.progress.models import LevelProgress, ModuleProgress


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
    certified = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Certificate)
        .where(
            Certificate.enrollment_id.in_(cohort_enrollments(scope)),
            Certificate.scope == "parcours",
            Certificate.revoked_at.is_(None),
        )
    )
    steps = [FunnelStep("enrolled", stats.learners), FunnelStep("started", stats.started)]
    steps += [FunnelStep(level.key.value, levels.get(level.id, 0)) for level in scope.levels]
    steps += [FunnelStep("completed", stats.completed), FunnelStep("certified", certified or 0)]
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
    its quiz — one pass over the cohort's module progress."""
    progress = ModuleProgress
    bucket = sa.case(
        (progress.best_score.is_(None), -1),
        *[
            (progress.best_score < high / 100, index)
            for index, (_low, high) in enumerate(SCORE_BUCKETS)
        ],
        else_=len(SCORE_BUCKETS) - 1,
    )
    started: dict[int, int] = {}
    completed: dict[int, int] = {}
    buckets: dict[int, list[int]] = {}
    for module_id, index, count, done in db.session.execute(
        sa.select(progress.module_id, bucket, sa.func.count(), sa.func.count(progress.completed_at))
        .where(
            progress.enrollment_id.in_(cohort_enrollments(scope)),
            progress.module_id.in_(scope.module_ids),
        )
        .group_by(progress.module_id, bucket)
    ):
        started[module_id] = started.get(module_id, 0) + count
        completed[module_id] = completed.get(module_id, 0) + done
        if index >= 0:
            buckets.setdefault(module_id, [0] * len(SCORE_BUCKETS))[index] += count
    result = []
    for module in scope.modules:
        has_quiz = module.quiz is not None and not module.quiz.is_archived
        result.append(
            ModuleStats(
                module=module,
                started=started.get(module.id, 0),
                completed=completed.get(module.id, 0),
                score_buckets=buckets.get(module.id, [0] * len(SCORE_BUCKETS)) if has_quiz else [],
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
    enrollment_of = dict(
        db.session.execute(
            sa.select(CohortMember.id, CohortMember.enrollment_id).where(
                CohortMember.id.in_([row.member_id for row in rows])
            )
        ).all()
    )
    member_of = {enrollment: member for member, enrollment in enrollment_of.items()}
    cells: dict[int, dict[int, str]] = {row.member_id: {} for row in rows}
    if not member_of:
        return cells
    for progress in db.session.execute(
        sa.select(
            ModuleProgress.enrollment_id,
            ModuleProgress.module_id,
            ModuleProgress.completed_at,
        ).where(
            ModuleProgress.enrollment_id.in_(list(member_of)),
            ModuleProgress.module_id.in_(scope.module_ids),
        )
    ):
        state = "completed" if progress.completed_at is not None else "in_progress"
        cells[member_of[progress.enrollment_id]][progress.module_id] = state
    return cells
