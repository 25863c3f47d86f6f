"""The production configuration: it refuses to start without what production needs."""

import logging
import runpy

import pytest
from gunicorn import glogging
from gunicorn.config import Config as GunicornConfig

from config import DEV_SECRET_KEY, ROOT, ProdConfig
from lms import create_app
from lms.core.request_log import LogHandler

COMPLETE = {
    "SECRET_KEY": "k" * 64,
    "DATABASE_URL": "postgresql://parcours@db.example/parcours",
    "LMS_BASE_URL": "https://parcours.example.org",
    "MAIL_BACKEND": "smtp",
    "MAIL_SERVER": "smtp.example.org",
    "MAIL_FROM": "Parcours <parcours@example.org>",
}


@pytest.fixture
def environ(monkeypatch):
    """Set exactly these production variables (the others unset)."""

    def set_environ(values: dict[str, str]) -> None:
        for name in (*COMPLETE, "MAIL_USERNAME", "MAIL_PASSWORD", "RATELIMIT_STORAGE_URI"):
            monkeypatch.delenv(name, raising=False)
        for name, value in values.items():
            monkeypatch.setenv(name, value)

    return set_environ


def _refusal() -> str:
    with pytest.raises(RuntimeError) as refused:
        create_app(ProdConfig)
    return str(refused.value)


def test_nothing_set_names_every_missing_variable(environ):
    environ({})
    message = _refusal()
    assert message.startswith("Production configuration refuses to start:")
    for name in ("SECRET_KEY", "DATABASE_URL", "LMS_BASE_URL"):
        assert f"{name} is not set" in message


@pytest.mark.parametrize("secret", [DEV_SECRET_KEY, "short-secret"])
def test_weak_secret_key_is_refused(environ, secret):
    environ(COMPLETE | {"SECRET_KEY": secret})
    assert "SECRET_KEY is too weak" in _refusal()


def test_smtp_needs_its_server_and_sender(environ):
    environ(
        {
            name: value
            for name, value in COMPLETE.items()
            if name not in {"MAIL_SERVER", "MAIL_FROM"}
        }
        | {"MAIL_USERNAME": "parcours"}
    )
    message = _refusal()
    assert "MAIL_SERVER is not set" in message
    assert "MAIL_FROM is not set" in message
    assert "MAIL_PASSWORD is not set" in message
    assert "SECRET_KEY" not in message


def test_base_url_must_be_a_web_address(environ):
    environ(COMPLETE | {"LMS_BASE_URL": "parcours.example.org"})
    assert "LMS_BASE_URL is not an http(s) address" in _refusal()


def test_complete_settings_start_with_json_logs_and_warnings(environ, tmp_path, caplog):
    environ(COMPLETE | {"MAIL_BACKEND": "file"})
    root = logging.getLogger()
    level = root.level
    try:
        with caplog.at_level(logging.WARNING):
            app = create_app(
                ProdConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'p.sqlite3'}"}
            )
        assert app.config["LOG_FORMAT"] == "json"
        assert app.config["SESSION_COOKIE_SECURE"] is True
        warnings = [r.getMessage() for r in caplog.records if r.name == "lms"]
        assert any("MAIL_BACKEND is 'file'" in warning for warning in warnings)
        assert any("RATELIMIT_STORAGE_URI is memory://" in warning for warning in warnings)
    finally:
        for handler in [h for h in root.handlers if isinstance(h, LogHandler)]:
            root.removeHandler(handler)
        root.setLevel(level)


@pytest.mark.parametrize(("access_logfile", "logged"), [(None, False), ("-", True)])
def test_gunicorn_formats_an_access_log_only_when_asked(monkeypatch, access_logfile, logged):
    # gunicorn.conf.py's logger skips the access log the app's own request log replaces,
    # but keeps it for an operator who asks for one (--access-logfile).
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    calls = []
    monkeypatch.setattr(glogging.Logger, "access", lambda self, *args: calls.append(args))
    cfg = GunicornConfig()
    cfg.set("accesslog", access_logfile)
    settings["logger_class"](cfg).access("response", "request", {}, 0.01)

    assert calls == ([("response", "request", {}, 0.01)] if logged else [])
