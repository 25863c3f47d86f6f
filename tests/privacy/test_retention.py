"""The retention job: inactive learners are warned once, then erased if still inactive;
a login in between cancels it. The clock is the job's `now`."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.core.db import utcnow
from lms.jobs.models import RunOutcome
from lms.jobs.runner import run_job
from lms.jobs.scheduler import job_by_id
from lms.mail.models import MailMessage
from lms.privacy import retention

YEARS_AGO = timedelta(days=4 * 365)


@pytest.fixture
def job(app):
    return job_by_id("account-retention")


def dormant(make_user, role=Role.LEARNER, **kwargs):
    """An account created, and last used, four years ago."""
    user = make_user(role, **kwargs)
    user.created_at = user.last_login_at = utcnow() - YEARS_AGO
    return user


def mail_to(db_session, email: str) -> list[MailMessage]:
    return list(db_session.scalars(sa.select(MailMessage).where(MailMessage.recipient == email)))


def run(job, now, db_session) -> dict:
    db_session.commit()  # the job runs in its own transactions
    result = run_job(job, now)
    assert result.outcome == RunOutcome.SUCCESS, result.error
    db_session.expire_all()
    return result.counts


def test_warned_once_then_erased_after_the_warning_period(app, job, make_user, db_session):
    learner = dormant(make_user, name="Dora Dormante")
    email = learner.email
    active = make_user()  # created today: untouched
    now = utcnow()
    assert run(job, now, db_session)["warned"] == 1
    [warning] = mail_to(db_session, email)
    assert "sera bientôt supprimé" in warning.subject
    assert "Dora Dormante" in warning.body_text
    assert "/connexion" in warning.body_text
    # The next days: no second warning, nothing erased yet.
    counts = run(job, now + timedelta(days=1), db_session)
    assert counts == {"warned": 0, "erased": 0, "waiting": 1, "failed": 0}
    assert len(mail_to(db_session, email)) == 1
    assert learner.deleted_at is None
    # After the warning period, still inactive: erased, the same way as by the person.
    later = now + timedelta(days=app.config["RETENTION_WARNING_DAYS"], hours=1)
    assert run(job, later, db_session)["erased"] == 1
    assert learner.deleted_at is not None
    assert learner.name == "Apprenant anonyme"
    assert mail_to(db_session, email) == []
    assert active.deleted_at is None


def test_logging_in_after_the_warning_cancels_the_erasure(
    app, job, client, login, make_user, db_session
):
    learner = dormant(make_user)
    now = utcnow() - timedelta(minutes=5)
    assert run(job, now, db_session)["warned"] == 1
    login(learner)
    later = now + timedelta(days=app.config["RETENTION_WARNING_DAYS"] + 1)
    assert run(job, later, db_session) == {"warned": 0, "erased": 0, "waiting": 0, "failed": 0}
    assert learner.deleted_at is None
    # Inactive again for the whole period: warned afresh, not erased on the old warning.
    much_later = utcnow() + YEARS_AGO
    assert run(job, much_later, db_session)["warned"] == 1
    assert learner.deleted_at is None


def test_staff_accounts_are_left_to_the_admins(job, make_user, db_session):
    staff = [dormant(make_user, role) for role in (Role.TRAINER, Role.NETWORK_MANAGER, Role.ADMIN)]
    counts = run(job, utcnow(), db_session)
    assert counts["warned"] == 0
    for user in staff:
        assert mail_to(db_session, user.email) == []


def test_a_failing_account_does_not_stop_the_others(app, job, make_user, db_session, monkeypatch):
    first, second = dormant(make_user), dormant(make_user)
    now = utcnow()
    run(job, now, db_session)
    real_erase = retention.erase_account

    def erase_but_fail_first(user):
        real_erase(user)
        if user.id == first.id:
            raise RuntimeError("disk full")

    monkeypatch.setattr(retention, "erase_account", erase_but_fail_first)
    later = now + timedelta(days=app.config["RETENTION_WARNING_DAYS"] + 1)
    counts = run(job, later, db_session)
    assert counts == {"warned": 0, "erased": 1, "waiting": 0, "failed": 1}
    assert first.deleted_at is None  # its erasure was rolled back whole
    assert first.name != "Apprenant anonyme"
    assert second.deleted_at is not None
