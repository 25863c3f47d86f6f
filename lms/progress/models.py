"""The progress projection. Only `lms.progress.projection` writes these tables."""

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.extensions import db


class ParcoursProgress(db.Model):
    __tablename__ = "parcours_progress"

    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollments.id", ondelete="CASCADE"), primary_key=True
    )
    started_at: Mapped[datetime]
    last_activity_at: Mapped[datetime]
    # Where the learner last did something, for "resume".
    last_module_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("modules.id", ondelete="SET NULL")
    )
    completed_at: Mapped[datetime | None]


class LevelProgress(db.Model):
    __tablename__ = "level_progress"
    __table_args__ = (sa.UniqueConstraint("enrollment_id", "level_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollments.id", ondelete="CASCADE"))
    level_id: Mapped[int] = mapped_column(sa.ForeignKey("levels.id", ondelete="CASCADE"))
    completed_at: Mapped[datetime]


class ModuleProgress(db.Model):
    __tablename__ = "module_progress"
    __table_args__ = (sa.UniqueConstraint("enrollment_id", "module_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    module_id: Mapped[int] = mapped_column(sa.ForeignKey("modules.id", ondelete="CASCADE"))
    read_at: Mapped[datetime | None]
    quiz_attempts: Mapped[int] = mapped_column(default=0)
    best_score: Mapped[float | None]
    quiz_passed_at: Mapped[datetime | None]
    completed_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime]
