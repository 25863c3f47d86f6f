from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import utcnow
from lms.extensions import db


class ForwardingItem(db.Model):
    """A stored statement waiting to be, or already, sent to the outside LRS.

    Written in the transaction that stores the statement: a statement that is stored is
    never forgotten by the forwarding, and one rolled back is never sent.
    """

    __tablename__ = "xapi_forwarding_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_seq: Mapped[int] = mapped_column(
        sa.ForeignKey("statements.seq", ondelete="CASCADE"), unique=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)


class ForwardingState(db.Model):
    """The health of the forwarding: one row (id 1), read by the admin page and the job."""

    __tablename__ = "xapi_forwarding_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_success_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    last_error_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(default=0)
    # While the outside LRS fails, the job waits until then (exponential backoff).
    next_attempt_at: Mapped[datetime | None]
