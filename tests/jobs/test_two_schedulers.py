"""Two scheduler processes started together by mistake send each reminder once."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from config import ROOT, TestConfig
from lms import create_app
from lms.accounts.models import Role
from lms.accounts.operations import create_user
from lms.catalog.cli import import_courses
from lms.core.db import utcnow
from lms.extensions import db
from lms.jobs.models import JobRun, RunOutcome
from lms.mail.models import MailMessage
from lms.networks.enrolment import add_member
from lms.networks.models import MemberSource, Reminder
from lms.progress.queries import load_parcours
from tests.fixtures.databases import new_database
from tests.networks.helpers import make_cohort, make_network

LEARNERS = 4


@pytest.fixture(autouse=True)
def db_session():
    """Overrides the suite's rolled-back session: the schedulers are other processes, on a
    database whose data is committed."""


@pytest.fixture(params=["sqlite", "postgresql"])
def committed(request, tmp_path):
    with new_database(request.param, tmp_path) as url:
        app = create_app(
            TestConfig, {"SQLALCHEMY_DATABASE_URI": url, "MAIL_FILE_DIR": str(tmp_path / "mail")}
        )
        with app.app_context():
            upgrade()
            import_courses(ROOT / "courses")
            _cohort_of_learners(app)
            db.session.commit()
            db.session.remove()
        try:
            yield app, url, tmp_path / "mail"
        finally:
            with app.app_context():
                db.engine.dispose()


def _cohort_of_learners(app) -> None:
    parcours = load_parcours("modeles-socio-economiques")
    manager = create_user(
        "Responsable", "resp@example.org", "un mot de passe long", Role.NETWORK_MANAGER
    )
    network = make_network("Réseau Occitanie")
    cohort = make_cohort(network, parcours, manager)
    for n in range(LEARNERS):
        user = create_user(f"Apprenant {n}", f"a{n}@example.org", "un mot de passe long")
        add_member(
            cohort,
            email=user.email,
            name=user.name,
            structure_id=None,
            source=MemberSource.CSV,
            actor=None,
            notify=False,
        )


def test_two_schedulers_started_together_send_each_reminder_once(committed):
    app, url, mail_dir = committed
    # As of three weeks from now, every learner has been inactive beyond the cohort's 14 days.
    at = (utcnow() + timedelta(days=21)).isoformat()
    env = {
        **os.environ,
        "LMS_ENV": "development",
        "DATABASE_URL": url,
        "MAIL_FILE_DIR": str(mail_dir),
        "LMS_BASE_URL": "https://parcours.test",
        "SECRET_KEY": "test-only-not-secret",
    }
    command = [
        sys.executable,
        "-m",
        "flask",
        "--app",
        "lms",
        "lms",
        "run-job",
        "learner-reminders",
        "--at",
        at,
    ]
    processes = [
        subprocess.Popen(  # noqa: S603 - our own command line
            command, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )
        for _ in range(2)
    ]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    assert sum("already run for this due time" in output for output in outputs) == 1, outputs

    with app.app_context():
        runs = db.session.scalars(sa.select(JobRun)).all()
        assert [(run.job_id, run.outcome, run.counts["reminders"]) for run in runs] == [
            ("learner-reminders", RunOutcome.SUCCESS, LEARNERS)
        ]
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Reminder)) == LEARNERS
        recipients = db.session.scalars(
            sa.select(MailMessage.recipient).where(MailMessage.sent_at.is_not(None))
        ).all()
        assert sorted(recipients) == [f"a{n}@example.org" for n in range(LEARNERS)]
        db.session.remove()
    assert len(list(Path(mail_dir).glob("*.eml"))) == LEARNERS
