import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import str_enum, utcnow
from lms.extensions import db


class MailMessage(db.Model):
    """A message to send. Written in the transaction of the event it tells about, so that a
    rolled-back event sends nothing and a committed one is never forgotten."""

    __tablename__ = "mail_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(300))
    body_text: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.Text)
    # Extra headers, e.g. List-Unsubscribe on reminders and digests.
    headers: Mapped[dict | None] = mapped_column(sa.JSON)


class MailKind(enum.StrEnum):
    """Kinds of optional mail a person can unsubscribe from (never account or certificate
    mail, which they asked for)."""

    REMINDER = "reminder"
    DIGEST = "digest"


class MailOptOut(db.Model):
    """A person who unsubscribed from one kind of optional mail."""

    __tablename__ = "mail_opt_outs"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[MailKind] = mapped_column(str_enum(MailKind, 20), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
