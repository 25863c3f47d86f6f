import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.catalog.models import Level, Parcours
from lms.core.db import str_enum, utcnow
from lms.extensions import db
from lms.learning.models import Enrollment


class CertificateKind(enum.StrEnum):
    PARCOURS = "parcours"
    LEVEL = "level"


class CertificateAction(enum.StrEnum):
    ISSUED = "issued"
    REVOKED = "revoked"
    REINSTATED = "reinstated"


class Certificate(db.Model):
    """A certificate of a completed parcours, or an attestation of a completed level.

    What it attests (name, titles, dates) is copied at issue: a certificate must read the
    same in ten years, whatever happens to the account or the content.
    """

    __tablename__ = "certificates"
    # One certificate per enrolment and scope ("parcours", or "level:<key>"): issuing twice
    # is impossible, whatever the code path.
    __table_args__ = (sa.UniqueConstraint("enrollment_id", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(16), unique=True)
    enrollment_id: Mapped[int] = mapped_column(sa.ForeignKey("enrollments.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    parcours_id: Mapped[int] = mapped_column(sa.ForeignKey("parcours.id", ondelete="CASCADE"))
    level_id: Mapped[int | None] = mapped_column(sa.ForeignKey("levels.id", ondelete="SET NULL"))
    kind: Mapped[CertificateKind] = mapped_column(str_enum(CertificateKind, 20))
    scope: Mapped[str] = mapped_column(sa.String(40))
    learner_name: Mapped[str] = mapped_column(sa.String(120))
    parcours_title: Mapped[str] = mapped_column(sa.String(200))
    # The levels attested, as shown: ["Connaissances — Comprendre les modèles…", …]
    level_titles: Mapped[list[str]] = mapped_column(sa.JSON)
    issuer_name: Mapped[str] = mapped_column(sa.String(200))
    network_name: Mapped[str | None] = mapped_column(sa.String(200))
    completed_at: Mapped[datetime]
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(sa.Text)

    user: Mapped[User] = relationship()
    parcours: Mapped[Parcours] = relationship()
    level: Mapped[Level | None] = relationship()
    enrollment: Mapped[Enrollment] = relationship()
    events: Mapped[list["CertificateEvent"]] = relationship(
        back_populates="certificate", order_by="CertificateEvent.id", cascade="all, delete-orphan"
    )

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def display_code(self) -> str:
        """The code in groups of four, as printed: easier to read out and to type."""
        return "-".join(self.code[i : i + 4] for i in range(0, len(self.code), 4))


class CertificateEvent(db.Model):
    """Who did what to a certificate, and when: issued, revoked, reinstated."""

    __tablename__ = "certificate_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    certificate_id: Mapped[int] = mapped_column(
        sa.ForeignKey("certificates.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[CertificateAction] = mapped_column(str_enum(CertificateAction, 20))
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(sa.Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    certificate: Mapped[Certificate] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class SigningKey(db.Model):
    """A public key that signs Open Badges credentials; the private half is a file in the
    instance folder, never in the database or the repository.

    Keys are never deleted: after a rotation, credentials signed with an older key still
    verify against its public JWK, which stays published.
    """

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    public_jwk: Mapped[dict] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_active: Mapped[bool] = mapped_column(default=True)
