"""Domain exceptions: operations raise them, views turn them into a message and a 4xx."""

import sqlalchemy as sa


class DomainError(Exception):
    """A request the domain refuses; `status` is the HTTP status a view should answer."""

    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(DomainError):  # noqa: N818 - reads as an HTTP status
    status = 404


class Forbidden(DomainError):  # noqa: N818 - reads as an HTTP status
    status = 403


class Conflict(DomainError):  # noqa: N818 - reads as an HTTP status
    status = 409


# SQLSTATEs of a PostgreSQL server that is going away or not there yet: the connection
# exceptions (08…), an administrator's or a crash's shutdown (57P01, 57P02) and "the
# database system is starting up / shutting down" (57P03).
_OUTAGE_SQLSTATES = frozenset({"57P01", "57P02", "57P03"})


def is_database_outage(error: Exception) -> bool:
    """Whether a database error means the server is unreachable (restart, crash, network),
    rather than a bug in a query: the request may simply be tried again later.

    SQLAlchemy flags the errors it recognises as a lost connection; psycopg's own
    connection failures ("connection refused") carry no SQLSTATE at all. Nor do the errors
    psycopg raises before sending anything (a NUL character in a text parameter): those are
    DataErrors, a bad value, not an outage.
    """
    if getattr(error, "connection_invalidated", False):
        return True
    orig = getattr(error, "orig", None)
    if not hasattr(orig, "sqlstate"):  # not psycopg (SQLite has its own busy case)
        return False
    sqlstate = orig.sqlstate
    if sqlstate is None:
        return isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError)
    return sqlstate.startswith("08") or sqlstate in _OUTAGE_SQLSTATES
