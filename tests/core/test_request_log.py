"""Request logs: one line per request, the request id on every line of it, JSON in production."""

import io
import json
import logging
import re

import pytest

from config import DevConfig, TestConfig
from lms import create_app
from lms.core.request_log import LogHandler


@pytest.fixture
def logged_app(app):
    """Build an app with the given settings; yields (app, the lines it logged so far)."""
    root = logging.getLogger()
    level = root.level
    apps = []

    def build(config=TestConfig, **overrides):
        # The session app's settings (its folders), so that its pages work on this one too.
        built = create_app(
            config,
            {
                key: app.config[key]
                for key in ("SQLALCHEMY_DATABASE_URI", "UPLOADS_DIR", "CERTIFICATE_KEYS_DIR")
            }
            | {"LOG_FORMAT": "json"}
            | overrides,
        )
        stream = io.StringIO()
        for handler in root.handlers:
            if isinstance(handler, LogHandler):
                handler.setStream(stream)
        apps.append(built)
        return built, lambda: stream.getvalue().splitlines()

    yield build
    for handler in [h for h in root.handlers if isinstance(h, LogHandler)]:
        root.removeHandler(handler)
    root.setLevel(level)


def _requests(lines: list[str]) -> list[dict]:
    return [entry for entry in map(json.loads, lines) if entry["logger"] == "lms.requests"]


def test_each_request_is_one_json_line(logged_app, make_user):
    app, lines = logged_app()
    client = app.test_client()
    user = make_user()
    client.post("/connexion", data={"email": user.email, "password": "correct horse battery"})
    before = len(lines())
    response = client.get("/mes-parcours?token=secret")
    assert response.status_code == 200
    [entry] = _requests(lines()[before:])
    assert entry["level"] == "INFO"
    assert entry["method"] == "GET"
    assert entry["path"] == "/mes-parcours"  # the query string, which may hold a token, is not
    assert entry["status"] == 200
    assert entry["user_id"] == user.id
    assert entry["bytes"] == len(response.get_data())
    assert entry["remote_addr"] == "127.0.0.1"
    assert entry["duration_ms"] >= 0
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+00:00", entry["time"])
    assert entry["request_id"] == response.headers["X-Request-ID"]


def test_anonymous_request_has_no_user_and_a_fresh_id_each_time(logged_app):
    app, lines = logged_app()
    client = app.test_client()
    first = client.get("/")
    second = client.get("/")
    entries = _requests(lines())
    assert [entry["user_id"] for entry in entries] == [None, None]
    assert [entry["request_id"] for entry in entries] == [
        first.headers["X-Request-ID"],
        second.headers["X-Request-ID"],
    ]
    assert first.headers["X-Request-ID"] != second.headers["X-Request-ID"]


def test_error_traceback_is_one_json_line_with_the_request_id(logged_app):
    app, lines = logged_app(TESTING=False)

    @app.get("/en-panne")
    def broken():
        logging.getLogger("lms.test").warning("about to fail")
        raise ZeroDivisionError("boom")

    response = app.test_client().get("/en-panne")
    assert response.status_code == 500
    entries = [json.loads(line) for line in lines()]
    request_id = response.headers["X-Request-ID"]
    warning = next(entry for entry in entries if entry["message"] == "about to fail")
    error = next(entry for entry in entries if entry["level"] == "ERROR")
    [request_line] = _requests(lines())
    assert warning["request_id"] == error["request_id"] == request_line["request_id"] == request_id
    assert "ZeroDivisionError: boom" in error["exc_info"]
    assert request_line["status"] == 500
    assert request_line["level"] == "WARNING"


def test_proxy_request_id_is_kept_only_from_trusted_proxies(logged_app):
    untrusted, _ = logged_app()
    response = untrusted.test_client().get("/", headers={"X-Request-ID": "from-the-client"})
    assert response.headers["X-Request-ID"] != "from-the-client"

    trusted, _ = logged_app(TRUSTED_PROXIES=1)
    client = trusted.test_client()
    response = client.get("/", headers={"X-Request-ID": "0f3a9c2e7b"})
    assert response.headers["X-Request-ID"] == "0f3a9c2e7b"
    # An id that could forge or flood log lines is replaced.
    response = client.get("/", headers={"X-Request-ID": "x {forged} " + "y" * 200})
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["X-Request-ID"])


def test_client_address_comes_from_trusted_proxies_only(logged_app):
    forwarded = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    direct, direct_lines = logged_app()
    direct.test_client().get("/", headers=forwarded)
    assert _requests(direct_lines())[-1]["remote_addr"] == "127.0.0.1"

    proxied, proxied_lines = logged_app(TRUSTED_PROXIES=1)
    proxied.test_client().get("/", headers=forwarded)
    assert _requests(proxied_lines())[-1]["remote_addr"] == "203.0.113.7"


def test_health_checks_are_logged_at_debug_only(logged_app):
    app, lines = logged_app()
    app.test_client().get("/healthz")
    assert _requests(lines()) == []

    app, lines = logged_app(LOG_LEVEL="DEBUG")
    app.test_client().get("/healthz")
    [entry] = _requests(lines())
    assert (entry["level"], entry["path"]) == ("DEBUG", "/healthz")


def test_development_logs_are_readable_text(logged_app):
    app, lines = logged_app(DevConfig, LOG_FORMAT="text")
    response = app.test_client().get("/")
    [line] = [line for line in lines() if " lms.requests " in line]
    assert line.endswith(f"INFO lms.requests [{response.headers['X-Request-ID']}] GET / 200")


def test_unknown_log_format_is_refused(app):
    with pytest.raises(RuntimeError, match="LOG_FORMAT='xml'"):
        create_app(TestConfig, {"LOG_FORMAT": "xml"})
