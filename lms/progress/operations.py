"""Progress maintenance. Nothing here writes progress except through the projection."""

import sqlalchemy as sa

from lms.extensions import db
from lms.progress.models import LevelProgress, ModuleProgress, ParcoursProgress
from lms.progress.projection import ProjectionCache, apply_statement
from lms.xapi.models import Statement

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
            apply_statement(statement, cache)
        replayed += len(batch)
        last_seq = batch[-1].seq
    db.session.flush()
    return replayed
