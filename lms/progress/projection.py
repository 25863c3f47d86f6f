"""The progress projection: folds one stored statement into the progress tables.

This is the only writer of `lms.progress.models`. It reads nothing but the statement and the
catalogue, so replaying the store in order rebuilds exactly the same progress. It returns the
completions the statement caused; the write path records them as `completed` statements
(live), and replay ignores them (they are already in the store).
"""

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from lms.catalog.models import Level, Module, Parcours, Quiz
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.progress.models import LevelProgress, ModuleProgress, ParcoursProgress
from lms.xapi import vocabulary
from lms.xapi.ids import ActivityRef, parse_activity_iri
from lms.xapi.models import Statement


@dataclass(frozen=True)
class Completion:
    enrollment: Enrollment
    target: Module | Level | Parcours
    timestamp: datetime


@dataclass
class ProjectionCache:
    """Catalogue look-ups reused across the statements of one write or one replay."""

    parcours: dict[str, Parcours | None] = field(default_factory=dict)
    modules: dict[tuple[int, str], Module | None] = field(default_factory=dict)
    enrollments: dict[tuple[int, int, str | None], Enrollment | None] = field(default_factory=dict)

    def parcours_by_slug(self, slug: str) -> Parcours | None:
        if slug not in self.parcours:
            self.parcours[slug] = db.session.scalar(
                sa.select(Parcours).where(Parcours.slug == slug)
            )
        return self.parcours[slug]

    def module_by_slug(self, parcours: Parcours, slug: str) -> Module | None:
        key = (parcours.id, slug)
        if key not in self.modules:
            self.modules[key] = db.session.scalar(
                sa.select(Module).where(Module.parcours_id == parcours.id, Module.slug == slug)
            )
        return self.modules[key]

    def enrollment(
        self, user_id: int, parcours: Parcours, registration: str | None
    ) -> Enrollment | None:
        key = (user_id, parcours.id, registration)
        if key not in self.enrollments:
            query = sa.select(Enrollment).where(
                Enrollment.user_id == user_id, Enrollment.parcours_id == parcours.id
            )
            if registration is not None:
                query = query.where(Enrollment.registration == registration)
            self.enrollments[key] = db.session.scalar(query)
        return self.enrollments[key]


def apply_statement(statement: Statement, cache: ProjectionCache | None = None) -> list[Completion]:
    """Fold one stored statement into the progress tables; flushes, never commits."""
    cache = cache or ProjectionCache()
    if statement.is_voided or statement.user_id is None:
        return []
    ref = parse_activity_iri(statement.object_id)
    if ref is None:
        return []
    parcours = cache.parcours_by_slug(ref.parcours_slug)
    if parcours is None:
        return []
    enrollment = cache.enrollment(statement.user_id, parcours, statement.registration)
    if enrollment is None:
        return []
    module = _module_of(ref, parcours, cache)
    if ref.module_slug is not None and module is None:
        return []

    timestamp = statement.timestamp
    journey = _parcours_progress(enrollment, timestamp)
    journey.last_activity_at = max(journey.last_activity_at, timestamp)
    if module is not None:
        journey.last_module_id = module.id

    completions: list[Completion] = []
    verb = statement.verb_id
    if module is None:
        db.session.flush()
        return completions

    progress = _module_progress(enrollment, module, timestamp)
    progress.last_activity_at = max(progress.last_activity_at, timestamp)
    if ref.kind == "module" and verb == vocabulary.EXPERIENCED.id:
        progress.read_at = progress.read_at or timestamp
    elif ref.kind == "module" and verb == vocabulary.COMPLETED.id:
        # An outside tool may report a module completed; we take its word.
        _complete_module(enrollment, module, progress, journey, timestamp, completions)
    elif ref.kind == "quiz" and verb in {vocabulary.PASSED.id, vocabulary.FAILED.id}:
        progress.quiz_attempts += 1
        scaled = _scaled_score(statement.payload)
        if scaled is not None:
            progress.best_score = max(progress.best_score or 0.0, scaled)
        if verb == vocabulary.PASSED.id:
            progress.quiz_passed_at = progress.quiz_passed_at or timestamp
    _check_module(enrollment, module, progress, journey, timestamp, completions)
    db.session.flush()
    return completions


def _module_of(ref: ActivityRef, parcours: Parcours, cache: ProjectionCache) -> Module | None:
    if ref.module_slug is None:
        return None
    return cache.module_by_slug(parcours, ref.module_slug)


def _scaled_score(payload: dict) -> float | None:
    score = (payload.get("result") or {}).get("score") or {}
    scaled = score.get("scaled")
    return float(scaled) if isinstance(scaled, int | float) else None


def _parcours_progress(enrollment: Enrollment, timestamp: datetime) -> ParcoursProgress:
    progress = db.session.get(ParcoursProgress, enrollment.id)
    if progress is None:
        progress = ParcoursProgress(
            enrollment_id=enrollment.id, started_at=timestamp, last_activity_at=timestamp
        )
        db.session.add(progress)
    return progress


def _module_progress(enrollment: Enrollment, module: Module, timestamp: datetime) -> ModuleProgress:
    progress = db.session.scalar(
        sa.select(ModuleProgress).where(
            ModuleProgress.enrollment_id == enrollment.id, ModuleProgress.module_id == module.id
        )
    )
    if progress is None:
        progress = ModuleProgress(
            enrollment_id=enrollment.id,
            module_id=module.id,
            quiz_attempts=0,
            last_activity_at=timestamp,
        )
        db.session.add(progress)
    return progress


def _active_quiz(module: Module) -> Quiz | None:
    quiz = module.quiz
    return quiz if quiz is not None and not quiz.is_archived else None


def _check_module(
    enrollment: Enrollment,
    module: Module,
    progress: ModuleProgress,
    journey: ParcoursProgress,
    timestamp: datetime,
    completions: list[Completion],
) -> None:
    if progress.completed_at is not None or progress.read_at is None:
        return
    if _active_quiz(module) is not None and progress.quiz_passed_at is None:
        return
    _complete_module(enrollment, module, progress, journey, timestamp, completions)


def _complete_module(
    enrollment: Enrollment,
    module: Module,
    progress: ModuleProgress,
    journey: ParcoursProgress,
    timestamp: datetime,
    completions: list[Completion],
) -> None:
    if progress.completed_at is not None:
        return
    progress.completed_at = timestamp
    completions.append(Completion(enrollment, module, timestamp))
    if module.is_archived:
        return
    db.session.flush()
    level = module.level
    module_ids = [m.id for m in level.modules]
    done = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ModuleProgress)
        .where(
            ModuleProgress.enrollment_id == enrollment.id,
            ModuleProgress.module_id.in_(module_ids),
            ModuleProgress.completed_at.is_not(None),
        )
    )
    if done < len(module_ids):
        return
    already = db.session.scalar(
        sa.select(LevelProgress).where(
            LevelProgress.enrollment_id == enrollment.id, LevelProgress.level_id == level.id
        )
    )
    if already is not None:
        return
    db.session.add(
        LevelProgress(enrollment_id=enrollment.id, level_id=level.id, completed_at=timestamp)
    )
    completions.append(Completion(enrollment, level, timestamp))
    db.session.flush()
    levels_done = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(LevelProgress)
        .where(LevelProgress.enrollment_id == enrollment.id)
    )
    if journey.completed_at is None and levels_done >= len(level.parcours.levels):
        journey.completed_at = timestamp
        completions.append(Completion(enrollment, level.parcours, timestamp))
