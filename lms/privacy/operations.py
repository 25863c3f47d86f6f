"""Erasing an account. Flushes; the caller (view, CLI command, job) commits.

What goes: the person's identity (name, e-mail, password), their roles and invitations, the
mail held for them, their lines in uploaded enrolment files, the xAPI documents kept under
their agent. What stays, pseudonymised:
the account row itself, now an anonymous learner, with its enrolments, attempts and
progress, so that cohort figures stay true; the statements, rewritten to a fresh anonymous
account (see `lms.privacy.agents`); the certificates, revoked and no longer naming anyone.
"""

import logging
import re
import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.models import Role, User, new_public_id
from lms.accounts.passwords import verify_password
from lms.catalog.models import ParcoursOwner
from lms.certificates.models import Certificate
from lms.certificates.operations import revoke_certificate
from lms.core.db import utcnow
from lms.core.errors import Conflict, DomainError
from lms.extensions import db
from lms.mail.models import MailMessage, MailOptOut
from lms.networks.models import (
    CohortTrainer,
    EnrolmentImport,
    Invitation,
    NetworkManager,
    Reminder,
)
from lms.privacy.agents import person_keys, pseudonymise_statements
from lms.privacy.models import RetentionWarning
from lms.xapi.documents.models import XAPIDocument

logger = logging.getLogger(__name__)

# Never a valid Argon2 hash: verifying any password against it fails.
UNUSABLE_PASSWORD = "!erased"  # noqa: S105 - a marker, not a password
ERASED_DOMAIN = "compte-supprime.invalid"  # RFC 2606: never routable


@dataclass(frozen=True)
class Erasure:
    statements: int
    certificates_revoked: int
    documents_deleted: int


def anonymous_name() -> str:
    return _("Apprenant anonyme")


def erasure_reason() -> str:
    return _("compte supprimé")


def check_deletion(user: User, password: str) -> None:
    """Refuse a self-service deletion: wrong password, or an admin (an admin account is
    closed by another admin, `flask lms erase-account`, so the platform keeps one)."""
    if user.role == Role.ADMIN:
        raise DomainError(
            _(
                "Un compte administrateur ne peut pas être supprimé depuis cette page : "
                "demandez-le à un autre administrateur."
            )
        )
    if not verify_password(user.password_hash, password):
        raise DomainError(_("Mot de passe incorrect."))


def erase_account(user: User) -> Erasure:
    """Erase the person behind `user`, keeping their learning record pseudonymised."""
    if user.deleted_at is not None:
        raise Conflict(_("Ce compte est déjà supprimé."))
    keys = person_keys(user)  # before the e-mail goes: it is one of them
    anonymous_id = new_public_id()
    statements = pseudonymise_statements(user, anonymous_id)
    documents = db.session.execute(
        sa.delete(XAPIDocument)
        .where(XAPIDocument.agent_key.in_(keys))
        .execution_options(synchronize_session=False)
    ).rowcount
    revoked = _revoke_certificates(user)
    db.session.execute(sa.delete(MailMessage).where(MailMessage.recipient == user.email))
    _remove_from_imports(user.email)
    for model in (
        Invitation,
        Reminder,
        MailOptOut,
        RetentionWarning,
        NetworkManager,
        CohortTrainer,
        ParcoursOwner,
    ):
        db.session.execute(
            sa.delete(model)
            .where(model.user_id == user.id)
            .execution_options(synchronize_session=False)
        )
    user.public_id = anonymous_id
    user.name = anonymous_name()
    user.email = f"{uuid.uuid4().hex}@{ERASED_DOMAIN}"
    user.password_hash = UNUSABLE_PASSWORD
    user.role = Role.LEARNER
    user.is_active = False
    user.session_version += 1  # every session and remember-me cookie ends
    user.last_login_at = None
    user.deleted_at = utcnow()
    db.session.flush()
    logger.info("account %s erased (%s statements pseudonymised)", user.id, statements)
    return Erasure(statements, revoked, documents)


def _revoke_certificates(user: User) -> int:
    revoked = 0
    certificates = db.session.scalars(
        sa.select(Certificate).where(Certificate.user_id == user.id).order_by(Certificate.id)
    ).all()
    for certificate in certificates:
        if not certificate.is_revoked:
            # The person is the actor: the revocation follows from their erasure.
            revoke_certificate(certificate, user, erasure_reason())
            revoked += 1
        # The public verification page must no longer name them.
        certificate.learner_name = anonymous_name()
    db.session.flush()
    return revoked


def _remove_from_imports(email: str) -> None:
    """Drop the person's lines from the enrolment files managers uploaded (kept for their
    preview and confirmation): the line with their e-mail also carries their name."""
    uploads = db.session.scalars(
        sa.select(EnrolmentImport).where(
            sa.func.lower(EnrolmentImport.content).contains(email, autoescape=True)
        )
    ).all()
    # The whole address, not a part of another one (ada@… inside lada@…).
    address = re.compile(
        rf"(?<![\w.!#$%&'*+/=?^`{{|}}~-]){re.escape(email)}(?![\w.-])", re.IGNORECASE
    )
    for upload in uploads:
        lines = upload.content.splitlines(keepends=True)
        upload.content = "".join(line for line in lines if not address.search(line))
