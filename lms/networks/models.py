"""Regional networks, their member structures and their cohorts."""

import enum
import secrets
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.accounts.models import User
from lms.catalog.models import Parcours
from lms.core.db import str_enum, utcnow
from lms.extensions import db
from lms.learning.models import Enrollment

DEFAULT_INACTIVITY_DAYS = 14


def new_invitation_code() -> str:
    # 10 characters of base32 without look-alikes: easy to read out in a session, far too
    # many to guess (about 50 bits).
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    return "".join(secrets.choice(alphabet) for _ in range(10))


class Network(db.Model):
    """A regional network (réseau régional): a federation of member structures."""

    __tablename__ = "networks"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    structures: Mapped[list["Structure"]] = relationship(
        back_populates="network", order_by="Structure.name"
    )


class NetworkManager(db.Model):
    """A network manager's scope: the networks whose cohorts they see and run."""

    __tablename__ = "network_managers"

    network_id: Mapped[int] = mapped_column(
        sa.ForeignKey("networks.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    network: Mapped[Network] = relationship()


class Structure(db.Model):
    """A member organisation of a network (a support point, a federation…)."""

    __tablename__ = "structures"
    __table_args__ = (sa.UniqueConstraint("network_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(sa.ForeignKey("networks.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(sa.String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    network: Mapped[Network] = relationship(back_populates="structures")


class Cohort(db.Model):
    """A group of learners following one parcours together, within a network."""

    __tablename__ = "cohorts"

    id: Mapped[int] = mapped_column(primary_key=True)
    network_id: Mapped[int] = mapped_column(
        sa.ForeignKey("networks.id", ondelete="CASCADE"), index=True
    )
    parcours_id: Mapped[int] = mapped_column(sa.ForeignKey("parcours.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(sa.String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[date]
    # N of "inactive for N days" and "no progress for N days", for alerts and reminders.
    inactivity_days: Mapped[int] = mapped_column(default=DEFAULT_INACTIVITY_DAYS)
    reminders_enabled: Mapped[bool] = mapped_column(default=True)
    invitation_code: Mapped[str] = mapped_column(
        sa.String(16), unique=True, default=new_invitation_code
    )
    is_invitation_open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )

    network: Mapped[Network] = relationship()
    parcours: Mapped[Parcours] = relationship()
    trainers: Mapped[list["CohortTrainer"]] = relationship(
        back_populates="cohort", cascade="all, delete-orphan"
    )

    def is_running(self, today: date) -> bool:
        return self.starts_on <= today <= self.ends_on


class CohortTrainer(db.Model):
    __tablename__ = "cohort_trainers"

    cohort_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cohorts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    cohort: Mapped[Cohort] = relationship(back_populates="trainers")
    user: Mapped[User] = relationship()


class MemberSource(enum.StrEnum):
    CSV = "csv"
    CODE = "code"


class CohortMember(db.Model):
    """A learner of a cohort, with their enrolment in the cohort's parcours."""

    __tablename__ = "cohort_members"
    __table_args__ = (sa.UniqueConstraint("cohort_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    enrollment_id: Mapped[int] = mapped_column(
        sa.ForeignKey("enrollments.id", ondelete="CASCADE"), index=True
    )
    structure_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("structures.id", ondelete="SET NULL")
    )
    source: Mapped[MemberSource] = mapped_column(str_enum(MemberSource, 10))
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)

    cohort: Mapped[Cohort] = relationship()
    user: Mapped[User] = relationship()
    enrollment: Mapped[Enrollment] = relationship()
    structure: Mapped[Structure | None] = relationship()


class EnrolmentImport(db.Model):
    """An uploaded CSV, kept between its preview and its confirmation.

    Confirming parses and checks the file again: what changed in between (an account
    created, a structure renamed) is taken into account, never a stale preview.
    """

    __tablename__ = "enrolment_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int] = mapped_column(
        sa.ForeignKey("cohorts.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(sa.String(255))
    content: Mapped[str] = mapped_column(sa.Text)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    confirmed_at: Mapped[datetime | None]
    # What the confirmation did: {"enrolled": n, "invited": n, "already": n, "skipped": n}
    report: Mapped[dict | None] = mapped_column(sa.JSON)


class Invitation(db.Model):
    """A one-time link that lets an invited person choose their password.

    Only the SHA-256 of the token is stored: a leaked database gives no usable link.
    """

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="SET NULL"))
    token_sha256: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    cohort: Mapped[Cohort | None] = relationship()


class Reminder(db.Model):
    """A reminder e-mail sent to an inactive learner: at most one a week per learner."""

    __tablename__ = "learner_reminders"
    __table_args__ = (sa.Index("ix_learner_reminders_user_id_sent_at", "user_id", "sent_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    cohort_id: Mapped[int] = mapped_column(sa.ForeignKey("cohorts.id", ondelete="CASCADE"))
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
