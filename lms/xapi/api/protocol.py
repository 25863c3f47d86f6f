"""What every xAPI request and response share: the version header, client authentication
and scopes, and errors as JSON naming the offending field."""

import functools
import re
from collections.abc import Callable

from flask import Blueprint, Response, g, jsonify, request

from lms.core.errors import DomainError
from lms.extensions import csrf, db, limiter
from lms.xapi.clients import ClientIdentity, Scope, authenticate_client, has_scope

VERSION = "1.0.3"
VERSION_HEADER = "X-Experience-API-Version"
_ACCEPTED_VERSION = re.compile(r"^1\.0(\.\d+)?$")


class XAPIError(Exception):
    """A refused request: status, message, and the field (parameter, header or JSON path)."""

    def __init__(self, status: int, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


def error_response(error: XAPIError) -> Response:
    body = {"error": error.message}
    if error.field:
        body["field"] = error.field
    response = jsonify(body)
    response.status_code = error.status
    if error.status == 401:
        response.headers["WWW-Authenticate"] = 'Basic realm="xAPI"'
    return response


def check_version() -> None:
    """xAPI §6.2: every request but /about names a 1.0.x version."""
    version = request.headers.get(VERSION_HEADER)
    if version is None:
        raise XAPIError(400, "X-Experience-API-Version header missing", VERSION_HEADER)
    if not _ACCEPTED_VERSION.match(version.strip()):
        raise XAPIError(400, f"unsupported xAPI version {version!r}", VERSION_HEADER)


def set_version(response: Response) -> Response:
    response.headers[VERSION_HEADER] = VERSION
    return response


def current_client() -> ClientIdentity:
    return g.lrs_client


def require_scope(*scopes: Scope) -> Callable:
    """HTTP Basic authentication of an LRS client holding one of `scopes`."""

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            auth = request.authorization
            if auth is None or auth.type != "basic" or not auth.username:
                raise XAPIError(401, "authentication required (HTTP Basic, LRS client key)")
            client = authenticate_client(auth.username, auth.password or "")
            if client is None:
                raise XAPIError(401, "unknown client or wrong secret")
            if not any(has_scope(client, scope) for scope in scopes):
                needed = " or ".join(scope.value for scope in scopes)
                raise XAPIError(403, f"this client lacks the scope {needed}")
            g.lrs_client = client
            return view(*args, **kwargs)

        return wrapper

    return decorator


_NOT_RATE_LIMITED: set[str] = set()


@limiter.request_filter
def _lrs_request() -> bool:
    # A filter, rather than limiter.exempt: the limiter then skips its bookkeeping too.
    return request.blueprint in _NOT_RATE_LIMITED


def install(bp: Blueprint) -> None:
    """Make a blueprint speak xAPI: version header checked on requests (except /about)
    and set on responses, errors as JSON after a rollback, no CSRF (clients use Basic),
    no per-address rate limit (clients hold a key and a secret; a tool writing batches from
    one address must not be throttled like a login form)."""
    csrf.exempt(bp)
    _NOT_RATE_LIMITED.add(bp.name)

    @bp.before_request
    def _check_version() -> None:
        if not (request.endpoint or "").endswith(".about"):
            check_version()

    bp.after_request(set_version)

    @bp.errorhandler(XAPIError)
    def _xapi_error(error: XAPIError):
        db.session.rollback()
        return error_response(error)

    @bp.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        db.session.rollback()
        return error_response(XAPIError(error.status, error.message, getattr(error, "field", None)))
