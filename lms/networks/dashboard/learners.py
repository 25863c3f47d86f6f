"""The learner table of a cohort: one row per learner, filtered, sorted and paged in SQL."""

import enum
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.catalog.models import Level, Module, Parcours
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.networks.models import Cohort, CohortMember, Structure
from lms.progress.models import ModuleProgress, ParcoursProgress

# "The same quiz failed three times": attempts without a pass.
FAILED_ATTEMPTS_STUCK = 3
SCORE_BUCKETS = ((0, 20), (20, 40), (40, 60), (60, 80), (80, 101))


class LearnerStatus(enum.StrEnum):
    COMPLETED = "completed"
    INACTIVE = "inactive"
    STUCK = "stuck"
    IN_PROGRESS = "in_progress"
    NOT_STARTED = "not_started"


class Sort(enum.StrEnum):
    NAME = "name"
    PROGRESS = "progress"
    ACTIVITY = "activity"


@dataclass
class Scope:
    """A cohort, its parcours' active modules in order, and the alert threshold."""

    cohort: Cohort
    parcours: Parcours
    levels: list[Level]
    modules: list[Module]
    now: datetime

    @property
    def threshold(self) -> datetime:
        return self.now - timedelta(days=self.cohort.inactivity_days)

    @property
    def module_ids(self) -> list[int]:
        return [module.id for module in self.modules]

    def module(self, module_id: int | None) -> Module | None:
        return next((m for m in self.modules if m.id == module_id), None)


def scope_for(cohort: Cohort, now: datetime) -> Scope:
    parcours = db.session.scalar(
        sa.select(Parcours)
        .where(Parcours.id == cohort.parcours_id)
        .options(
            selectinload(Parcours.levels).selectinload(Level.modules).selectinload(Module.quiz)
        )
    )
    modules = [module for level in parcours.levels for module in level.modules]
    return Scope(cohort, parcours, list(parcours.levels), modules, now)


@dataclass
class LearnerRow:
    member_id: int
    user_id: int
    name: str
    email: str
    structure: str
    enrolled_at: datetime
    last_activity_at: datetime | None
    completed_at: datetime | None
    current_module: str
    modules_done: int
    percent: int
    level_percents: dict[str, int]
    quiz_average: int | None  # percent, average of the best score of each quiz tried
    certificate_code: str | None
    certificate_revoked: bool
    status: LearnerStatus
    stuck_reasons: list[str] = field(default_factory=list)


def cohort_enrollments(scope: Scope) -> sa.Select:
    return sa.select(CohortMember.enrollment_id).where(CohortMember.cohort_id == scope.cohort.id)


def _module_stats(scope: Scope) -> sa.Subquery:
    """Per enrolment of the cohort: modules completed, quiz average, quiz failed 3 times,
    last completion."""
    progress = ModuleProgress
    failed = sa.and_(
        progress.quiz_attempts >= FAILED_ATTEMPTS_STUCK, progress.quiz_passed_at.is_(None)
    )
    return (
        sa.select(
            progress.enrollment_id,
            sa.func.count(progress.completed_at).label("done"),
            sa.func.avg(progress.best_score).label("quiz_avg"),
            sa.func.max(sa.case((failed, 1), else_=0)).label("failed"),
            sa.func.max(progress.completed_at).label("last_completed_at"),
        )
        .where(
            progress.enrollment_id.in_(cohort_enrollments(scope)),
            progress.module_id.in_(scope.module_ids),
        )
        .group_by(progress.enrollment_id)
        .subquery("module_stats")
    )


def _certificates(scope: Scope) -> sa.Subquery:
    return (
        sa.select(Certificate.enrollment_id, Certificate.code, Certificate.revoked_at)
        .where(
            Certificate.enrollment_id.in_(cohort_enrollments(scope)),
            Certificate.scope == "parcours",
        )
        .subquery("parcours_certificates")
    )


@dataclass(frozen=True)
class _Columns:
    """The SQL expressions of the learner table, shared by rows, counts and filters."""

    query: sa.Select
    is_completed: sa.ColumnElement
    is_inactive: sa.ColumnElement
    is_stuck: sa.ColumnElement
    is_started: sa.ColumnElement
    done: sa.ColumnElement


def learner_query(scope: Scope) -> _Columns:
    stats = _module_stats(scope)
    certificates = _certificates(scope)
    done = sa.func.coalesce(stats.c.done, 0)
    last_progress = sa.func.coalesce(
        stats.c.last_completed_at, ParcoursProgress.started_at, Enrollment.enrolled_at
    )
    is_completed = ParcoursProgress.completed_at.is_not(None)
    # A learner without a projection row has no `registered` statement counted yet.
    last_activity = sa.func.coalesce(ParcoursProgress.last_activity_at, Enrollment.enrolled_at)
    is_inactive = sa.and_(~is_completed, last_activity < scope.threshold)
    is_stuck = sa.and_(
        ~is_completed,
        sa.or_(sa.func.coalesce(stats.c.failed, 0) == 1, last_progress < scope.threshold),
    )
    query = (
        sa.select(
            CohortMember.id.label("member_id"),
            User.id.label("user_id"),
            User.name,
            User.email,
            Structure.name.label("structure"),
            Enrollment.enrolled_at,
            ParcoursProgress.last_activity_at,
            ParcoursProgress.last_module_id,
            ParcoursProgress.completed_at,
            done.label("done"),
            stats.c.quiz_avg,
            sa.func.coalesce(stats.c.failed, 0).label("failed"),
            last_progress.label("last_progress_at"),
            certificates.c.code.label("certificate_code"),
            certificates.c.revoked_at.label("certificate_revoked_at"),
            Enrollment.id.label("enrollment_id"),
        )
        .select_from(CohortMember)
        .join(User, User.id == CohortMember.user_id)
        .join(Enrollment, Enrollment.id == CohortMember.enrollment_id)
        .outerjoin(Structure, Structure.id == CohortMember.structure_id)
        .outerjoin(ParcoursProgress, ParcoursProgress.enrollment_id == Enrollment.id)
        .outerjoin(stats, stats.c.enrollment_id == Enrollment.id)
        .outerjoin(certificates, certificates.c.enrollment_id == Enrollment.id)
        .where(CohortMember.cohort_id == scope.cohort.id)
    )
    # Any statement on a module sets the projection's last module: the learner has begun.
    is_started = sa.or_(ParcoursProgress.last_module_id.is_not(None), done > 0)
    return _Columns(query, is_completed, is_inactive, is_stuck, is_started, done)


@dataclass
class Filters:
    status: LearnerStatus | None = None
    search: str = ""
    structure_id: int | None = None
    sort: Sort = Sort.NAME


def _filtered(scope: Scope, filters: Filters) -> tuple[_Columns, sa.Select]:
    columns = learner_query(scope)
    query = columns.query
    if filters.search.strip():
        pattern = f"%{filters.search.strip().lower()}%"
        query = query.where(
            sa.or_(sa.func.lower(User.name).like(pattern), sa.func.lower(User.email).like(pattern))
        )
    if filters.structure_id is not None:
        query = query.where(CohortMember.structure_id == filters.structure_id)
    if filters.status == LearnerStatus.COMPLETED:
        query = query.where(columns.is_completed)
    elif filters.status == LearnerStatus.INACTIVE:
        query = query.where(columns.is_inactive)
    elif filters.status == LearnerStatus.STUCK:
        query = query.where(columns.is_stuck)
    elif filters.status in {LearnerStatus.IN_PROGRESS, LearnerStatus.NOT_STARTED}:
        # As on each row: neither done, nor inactive, nor stuck; started or not.
        started = (
            columns.is_started
            if filters.status == LearnerStatus.IN_PROGRESS
            else ~columns.is_started
        )
        query = query.where(~columns.is_completed, ~columns.is_inactive, ~columns.is_stuck, started)
    order = {
        Sort.NAME: (sa.func.lower(User.name), User.id),
        Sort.PROGRESS: (columns.done.desc(), sa.func.lower(User.name), User.id),
        Sort.ACTIVITY: (
            ParcoursProgress.last_activity_at.desc().nulls_last(),
            User.id,
        ),
    }[filters.sort]
    return columns, query.order_by(*order)


def learner_rows(
    scope: Scope,
    filters: Filters,
    page: int = 1,
    per_page: int | None = 50,
    known_total: int | None = None,
) -> tuple[list[LearnerRow], int]:
    """One page of the learner table (every row if per_page is None), and the row count
    (`known_total` spares counting when the caller knows it: no filter, all learners)."""
    _columns, query = _filtered(scope, filters)
    total = known_total
    if total is None:
        total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    if per_page is not None:
        query = query.limit(per_page).offset((max(page, 1) - 1) * per_page)
    rows = db.session.execute(query).all()
    levels = _level_counts(scope, [row.enrollment_id for row in rows], all_members=per_page is None)
    return [_learner(scope, row, levels) for row in rows], total


def _level_counts(
    scope: Scope, enrollment_ids: list[int], all_members: bool
) -> dict[int, dict[int, int]]:
    """{enrollment id: {level id: modules completed}}."""
    if not enrollment_ids:
        return {}
    wanted = cohort_enrollments(scope) if all_members else enrollment_ids
    rows = db.session.execute(
        sa.select(ModuleProgress.enrollment_id, Module.level_id, sa.func.count())
        .join(Module, Module.id == ModuleProgress.module_id)
        .where(
            ModuleProgress.enrollment_id.in_(wanted),
            ModuleProgress.module_id.in_(scope.module_ids),
            ModuleProgress.completed_at.is_not(None),
        )
        .group_by(ModuleProgress.enrollment_id, Module.level_id)
    ).all()
    counts: dict[int, dict[int, int]] = {}
    for enrollment_id, level_id, count in rows:
        counts.setdefault(enrollment_id, {})[level_id] = count
    return counts


def _learner(scope: Scope, row, levels: dict[int, dict[int, int]]) -> LearnerRow:
    total = len(scope.modules)
    is_completed = row.completed_at is not None
    percent = 100 if is_completed else (round(100 * row.done / total) if total else 0)
    done_by_level = levels.get(row.enrollment_id, {})
    level_percents = {}
    for level in scope.levels:
        count = len(level.modules)
        level_done = done_by_level.get(level.id, 0)
        level_percents[level.key.value] = (
            100
            if is_completed or (count and level_done >= count)
            else (round(100 * level_done / count) if count else 0)
        )
    last_activity = row.last_activity_at or row.enrolled_at
    reasons = []
    if not is_completed and row.failed:
        reasons.append("failed")
    if not is_completed and (row.last_progress_at or row.enrolled_at) < scope.threshold:
        reasons.append("no_progress")
    if is_completed:
        status = LearnerStatus.COMPLETED
    elif last_activity < scope.threshold:
        status = LearnerStatus.INACTIVE
    elif reasons:
        status = LearnerStatus.STUCK
    elif row.done > 0 or row.last_module_id is not None:
        status = LearnerStatus.IN_PROGRESS
    else:
        status = LearnerStatus.NOT_STARTED
    module = scope.module(row.last_module_id)
    return LearnerRow(
        member_id=row.member_id,
        user_id=row.user_id,
        name=row.name,
        email=row.email,
        structure=row.structure or "",
        enrolled_at=row.enrolled_at,
        last_activity_at=row.last_activity_at,
        completed_at=row.completed_at,
        current_module="" if is_completed or module is None else module.title,
        modules_done=row.done,
        percent=percent,
        level_percents=level_percents,
        quiz_average=round(row.quiz_avg * 100) if row.quiz_avg is not None else None,
        certificate_code=row.certificate_code,
        certificate_revoked=row.certificate_revoked_at is not None,
        status=status,
        stuck_reasons=reasons,
    )
