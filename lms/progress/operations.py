"""Progress maintenance. Nothing here writes progress except through the projection."""

import sqlalchemy as sa

from lms.catalog.models import Parcours
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.progress.models import LevelProgress, ModuleProgress, ParcoursProgress
from lms.progress.projection import ProjectionCache, apply_statement
from lms.xapi.models import Statement
from lms.xapi.store import record_due_completions

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
        # The rows are in the session (the next query flushes them): the cache need not
        # hold every learner's rows until the end of a replay of millions of statements.
        cache.forget_progress()
        replayed += len(batch)
        last_seq = batch[-1].seq
    db.session.flush()
    return replayed


def reconcile_progress(parcours: Parcours) -> int:
    """Record the completions a content change made due, for every learner of `parcours`.

    Called after an import, in its transaction: a quiz removed from a module already read, or
    a module archived from a level whose other modules are done, would otherwise leave the
    learner stuck, since no action of theirs would record the completion. The completions
    are recorded as statements through the write path, so replay rebuilds them. Returns the
    number of statements recorded. Flushes; the caller commits.
    """
    enrollments = db.session.scalars(
        sa.select(Enrollment).where(Enrollment.parcours_id == parcours.id).order_by(Enrollment.id)
    ).all()
    return len(record_due_completions(enrollments))


def progress_rows() -> set[tuple]:
    """Every row of the progress projection, as comparable tuples (table, then columns
    without surrogate ids), to compare two states of it."""
    rows: set[tuple] = set()
    for model in (ParcoursProgress, LevelProgress, ModuleProgress):
        columns = [column for column in model.__table__.columns if column.name != "id"]
        for row in db.session.execute(sa.select(*columns)):
            rows.add((model.__tablename__, *row))
    return rows


def replay_differences() -> tuple[set[tuple], set[tuple]]:
    """Replay the statements and compare with the live projection, changing nothing.

    Returns (rows only live has, rows only the replay gives); both empty means the
    statements give back the progress exactly. Rolls back the caller's transaction.
    """
    live = progress_rows()
    replay_progress()
    replayed = progress_rows()
    db.session.rollback()
    return live - replayed, replayed - live
