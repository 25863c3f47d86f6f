"""`/healthz`, for the load balancer: can this app server serve requests?

It answers 200 {"status": "ok"} when the database answers a trivial query and the folders the
app writes to (uploads, signing keys) can be written; otherwise 503 {"status": "error",
"reason": ...}, so that the balancer takes the server out of rotation. No authentication, no
session cookie, no rate limit; successes are logged at DEBUG only (see request_log.quiet).
"""

import logging
import os

import sqlalchemy as sa
from flask import Blueprint, jsonify
from sqlalchemy.exc import SQLAlchemyError

from lms.catalog.files import uploads_dir
from lms.certificates.keys import keys_dir
from lms.core.request_log import quiet
from lms.extensions import db, limiter

logger = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
@quiet
def healthz():
    # The reason given is short and generic (the endpoint is public); the log has the detail.
    reason = _database_problem() or _folder_problem()
    if reason is not None:
        return jsonify(status="error", reason=reason), 503
    return jsonify(status="ok")


def _database_problem() -> str | None:
    try:
        db.session.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as error:
        logger.warning("health check: the database does not answer: %s", error)
        return "database unavailable"
    finally:
        # Give the connection back now: a health check holds no transaction open.
        db.session.rollback()
    return None


def _folder_problem() -> str | None:
    # A folder not created yet is created on first use, in the instance folder by default:
    # then the nearest existing parent is what must be writable.
    for name, folder in (("uploads", uploads_dir()), ("keys", keys_dir())):
        existing = next(path for path in (folder, *folder.parents) if path.exists())
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            logger.warning("health check: %s folder %s is not writable", name, existing)
            return f"{name} folder not writable"
    return None
