"""Deliver, after the response is built, the mail queued by a request that committed."""

import logging

from flask import Flask, g, request

from lms.extensions import db
from lms.mail.operations import deliver_pending

logger = logging.getLogger(__name__)


def register(app: Flask) -> None:
    @app.after_request
    def deliver_queued_mail(response):
        ids = g.pop("queued_mail_ids", None)
        if not ids or response.status_code >= 400:
            return response
        # Only what the view committed exists; what it rolled back is gone with it.
        try:
            deliver_pending(ids=ids)
        except Exception:  # the outbox keeps the messages for `flask lms send-mail`
            db.session.rollback()
            logger.exception("delivering mail queued by %s %s", request.method, request.path)
        return response
