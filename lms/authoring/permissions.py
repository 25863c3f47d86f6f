"""Who may edit a parcours: its owning trainers and admins (one helper for every view)."""

import sqlalchemy as sa
from flask import abort
from flask_login import current_user

from lms.catalog.models import Parcours
from lms.catalog.ownership import can_edit
from lms.extensions import db


def editable_parcours_or_abort(slug: str) -> Parcours:
    """The parcours `slug` if the current user may edit it; 403 otherwise, 404 if unknown.

    Views are also behind role_required(trainer, admin), so a learner never gets this far.
    """
    parcours = db.session.scalar(sa.select(Parcours).where(Parcours.slug == slug))
    if parcours is None:
        abort(404)
    if not can_edit(current_user, parcours):
        abort(403)
    return parcours
