import enum
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import str_enum, utcnow
from lms.extensions import db


class DocumentKind(enum.StrEnum):
    STATE = "state"
    ACTIVITY_PROFILE = "activity_profile"
    AGENT_PROFILE = "agent_profile"


@dataclass(frozen=True)
class DocumentContext:
    """Where documents live (xAPI 1.0.3 Communication §2.3, §2.6, §2.7): a kind, and the
    activity, the agent (as `actor_key` gives it) and the registration they belong to."""

    kind: DocumentKind
    activity_id: str | None = None
    agent_key: str | None = None
    registration: str | None = None

    @property
    def key(self) -> str:
        # Without the registration: a list or a delete-all without one covers them all.
        return _digest([self.kind.value, self.activity_id, self.agent_key])

    def document_key(self, document_id: str) -> str:
        return _digest(
            [self.kind.value, self.activity_id, self.agent_key, self.registration, document_id]
        )


def _digest(parts: list[str | None]) -> str:
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


class XAPIDocument(db.Model):
    """A document stored through the LRS API: arbitrary bytes and their content type."""

    __tablename__ = "xapi_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Digests of the identity (DocumentContext.document_key) and of the context (.key): a
    # unique index of fixed width, whatever the length of the IRIs, with no NULL in it.
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    context_key: Mapped[str] = mapped_column(sa.String(64), index=True)
    kind: Mapped[DocumentKind] = mapped_column(str_enum(DocumentKind, 20))
    activity_id: Mapped[str | None] = mapped_column(sa.Text)
    agent_key: Mapped[str | None] = mapped_column(sa.Text)
    registration: Mapped[str | None] = mapped_column(sa.String(36))
    # The stateId or profileId.
    document_id: Mapped[str] = mapped_column(sa.Text)
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    content_type: Mapped[str] = mapped_column(sa.String(255))
    # SHA-1 of the content in hex, as §3.1 requires; quoted in the ETag header.
    etag: Mapped[str] = mapped_column(sa.String(40))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
