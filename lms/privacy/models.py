from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import utcnow
from lms.extensions import db


class RetentionWarning(db.Model):
    """The e-mail telling an inactive account it will be erased, sent once per inactivity.

    Activity after `warned_at` (a login, a learning statement) makes the warning void: the
    account is warned again, from scratch, if it ever falls inactive again.
    """

    __tablename__ = "retention_warnings"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    warned_at: Mapped[datetime] = mapped_column(default=utcnow)
