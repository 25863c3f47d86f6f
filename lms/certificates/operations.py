"""Issuing, revoking and reinstating certificates. They flush; the caller commits."""

import sqlalchemy as sa
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from lms.accounts.models import User
from lms.catalog.models import Level, Parcours
from lms.certificates.codes import new_code
from lms.certificates.models import (
    Certificate,
    CertificateAction,
    CertificateEvent,
    CertificateKind,
)
from lms.core.db import utcnow
from lms.core.errors import Conflict, DomainError
from lms.core.templating import LEVEL_LABELS
from lms.extensions import db
from lms.learning.models import Enrollment
from lms.mail.operations import queue_mail
from lms.networks.models import Cohort, CohortMember, Network
from lms.progress.projection import Completion
from lms.xapi import statements as build
from lms.xapi.statements import Journey

_CODE_TRIES = 5


def verification_url(code: str) -> str:
    return f"{current_app.config['LMS_BASE_URL']}/verify/{code}"


def certificates_for(completion: Completion) -> list[dict]:
    """Issue what a completion earns; returns the `earned` statements to record.

    The parcours earns its certificate; a level earns an attestation when the parcours
    asks for them (manifest `level_attestations: true`).
    """
    target = completion.target
    if isinstance(target, Parcours):
        issued = issue_certificate(completion.enrollment, None, completion.timestamp)
    elif isinstance(target, Level) and target.parcours.issues_level_attestations:
        issued = issue_certificate(completion.enrollment, target, completion.timestamp)
    else:
        return []
    return issued[1] if issued is not None else []


def issue_certificate(
    enrollment: Enrollment, level: Level | None, completed_at
) -> tuple[Certificate, list[dict]] | None:
    """Issue the certificate of the parcours (level None) or the attestation of a level.

    Idempotent: returns None if it exists already. Otherwise returns the certificate and the
    `earned` statement to record (the write path records it). Queues the learner's e-mail.
    """
    scope = "parcours" if level is None else f"level:{level.key.value}"
    exists = db.session.scalar(
        sa.select(Certificate.id).where(
            Certificate.enrollment_id == enrollment.id, Certificate.scope == scope
        )
    )
    if exists is not None:
        return None
    parcours: Parcours = enrollment.parcours
    user: User = enrollment.user
    levels = parcours.levels if level is None else [level]
    certificate = Certificate(
        enrollment_id=enrollment.id,
        user_id=user.id,
        parcours_id=parcours.id,
        level_id=level.id if level is not None else None,
        kind=CertificateKind.PARCOURS if level is None else CertificateKind.LEVEL,
        scope=scope,
        learner_name=user.name,
        parcours_title=parcours.title,
        level_titles=[_level_label(item) for item in levels],
        issuer_name=current_app.config["PLATFORM_NAME"],
        network_name=_network_name(enrollment),
        completed_at=completed_at,
        issued_at=utcnow(),
    )
    _insert_with_unique_code(certificate)
    db.session.add(CertificateEvent(certificate_id=certificate.id, action=CertificateAction.ISSUED))
    db.session.flush()
    _tell_learner(certificate)
    journey = Journey(user=user, registration=enrollment.registration, parcours=parcours)
    earned = build.earned(journey, level, verification_url(certificate.code), certificate.issued_at)
    return certificate, [earned]


def _network_name(enrollment: Enrollment) -> str | None:
    """The regional network the learner followed the parcours with (their latest cohort):
    the certificate names it beside the platform."""
    return db.session.scalar(
        sa.select(Network.name)
        .join(Cohort, Cohort.network_id == Network.id)
        .join(CohortMember, CohortMember.cohort_id == Cohort.id)
        .where(CohortMember.enrollment_id == enrollment.id)
        .order_by(CohortMember.joined_at.desc(), CohortMember.id.desc())
        .limit(1)
    )


def _level_label(level: Level) -> str:
    return f"{LEVEL_LABELS[level.key.value]} — {level.title}"


def _insert_with_unique_code(certificate: Certificate) -> None:
    """Insert with a fresh random code; on the (astronomically rare) clash, draw again."""
    for _try in range(_CODE_TRIES):
        certificate.code = new_code()
        try:
            with db.session.begin_nested():
                db.session.add(certificate)
        except IntegrityError:
            clash = db.session.scalar(
                sa.select(Certificate.id).where(Certificate.code == certificate.code)
            )
            if clash is None:
                raise  # not the code: the certificate exists (a concurrent issue)
            continue
        return
    raise RuntimeError("could not draw a unique certificate code")


def _tell_learner(certificate: Certificate) -> None:
    if certificate.kind == CertificateKind.PARCOURS:
        subject = _("Votre certificat « %(title)s »", title=certificate.parcours_title)
        what = _("le parcours « %(title)s »", title=certificate.parcours_title)
    else:
        subject = _("Votre attestation de niveau — %(title)s", title=certificate.parcours_title)
        what = _(
            "le niveau « %(level)s » du parcours « %(title)s »",
            level=certificate.level_titles[0],
            title=certificate.parcours_title,
        )
    base = current_app.config["LMS_BASE_URL"]
    body = _(
        "Bonjour %(name)s,\n\n"
        "Félicitations : vous avez terminé %(what)s.\n\n"
        "Votre certificat est disponible dans « Mes certificats » : %(list_url)s\n"
        "Code de vérification : %(code)s\n"
        "Toute personne peut le vérifier à cette adresse : %(verify_url)s\n\n"
        "— %(platform)s",
        name=certificate.learner_name,
        what=what,
        list_url=f"{base}/mes-certificats",
        code=certificate.display_code,
        verify_url=verification_url(certificate.code),
        platform=certificate.issuer_name,
    )
    queue_mail(certificate.user.email, subject, body)


def revoke_certificate(certificate: Certificate, actor: User, reason: str) -> None:
    """Revoke with a reason; the certificate then verifies as revoked."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Indiquez le motif de la révocation."))
    if certificate.is_revoked:
        raise Conflict(_("Ce certificat est déjà révoqué."))
    certificate.revoked_at = utcnow()
    certificate.revoked_reason = reason
    db.session.add(
        CertificateEvent(
            certificate_id=certificate.id,
            action=CertificateAction.REVOKED,
            actor_id=actor.id,
            reason=reason,
            at=certificate.revoked_at,
        )
    )
    db.session.flush()


def reinstate_certificate(certificate: Certificate, actor: User, reason: str = "") -> None:
    """Undo a revocation; the revocation stays in the certificate's history."""
    if not certificate.is_revoked:
        raise Conflict(_("Ce certificat n'est pas révoqué."))
    certificate.revoked_at = None
    certificate.revoked_reason = None
    db.session.add(
        CertificateEvent(
            certificate_id=certificate.id,
            action=CertificateAction.REINSTATED,
            actor_id=actor.id,
            reason=reason.strip() or None,
        )
    )
    db.session.flush()
