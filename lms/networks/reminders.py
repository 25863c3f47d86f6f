"""The reminder job: a nudge to learners inactive for N days (the cohort's N), at most one
a week per learner, with a working unsubscribe link. Flushes; the job runner commits."""

from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.mail.models import MailKind, MailOptOut
from lms.mail.operations import queue_mail
from lms.mail.unsubscribe import unsubscribe_headers, unsubscribe_url
from lms.networks.models import Cohort, CohortMember, Invitation, Reminder
from lms.networks.scoping import local_today
from lms.progress.models import ParcoursProgress

REMINDER_INTERVAL = timedelta(days=7)


def running_cohorts(now: datetime) -> list[Cohort]:
    today = local_today(now)
    return list(
        db.session.scalars(
            sa.select(Cohort)
            .where(Cohort.starts_on <= today, Cohort.ends_on >= today)
            .order_by(Cohort.id)
        )
    )


def _due_learners(cohort: Cohort, now: datetime) -> list[tuple[User, datetime]]:
    """Learners of the cohort inactive for N days, not done, reachable and not reminded
    this week."""
    last_activity = sa.func.coalesce(ParcoursProgress.last_activity_at, Enrollment.enrolled_at)
    opted_out = sa.select(MailOptOut.user_id).where(MailOptOut.kind == MailKind.REMINDER)
    reminded = sa.select(Reminder.user_id).where(Reminder.sent_at > now - REMINDER_INTERVAL)
    # Someone who never chose their password is reached by their invitation, not this.
    pending = sa.select(Invitation.user_id).where(Invitation.used_at.is_(None))
    rows = db.session.execute(
        sa.select(User, last_activity)
        .join(CohortMember, CohortMember.user_id == User.id)
        .join(Enrollment, Enrollment.id == CohortMember.enrollment_id)
        .outerjoin(ParcoursProgress, ParcoursProgress.enrollment_id == Enrollment.id)
        .where(
            CohortMember.cohort_id == cohort.id,
            User.is_active.is_(True),
            ParcoursProgress.completed_at.is_(None),
            last_activity < now - timedelta(days=cohort.inactivity_days),
            User.id.not_in(opted_out),
            User.id.not_in(reminded),
            sa.or_(User.last_login_at.is_not(None), User.id.not_in(pending)),
        )
        .order_by(User.id)
    ).all()
    return [(user, moment) for user, moment in rows]


def send_reminders(now: datetime) -> dict:
    """Queue the week's reminders; returns counts for the run record."""
    sent = 0
    seen: set[int] = set()
    cohorts = [cohort for cohort in running_cohorts(now) if cohort.reminders_enabled]
    for cohort in cohorts:
        for user, last_activity in _due_learners(cohort, now):
            if user.id in seen:  # in two cohorts: one reminder
                continue
            seen.add(user.id)
            _remind(user, cohort, last_activity)
            db.session.add(Reminder(user_id=user.id, cohort_id=cohort.id, sent_at=now))
            sent += 1
    db.session.flush()
    return {"cohorts": len(cohorts), "reminders": sent}


def _remind(user: User, cohort: Cohort, last_activity: datetime) -> None:
    base = current_app.config["LMS_BASE_URL"]
    body = _(
        "Bonjour %(name)s,\n\n"
        "Vous n'avez pas avancé dans le parcours « %(title)s » depuis le %(date)s. "
        "Votre cohorte « %(cohort)s » continue : reprenez là où vous en étiez, "
        "quelques minutes suffisent pour un module.\n\n%(url)s\n\n"
        "— %(platform)s\n\n"
        "Vous recevez ce rappel au plus une fois par semaine. Pour ne plus le recevoir : "
        "%(unsubscribe)s",
        name=user.name,
        title=cohort.parcours.title,
        date=format_date(last_activity, "long"),
        cohort=cohort.name,
        url=f"{base}/parcours/{cohort.parcours.slug}",
        platform=current_app.config["PLATFORM_NAME"],
        unsubscribe=unsubscribe_url(user, MailKind.REMINDER),
    )
    queue_mail(
        user.email,
        _("Votre parcours « %(title)s » vous attend", title=cohort.parcours.title),
        body,
        headers=unsubscribe_headers(user, MailKind.REMINDER),
    )
