import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import str_enum, utcnow
from lms.extensions import db


class Role(enum.StrEnum):
    LEARNER = "learner"
    TRAINER = "trainer"
    NETWORK_MANAGER = "network_manager"
    ADMIN = "admin"


def new_public_id() -> str:
    return uuid.uuid4().hex


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The stable, opaque id used as the xAPI account name: statements never carry the
    # e-mail, and the e-mail can change without breaking the learning record.
    public_id: Mapped[str] = mapped_column(sa.String(32), unique=True, default=new_public_id)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, 20), default=Role.LEARNER)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]
    # Set when the account was erased (lms.privacy): is_active is then False for good.
    deleted_at: Mapped[datetime | None]
    # Part of the id kept in session and remember-me cookies (see get_id): raised when the
    # password changes, so that every session opened with the old password ends.
    session_version: Mapped[int] = mapped_column(default=0, server_default="0")

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role.value}>"
