from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from lms.core.db import utcnow
from lms.extensions import db

JSONDocument = sa.JSON().with_variant(JSONB(), "postgresql")


class Statement(db.Model):
    """One stored xAPI statement: the full JSON plus the columns queries filter on."""

    __tablename__ = "statements"
    __table_args__ = (
        # The statements that refer to another, in storage order: few, so a filter starts
        # from them and checks each one's target. The conditions are written as SQLAlchemy
        # renders `Statement.is_reference` in a query, so that each database uses the index.
        sa.Index(
            "ix_statements_references",
            "seq",
            postgresql_where=sa.text("is_reference"),
            sqlite_where=sa.text("is_reference = 1"),
        ),
        # A registration's statements in storage order, as the API pages through them: one
        # tool may send a million under one registration, and the page is then an index
        # range, whatever the planner's statistics say (an index on the registration alone
        # left PostgreSQL sorting the million, a second a page, until it analysed the table).
        sa.Index("ix_statements_registration_seq", "registration", "seq"),
    )

    # Storage order. Replay follows it, so that progress rebuilt from statements passes
    # through the same states, in the same order, as it did live.
    seq: Mapped[int] = mapped_column(
        sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    id: Mapped[str] = mapped_column(sa.String(36), unique=True)
    # Not indexed: the agent filters go through `statement_agents`.
    actor_key: Mapped[str] = mapped_column(sa.String(600))
    # Set when the actor is one of our accounts, for per-learner queries.
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    verb_id: Mapped[str] = mapped_column(sa.String(500), index=True)
    object_id: Mapped[str] = mapped_column(sa.String(1000), index=True)
    registration: Mapped[str | None] = mapped_column(sa.String(36))
    timestamp: Mapped[datetime]
    stored: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    is_voided: Mapped[bool] = mapped_column(default=False)
    # The object is a StatementRef (a voiding, a comment on a statement…): such statements
    # are few, and the filters look for those referring to a statement they match (§2.1.3).
    is_reference: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # The LRS client that stored it through the API (None: the platform itself); the
    # statements/read/mine scope reads by it.
    client_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("lrs_clients.id", ondelete="SET NULL"), index=True
    )
    payload: Mapped[dict] = mapped_column(JSONDocument)


class LRSClient(db.Model):
    """Credentials an outside tool uses on the xAPI API (HTTP Basic: key and secret).

    The secret is random and long, so a fast hash is enough to keep it unusable if the
    database leaks (no dictionary to try), and it keeps every API request cheap.
    """

    __tablename__ = "lrs_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    secret_sha256: Mapped[str] = mapped_column(sa.String(64))
    scopes: Mapped[list[str]] = mapped_column(sa.JSON)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("users.id", ondelete="SET NULL")
    )


class StatementAgent(db.Model):
    """Every agent a statement involves, for the `agent` and `related_agents` filters."""

    __tablename__ = "statement_agents"
    __table_args__ = (sa.Index("ix_statement_agents_agent_key_seq", "agent_key", "statement_seq"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_seq: Mapped[int] = mapped_column(
        sa.ForeignKey("statements.seq", ondelete="CASCADE"), index=True
    )
    agent_key: Mapped[str] = mapped_column(sa.String(600))
    # True for the actor and for an agent or group that is the object: what the plain
    # `agent` filter matches; the others (instructor, team, authority, sub-statement)
    # count only with related_agents=true.
    is_direct: Mapped[bool] = mapped_column(default=False)


class StatementActivity(db.Model):
    """Every activity a statement involves, for the `activity` and `related_activities`
    filters."""

    __tablename__ = "statement_activities"
    __table_args__ = (
        sa.Index("ix_statement_activities_activity_id_seq", "activity_id", "statement_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    statement_seq: Mapped[int] = mapped_column(
        sa.ForeignKey("statements.seq", ondelete="CASCADE"), index=True
    )
    activity_id: Mapped[str] = mapped_column(sa.String(1000))
    is_direct: Mapped[bool] = mapped_column(default=False)  # the statement's own object


class Attachment(db.Model):
    """The raw content of a statement attachment sent in a multipart request, by its hash
    (xAPI §2.4.11): statements that declare the same sha2 share it."""

    __tablename__ = "xapi_attachments"

    sha2: Mapped[str] = mapped_column(sa.String(128), primary_key=True)  # lowercase hex
    content_type: Mapped[str] = mapped_column(sa.String(255))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
