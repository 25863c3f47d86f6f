import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.authoring.models import ParcoursDraft
from lms.catalog.models import Parcours, ParcoursOwner
from lms.extensions import db


def editable_parcours(user: User) -> list[tuple[Parcours, ParcoursDraft | None]]:
    """The parcours the user edits (all of them for an admin), with their drafts."""
    query = (
        sa.select(Parcours, ParcoursDraft)
        .outerjoin(ParcoursDraft, ParcoursDraft.parcours_id == Parcours.id)
        .order_by(Parcours.title)
    )
    if user.role != Role.ADMIN:
        owned = sa.select(ParcoursOwner.parcours_id).where(ParcoursOwner.user_id == user.id)
        query = query.where(Parcours.id.in_(owned))
    return [(parcours, draft) for parcours, draft in db.session.execute(query)]


def owners(parcours: Parcours) -> list[User]:
    return list(
        db.session.scalars(
            sa.select(User)
            .join(ParcoursOwner, ParcoursOwner.user_id == User.id)
            .where(ParcoursOwner.parcours_id == parcours.id)
            .order_by(User.name)
        )
    )
