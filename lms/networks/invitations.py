"""Invitations: a one-time link to choose a password, sent to people a manager enrols.

Flushes; the caller commits (the e-mail leaves after the commit)."""

import hashlib
import secrets
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.accounts.operations import set_password
from lms.core.db import utcnow
from lms.core.errors import DomainError
from lms.extensions import db
from lms.mail.operations import queue_mail
from lms.networks.models import Cohort, Invitation, Network

INVITATION_VALIDITY = timedelta(days=30)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_url(token: str) -> str:
    return f"{current_app.config['LMS_BASE_URL']}/invitation/{token}"


def invite(
    user: User, cohort: Cohort | None, inviter: User | None, network: Network | None = None
) -> Invitation:
    """Create an invitation for an account without a chosen password, and queue its e-mail."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    invitation = Invitation(
        user_id=user.id,
        cohort_id=cohort.id if cohort is not None else None,
        token_sha256=_digest(token),
        created_at=now,
        expires_at=now + INVITATION_VALIDITY,
    )
    db.session.add(invitation)
    db.session.flush()
    platform = current_app.config["PLATFORM_NAME"]
    if cohort is not None:
        subject = _("Invitation : %(title)s", title=cohort.parcours.title)
        what = _(
            "vous êtes inscrit à la cohorte « %(cohort)s » (%(network)s), qui suit le parcours "
            "« %(title)s ».",
            cohort=cohort.name,
            network=cohort.network.name,
            title=cohort.parcours.title,
        )
    else:
        subject = _("Invitation : gestion du réseau %(network)s", network=network.name)
        what = _("vous êtes désormais responsable du réseau « %(network)s ».", network=network.name)
    body = _(
        "Bonjour %(name)s,\n\n"
        "Sur %(platform)s, %(what)s\n\n"
        "Pour choisir votre mot de passe et accéder à la plateforme, ouvrez ce lien "
        "(valable %(days)d jours, utilisable une seule fois) :\n%(url)s\n\n"
        "Votre identifiant est votre adresse e-mail : %(email)s\n\n"
        "— %(platform)s",
        name=user.name,
        platform=platform,
        what=what,
        days=INVITATION_VALIDITY.days,
        url=invitation_url(token),
        email=user.email,
    )
    queue_mail(user.email, subject, body)
    return invitation


def has_pending_invitation(user: User) -> bool:
    """Whether the account was created by an invitation never used (no password chosen)."""
    if user.last_login_at is not None:
        return False
    return (
        db.session.scalar(
            sa.select(Invitation.id).where(
                Invitation.user_id == user.id, Invitation.used_at.is_(None)
            )
        )
        is not None
    )


def find_invitation(token: str) -> Invitation | None:
    return db.session.scalar(sa.select(Invitation).where(Invitation.token_sha256 == _digest(token)))


def invitation_problem(invitation: Invitation | None) -> str | None:
    """Why the link cannot be used, for the person who opened it; None if it can."""
    if invitation is None:
        return _("Ce lien d'invitation n'est pas valide.")
    if invitation.used_at is not None:
        return _(
            "Ce lien a déjà servi : votre mot de passe est choisi. Connectez-vous avec votre "
            "adresse e-mail."
        )
    if invitation.expires_at < utcnow() or not invitation.user.is_active:
        return _(
            "Ce lien a expiré. Demandez une nouvelle invitation à la personne qui vous a inscrit."
        )
    return None


def accept_invitation(invitation: Invitation, password: str) -> User:
    """Set the invited person's password; every invitation of theirs is then used up."""
    # Locked and read again: the same link submitted twice at once sets the password once.
    db.session.execute(
        sa.select(Invitation.id)
        .where(Invitation.id == invitation.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    db.session.refresh(invitation)
    problem = invitation_problem(invitation)
    if problem is not None:
        raise DomainError(problem)
    user = invitation.user
    now = utcnow()
    # As any password change: sessions opened with an earlier password end.
    set_password(user, password)
    user.last_login_at = now
    db.session.execute(
        sa.update(Invitation)
        .where(Invitation.user_id == user.id, Invitation.used_at.is_(None))
        .values(used_at=now)
    )
    db.session.flush()
    return user
