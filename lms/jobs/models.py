import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import str_enum, utcnow
from lms.extensions import db


class RunOutcome(enum.StrEnum):
    RUNNING = "running"
    SUCCESS = "success"
    FAILED = "failed"


class JobRun(db.Model):
    """One run of a scheduled job for one due time.

    The unique (job_id, due_key) is the lock: of two schedulers started by mistake, the
    first to insert the row runs the job, the other finds it taken and does nothing.
    """

    __tablename__ = "job_runs"
    __table_args__ = (
        sa.UniqueConstraint("job_id", "due_key"),
        sa.Index("ix_job_runs_job_id_started_at", "job_id", "started_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(sa.String(40))
    # The due time the run is for, as the job's period names it ("2026-11-23", "2026-W48").
    due_key: Mapped[str] = mapped_column(sa.String(40))
    started_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]
    outcome: Mapped[RunOutcome] = mapped_column(
        str_enum(RunOutcome, 10), default=RunOutcome.RUNNING
    )
    counts: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    error: Mapped[str | None] = mapped_column(sa.Text)
    host: Mapped[str] = mapped_column(sa.String(200), default="")
