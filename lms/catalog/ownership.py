"""Who edits a parcours: its owning trainers, and admins."""

from lms.accounts.models import Role, User
from lms.catalog.models import Parcours, ParcoursOwner
from lms.extensions import db


def is_owner(user: User, parcours: Parcours) -> bool:
    key = {"parcours_id": parcours.id, "user_id": user.id}
    return db.session.get(ParcoursOwner, key) is not None


def can_edit(user: User, parcours: Parcours) -> bool:
    """Owners (trainers) and admins edit a parcours; nobody else."""
    if not user.is_authenticated:
        return False
    return user.role == Role.ADMIN or (user.role == Role.TRAINER and is_owner(user, parcours))
