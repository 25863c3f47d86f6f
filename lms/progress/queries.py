"""Read models of a learner's progress through a parcours, built in a fixed number of queries."""

import enum
from dataclasses import dataclass, field

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import defer, joinedload, selectinload, undefer

from lms.catalog.models import Level, Module, Parcours, Quiz
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.progress.models import LevelProgress, ModuleProgress, ParcoursProgress


class ModuleStatus(enum.StrEnum):
    LOCKED = "locked"
    AVAILABLE = "available"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"


@dataclass
class ModuleState:
    module: Module
    status: ModuleStatus
    progress: ModuleProgress | None
    # Why the module is locked, for the learner.
    locked_reason: object | None = None  # a lazy translated string

    @property
    def is_read(self) -> bool:
        return self.progress is not None and self.progress.read_at is not None

    @property
    def is_quiz_passed(self) -> bool:
        return self.progress is not None and self.progress.quiz_passed_at is not None

    @property
    def attempts(self) -> int:
        return self.progress.quiz_attempts if self.progress is not None else 0

    @property
    def quiz(self) -> Quiz | None:
        quiz = self.module.quiz
        return quiz if quiz is not None and not quiz.is_archived else None

    @property
    def attempts_left(self) -> int | None:
        quiz = self.quiz
        if quiz is None or quiz.max_attempts is None:
            return None
        return max(quiz.max_attempts - self.attempts, 0)

    @property
    def percent(self) -> int:
        """Share of the module's steps done: reading, and passing the quiz if there is one."""
        if self.status == ModuleStatus.COMPLETED:
            return 100
        steps = 2 if self.quiz is not None else 1
        done = int(self.is_read) + int(self.is_quiz_passed)
        return round(100 * done / steps)


@dataclass
class LevelState:
    level: Level
    is_unlocked: bool
    is_completed: bool
    modules: list[ModuleState] = field(default_factory=list)

    @property
    def completed_count(self) -> int:
        return sum(state.status == ModuleStatus.COMPLETED for state in self.modules)

    @property
    def percent(self) -> int:
        if not self.modules:
            return 100 if self.is_completed else 0
        return round(100 * self.completed_count / len(self.modules))


@dataclass
class ParcoursState:
    parcours: Parcours
    enrollment: Enrollment | None
    journey: ParcoursProgress | None
    levels: list[LevelState]

    @property
    def is_completed(self) -> bool:
        return self.journey is not None and self.journey.completed_at is not None

    @property
    def percent(self) -> int:
        total = sum(len(level.modules) for level in self.levels)
        done = sum(level.completed_count for level in self.levels)
        return round(100 * done / total) if total else 0

    def module_state(self, module: Module) -> ModuleState | None:
        for level in self.levels:
            for state in level.modules:
                if state.module.id == module.id:
                    return state
        return None

    @property
    def next_module(self) -> ModuleState | None:
        """The first module not completed among those unlocked: where to resume."""
        for level in self.levels:
            for state in level.modules:
                if state.status in {ModuleStatus.AVAILABLE, ModuleStatus.IN_PROGRESS}:
                    return state
        return None

    @property
    def last_module(self) -> ModuleState | None:
        if self.journey is None or self.journey.last_module_id is None:
            return None
        for level in self.levels:
            for state in level.modules:
                if state.module.id == self.journey.last_module_id:
                    return state
        return None


def load_parcours(slug: str) -> Parcours | None:
    """A published parcours as learners see it: levels, modules and quizzes in one query.

    One query joining the four tables (a row per module) costs less than one query per
    table: the tree is small. The modules' bodies and resources are left out (a list of
    modules shows neither): the module page loads its own with `load_module_page`.
    """
    return (
        db.session.scalars(
            sa.select(Parcours)
            .where(Parcours.slug == slug, Parcours.is_published.is_(True))
            .options(
                joinedload(Parcours.levels)
                .joinedload(Level.modules)
                .options(
                    defer(Module.body_markdown),
                    defer(Module.body_html),
                    joinedload(Module.quiz),
                )
            )
        )
        .unique()
        .one_or_none()
    )


def load_module_page(module: Module) -> Module:
    """The module with what its page shows besides the tree: its body and its resources."""
    return db.session.scalars(
        sa.select(Module)
        .where(Module.id == module.id)
        .options(undefer(Module.body_html), selectinload(Module.resources))
    ).one()


def load_any_parcours(slug: str) -> Parcours | None:
    """A parcours, published or not, with everything its editors and exports read."""
    return db.session.scalar(
        sa.select(Parcours)
        .where(Parcours.slug == slug)
        .options(
            selectinload(Parcours.levels)
            .selectinload(Level.modules)
            .options(selectinload(Module.quiz), selectinload(Module.resources))
        )
    )


_LOCKED_REASONS = {
    "not_enrolled": _l("Inscrivez-vous au parcours pour accéder à ses modules."),
    "level": _l("Ce niveau s'ouvrira quand vous aurez terminé le niveau précédent."),
    "module": _l("Ce module s'ouvrira quand vous aurez terminé le module précédent."),
}


def parcours_state(parcours: Parcours, enrollment: Enrollment | None) -> ParcoursState:
    """Lock state and progress of every level and module for one enrolment (or none).

    Rules: the first level is open; a level opens when the one before is completed; within
    a level, a module opens when the one before is completed.
    """
    module_progress: dict[int, ModuleProgress] = {}
    completed_levels: set[int] = set()
    journey = None
    if enrollment is not None:
        # populate_existing: after an operation takes the enrolment lock, the rows must be
        # read again, not taken from the session as loaded before the lock.
        module_progress = {
            row.module_id: row
            for row in db.session.scalars(
                sa.select(ModuleProgress)
                .where(ModuleProgress.enrollment_id == enrollment.id)
                .execution_options(populate_existing=True)
            )
        }
        completed_levels = set(
            db.session.scalars(
                sa.select(LevelProgress.level_id).where(
                    LevelProgress.enrollment_id == enrollment.id
                )
            )
        )
        journey = db.session.get(ParcoursProgress, enrollment.id, populate_existing=True)

    levels: list[LevelState] = []
    previous_level_done = True
    for level in parcours.levels:
        is_completed = level.id in completed_levels
        level_state = LevelState(
            level=level,
            is_unlocked=enrollment is not None and previous_level_done,
            is_completed=is_completed,
        )
        previous_module_done = True
        for module in level.modules:
            progress = module_progress.get(module.id)
            reason = None
            if enrollment is None:
                status, reason = ModuleStatus.LOCKED, _LOCKED_REASONS["not_enrolled"]
            elif progress is not None and progress.completed_at is not None:
                status = ModuleStatus.COMPLETED
            elif not level_state.is_unlocked:
                status, reason = ModuleStatus.LOCKED, _LOCKED_REASONS["level"]
            elif not previous_module_done:
                status, reason = ModuleStatus.LOCKED, _LOCKED_REASONS["module"]
            elif progress is not None and (progress.read_at or progress.quiz_attempts):
                status = ModuleStatus.IN_PROGRESS
            else:
                status = ModuleStatus.AVAILABLE
            level_state.modules.append(ModuleState(module, status, progress, reason))
            previous_module_done = status == ModuleStatus.COMPLETED
        levels.append(level_state)
        previous_level_done = is_completed
    return ParcoursState(parcours=parcours, enrollment=enrollment, journey=journey, levels=levels)
