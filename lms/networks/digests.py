"""The weekly digest: to each cohort's network managers and trainers, the cohort's progress
and who is stuck. One message per person, covering all their cohorts. Flushes; the job
runner commits."""

from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.core.i18n import percent
from lms.extensions import db
from lms.mail.models import MailKind, MailOptOut
from lms.mail.operations import queue_mail
from lms.mail.unsubscribe import unsubscribe_headers, unsubscribe_url
from lms.networks.dashboard import Filters, LearnerStatus, learner_rows, scope_for, summary
from lms.networks.models import Cohort, CohortTrainer, NetworkManager
from lms.networks.scoping import local_today

# A digest still goes out the week after a cohort ends: its final figures.
AFTER_END = timedelta(days=7)
STUCK_LISTED = 15


def _cohorts(now: datetime) -> list[Cohort]:
    today = local_today(now)
    return list(
        db.session.scalars(
            sa.select(Cohort)
            .where(Cohort.starts_on <= today, Cohort.ends_on >= today - AFTER_END)
            .order_by(Cohort.name)
        )
    )


def _recipients(cohort: Cohort) -> list[User]:
    managers = sa.select(NetworkManager.user_id).where(
        NetworkManager.network_id == cohort.network_id
    )
    trainers = sa.select(CohortTrainer.user_id).where(CohortTrainer.cohort_id == cohort.id)
    opted_out = sa.select(MailOptOut.user_id).where(MailOptOut.kind == MailKind.DIGEST)
    return list(
        db.session.scalars(
            sa.select(User).where(
                sa.or_(User.id.in_(managers), User.id.in_(trainers)),
                User.is_active.is_(True),
                User.id.not_in(opted_out),
            )
        )
    )


def _section(cohort: Cohort, now: datetime) -> str:
    scope = scope_for(cohort, now)
    stats = summary(scope)
    stuck, stuck_total = learner_rows(
        scope, Filters(status=LearnerStatus.STUCK), per_page=STUCK_LISTED
    )
    base = current_app.config["LMS_BASE_URL"]
    lines = [
        f"« {cohort.name} » — {cohort.network.name} — {cohort.parcours.title}",
        _(
            "%(learners)d apprenants · progression moyenne %(average)d %% · "
            "%(completed)d ont terminé · %(inactive)d inactifs depuis %(days)d jours",
            learners=stats.learners,
            average=stats.average_percent,
            completed=stats.completed,
            inactive=stats.inactive,
            days=cohort.inactivity_days,
        ),
    ]
    if stuck_total:
        lines.append(_("Bloqués (%(n)d) :", n=stuck_total))
        for row in stuck:
            why = []
            if "failed" in row.stuck_reasons:
                why.append(_("quiz échoué 3 fois"))
            if "no_progress" in row.stuck_reasons:
                why.append(_("sans progression"))
            lines.append(f"  - {row.name} ({percent(row.percent)}) : {', '.join(why)}")
        if stuck_total > len(stuck):
            lines.append(_("  … et %(n)d autres.", n=stuck_total - len(stuck)))
    else:
        lines.append(_("Personne n'est bloqué."))
    lines.append(_("Tableau de bord : %(url)s", url=f"{base}/cohortes/{cohort.id}"))
    return "\n".join(lines)


def send_digests(now: datetime) -> dict:
    """Queue one digest per manager or trainer of a running cohort; returns counts."""
    sections: dict[int, list[str]] = defaultdict(list)
    people: dict[int, User] = {}
    cohorts = _cohorts(now)
    for cohort in cohorts:
        recipients = _recipients(cohort)
        if not recipients:
            continue
        text = _section(cohort, now)
        for user in recipients:
            people[user.id] = user
            sections[user.id].append(text)
    platform = current_app.config["PLATFORM_NAME"]
    for user_id, parts in sections.items():
        user = people[user_id]
        body = (
            _("Bonjour %(name)s,\n\nLe point de la semaine sur vos cohortes :", name=user.name)
            + "\n\n"
            + "\n\n".join(parts)
            + "\n\n— "
            + platform
            + "\n\n"
            + _(
                "Pour ne plus recevoir ce point hebdomadaire : %(url)s",
                url=unsubscribe_url(user, MailKind.DIGEST),
            )
        )
        queue_mail(
            user.email,
            _("Le point de la semaine — %(platform)s", platform=platform),
            body,
            headers=unsubscribe_headers(user, MailKind.DIGEST),
        )
    return {"cohorts": len(cohorts), "digests": len(sections)}
