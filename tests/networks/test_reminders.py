"""Reminders to inactive learners (at most one a week, working unsubscribe link) and the
weekly digest to managers and trainers; each run is recorded and shown to admins."""

import re
from datetime import timedelta

import pytest

from lms.accounts.models import Role
from lms.core.db import utcnow
from lms.jobs.models import RunOutcome
from lms.jobs.runner import Job, daily_key, run_job
from lms.jobs.scheduler import job_by_id
from lms.networks.enrolment import add_member
from lms.networks.models import MemberSource
from tests.certificates.helpers import clear_mail, sent_mail
from tests.learning.helpers import all_modules, complete_module, page, read, take_quiz


def join(cohort, user):
    add_member(
        cohort,
        email=user.email,
        name=user.name,
        structure_id=None,
        source=MemberSource.CSV,
        actor=None,
        notify=False,
    )


@pytest.fixture
def idle_learners(make_user, cohort):
    users = [make_user(name="Inès Idle"), make_user(name="Oscar Oisif")]
    for user in users:
        join(cohort, user)
    return users


def reminders(app):
    return [m for m in sent_mail(app) if "vous attend" in str(m["Subject"])]


def test_reminders_go_to_inactive_learners_once_a_week(app, cohort, idle_learners):
    clear_mail(app)
    job = job_by_id("learner-reminders")
    start = utcnow() + timedelta(days=cohort.inactivity_days + 1)

    run = run_job(job, start)
    assert run.outcome == RunOutcome.SUCCESS
    assert run.counts["reminders"] == 2
    mails = reminders(app)
    assert sorted(str(m["To"]) for m in mails) == sorted(u.email for u in idle_learners)
    assert mails[0]["List-Unsubscribe"].startswith("<https://parcours.test/desabonnement/")
    assert f"/parcours/{cohort.parcours.slug}" in mails[0].get_content()

    assert run_job(job, start + timedelta(minutes=5)) is None  # that day is taken
    clear_mail(app)
    assert run_job(job, start + timedelta(days=3)).counts["reminders"] == 0  # same week
    assert run_job(job, start + timedelta(days=7, hours=1)).counts["reminders"] == 2
    assert len(reminders(app)) == 2


def test_unsubscribe_link_works_and_is_one_click(app, client, cohort, idle_learners):
    clear_mail(app)
    job = job_by_id("learner-reminders")
    start = utcnow() + timedelta(days=cohort.inactivity_days + 1)
    run_job(job, start)
    inès = next(m for m in reminders(app) if str(m["To"]) == idle_learners[0].email)
    link = re.search(r"https://parcours\.test(/desabonnement/\S+)", inès.get_content()).group(1)

    assert "Me désabonner" in page(client.get(link))  # a GET (a link scanner) changes nothing
    response = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert "Vous ne recevrez plus" in page(response)
    assert client.get("/desabonnement/forged-token").status_code == 404

    clear_mail(app)
    run_job(job, start + timedelta(days=8))
    assert [str(m["To"]) for m in reminders(app)] == [idle_learners[1].email]


def test_active_and_finished_learners_get_no_reminder(app, client, login, cohort, seed, make_user):
    clear_mail(app)
    learner = make_user()
    join(cohort, learner)
    login(learner)
    complete_module(client, seed, all_modules(seed)[0])
    assert (
        run_job(job_by_id("learner-reminders"), utcnow() + timedelta(days=1)).counts["reminders"]
        == 0
    )
    assert reminders(app) == []


def test_weekly_digest_tells_managers_and_trainers_who_is_stuck(
    app, client, login, cohort, seed, make_user, manager, trainer
):
    learner = make_user(name="Basile Bloqué")
    join(cohort, learner)
    login(learner)
    first = all_modules(seed)[0]
    read(client, seed, first)
    for _ in range(3):
        take_quiz(client, seed, first, right=False)
    clear_mail(app)

    run = run_job(job_by_id("weekly-digests"), utcnow())
    assert run.counts["digests"] == 2
    digests = {str(m["To"]): m.get_content() for m in sent_mail(app)}
    assert set(digests) == {manager.email, trainer.email}
    body = digests[manager.email]
    assert cohort.name in body
    assert "Basile Bloqué" in body
    assert "quiz échoué 3 fois" in body
    assert f"/cohortes/{cohort.id}" in body
    assert "/desabonnement/" in body


def test_job_runs_and_failures_are_shown_to_admins(app, client, login, make_user, manager):
    def broken(_now):
        raise RuntimeError("SMTP en panne")

    run = run_job(Job("test-broken", "Une tâche qui échoue", broken, daily_key), utcnow())
    assert run.outcome == RunOutcome.FAILED
    assert run.finished_at is not None
    login(manager)
    assert client.get("/admin/taches").status_code == 403
    client.post("/deconnexion")
    login(make_user(Role.ADMIN))
    text = page(client.get("/admin/taches"))
    assert "test-broken" in text
    assert "RuntimeError: SMTP en panne" in text
    assert "learner-reminders" in text
