"""A learner's actions. Each records its statements through the one write path and flushes;
the caller commits."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.catalog import questions
from lms.catalog.models import Module, Parcours, Quiz
from lms.catalog.questions import Snapshot, UnscorableAnswerError
from lms.core.db import utcnow
from lms.core.errors import Conflict, DomainError, Forbidden
from lms.extensions import db
from lms.learning.draw import PresentedQuestion, learner_seed, present
from lms.learning.models import Enrollment, QuizAttempt
from lms.progress.queries import ModuleState, ModuleStatus, ParcoursState, parcours_state
from lms.xapi import statements as build
from lms.xapi.statements import Journey
from lms.xapi.store import record_statements


def find_enrollment(user: User, parcours: Parcours) -> Enrollment | None:
    return db.session.scalar(
        sa.select(Enrollment).where(
            Enrollment.user_id == user.id, Enrollment.parcours_id == parcours.id
        )
    )


def _journey(enrollment: Enrollment) -> Journey:
    return Journey(
        user=enrollment.user, registration=enrollment.registration, parcours=enrollment.parcours
    )


def enroll(user: User, parcours: Parcours) -> Enrollment:
    """Enrol a learner; enrolling again returns the existing enrolment unchanged."""
    enrollment = find_enrollment(user, parcours)
    if enrollment is not None:
        return enrollment
    enrollment = Enrollment(user=user, parcours=parcours, enrolled_at=utcnow())
    try:
        # A savepoint: a concurrent enrolment of the same learner (a double click) makes
        # this insert fail on the unique constraint; theirs stands and is returned.
        with db.session.begin_nested():
            db.session.add(enrollment)
    except IntegrityError:
        existing = find_enrollment(user, parcours)
        if existing is None:
            raise
        return existing
    record_statements([build.registered(_journey(enrollment), enrollment.enrolled_at)])
    return enrollment


def require_unlocked(state: ParcoursState, module: Module) -> ModuleState:
    """The module's state in `state`; raises Forbidden, with the reason, if it is locked."""
    if state.enrollment is None:
        raise Forbidden(_("Inscrivez-vous au parcours pour accéder à ses modules."))
    module_state = state.module_state(module)
    if module_state is None:
        raise Forbidden(_("Ce module ne fait plus partie du parcours."))
    if module_state.status == ModuleStatus.LOCKED:
        raise Forbidden(str(module_state.locked_reason))
    return module_state


def _current_state(enrollment: Enrollment, module: Module) -> ModuleState:
    return require_unlocked(parcours_state(module.parcours, enrollment), module)


def mark_module_read(enrollment: Enrollment, module: Module) -> bool:
    """Record that the learner read the module; False if it was already read."""
    _lock(enrollment)
    state = _current_state(enrollment, module)
    if state.is_read:
        return False
    record_statements([build.experienced(_journey(enrollment), module, utcnow())])
    return True


class AnswerError(DomainError):
    """Answers that cannot be scored: questions left blank, unknown choices…

    `problems` maps each such question's key to what is wrong with its answer.
    """

    status = 422

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(_("Répondez à chaque question avant de valider."))
        self.problems = problems


class QuizChanged(Conflict):
    """The questions shown are no longer those of this attempt (content published since,
    or an attempt submitted from another tab)."""


def attempt_questions(enrollment: Enrollment, quiz: Quiz) -> list[PresentedQuestion]:
    """The questions of the learner's next attempt, as they are to be shown."""
    number = _next_attempt_number(enrollment, quiz)
    return present(quiz, learner_seed(enrollment.registration, quiz, number))


def submit_quiz(
    enrollment: Enrollment,
    quiz: Quiz,
    answers: dict[str, list[str]],
    shown: list[str] | None = None,
) -> QuizAttempt:
    """Score an attempt, record its statements and return it.

    `answers` maps each question key to its raw response; `shown` lists the keys of the
    questions the learner was shown, if known. Raises Forbidden when the module is locked or
    no attempt is left, QuizChanged when the questions shown are no longer this attempt's,
    AnswerError when an answer is missing or invalid.
    """
    _lock(enrollment)
    state = _current_state(enrollment, quiz.module)
    if state.attempts_left == 0:
        raise Forbidden(
            _(
                "Vous avez utilisé les %(n)d tentatives autorisées pour ce quiz.",
                n=quiz.max_attempts,
            )
        )
    number = _next_attempt_number(enrollment, quiz)
    presented = present(quiz, learner_seed(enrollment.registration, quiz, number))
    if shown is not None and shown != [question.key for question in presented]:
        raise QuizChanged(
            _(
                "Ce quiz a changé depuis que vous l'avez ouvert (nouvelle version publiée, ou "
                "tentative validée dans un autre onglet). Voici les questions à jour : vos "
                "réponses n'ont pas été enregistrées."
            )
        )
    results = check_answers([question.snap for question in presented], answers)
    correct = sum(result["is_correct"] for result in results.values())
    total = len(presented)
    pass_mark = quiz.effective_pass_mark
    # Integer comparison: 7 right out of 10 meets a 70 % mark exactly.
    is_passed = correct * 100 >= pass_mark * total

    now = utcnow()
    journey = _journey(enrollment)
    statements = [build.attempted(journey, quiz, now)]
    statements += [
        build.answered(
            journey,
            quiz,
            question.snap,
            results[question.key]["chosen"],
            results[question.key]["is_correct"],
            now,
        )
        for question in presented
    ]
    statements.append(
        build.quiz_result(
            journey, quiz, correct=correct, total=total, is_passed=is_passed, timestamp=now
        )
    )
    attempt = QuizAttempt(
        enrollment_id=enrollment.id,
        quiz_id=quiz.id,
        number=number,
        answers=results,
        questions=[question.snap for question in presented],
        correct_count=correct,
        question_count=total,
        score=round(correct / total, 4),
        is_passed=is_passed,
        submitted_at=now,
    )
    db.session.add(attempt)
    record_statements(statements)
    return attempt


def _next_attempt_number(enrollment: Enrollment, quiz: Quiz) -> int:
    last = db.session.scalar(
        sa.select(sa.func.max(QuizAttempt.number)).where(
            QuizAttempt.enrollment_id == enrollment.id, QuizAttempt.quiz_id == quiz.id
        )
    )
    return (last or 0) + 1


def check_answers(snaps: list[Snapshot], answers: dict[str, list[str]]) -> dict[str, dict]:
    """Each question's normalised response and whether it is right; raises AnswerError
    naming every question whose answer cannot be scored."""
    results, problems = {}, {}
    for snap in snaps:
        try:
            response = questions.normalize(snap, answers.get(snap["key"]))
        except UnscorableAnswerError as problem:
            problems[snap["key"]] = problem.message
            continue
        results[snap["key"]] = {
            "chosen": response,
            "is_correct": questions.is_correct(snap, response),
        }
    if problems:
        raise AnswerError(problems)
    return results


def _lock(enrollment: Enrollment) -> None:
    """Serialise a learner's writes on one enrolment (double clicks, two tabs).

    On PostgreSQL this takes a row lock until the commit; SQLite transactions already
    start with BEGIN IMMEDIATE, which serialises writers.
    """
    db.session.execute(
        sa.select(Enrollment.id).where(Enrollment.id == enrollment.id).with_for_update()
    )
