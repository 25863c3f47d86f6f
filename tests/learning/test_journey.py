import sqlalchemy as sa

from lms.learning.models import Enrollment, QuizAttempt
from lms.progress.models import LevelProgress, ModuleProgress, ParcoursProgress
from tests.learning.helpers import (
    all_modules,
    complete_module,
    enroll,
    module_url,
    page,
    read,
    take_quiz,
)


def test_catalogue_lists_the_seed_parcours(client, seed):
    body = page(client.get("/"))
    assert seed.title in body
    assert f"/parcours/{seed.slug}" in body
    assert "13 modules" in body


def test_parcours_page_shows_three_levels_locked_before_enrolment(client, seed):
    body = page(client.get(f"/parcours/{seed.slug}"))
    for level in seed.levels:
        assert level.title in body
    assert "Créer un compte" in body
    assert body.count("Verrouillé") == 13


def test_enrolment_is_idempotent(client, login, make_user, seed, db_session):
    user = make_user()
    login(user)
    assert enroll(client, seed).status_code == 302
    assert enroll(client, seed).status_code == 302
    count = db_session.scalar(
        sa.select(sa.func.count()).select_from(Enrollment).where(Enrollment.user_id == user.id)
    )
    assert count == 1


def test_module_refused_before_enrolment(client, login, make_user, seed):
    login(make_user())
    first = seed.levels[0].modules[0]
    response = client.get(module_url(seed, first))
    assert response.status_code == 403
    assert "Inscrivez-vous" in page(response)


def test_anonymous_is_sent_to_login(client, seed):
    first = seed.levels[0].modules[0]
    response = client.get(module_url(seed, first))
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


def test_locked_module_and_level_are_refused_on_the_server(client, login, make_user, seed):
    login(make_user())
    enroll(client, seed)
    second = seed.levels[0].modules[1]
    response = client.get(module_url(seed, second))
    assert response.status_code == 403
    assert "module précédent" in page(response)
    assert client.post(module_url(seed, second, "/lu")).status_code == 403
    assert take_quiz(client, seed, second, right=True).status_code == 403

    next_level_module = seed.levels[1].modules[0]
    response = client.get(module_url(seed, next_level_module))
    assert response.status_code == 403
    assert "niveau précédent" in page(response)
    assert take_quiz(client, seed, next_level_module, right=True).status_code == 403


def test_failed_then_passed_quiz_completes_module_and_unlocks_next(
    client, login, make_user, seed, db_session
):
    user = make_user()
    login(user)
    enroll(client, seed)
    first, second = seed.levels[0].modules[:2]

    body = page(client.get(module_url(seed, first)))
    assert "J'ai lu ce module" in body
    assert read(client, seed, first).status_code == 302

    failed = take_quiz(client, seed, first, right=False)
    assert failed.status_code == 302
    result = page(client.get(failed.headers["Location"]))
    assert "Quiz non réussi" in result
    assert "Réessayer le quiz" in result
    # Each question's correct answer and explanation are shown after submission.
    for question in first.quiz.questions:
        assert question.explanation in result
    assert client.get(module_url(seed, second)).status_code == 403

    passed = take_quiz(client, seed, first, right=True)
    result = page(client.get(passed.headers["Location"]))
    assert "Quiz réussi" in result
    assert f"Module suivant : {second.title}" in result
    assert client.get(module_url(seed, second)).status_code == 200

    attempts = db_session.scalars(
        sa.select(QuizAttempt)
        .join(Enrollment)
        .where(Enrollment.user_id == user.id)
        .order_by(QuizAttempt.number)
    ).all()
    assert [(a.number, a.is_passed) for a in attempts] == [(1, False), (2, True)]
    assert attempts[0].score == 0.0
    assert attempts[1].score == 1.0


def test_blank_answer_is_refused_without_using_an_attempt(
    client, login, make_user, seed, db_session
):
    user = make_user()
    login(user)
    enroll(client, seed)
    first = seed.levels[0].modules[0]
    response = client.post(module_url(seed, first, "/quiz"), data={})
    assert response.status_code == 422
    assert "Choisissez une réponse" in page(response)
    response = client.post(module_url(seed, first, "/quiz"), data={"q_q1": "zz"})
    assert response.status_code == 422
    assert db_session.scalar(sa.select(sa.func.count()).select_from(QuizAttempt)) == 0


def test_attempts_past_the_limit_are_refused(client, login, make_user, seed):
    login(make_user())
    enroll(client, seed)
    first = seed.levels[0].modules[0]
    limit = first.quiz.max_attempts
    assert limit == 3
    for _ in range(limit):
        assert take_quiz(client, seed, first, right=False).status_code == 302
    response = take_quiz(client, seed, first, right=True)
    assert response.status_code == 403
    assert "tentatives autorisées" in page(response)
    body = page(client.get(module_url(seed, first, "/quiz")))
    assert "Valider mes réponses" not in body


def test_quiz_passed_without_reading_leaves_module_in_progress(
    client, login, make_user, seed, db_session
):
    login(make_user())
    enroll(client, seed)
    first = seed.levels[0].modules[0]
    take_quiz(client, seed, first, right=True)
    progress = db_session.scalar(
        sa.select(ModuleProgress).where(ModuleProgress.module_id == first.id)
    )
    assert progress.quiz_passed_at is not None
    assert progress.completed_at is None
    read(client, seed, first)
    db_session.expire_all()
    progress = db_session.scalar(
        sa.select(ModuleProgress).where(ModuleProgress.module_id == first.id)
    )
    assert progress.completed_at is not None


def test_whole_parcours_unlocks_level_by_level_then_completes(
    client, login, make_user, seed, db_session
):
    user = make_user()
    login(user)
    enroll(client, seed)
    levels = seed.levels
    for index, level in enumerate(levels):
        for module in level.modules:
            complete_module(client, seed, module)
        completed_levels = db_session.scalar(
            sa.select(sa.func.count())
            .select_from(LevelProgress)
            .join(Enrollment)
            .where(Enrollment.user_id == user.id)
        )
        assert completed_levels == index + 1
        if index + 1 < len(levels):
            next_first = levels[index + 1].modules[0]
            assert client.get(module_url(seed, next_first)).status_code == 200

    journey = db_session.scalar(
        sa.select(ParcoursProgress).join(Enrollment).where(Enrollment.user_id == user.id)
    )
    assert journey.completed_at is not None
    body = page(client.get(f"/parcours/{seed.slug}/termine"))
    assert "Bravo, vous avez terminé le parcours" in body
    assert len(all_modules(seed)) == 13


def test_home_page_resumes_where_the_learner_stopped(client, login, make_user, seed):
    login(make_user())
    assert "aucun parcours" in page(client.get("/mes-parcours"))
    enroll(client, seed)
    first, second = seed.levels[0].modules[:2]
    complete_module(client, seed, first)
    read(client, seed, second)
    body = page(client.get("/mes-parcours"))
    assert f"Reprendre : {second.title}" in body
    assert module_url(seed, second) in body
    assert f"sur « {second.title} »" in body


def test_unknown_parcours_and_module_are_404(client, login, make_user, seed):
    login(make_user())
    assert client.get("/parcours/nope").status_code == 404
    assert client.get(f"/parcours/{seed.slug}/modules/nope").status_code == 404
