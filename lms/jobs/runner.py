"""Run a scheduled job once per due time, under a database lock, and record the run.

Each job names its due times (a day, an ISO week, a 30-second slot…). Before running, the
runner inserts and commits a `JobRun` row keyed by (job id, due key); the unique constraint
lets exactly one scheduler process claim a due time, however many were started by mistake.
The job then flushes its work and the runner commits it once, with the outcome and counts.
"""

import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from flask import current_app, g
from sqlalchemy.exc import IntegrityError

from lms.core.db import utcnow
from lms.extensions import db
from lms.jobs.models import JobRun, RunOutcome
from lms.mail.operations import deliver_pending

logger = logging.getLogger(__name__)

RUN_HISTORY = timedelta(days=90)


def _paris(now: datetime) -> datetime:
    return now.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def daily_key(now: datetime) -> str:
    return _paris(now).date().isoformat()


def weekly_key(now: datetime) -> str:
    year, week, _day = _paris(now).isocalendar()
    return f"{year}-W{week:02d}"


def slot_key(seconds: int) -> Callable[[datetime], str]:
    def key(now: datetime) -> str:
        start = int(now.timestamp()) // seconds * seconds
        return datetime.fromtimestamp(start, tz=now.tzinfo).isoformat()

    return key


@dataclass(frozen=True)
class Job:
    """A scheduled job: what it does, when (APScheduler trigger arguments), and how its
    due times are named. `run(now)` flushes its changes and returns counts to record."""

    id: str
    description: str
    run: Callable[[datetime], dict]
    due_key: Callable[[datetime], str]
    trigger: dict = field(default_factory=dict)
    # Whether the job is on in this configuration (forwarding needs XAPI_FORWARD_URL).
    is_enabled: Callable[[], bool] = lambda: True
    # A job that owns its transactions (it commits as it goes) rather than flushing.
    commits_itself: bool = False


def run_job(job: Job, now: datetime | None = None) -> JobRun | None:
    """Claim the job's current due time and run it; None if another process claimed it.

    Never raises for a failing job: the failure is recorded on the run, for the admins.
    """
    now = now or utcnow()
    run = JobRun(
        job_id=job.id,
        due_key=job.due_key(now),
        started_at=utcnow(),
        outcome=RunOutcome.RUNNING,
        counts={},
        host=socket.gethostname()[:200],
    )
    try:
        db.session.add(run)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        logger.info("job %s: due time %s already taken", job.id, run.due_key)
        return None
    run_id = run.id
    g.pop("queued_mail_ids", None)
    try:
        counts = job.run(now)
        run = db.session.get(JobRun, run_id)
        run.counts = counts or {}
        run.outcome = RunOutcome.SUCCESS
    except Exception as error:
        db.session.rollback()
        logger.exception("job %s failed", job.id)
        run = db.session.get(JobRun, run_id)
        run.outcome = RunOutcome.FAILED
        run.error = f"{type(error).__name__}: {error}"[:4000]
    run.finished_at = utcnow()
    db.session.execute(
        sa.delete(JobRun).where(JobRun.job_id == job.id, JobRun.started_at < now - RUN_HISTORY)
    )
    db.session.commit()
    # What the job queued is committed with it: send it now (failures stay in the outbox).
    ids = g.pop("queued_mail_ids", None)
    if ids:
        deliver_pending(limit=len(ids), ids=ids)
    return run


def latest_runs(limit: int = 100) -> list[JobRun]:
    return list(
        db.session.scalars(
            sa.select(JobRun).order_by(JobRun.started_at.desc(), JobRun.id.desc()).limit(limit)
        )
    )
