"""Catalogue state changes. They flush; the caller commits."""

import sqlalchemy as sa
from flask_babel import gettext as _

from lms.accounts.models import Role
from lms.accounts.operations import find_user_by_email
from lms.catalog.models import Parcours, ParcoursOwner
from lms.core.errors import DomainError, NotFound
from lms.extensions import db


def add_owner(parcours_slug: str, email: str) -> ParcoursOwner:
    """Make a trainer an owner of a parcours; idempotent."""
    parcours = db.session.scalar(sa.select(Parcours).where(Parcours.slug == parcours_slug))
    if parcours is None:
        raise NotFound(_("Aucun parcours « %(slug)s ».", slug=parcours_slug))
    user = find_user_by_email(email)
    if user is None:
        raise NotFound(_("Aucun compte avec l'adresse %(email)s.", email=email))
    if user.role not in {Role.TRAINER, Role.ADMIN}:
        raise DomainError(_("Seul un formateur ou une formatrice peut posséder un parcours."))
    owner = db.session.get(ParcoursOwner, {"parcours_id": parcours.id, "user_id": user.id})
    if owner is None:
        owner = ParcoursOwner(parcours_id=parcours.id, user_id=user.id)
        db.session.add(owner)
        db.session.flush()
    return owner
