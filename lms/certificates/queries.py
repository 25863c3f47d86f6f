import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from lms.accounts.models import Role, User
from lms.catalog.models import ParcoursOwner
from lms.certificates.codes import normalise_code
from lms.certificates.models import Certificate
from lms.extensions import db


def find_by_code(text: str) -> Certificate | None:
    """The certificate with this code as someone typed it, or None (also for malformed codes)."""
    code = normalise_code(text)
    if code is None:
        return None
    return db.session.scalar(sa.select(Certificate).where(Certificate.code == code))


def certificates_of(user: User) -> list[Certificate]:
    return list(
        db.session.scalars(
            sa.select(Certificate)
            .where(Certificate.user_id == user.id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def can_manage(user: User, certificate: Certificate) -> bool:
    """Admins manage every certificate; a trainer, those of the parcours they own."""
    if not user.is_authenticated:
        return False
    if user.role == Role.ADMIN:
        return True
    if user.role != Role.TRAINER:
        return False
    return (
        db.session.get(ParcoursOwner, {"parcours_id": certificate.parcours_id, "user_id": user.id})
        is not None
    )


def managed_certificates(user: User, search: str = "", limit: int = 200) -> list[Certificate]:
    """The certificates this admin or trainer manages, most recent first."""
    query = sa.select(Certificate).options(selectinload(Certificate.user))
    if user.role != Role.ADMIN:
        owned = sa.select(ParcoursOwner.parcours_id).where(ParcoursOwner.user_id == user.id)
        query = query.where(Certificate.parcours_id.in_(owned))
    if search.strip():
        code = normalise_code(search)
        pattern = f"%{search.strip()}%"
        conditions = [Certificate.learner_name.ilike(pattern)]
        if code is not None:
            conditions.append(Certificate.code == code)
        query = query.where(sa.or_(*conditions))
    return list(
        db.session.scalars(
            query.order_by(Certificate.issued_at.desc(), Certificate.id.desc()).limit(limit)
        )
    )
