"""The xAPI Alternate Request Syntax (1.0.3 Communication §1.3), as WSGI middleware.

A client that cannot send PUT, GET or DELETE, nor set headers, sends
`POST /xapi/<resource>?method=PUT` with a form-encoded body: the form fields named like
the headers below are headers, `content` is the body, the others are the resource's query
parameters. The middleware rewrites such a request into the one it stands for, so that the
views handle it unchanged; a malformed one is refused here, in the API's JSON.
"""

import io
import json
from collections.abc import Callable, Iterable
from urllib.parse import parse_qsl, urlencode

from werkzeug.http import parse_options_header

from lms.xapi.api.protocol import VERSION, VERSION_HEADER

PREFIX = "/xapi/"
METHODS = {"GET", "PUT", "POST", "DELETE"}
FORM_TYPE = "application/x-www-form-urlencoded"
# Form fields that are headers (§1.3: "the listed form parameters … as header parameters").
HEADER_FIELDS = {
    "authorization": "HTTP_AUTHORIZATION",
    "x-experience-api-version": "HTTP_X_EXPERIENCE_API_VERSION",
    "content-type": "CONTENT_TYPE",
    "content-length": None,  # recomputed from `content`
    "if-match": "HTTP_IF_MATCH",
    "if-none-match": "HTTP_IF_NONE_MATCH",
}
CONTENT_FIELD = "content"
MAX_FORM_BYTES = 16 * 1024 * 1024


class _RefusedError(Exception):
    def __init__(self, status: int, message: str, field: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.field = field


class AlternateRequestSyntax:
    """Wraps a WSGI application; see the module docstring."""

    def __init__(self, app: Callable) -> None:
        self.app = app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        if environ.get("PATH_INFO", "").startswith(PREFIX):
            query = parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True)
            if any(name == "method" for name, _ in query):
                try:
                    _rewrite(environ, query)
                except _RefusedError as refused:
                    return _refuse(refused, start_response)
        return self.app(environ, start_response)


def _rewrite(environ: dict, query: list[tuple[str, str]]) -> None:
    if environ.get("REQUEST_METHOD", "").upper() != "POST":
        raise _RefusedError(400, "the alternate request syntax is only issued as a POST", "method")
    if len(query) != 1:
        names = sorted({name for name, _ in query if name != "method"}) or ["method"]
        raise _RefusedError(
            400, "with the alternate request syntax, method is the only query parameter", names[0]
        )
    method = query[0][1].upper()
    if method not in METHODS:
        raise _RefusedError(400, f"unsupported method {query[0][1]!r}", "method")
    mimetype = parse_options_header(environ.get("CONTENT_TYPE", ""))[0].lower()
    if mimetype != FORM_TYPE:
        raise _RefusedError(
            400, f"the alternate request syntax is sent as {FORM_TYPE}", "Content-Type"
        )

    fields = _form(environ)
    parameters: list[tuple[str, str]] = []
    headers: dict[str, str] = {}
    content = ""
    for name, value in fields:
        key = name.lower()
        if key in HEADER_FIELDS:
            if HEADER_FIELDS[key] is not None:
                headers[HEADER_FIELDS[key]] = value
        elif name == CONTENT_FIELD:
            content = value
        else:
            parameters.append((name, value))

    body = content.encode("utf-8") if method in {"PUT", "POST"} else b""
    environ["REQUEST_METHOD"] = method
    environ["QUERY_STRING"] = urlencode(parameters)
    environ.pop("CONTENT_TYPE", None)
    environ.pop("HTTP_TRANSFER_ENCODING", None)
    environ.pop("wsgi.input_terminated", None)
    environ.update(headers)
    environ["CONTENT_LENGTH"] = str(len(body))
    environ["wsgi.input"] = io.BytesIO(body)


def _form(environ: dict) -> list[tuple[str, str]]:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        raise _RefusedError(400, "invalid Content-Length", "Content-Length") from None
    if length > MAX_FORM_BYTES:
        raise _RefusedError(413, "the request is too large", "body")
    if length > 0:
        raw = environ["wsgi.input"].read(length)
    elif environ.get("wsgi.input_terminated"):  # chunked: read to the end, within bounds
        raw = environ["wsgi.input"].read(MAX_FORM_BYTES + 1)
        if len(raw) > MAX_FORM_BYTES:
            raise _RefusedError(413, "the request is too large", "body")
    else:
        raw = b""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise _RefusedError(400, "the form is not UTF-8", "body") from None
    try:
        return parse_qsl(text, keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise _RefusedError(400, "the form is not UTF-8", "body") from None


def _refuse(refused: _RefusedError, start_response: Callable) -> list[bytes]:
    body = json.dumps({"error": refused.message, "field": refused.field}).encode()
    status = {400: "400 BAD REQUEST", 413: "413 REQUEST ENTITY TOO LARGE"}[refused.status]
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            (VERSION_HEADER, VERSION),
        ],
    )
    return [body]
