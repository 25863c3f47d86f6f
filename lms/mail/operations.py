"""Queue mail in the caller's transaction; deliver it once that transaction is committed."""

import logging
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

import sqlalchemy as sa
from flask import current_app, g, has_app_context

from lms.core.db import utcnow
from lms.extensions import db
from lms.mail import backends
from lms.mail.models import MailMessage

logger = logging.getLogger(__name__)

_MAX_ATTEMPTS = 10


def queue_mail(
    recipient: str, subject: str, body_text: str, headers: dict[str, str] | None = None
) -> MailMessage:
    """Add a message to the outbox; flushes. It is sent after the caller commits."""
    message = MailMessage(
        recipient=recipient, subject=subject, body_text=body_text, headers=headers or None
    )
    db.session.add(message)
    db.session.flush()
    if has_app_context():
        g.setdefault("queued_mail_ids", []).append(message.id)
    return message


def deliver_pending(limit: int = 100, ids: list[int] | None = None) -> int:
    """Send unsent messages (all, or those with `ids`); returns how many were sent.

    Each message is marked sent, or its error recorded, and committed one by one: a failure
    leaves the others unaffected and the message is retried by the next run.
    """
    query = (
        sa.select(MailMessage)
        .where(MailMessage.sent_at.is_(None), MailMessage.attempts < _MAX_ATTEMPTS)
        .order_by(MailMessage.id)
        .limit(limit)
    )
    if ids is not None:
        query = query.where(MailMessage.id.in_(ids))
    sent = 0
    for message in db.session.scalars(query).all():
        message.attempts += 1
        try:
            backends.send(current_app, to_email(message))
        except (OSError, backends.MailError) as error:
            message.last_error = str(error)[:2000]
            logger.warning("mail %s to %s not sent: %s", message.id, message.recipient, error)
        else:
            message.sent_at = utcnow()
            message.last_error = None
            sent += 1
        db.session.commit()
    return sent


def to_email(message: MailMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = formatdate(message.created_at.timestamp(), usegmt=True)
    email["Message-ID"] = make_msgid(idstring=f"parcours-{message.id}")
    for name, value in (message.headers or {}).items():
        email[name] = value
    email.set_content(message.body_text)
    return email
