import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.catalog.models import Level, Parcours
from lms.extensions import db


def published_parcours() -> list[Parcours]:
    return list(
        db.session.scalars(
            sa.select(Parcours)
            .where(Parcours.is_published.is_(True))
            .order_by(Parcours.title)
            .options(selectinload(Parcours.levels).selectinload(Level.modules))
        )
    )
