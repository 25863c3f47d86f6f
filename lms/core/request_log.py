"""Logs: one line per request, a request id on every line, JSON in production.

Every request gets an id: the one the reverse proxy sent in X-Request-ID when proxies are
trusted (`TRUSTED_PROXIES`), else a new one. It is echoed in the response's X-Request-ID and
added to every log line written while the request runs, whatever the logger (a filter on the
handler), so that an error's traceback can be found from the request line, and the proxy's log
from either.

`LOG_FORMAT` chooses the handler `create_app` puts on the root logger: "json" (production:
one JSON object per line, for a log collector), "text" (development: readable lines), or ""
(leave logging alone: the tests, or a host that configures logging itself).
"""

import json
import logging
import re
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask, Response, current_app, g, has_request_context, request
from flask.logging import default_handler

logger = logging.getLogger("lms.requests")

REQUEST_ID_HEADER = "X-Request-ID"
# What a proxy's id looks like (nginx's $request_id is 32 hex digits); anything else, which
# could forge log lines or fill them, is replaced by an id of ours.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
# Attributes every LogRecord has: the formatter writes the others, given through `extra=`.
_RECORD_FIELDS = frozenset(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record: the current request's, or None outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = g.get("request_id") if has_request_context() else None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request_id, the
    record's `extra=` fields, and the traceback of an exception as one string."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", None),
        }
        entry.update(
            (key, value) for key, value in vars(record).items() if key not in _RECORD_FIELDS
        )
        if record.exc_info:
            entry["exc_info"] = "".join(traceback.format_exception(*record.exc_info))
        if record.stack_info:
            entry["stack_info"] = record.stack_info
        return json.dumps(entry, ensure_ascii=False, default=str)


TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
_FORMATTERS: dict[str, Callable[[], logging.Formatter]] = {
    "json": JsonFormatter,
    "text": lambda: logging.Formatter(TEXT_FORMAT),
}


class LogHandler(logging.StreamHandler):
    """The handler `configure_logging` installs, told apart from any other on the root."""


def configure_logging(app: Flask) -> None:
    """Put the handler `LOG_FORMAT` asks for on the root logger, in place of ours of a
    previous app (the tests build many) and of Flask's default one."""
    log_format = app.config["LOG_FORMAT"]
    if not log_format:
        return
    if log_format not in _FORMATTERS:
        raise RuntimeError(f"LOG_FORMAT={log_format!r} is not one of: json, text, (empty)")
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, LogHandler)]:
        root.removeHandler(handler)
    handler = LogHandler(sys.stderr)
    handler.setFormatter(_FORMATTERS[log_format]())
    handler.addFilter(RequestIdFilter())
    root.addHandler(handler)
    root.setLevel(app.config["LOG_LEVEL"])
    # Flask's own handler on the app's logger would write its lines a second time.
    app.logger.removeHandler(default_handler)


def quiet(view: Callable) -> Callable:
    """Log this view's successful requests at DEBUG: a load balancer's health checks,
    every few seconds from each balancer, would bury the requests worth reading."""
    view.quiet_log = True
    return view


def register(app: Flask) -> None:
    @app.before_request
    def start_request() -> None:
        g.request_started = time.perf_counter()
        g.request_id = _request_id()

    @app.after_request
    def log_request(response: Response) -> Response:
        # Set by start_request, unless a hook registered before it answered first.
        request_id = g.setdefault("request_id", _request_id())
        response.headers[REQUEST_ID_HEADER] = request_id
        view = current_app.view_functions.get(request.endpoint or "")
        if response.status_code >= 500:
            level = logging.WARNING
        elif getattr(view, "quiet_log", False):
            level = logging.DEBUG
        else:
            level = logging.INFO
        if not logger.isEnabledFor(level):
            return response
        # The user as Flask-Login loaded it for the view: reading `current_user` here would
        # load it, a query, for requests that never needed it (static files, the LRS).
        user = g.get("_login_user")
        duration_ms = (time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000
        logger.log(
            level,
            "%s %s %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "method": request.method,
                "path": request.path,  # never the query string: it may carry a token
                "status": response.status_code,
                "duration_ms": round(duration_ms, 2),
                "remote_addr": request.remote_addr,
                "user_id": user.id if user is not None and user.is_authenticated else None,
                "bytes": response.content_length,
            },
        )
        return response


def _request_id() -> str:
    if current_app.config["TRUSTED_PROXIES"]:
        sent = request.headers.get(REQUEST_ID_HEADER, "")
        if _REQUEST_ID.fullmatch(sent):
            return sent
    return uuid.uuid4().hex
