import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.catalog import questions
from lms.catalog.models import Level, Module, Parcours, Question
from lms.extensions import db
from lms.learning.models import Enrollment, QuizAttempt
from lms.progress.queries import ParcoursState, parcours_state


def module_in(parcours: Parcours, module_slug: str) -> Module | None:
    for level in parcours.levels:
        for module in level.modules:
            if module.slug == module_slug:
                return module
    return None


def learner_parcours(user: User) -> list[ParcoursState]:
    """Every parcours the user is enrolled in, with progress, most recent activity first."""
    enrollments = db.session.scalars(
        sa.select(Enrollment)
        .where(Enrollment.user_id == user.id)
        .options(
            selectinload(Enrollment.parcours)
            .selectinload(Parcours.levels)
            .selectinload(Level.modules)
            .selectinload(Module.quiz)
        )
    ).all()
    states = [parcours_state(enrollment.parcours, enrollment) for enrollment in enrollments]
    return sorted(
        states,
        key=lambda state: (
            state.journey.last_activity_at if state.journey else state.enrollment.enrolled_at
        ),
        reverse=True,
    )


def attempt(enrollment: Enrollment, quiz_id: int, number: int) -> QuizAttempt | None:
    return db.session.scalar(
        sa.select(QuizAttempt).where(
            QuizAttempt.enrollment_id == enrollment.id,
            QuizAttempt.quiz_id == quiz_id,
            QuizAttempt.number == number,
        )
    )


def attempts(enrollment: Enrollment, quiz_id: int) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            sa.select(QuizAttempt)
            .where(QuizAttempt.enrollment_id == enrollment.id, QuizAttempt.quiz_id == quiz_id)
            .order_by(QuizAttempt.number)
        )
    )


def corrections(attempt: QuizAttempt) -> list[dict]:
    """Each question of the attempt as it was answered, with the response and the right
    answer in words. Attempts from before snapshots were kept fall back to the current
    questions."""
    snaps = attempt.questions
    if snaps is None:
        current = db.session.scalars(
            sa.select(Question).where(
                Question.quiz_id == attempt.quiz_id, Question.key.in_(list(attempt.answers))
            )
        ).all()
        by_key = {question.key: questions.snapshot(question) for question in current}
        snaps = [by_key[key] for key in attempt.answers if key in by_key]
    result = []
    for snap in snaps:
        answer = attempt.answers.get(snap["key"])
        if answer is None:
            continue
        result.append(
            {
                "snap": snap,
                "is_correct": answer["is_correct"],
                "response": questions.describe(snap, answer["chosen"]),
                "correct": questions.describe_correct(snap),
            }
        )
    return result
