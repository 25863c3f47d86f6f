"""Content edits after learners started: nobody gets stuck, and replay still equals live."""

import uuid

import pytest
import sqlalchemy as sa

from lms.catalog.cli import import_courses
from lms.learning.models import Enrollment
from lms.progress.models import LevelProgress, ModuleProgress
from lms.progress.operations import replay_progress
from lms.progress.queries import load_parcours
from lms.xapi import ids
from lms.xapi.models import Statement
from lms.xapi.store import record_statements
from tests.catalog.packages import write_package
from tests.learning.helpers import complete_module, enroll, module_url, read, take_quiz
from tests.progress.test_replay import snapshot

ADL = "http://adlnet.gov/expapi/verbs/"


@pytest.fixture
def package(tmp_path, db_session):
    package = write_package(tmp_path / "essai")
    import_courses(package.path)
    db_session.commit()
    return package


def reimport(package, db_session):
    reports = import_courses(package.path)
    db_session.commit()
    db_session.expire_all()
    return reports[0]


def assert_replay_equals_live(db_session):
    live = snapshot(db_session)
    replay_progress()
    db_session.commit()
    assert snapshot(db_session) == live


def completed_levels(db_session, user) -> int:
    return db_session.scalar(
        sa.select(sa.func.count())
        .select_from(LevelProgress)
        .join(Enrollment)
        .where(Enrollment.user_id == user.id)
    )


def test_module_added_to_a_completed_level(client, login, make_user, package, db_session):
    user = make_user()
    login(user)
    essai = load_parcours("essai")
    enroll(client, essai)
    for module in essai.levels[0].modules:
        complete_module(client, essai, module)
    assert completed_levels(db_session, user) == 1

    package.write(
        "modules/nouveau.md",
        "---\ntitle: Nouveau\nduration: 5\nlevers: [alliances]\n---\n\nDu neuf.\n",
    )
    package.replace(
        "parcours.yaml", "      - vocabulaire\n", "      - vocabulaire\n      - nouveau\n"
    )
    reimport(package, db_session)

    essai = load_parcours("essai")
    # The level stays completed and the next one stays open; the new module can be read.
    assert completed_levels(db_session, user) == 1
    assert client.get(module_url(essai, essai.levels[1].modules[0])).status_code == 200
    assert client.get(module_url(essai, essai.levels[0].modules[2])).status_code == 200
    assert_replay_equals_live(db_session)
    assert completed_levels(db_session, user) == 1


def test_module_archived_from_a_level_the_learner_had_otherwise_finished(
    client, login, make_user, package, db_session
):
    user = make_user()
    login(user)
    essai = load_parcours("essai")
    enroll(client, essai)
    complete_module(client, essai, essai.levels[0].modules[0])
    assert client.get(module_url(essai, essai.levels[1].modules[0])).status_code == 403

    package.replace("parcours.yaml", "      - vocabulaire\n", "")
    package.remove("modules/vocabulaire.md")
    package.remove("quizzes/vocabulaire.yaml")
    report = reimport(package, db_session)

    # Nothing the learner could do would record the level's completion: the import does.
    assert report.archived_modules == ["vocabulaire"]
    assert report.completions_recorded == 1
    assert completed_levels(db_session, user) == 1
    essai = load_parcours("essai")
    assert client.get(module_url(essai, essai.levels[1].modules[0])).status_code == 200
    assert_replay_equals_live(db_session)


def test_quiz_removed_from_a_module_already_read(client, login, make_user, package, db_session):
    user = make_user()
    login(user)
    essai = load_parcours("essai")
    enroll(client, essai)
    first, second = essai.levels[0].modules
    read(client, essai, first)
    take_quiz(client, essai, first, right=False)
    assert client.get(module_url(essai, second)).status_code == 403

    package.remove("quizzes/bases.yaml")
    report = reimport(package, db_session)

    assert report.completions_recorded == 1
    progress = db_session.scalar(
        sa.select(ModuleProgress).where(ModuleProgress.module_id == first.id)
    )
    assert progress.completed_at is not None
    essai = load_parcours("essai")
    assert client.get(module_url(essai, essai.levels[0].modules[1])).status_code == 200
    assert_replay_equals_live(db_session)


def test_reimport_without_changes_records_nothing(client, login, make_user, package, db_session):
    login(make_user())
    essai = load_parcours("essai")
    enroll(client, essai)
    complete_module(client, essai, essai.levels[0].modules[0])
    before = db_session.scalar(sa.select(sa.func.count()).select_from(Statement))
    report = reimport(package, db_session)
    assert report.completions_recorded == 0
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Statement)) == before


def outside_statement(app, user, verb: str, object_id: str) -> dict:
    return {
        "id": str(uuid.uuid4()),
        "actor": {"account": {"homePage": app.config["LMS_BASE_URL"], "name": user.public_id}},
        "verb": {"id": ADL + verb},
        "object": {"id": object_id, "objectType": "Activity"},
        "timestamp": "2026-11-01T09:00:00+00:00",
    }


def test_statement_before_enrolment_counts_neither_live_nor_in_replay(
    app, client, login, make_user, package, db_session
):
    user = make_user()
    essai = load_parcours("essai")
    first = essai.levels[0].modules[0]
    with app.test_request_context():
        record_statements(
            [outside_statement(app, user, "experienced", ids.module_iri("essai", first.slug))]
        )
    db_session.commit()
    login(user)
    enroll(client, essai)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ModuleProgress)) == 0
    assert_replay_equals_live(db_session)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ModuleProgress)) == 0


def test_outside_completion_is_taken_once(app, client, login, make_user, package, db_session):
    user = make_user()
    login(user)
    essai = load_parcours("essai")
    enroll(client, essai)
    first = essai.levels[0].modules[0]
    with app.test_request_context():
        stored = record_statements(
            [outside_statement(app, user, "completed", ids.module_iri("essai", first.slug))]
        )
    db_session.commit()
    # Taken as said, not recorded a second time under the platform's name.
    assert [s.verb_id for s in stored] == [ADL + "completed"]
    progress = db_session.scalar(
        sa.select(ModuleProgress).where(ModuleProgress.module_id == first.id)
    )
    assert progress.completed_at is not None
    assert client.get(module_url(essai, essai.levels[0].modules[1])).status_code == 200
    assert_replay_equals_live(db_session)
