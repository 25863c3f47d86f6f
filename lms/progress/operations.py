"""Progress maintenance. Nothing here writes progress except through the projection."""

import sqlalchemy as sa

from lms.catalog.models import Parcours
from lms.core.db import utcnow
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.progress.models import LevelProgress, ModuleProgress, ParcoursProgress
from lms.progress.projection import ProjectionCache, apply_statement, due_completions
from lms.xapi.models import Statement
from lms.xapi.store import completion_statement, record_statements

_REPLAY_BATCH = 1000


def replay_progress() -> int:
    """Drop the progress projection and rebuild it from every stored statement, in order.

    Returns the number of statements replayed. Flushes; the caller commits.
    """
    for model in (ModuleProgress, LevelProgress, ParcoursProgress):
        db.session.execute(sa.delete(model))
    cache = ProjectionCache()
    replayed = 0
    last_seq = 0
    while True:
        batch = db.session.scalars(
            sa.select(Statement)
            .where(Statement.seq > last_seq, Statement.is_voided.is_(False))
            .order_by(Statement.seq)
            .limit(_REPLAY_BATCH)
        ).all()
        if not batch:
            break
        for statement in batch:
            apply_statement(statement, cache, derive=False)
        replayed += len(batch)
        last_seq = batch[-1].seq
    db.session.flush()
    return replayed


# Each pass records at least one completion, and a parcours has few levels: a bound that is
# never reached guards against a rule that would keep finding the same completion due.
_MAX_RECONCILE_PASSES = 50


def reconcile_progress(parcours: Parcours) -> int:
    """Record the completions a content change made due, for every learner of `parcours`.

    Called after an import, in its transaction: a quiz removed from a module already read, or
    a module archived from a level whose other modules are done, would otherwise leave the
    learner stuck, since no action of theirs would record the completion. The completions
    are recorded as statements through the write path, so replay rebuilds them. Returns the
    number of statements recorded. Flushes; the caller commits.
    """
    recorded = 0
    now = utcnow()
    enrollments = db.session.scalars(
        sa.select(Enrollment).where(Enrollment.parcours_id == parcours.id).order_by(Enrollment.id)
    ).all()
    for enrollment in enrollments:
        for _pass in range(_MAX_RECONCILE_PASSES):
            due = due_completions(enrollment, now)
            if not due:
                break
            recorded += len(record_statements([completion_statement(c) for c in due]))
    return recorded
