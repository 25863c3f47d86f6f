"""The learner table of a cohort: one row per learner, filtered, sorted and paged in SQL."""

import enum
from collections import defaultdict
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
    # Every learner of the cohort, read once per page view (see `all_learners`).
    rows: list["LearnerRow"] | None = None
    # The cohort's module progress, read once per page view (see `progress`).
    _progress: "CohortProgress | None" = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.threshold = self.now - timedelta(days=self.cohort.inactivity_days)
        self._modules_by_id = {module.id: module for module in self.modules}
        self.module_ids = list(self._modules_by_id)

    def module(self, module_id: int | None) -> Module | None:
        return self._modules_by_id.get(module_id) if module_id is not None else None

    @property
    def progress(self) -> "CohortProgress":
        if self._progress is None:
            self._progress = CohortProgress.read(self)
        return self._progress


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


@dataclass(slots=True)
class LearnerProgress:
    """One learner's module progress on the parcours' active modules, folded."""

    done: int = 0
    score_total: float = 0.0
    scores: int = 0
    failed: bool = False  # a quiz failed FAILED_ATTEMPTS_STUCK times without a pass
    last_completed_at: datetime | None = None
    # {module id: "completed" | "in_progress"}
    states: dict[int, str] = field(default_factory=dict)
    # {level id: modules completed}
    levels: dict[int, int] = field(default_factory=dict)


@dataclass
class ModuleCounts:
    started: int = 0
    completed: int = 0
    # Learners per SCORE_BUCKETS bucket of their best score.
    buckets: list[int] = field(default_factory=lambda: [0] * len(SCORE_BUCKETS))


@dataclass
class CohortProgress:
    """Every figure the page needs from the cohort's module progress, from one query and
    one pass over its rows (a few per learner).

    The learner table, the key figures, the module statistics and the heat map used to run
    an aggregate each through the cohort's enrolments; on PostgreSQL each became a pass
    over the whole table. This costs one pass, whatever the size of the store."""

    learners: dict[int, LearnerProgress]  # by enrollment id
    modules: dict[int, ModuleCounts]  # by module id

    @classmethod
    def read(cls, scope: Scope) -> "CohortProgress":
        progress = ModuleProgress
        rows = db.session.execute(
            sa.select(
                progress.enrollment_id,
                progress.module_id,
                progress.completed_at,
                progress.best_score,
                # Only whether a quiz is failed for good matters here: a boolean costs
                # less to fetch than the count and the date.
                sa.and_(
                    progress.quiz_attempts >= FAILED_ATTEMPTS_STUCK,
                    progress.quiz_passed_at.is_(None),
                ),
            )
            .join(CohortMember, CohortMember.enrollment_id == progress.enrollment_id)
            .where(
                CohortMember.cohort_id == scope.cohort.id,
                progress.module_id.in_(scope.module_ids),
            )
        )
        level_of = {module.id: module.level_id for module in scope.modules}
        learners: dict[int, LearnerProgress] = defaultdict(LearnerProgress)
        modules: dict[int, ModuleCounts] = defaultdict(ModuleCounts)
        for enrollment_id, module_id, completed_at, best_score, failed in rows:
            learner = learners[enrollment_id]
            counts = modules[module_id]
            counts.started += 1
            if completed_at is not None:
                counts.completed += 1
                learner.done += 1
                level_id = level_of[module_id]
                learner.levels[level_id] = learner.levels.get(level_id, 0) + 1
                if learner.last_completed_at is None or completed_at > learner.last_completed_at:
                    learner.last_completed_at = completed_at
                learner.states[module_id] = "completed"
            else:
                learner.states[module_id] = "in_progress"
            if best_score is not None:
                learner.score_total += best_score
                learner.scores += 1
                counts.buckets[score_bucket(best_score)] += 1
            if failed:
                learner.failed = True
        return cls(dict(learners), dict(modules))

    def of(self, enrollment_id: int) -> LearnerProgress:
        return self.learners.get(enrollment_id) or LearnerProgress()


def score_bucket(score: float) -> int:
    """The SCORE_BUCKETS index of a best score (0 to 1)."""
    for index, (_low, high) in enumerate(SCORE_BUCKETS):
        if score < high / 100:
            return index
    return len(SCORE_BUCKETS) - 1


@dataclass(slots=True)
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
    enrollment_id: int = 0
    structure_id: int | None = None
    is_inactive: bool = False
    is_stuck: bool = False
    is_started: bool = False


def cohort_enrollments(scope: Scope) -> sa.Select:
    return sa.select(CohortMember.enrollment_id).where(CohortMember.cohort_id == scope.cohort.id)


def _certificates(scope: Scope) -> sa.Subquery:
    return (
        sa.select(Certificate.enrollment_id, Certificate.code, Certificate.revoked_at)
        .where(
            Certificate.enrollment_id.in_(cohort_enrollments(scope)),
            Certificate.scope == "parcours",
        )
        .subquery("parcours_certificates")
    )


def learner_query(scope: Scope) -> sa.Select:
    """One row per learner of the cohort with what the table needs but module progress
    (see `Scope.progress`), in one query."""
    certificates = _certificates(scope)
    return (
        sa.select(
            CohortMember.id.label("member_id"),
            CohortMember.structure_id,
            User.id.label("user_id"),
            User.name,
            User.email,
            Structure.name.label("structure"),
            Enrollment.enrolled_at,
            ParcoursProgress.started_at,
            ParcoursProgress.last_activity_at,
            ParcoursProgress.last_module_id,
            ParcoursProgress.completed_at,
            certificates.c.code.label("certificate_code"),
            certificates.c.revoked_at.label("certificate_revoked_at"),
            Enrollment.id.label("enrollment_id"),
        )
        .select_from(CohortMember)
        .join(User, User.id == CohortMember.user_id)
        .join(Enrollment, Enrollment.id == CohortMember.enrollment_id)
        .outerjoin(Structure, Structure.id == CohortMember.structure_id)
        .outerjoin(ParcoursProgress, ParcoursProgress.enrollment_id == Enrollment.id)
        .outerjoin(certificates, certificates.c.enrollment_id == Enrollment.id)
        .where(CohortMember.cohort_id == scope.cohort.id)
    )


def all_learners(scope: Scope) -> list["LearnerRow"]:
    """Every learner of the cohort, from one pass over the projection; kept on the scope so
    that the table, the key figures and the filters of one page share it."""
    if scope.rows is None:
        scope.rows = [_learner(scope, row) for row in db.session.execute(learner_query(scope))]
    return scope.rows


@dataclass
class Filters:
    status: LearnerStatus | None = None
    search: str = ""
    structure_id: int | None = None
    sort: Sort = Sort.NAME


def _matches(row: LearnerRow, filters: Filters) -> bool:
    search = filters.search.strip().lower()
    if search and search not in row.name.lower() and search not in row.email.lower():
        return False
    if filters.structure_id is not None and row.structure_id != filters.structure_id:
        return False
    if filters.status == LearnerStatus.INACTIVE:
        return row.is_inactive
    if filters.status == LearnerStatus.STUCK:
        return row.is_stuck
    return filters.status is None or row.status == filters.status


def _sort_key(sort: Sort):
    if sort == Sort.PROGRESS:
        return lambda row: (-row.modules_done, row.name.lower(), row.user_id)
    if sort == Sort.ACTIVITY:
        return lambda row: (
            row.last_activity_at is None,
            -(row.last_activity_at.timestamp() if row.last_activity_at else 0),
            row.user_id,
        )
    return lambda row: (row.name.lower(), row.user_id)


def learner_rows(
    scope: Scope, filters: Filters, page: int = 1, per_page: int | None = 50
) -> tuple[list[LearnerRow], int]:
    """One page of the learner table (every row if per_page is None), and the row count.

    "Inactive" and "stuck" list everyone with that alert (a learner can have both); the
    other statuses are exclusive, as shown on each row."""
    rows = sorted(
        (row for row in all_learners(scope) if _matches(row, filters)), key=_sort_key(filters.sort)
    )
    total = len(rows)
    if per_page is not None:
        first = (max(page, 1) - 1) * per_page
        rows = rows[first : first + per_page]
    for row in rows:
        row.level_percents = _level_percents(
            scope, row, scope.progress.of(row.enrollment_id).levels
        )
    return rows, total


def _level_percents(scope: Scope, row: LearnerRow, done: dict[int, int]) -> dict[str, int]:
    percents = {}
    for level in scope.levels:
        count = len(level.modules)
        level_done = done.get(level.id, 0)
        if row.completed_at is not None or (count and level_done >= count):
            percents[level.key.value] = 100
        else:
            percents[level.key.value] = round(100 * level_done / count) if count else 0
    return percents


def _learner(scope: Scope, row) -> LearnerRow:
    progress = scope.progress.of(row.enrollment_id)
    done = progress.done
    total = len(scope.modules)
    is_completed = row.completed_at is not None
    percent = 100 if is_completed else (round(100 * done / total) if total else 0)
    # A learner without a projection row has no `registered` statement counted yet.
    last_activity = row.last_activity_at or row.enrolled_at
    last_progress = progress.last_completed_at or row.started_at or row.enrolled_at
    reasons = []
    if not is_completed and progress.failed:
        reasons.append("failed")
    if not is_completed and last_progress < scope.threshold:
        reasons.append("no_progress")
    # Any statement on a module sets the projection's last module: the learner has begun.
    is_started = done > 0 or row.last_module_id is not None
    is_inactive = not is_completed and last_activity < scope.threshold
    if is_completed:
        status = LearnerStatus.COMPLETED
    elif is_inactive:
        status = LearnerStatus.INACTIVE
    elif reasons:
        status = LearnerStatus.STUCK
    elif is_started:
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
        modules_done=done,
        percent=percent,
        level_percents={},
        quiz_average=(
            round(progress.score_total / progress.scores * 100) if progress.scores else None
        ),
        certificate_code=row.certificate_code,
        certificate_revoked=row.certificate_revoked_at is not None,
        status=status,
        stuck_reasons=reasons,
        enrollment_id=row.enrollment_id,
        structure_id=row.structure_id,
        is_inactive=is_inactive,
        is_stuck=bool(reasons),
        is_started=is_started,
    )
