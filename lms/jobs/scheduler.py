"""The scheduler process: `flask lms scheduler`, never started by the app or a web worker.

Every job has a stable id and runs through `lms.jobs.runner.run_job`, which claims each due
time in the database: two schedulers started by mistake still run each job once.
"""

import logging
import socket
import time
from collections.abc import Callable
from datetime import datetime

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import with_appcontext

from lms.core.i18n import N_
from lms.extensions import db
from lms.jobs.runner import Job, daily_key, run_job, slot_key, weekly_key
from lms.mail.operations import deliver_pending
from lms.networks.digests import send_digests
from lms.networks.reminders import send_reminders
from lms.privacy.retention import apply_retention
from lms.xapi.forwarding.cli import SOCKET_TIMEOUT
from lms.xapi.forwarding.operations import forward_pending

logger = logging.getLogger(__name__)

FORWARDING_INTERVAL_SECONDS = 30
# How long one forwarding run may go on sending batches (the next run is due after the
# interval; APScheduler coalesces a run that would overlap).
FORWARDING_BUDGET_SECONDS = 20
MAIL_RETRY_SECONDS = 600


def _forward(now: datetime) -> dict:
    """Send batch after batch until the outbox is empty, the outside LRS fails (it is then
    left alone for its backoff) or the run has used most of its interval.

    One batch per run moved XAPI_FORWARD_BATCH statements every 30 s (3 a second by
    default): less than a few dozen active learners make, so a backlog never drained."""
    deadline = time.monotonic() + FORWARDING_BUDGET_SECONDS
    sent = 0
    while True:
        result = forward_pending(now)
        sent += result.sent
        if not result.sent or not result.pending or time.monotonic() >= deadline:
            break
    return {"sent": sent, "pending": result.pending, "skipped": int(result.skipped)}


def _retry_mail(_now: datetime) -> dict:
    return {"sent": deliver_pending(limit=1000)}


def jobs() -> list[Job]:
    """Every job the platform knows, enabled or not (the admin page lists them all)."""
    timezone = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    return [
        Job(
            id="learner-reminders",
            description=N_("Rappel aux apprenants inactifs (au plus un par semaine)"),
            run=send_reminders,
            due_key=daily_key,
            trigger={"trigger": "cron", "hour": 9, "minute": 30, "timezone": timezone},
        ),
        Job(
            id="weekly-digests",
            description=N_("Point hebdomadaire aux responsables et formateurs des cohortes"),
            run=send_digests,
            due_key=weekly_key,
            trigger={
                "trigger": "cron",
                "day_of_week": "mon",
                "hour": 8,
                "minute": 0,
                "timezone": timezone,
            },
        ),
        Job(
            id="xapi-forwarding",
            description=N_("Renvoi des déclarations vers le LRS extérieur"),
            run=_forward,
            due_key=slot_key(FORWARDING_INTERVAL_SECONDS),
            trigger={"trigger": "interval", "seconds": FORWARDING_INTERVAL_SECONDS},
            is_enabled=lambda: bool(current_app.config.get("XAPI_FORWARD_URL")),
            commits_itself=True,
        ),
        Job(
            id="mail-retry",
            description=N_("Nouvel essai des e-mails en échec"),
            run=_retry_mail,
            due_key=slot_key(MAIL_RETRY_SECONDS),
            trigger={"trigger": "interval", "seconds": MAIL_RETRY_SECONDS},
            commits_itself=True,
        ),
        Job(
            id="account-retention",
            description="Avertissement puis suppression des comptes d'apprenants inactifs",
            run=apply_retention,
            due_key=daily_key,
            trigger={"trigger": "cron", "hour": 3, "minute": 15, "timezone": timezone},
            commits_itself=True,
        ),
    ]


def job_by_id(job_id: str) -> Job | None:
    return next((job for job in jobs() if job.id == job_id), None)


def in_app_context(app: Flask, job: Job) -> Callable[[], None]:
    """Run `job` under its lock in a fresh app context, whose session is closed afterwards."""

    def run() -> None:
        with app.app_context():
            try:
                run_job(job)
            finally:
                db.session.remove()

    return run


def build_scheduler(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="UTC")
    with app.app_context():
        enabled = [job for job in jobs() if job.is_enabled()]
    for job in enabled:
        scheduler.add_job(
            in_app_context(app, job),
            id=job.id,
            name=job.description,
            max_instances=1,
            coalesce=True,
            replace_existing=True,
            # A run missed by up to an hour (a restart) still happens; the lock keeps it once.
            misfire_grace_time=3600,
            **job.trigger,
        )
    return scheduler


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduled jobs (reminders, digests, forwarding, mail) until interrupted."""
    app = current_app._get_current_object()
    # This process only runs jobs: a global timeout is safe here and covers tincan's
    # connections, opened without one.
    socket.setdefaulttimeout(SOCKET_TIMEOUT)
    scheduler = build_scheduler(app)
    for job in scheduler.get_jobs():
        click.echo(f"job {job.id}: {job.trigger}")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        logger.info("scheduler stopped")


@click.command("run-job")
@click.argument("job_id")
@click.option(
    "--at",
    "at",
    default=None,
    help="Run as of this ISO 8601 time (with its offset), e.g. to catch up a missed day.",
)
@with_appcontext
def run_job_command(job_id: str, at: str | None) -> None:
    """Run one scheduled job for its current due time (once, as the scheduler would)."""
    now = None
    if at is not None:
        try:
            now = datetime.fromisoformat(at)
        except ValueError:
            raise click.BadParameter(f"{at!r} is not an ISO 8601 time", param_hint="--at") from None
        if now.tzinfo is None:
            raise click.BadParameter("give the time zone offset, e.g. +00:00", param_hint="--at")
    job = job_by_id(job_id)
    if job is None:
        known = ", ".join(job.id for job in jobs())
        raise click.ClickException(f"unknown job {job_id!r} (known: {known})")
    if not job.is_enabled():
        raise click.ClickException(f"job {job_id} is not enabled in this configuration")
    run = run_job(job, now)
    if run is None:
        click.echo(f"{job_id}: already run for this due time by another process.")
        return
    click.echo(f"{job_id} [{run.due_key}]: {run.outcome.value} {run.counts}")
    if run.error:
        raise click.ClickException(run.error)
