"""The scheduler process: `flask lms scheduler`, never started by the app or a web worker."""

import logging
import socket
from collections.abc import Callable

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import Flask, current_app
from flask.cli import with_appcontext

from lms.extensions import db
from lms.xapi.forwarding.cli import SOCKET_TIMEOUT
from lms.xapi.forwarding.operations import forward_pending

logger = logging.getLogger(__name__)

FORWARDING_INTERVAL_SECONDS = 30


def in_app_context(app: Flask, job: Callable[[], object]) -> Callable[[], None]:
    """Run `job` in a fresh app context, whose session is closed afterwards."""

    def run() -> None:
        with app.app_context():
            try:
                job()
            finally:
                db.session.remove()

    return run


def build_scheduler(app: Flask) -> BlockingScheduler:
    scheduler = BlockingScheduler(timezone="UTC")
    if app.config.get("XAPI_FORWARD_URL"):
        scheduler.add_job(
            in_app_context(app, forward_pending),
            "interval",
            seconds=FORWARDING_INTERVAL_SECONDS,
            id="xapi-forwarding",
            max_instances=1,
            coalesce=True,
            replace_existing=True,
        )
    return scheduler


@click.command("scheduler")
@with_appcontext
def scheduler_command() -> None:
    """Run the scheduled jobs (xAPI forwarding) until interrupted."""
    app = current_app._get_current_object()
    # This process only runs jobs: a global timeout is safe here and covers tincan's
    # connections, opened without one.
    socket.setdefaulttimeout(SOCKET_TIMEOUT)
    scheduler = build_scheduler(app)
    for job in scheduler.get_jobs():
        click.echo(f"job {job.id}: {job.trigger}")
    if not scheduler.get_jobs():
        click.echo("No job to run (XAPI_FORWARD_URL is not set).")
        return
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        logger.info("scheduler stopped")
