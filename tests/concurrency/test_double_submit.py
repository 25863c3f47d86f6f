"""A double click, or two tabs, must not beat the rules: each action is taken once."""

import itertools
import threading

import sqlalchemy as sa

from lms.accounts.models import Role
from lms.accounts.operations import create_user
from lms.extensions import db
from lms.learning.models import Enrollment, QuizAttempt
from lms.progress.models import ModuleProgress
from lms.progress.queries import load_parcours
from lms.xapi.models import Statement
from tests.fixtures.factories import PASSWORD
from tests.learning.helpers import answers_for, module_url

_emails = itertools.count(1)


def new_learner(app) -> str:
    email = f"race{next(_emails)}@example.org"
    with app.app_context():
        create_user("Course", email, PASSWORD, Role.LEARNER)
        db.session.commit()
    return email


def logged_in_clients(app, email: str, count: int):
    clients = []
    for _ in range(count):
        client = app.test_client()
        response = client.post("/connexion", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302
        clients.append(client)
    return clients


def at_once(calls) -> list[int]:
    """Run the calls in threads released together; return their status codes in order."""
    barrier = threading.Barrier(len(calls))
    statuses: list[int | None] = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        statuses[index] = call().status_code

    threads = [threading.Thread(target=run, args=item) for item in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return statuses


def test_last_attempt_submitted_twice_at_once_is_taken_once(committed_app):
    app = committed_app
    email = new_learner(app)
    first_client, second_client = logged_in_clients(app, email, 2)
    with app.app_context():
        seed = load_parcours("modeles-socio-economiques")
        module = seed.levels[0].modules[0]
        url = module_url(seed, module, "/quiz")
        wrong, right = answers_for(module, right=False), answers_for(module, right=True)
        limit = module.quiz.max_attempts
    first_client.post(f"/parcours/{seed.slug}/inscription")
    for _ in range(limit - 1):
        assert first_client.post(url, data=wrong).status_code == 302

    statuses = at_once(
        [lambda: first_client.post(url, data=right), lambda: second_client.post(url, data=right)]
    )

    assert sorted(statuses) == [302, 403]
    with app.app_context():
        enrollment_ids = (
            sa.select(Enrollment.id).join(Enrollment.user).where(Enrollment.user.has(email=email))
        )
        attempts = db.session.scalars(
            sa.select(QuizAttempt.number).where(QuizAttempt.enrollment_id.in_(enrollment_ids))
        ).all()
        progress = db.session.scalar(
            sa.select(ModuleProgress).where(ModuleProgress.enrollment_id.in_(enrollment_ids))
        )
        assert sorted(attempts) == list(range(1, limit + 1))
        assert progress.quiz_attempts == limit
        assert progress.quiz_passed_at is not None


def test_enrolment_clicked_twice_at_once_enrols_once(committed_app):
    app = committed_app
    email = new_learner(app)
    clients = logged_in_clients(app, email, 2)
    url = "/parcours/modeles-socio-economiques/inscription"

    statuses = at_once([lambda c=client: c.post(url) for client in clients])

    assert all(status in {302, 409} for status in statuses), statuses
    with app.app_context():
        user_id = (
            sa.select(Enrollment.user_id)
            .join(Enrollment.user)
            .where(Enrollment.user.has(email=email))
        )
        enrollments = db.session.scalars(
            sa.select(Enrollment).where(Enrollment.user_id.in_(user_id))
        ).all()
        assert len(enrollments) == 1
        registered = db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Statement)
            .where(
                Statement.registration == enrollments[0].registration,
                Statement.verb_id == "http://adlnet.gov/expapi/verbs/registered",
            )
        )
        assert registered == 1
