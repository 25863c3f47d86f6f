import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.catalog.models import Parcours, Quiz
from lms.core.db import utcnow
from lms.extensions import db


def new_registration() -> str:
    return str(uuid.uuid4())


class Enrollment(db.Model):
    __tablename__ = "enrollments"
    __table_args__ = (sa.UniqueConstraint("user_id", "parcours_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    parcours_id: Mapped[int] = mapped_column(sa.ForeignKey("parcours.id", ondelete="CASCADE"))
    # The xAPI context registration of every statement made within this enrolment.
    registration: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_registration)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    parcours: Mapped[Parcours] = relationship()


class QuizAttempt(db.Model):
    __tablename__ = "quiz_attempts"
    __table_args__ = (sa.UniqueConstraint("enrollment_id", "quiz_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    quiz_id: Mapped[int] = mapped_column(sa.ForeignKey("quizzes.id", ondelete="CASCADE"))
    number: Mapped[int]
    # {question key: {"chosen": response, "is_correct": bool}}, the response as described
    # in lms.catalog.questions.
    answers: Mapped[dict] = mapped_column(sa.JSON)
    # The questions exactly as asked and answered (snapshots, in the order shown): later
    # edits, a new draw or an archived question never change a past attempt. None for
    # attempts made before snapshots were kept.
    questions: Mapped[list[dict] | None] = mapped_column(sa.JSON)
    correct_count: Mapped[int]
    question_count: Mapped[int]
    score: Mapped[float]  # scaled, 0 to 1
    is_passed: Mapped[bool]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    enrollment: Mapped[Enrollment] = relationship()
    quiz: Mapped[Quiz] = relationship()

    @property
    def percent(self) -> int:
        return round(self.score * 100)
