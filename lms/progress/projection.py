"""The progress projection: folds one stored statement into the progress tables.

This is the only writer of `lms.progress.models`.

Two modes, so that replay is a pure fold of the store whatever has happened to the content:
- live (`derive=True`): besides recording what the statement says, completion is derived
  from the rules (a module read with its quiz passed is completed, a level whose modules are
  all completed is completed…). Each derived completion is returned; the write path records
  it as a `completed` statement right after the statement that caused it.
- replay (`derive=False`): completion comes only from the stored `completed` statements.
  Live, every completion was recorded as one, with the timestamp of its cause, so replay
  rebuilds the same rows even if modules or quizzes were added or archived since.

`completed` statements are authoritative in both modes: an outside tool may report a module,
a level or the parcours completed, and a content change may make completions due (see
`due_completions`), recorded as statements too.

Nothing counts for an enrolment before its own `registered` statement: live, an earlier
statement found no enrolment; replay must ignore it the same way.
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
    """A module, level or parcours that a statement completed.

    `needs_statement` is False when the statement itself was that completion (a stored
    `completed` statement): it is then not recorded a second time.
    """

    enrollment: Enrollment
    target: Module | Level | Parcours
    timestamp: datetime
    needs_statement: bool = True


@dataclass
class ProjectionCache:
    """Catalogue look-ups reused across the statements of one write or one replay."""

    parcours: dict[str, Parcours | None] = field(default_factory=dict)
    modules: dict[tuple[int, str], Module | None] = field(default_factory=dict)
    enrollments: dict[tuple[int, int, str | None], Enrollment | None] = field(default_factory=dict)
    # Each enrolment's module progress rows, by module id, loaded in one query when the
    # enrolment's first statement needs them (rows created since are added).
    module_progress: dict[int, dict[int, ModuleProgress]] = field(default_factory=dict)

    def module_progress_of(self, enrollment: Enrollment) -> dict[int, ModuleProgress]:
        if enrollment.id not in self.module_progress:
            self.module_progress[enrollment.id] = {
                row.module_id: row
                for row in db.session.scalars(
                    sa.select(ModuleProgress).where(ModuleProgress.enrollment_id == enrollment.id)
                )
            }
        return self.module_progress[enrollment.id]

    def forget_progress(self) -> None:
        """After the progress rows were deleted and rebuilt behind this cache's back."""
        self.module_progress.clear()

    def parcours_by_slug(self, slug: str) -> Parcours | None:
        if slug not in self.parcours:
            self.parcours[slug] = db.session.scalar(
                sa.select(Parcours).where(Parcours.slug == slug)
            )
        return self.parcours[slug]

    def level_by_key(self, parcours: Parcours, key: str) -> Level | None:
        return next((level for level in parcours.levels if level.key.value == key), None)

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


def apply_statement(
    statement: Statement, cache: ProjectionCache | None = None, *, derive: bool = True
) -> list[Completion]:
    """Fold one statement into the progress tables, in the session; never commits.

    The changes reach the database at the next flush (the session flushes before a
    query, the write path after its statements): the updates of several statements to
    one row then make one UPDATE.

    Returns the completions it caused; those with `needs_statement` are to be recorded as
    `completed` statements (never the case when `derive` is False).
    """
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
    verb = statement.verb_id
    timestamp = statement.timestamp
    journey = db.session.get(ParcoursProgress, enrollment.id)
    if journey is None:
        if (
            ref.kind == "parcours"
            and verb == vocabulary.REGISTERED.id
            and statement.registration == enrollment.registration
        ):
            db.session.add(
                ParcoursProgress(
                    enrollment_id=enrollment.id, started_at=timestamp, last_activity_at=timestamp
                )
            )
            db.session.flush()
        return []

    journey.last_activity_at = max(journey.last_activity_at, timestamp)
    step = _Step(enrollment, parcours, journey, timestamp, derive, cache)
    if ref.kind == "parcours":
        if verb == vocabulary.COMPLETED.id:
            step.complete_parcours(emit=False)
    elif ref.kind == "level":
        level = cache.level_by_key(parcours, ref.level_key or "")
        if level is not None and verb == vocabulary.COMPLETED.id:
            step.complete_level(level, emit=False)
    else:
        module = cache.module_by_slug(parcours, ref.module_slug or "")
        if module is not None:
            journey.last_module_id = module.id
            _apply_to_module(step, module, ref, statement)
    return step.completions


def _apply_to_module(step: "_Step", module: Module, ref: ActivityRef, statement: Statement) -> None:
    verb = statement.verb_id
    progress = _module_progress(step.cache, step.enrollment, module, step.timestamp)
    progress.last_activity_at = max(progress.last_activity_at, step.timestamp)
    if ref.kind == "module" and verb == vocabulary.EXPERIENCED.id:
        progress.read_at = progress.read_at or step.timestamp
    elif ref.kind == "module" and verb == vocabulary.COMPLETED.id:
        # Already a completion statement: it must not be recorded again.
        step.complete_module(module, progress, emit=False)
    elif ref.kind == "quiz" and verb in {vocabulary.PASSED.id, vocabulary.FAILED.id}:
        progress.quiz_attempts += 1
        scaled = _scaled_score(statement.payload)
        if scaled is not None:
            progress.best_score = (
                scaled if progress.best_score is None else max(progress.best_score, scaled)
            )
        if verb == vocabulary.PASSED.id:
            progress.quiz_passed_at = progress.quiz_passed_at or step.timestamp
    if step.derive and module_is_due(module, progress):
        step.complete_module(module, progress, emit=True)


def module_is_due(module: Module, progress: ModuleProgress) -> bool:
    """Whether the rules complete this module: read, and its quiz (if any) passed."""
    if progress.completed_at is not None or progress.read_at is None:
        return False
    return _active_quiz(module) is None or progress.quiz_passed_at is not None


@dataclass
class _Step:
    """The state changes of one statement, and the completions they cause."""

    enrollment: Enrollment
    parcours: Parcours
    journey: ParcoursProgress
    timestamp: datetime
    derive: bool
    cache: ProjectionCache
    completions: list[Completion] = field(default_factory=list)

    def complete_module(self, module: Module, progress: ModuleProgress, *, emit: bool) -> None:
        if progress.completed_at is not None:
            return
        progress.completed_at = self.timestamp
        self.completions.append(Completion(self.enrollment, module, self.timestamp, emit))
        if self.derive and not module.is_archived:
            db.session.flush()
            if level_is_due(self.enrollment, module.level):
                self.complete_level(module.level, emit=True)

    def complete_level(self, level: Level, *, emit: bool) -> None:
        if _level_progress(self.enrollment, level) is not None:
            return
        db.session.add(
            LevelProgress(
                enrollment_id=self.enrollment.id, level_id=level.id, completed_at=self.timestamp
            )
        )
        db.session.flush()
        self.completions.append(Completion(self.enrollment, level, self.timestamp, emit))
        if self.derive and parcours_is_due(self.enrollment, self.journey, self.parcours):
            self.complete_parcours(emit=True)

    def complete_parcours(self, *, emit: bool) -> None:
        if self.journey.completed_at is not None:
            return
        self.journey.completed_at = self.timestamp
        self.completions.append(Completion(self.enrollment, self.parcours, self.timestamp, emit))


def level_is_due(enrollment: Enrollment, level: Level) -> bool:
    """Whether the rules complete this level: not yet completed, all its modules completed."""
    module_ids = [module.id for module in level.modules]
    if not module_ids or _level_progress(enrollment, level) is not None:
        return False
    done = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(ModuleProgress)
        .where(
            ModuleProgress.enrollment_id == enrollment.id,
            ModuleProgress.module_id.in_(module_ids),
            ModuleProgress.completed_at.is_not(None),
        )
    )
    return done == len(module_ids)


def parcours_is_due(enrollment: Enrollment, journey: ParcoursProgress, parcours: Parcours) -> bool:
    if journey.completed_at is not None:
        return False
    level_ids = {level.id for level in parcours.levels}
    done = set(
        db.session.scalars(
            sa.select(LevelProgress.level_id).where(LevelProgress.enrollment_id == enrollment.id)
        )
    )
    return level_ids <= done


def _level_progress(enrollment: Enrollment, level: Level) -> LevelProgress | None:
    return db.session.scalar(
        sa.select(LevelProgress).where(
            LevelProgress.enrollment_id == enrollment.id, LevelProgress.level_id == level.id
        )
    )


def _scaled_score(payload: dict) -> float | None:
    score = (payload.get("result") or {}).get("score") or {}
    scaled = score.get("scaled")
    if isinstance(scaled, bool) or not isinstance(scaled, int | float):
        return None
    return float(scaled)


def _module_progress(
    cache: ProjectionCache, enrollment: Enrollment, module: Module, timestamp: datetime
) -> ModuleProgress:
    rows = cache.module_progress_of(enrollment)
    progress = rows.get(module.id)
    if progress is None:
        progress = ModuleProgress(
            enrollment_id=enrollment.id,
            module_id=module.id,
            quiz_attempts=0,
            last_activity_at=timestamp,
        )
        db.session.add(progress)
        rows[module.id] = progress
    return progress


def _active_quiz(module: Module) -> Quiz | None:
    quiz = module.quiz
    return quiz if quiz is not None and not quiz.is_archived else None


def due_completions(enrollment: Enrollment, timestamp: datetime) -> list[Completion]:
    """Completions the rules call for but nothing recorded yet, after a content change.

    A quiz removed from a module already read, or a module archived or moved out of a level
    whose other modules are done: no learner action will ever record these, so the import
    records them (see `lms.progress.operations.reconcile_progress`). Modules first; the
    levels and the parcours they complete follow from the write path.
    """
    journey = db.session.get(ParcoursProgress, enrollment.id)
    if journey is None:
        return []
    parcours = enrollment.parcours
    rows = {
        row.module_id: row
        for row in db.session.scalars(
            sa.select(ModuleProgress).where(ModuleProgress.enrollment_id == enrollment.id)
        )
    }
    due: list[Completion] = []
    for level in parcours.levels:
        for module in level.modules:
            progress = rows.get(module.id)
            if progress is not None and module_is_due(module, progress):
                due.append(Completion(enrollment, module, timestamp))
    if due:
        return due
    for level in parcours.levels:
        if level_is_due(enrollment, level):
            due.append(Completion(enrollment, level, timestamp))
    if due:
        return due
    if parcours_is_due(enrollment, journey, parcours):
        return [Completion(enrollment, parcours, timestamp)]
    return []


def rebuild_user_progress(user_id: int) -> None:
    """Rebuild one learner's progress from their statements that still count (after a
    voiding), as replay does for everyone: completions only from `completed` statements."""
    enrollment_ids = sa.select(Enrollment.id).where(Enrollment.user_id == user_id)
    for model in (ModuleProgress, LevelProgress, ParcoursProgress):
        db.session.execute(
            sa.delete(model)
            .where(model.enrollment_id.in_(enrollment_ids))
            .execution_options(synchronize_session="fetch")
        )
    cache = ProjectionCache()
    statements = db.session.scalars(
        sa.select(Statement)
        .where(Statement.user_id == user_id, Statement.is_voided.is_(False))
        .order_by(Statement.seq)
    )
    for statement in statements.all():
        apply_statement(statement, cache, derive=False)
    db.session.flush()
