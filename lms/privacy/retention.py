"""The retention job: learners' accounts inactive for ACCOUNT_RETENTION_DAYS are warned by
e-mail once, then erased RETENTION_WARNING_DAYS later if they stayed inactive.

Activity is the latest of: the account's creation, its last login, its last learning
activity (the progress projection's last_activity_at, which every statement moves). Logging
in or learning after the warning cancels it. Only learners are concerned: trainers, network
managers and admins hold accounts an admin gave them, and an admin closes them
(`flask lms erase-account`).

The job owns its transactions: one commit per account, so a failure on one account rolls
back that account only and the others go on.
"""

import logging
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _

from lms.accounts.models import Role, User
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.mail.operations import queue_mail
from lms.privacy.models import RetentionWarning
from lms.privacy.operations import erase_account
from lms.progress.models import ParcoursProgress

logger = logging.getLogger(__name__)


def retention_period() -> timedelta:
    return timedelta(days=current_app.config["ACCOUNT_RETENTION_DAYS"])


def warning_period() -> timedelta:
    return timedelta(days=current_app.config["RETENTION_WARNING_DAYS"])


def _inactive_learners(now: datetime) -> list[tuple[int, datetime]]:
    """(user id, last activity) of the learners inactive for the retention period."""
    threshold = now - retention_period()
    learning = (
        sa.select(sa.func.max(ParcoursProgress.last_activity_at))
        .join(Enrollment, Enrollment.id == ParcoursProgress.enrollment_id)
        .where(Enrollment.user_id == User.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        sa.select(User.id, User.created_at, User.last_login_at, learning.label("learning"))
        .where(
            User.role == Role.LEARNER,
            User.deleted_at.is_(None),
            User.created_at < threshold,
            sa.or_(User.last_login_at.is_(None), User.last_login_at < threshold),
            sa.or_(learning.is_(None), learning < threshold),
        )
        .order_by(User.id)
    ).all()
    return [(row.id, max(moment for moment in row[1:] if moment is not None)) for row in rows]


def apply_retention(now: datetime) -> dict:
    """Warn, or erase, each inactive learner; commits per account. Returns counts."""
    counts = {"warned": 0, "erased": 0, "waiting": 0, "failed": 0}
    for user_id, last_activity in _inactive_learners(now):
        try:
            outcome = _handle(db.session.get(User, user_id), last_activity, now)
            db.session.commit()
        except Exception:
            db.session.rollback()
            logger.exception("retention: account %s failed", user_id)
            outcome = "failed"
        counts[outcome] += 1
    return counts


def _handle(user: User, last_activity: datetime, now: datetime) -> str:
    warning = db.session.get(RetentionWarning, user.id)
    if warning is None or warning.warned_at < last_activity:
        # Never warned, or active since the last warning: this inactivity starts afresh.
        if warning is None:
            warning = RetentionWarning(user_id=user.id)
            db.session.add(warning)
        warning.warned_at = now
        _warn(user, last_activity, now + warning_period())
        db.session.flush()
        return "warned"
    if warning.warned_at <= now - warning_period():
        erase_account(user)
        return "erased"
    return "waiting"


def _warn(user: User, last_activity: datetime, erase_on: datetime) -> None:
    base = current_app.config["LMS_BASE_URL"]
    platform = current_app.config["PLATFORM_NAME"]
    body = _(
        "Bonjour %(name)s,\n\n"
        "Vous ne vous êtes pas connecté à %(platform)s depuis le %(date)s. "
        "Sans nouvelle connexion de votre part, votre compte sera supprimé le %(erase_on)s : "
        "vos nom, adresse e-mail et mot de passe seront effacés, vos certificats révoqués, "
        "et vos traces d'apprentissage ne seront plus conservées que de façon anonyme.\n\n"
        "Pour garder votre compte, il suffit de vous connecter : %(login_url)s\n"
        "Pour récupérer vos données avant la suppression : %(data_url)s\n"
        "Notre politique de confidentialité : %(privacy_url)s\n\n"
        "— %(platform)s",
        name=user.name,
        platform=platform,
        date=format_date(last_activity, "long"),
        erase_on=format_date(erase_on, "long"),
        login_url=f"{base}/connexion",
        data_url=f"{base}/compte/donnees",
        privacy_url=f"{base}/confidentialite",
    )
    queue_mail(
        user.email,
        _("Votre compte %(platform)s sera bientôt supprimé", platform=platform),
        body,
    )
