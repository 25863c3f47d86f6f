"""The declarative base every model derives from, and column types shared by models."""

import enum
import time
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import DeclarativeBase, registry

# Constraint names come from a convention so that Alembic revisions can name them, on
# SQLite (batch mode) as on PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every backend.

    SQLite has no time zone type and hands back naive values; this stores UTC and always
    returns aware datetimes, so comparisons never mix naive and aware values.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_cls: type[enum.StrEnum], length: int) -> sa.Enum:
    # Stored as a string with a CHECK constraint: adding a value later needs no
    # PostgreSQL ALTER TYPE, only a new revision of the constraint.
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=True,
        length=length,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
    )


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    # Given as a registry, not as class attributes: Flask-SQLAlchemy subclasses this base,
    # and SQLAlchemy refuses a per-subclass type_annotation_map.
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={datetime: UTCDateTime()},
    )


def ping_idle_connections(engine: sa.Engine, idle_seconds: float) -> None:
    """Check a pooled connection before lending it, if it has been idle `idle_seconds`.

    A connection idle that long may have been dropped (a server restart, a firewall's idle
    timeout): it is pinged and, if dead, replaced before the request uses it. One lent again
    within the interval, as on a busy server, is not pinged: `pool_pre_ping` would cost
    every request a round trip to the database (a tenth of a single xAPI POST). A server
    restart under load costs each worker a clean 503 for each request then running on a
    dead connection (at most one per thread): the first failure makes SQLAlchemy
    invalidate the whole pool, and the next requests get new connections.
    """

    @sa.event.listens_for(engine, "checkin")
    def on_checkin(_dbapi_connection, record) -> None:
        record.info["returned_at"] = time.monotonic()

    @sa.event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection, record, _proxy) -> None:
        returned_at = record.info.get("returned_at")
        if returned_at is None or time.monotonic() - returned_at < idle_seconds:
            return  # new, or busy: it answered a moment ago
        try:
            # The dialect's own ping, as pool_pre_ping's: one round trip, no transaction left.
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool discards this connection and lends another (or opens a new one).
            raise sa.exc.DisconnectionError(str(error)) from error
