"""A learner's actions. Each records its statements through the one write path and flushes;
the caller commits."""

import sqlalchemy as sa
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.catalog.models import Module, Parcours, Question, QuestionType, Quiz
from lms.core.db import utcnow
from lms.core.errors import DomainError, Forbidden
from lms.extensions import db
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
    """Answers that cannot be scored: a question left blank or an unknown choice."""

    def __init__(self, message: str, question_key: str) -> None:
        super().__init__(message)
        self.question_key = question_key


def submit_quiz(enrollment: Enrollment, quiz: Quiz, answers: dict[str, list[str]]) -> QuizAttempt:
    """Score an attempt, record its statements and return it.

    `answers` maps each question key to the chosen choice ids. Raises Forbidden when the
    module is locked or no attempt is left, DomainError when an answer is missing or invalid.
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
    questions = list(quiz.questions)
    results = {
        question.key: _check_answer(question, answers.get(question.key)) for question in questions
    }
    correct = sum(result["is_correct"] for result in results.values())
    total = len(questions)
    pass_mark = quiz.effective_pass_mark
    # Integer comparison: 7 right out of 10 meets a 70 % mark exactly.
    is_passed = correct * 100 >= pass_mark * total

    now = utcnow()
    journey = _journey(enrollment)
    statements = [build.attempted(journey, quiz, now)]
    statements += [
        build.answered(
            journey,
            question,
            results[question.key]["chosen"],
            results[question.key]["is_correct"],
            now,
        )
        for question in questions
    ]
    statements.append(
        build.quiz_result(
            journey, quiz, correct=correct, total=total, is_passed=is_passed, timestamp=now
        )
    )
    attempt = QuizAttempt(
        enrollment_id=enrollment.id,
        quiz_id=quiz.id,
        number=_next_attempt_number(enrollment, quiz),
        answers=results,
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


def _check_answer(question: Question, chosen: list[str] | None) -> dict:
    chosen = sorted(set(chosen or []))
    if not chosen:
        raise AnswerError(_("Répondez à chaque question avant de valider."), question.key)
    known = {choice["id"] for choice in question.choices}
    if not set(chosen) <= known:
        raise AnswerError(_("Réponse inconnue pour une question."), question.key)
    if question.type != QuestionType.MULTIPLE_CHOICE and len(chosen) != 1:
        raise AnswerError(_("Une seule réponse est attendue pour cette question."), question.key)
    return {"chosen": chosen, "is_correct": question.is_correct(chosen)}


def _lock(enrollment: Enrollment) -> None:
    """Serialise a learner's writes on one enrolment (double clicks, two tabs).

    On PostgreSQL this takes a row lock until the commit; SQLite transactions already
    start with BEGIN IMMEDIATE, which serialises writers.
    """
    db.session.execute(
        sa.select(Enrollment.id).where(Enrollment.id == enrollment.id).with_for_update()
    )
