"""What the « Mes données » page shows: how much the platform holds, by subject."""

from dataclasses import dataclass

import sqlalchemy as sa

from lms.accounts.models import User
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.learning.models import Enrollment, QuizAttempt
from lms.networks.models import CohortMember
from lms.xapi.models import Statement


@dataclass(frozen=True)
class DataSummary:
    enrolments: int
    attempts: int
    statements: int
    certificates: int
    cohorts: int


def _count(query: sa.Select) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))


def data_summary(user: User) -> DataSummary:
    return DataSummary(
        enrolments=_count(sa.select(Enrollment.id).where(Enrollment.user_id == user.id)),
        attempts=_count(
            sa.select(QuizAttempt.id)
            .join(Enrollment, Enrollment.id == QuizAttempt.enrollment_id)
            .where(Enrollment.user_id == user.id)
        ),
        statements=_count(sa.select(Statement.seq).where(Statement.user_id == user.id)),
        certificates=_count(sa.select(Certificate.id).where(Certificate.user_id == user.id)),
        cohorts=_count(sa.select(CohortMember.id).where(CohortMember.user_id == user.id)),
    )
