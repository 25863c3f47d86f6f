"""Browser tests: Debian's chromium, driven by Playwright, against a live server.

Each backend gets its own app on its own fresh database, served by werkzeug in a thread,
with CSRF protection on as in production. Without chromium the tests are skipped, unless
PARCOURS_REQUIRE_SERVICES is set, which turns the skip into a failure. PARCOURS_CHROMIUM
names another chromium binary (default /usr/bin/chromium).
"""

import os
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import BaseWSGIServer, make_server

from config import ROOT, TestConfig
from lms import create_app
from lms.catalog.cli import import_courses
from lms.extensions import db
from tests.fixtures.databases import new_database, skip_or_fail

CHROMIUM = os.environ.get("PARCOURS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# The development server that serves the pages leaves a static file open when the browser
# drops the connection mid-response (a favicon request cut short by the next navigation):
# its warning surfaces in whichever test is running when the file is collected. It says
# nothing about the app; any other unclosed resource still fails the suite.
STATIC_FILE_LEFT_OPEN = [
    pytest.mark.filterwarnings(r"ignore:unclosed file <_io\.BufferedReader name='[^']*/static/"),
    pytest.mark.filterwarnings(
        r"ignore:Exception ignored in. <_io\.FileIO name='[^']*/static/"
        ":pytest.PytestUnraisableExceptionWarning"
    ),
]


def pytest_collection_modifyitems(items) -> None:
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            for mark in STATIC_FILE_LEFT_OPEN:
                item.add_marker(mark)


# Playwright's default is 30 s per action; a local server answers far faster, and a
# stuck step should fail the test quickly rather than eat the whole budget.
TIMEOUT_MS = 10_000


@dataclass
class LiveServer:
    app: Flask
    url: str


@pytest.fixture(autouse=True)
def db_session():
    """Overrides the suite's rolled-back session, which would hijack the live server.

    The top-level autouse `db_session` replaces the global `db.session` with one bound to
    a connection on the suite's own database. The live server shares that `db` object, so
    its requests (and this package's reads) would run on the suite's database, inside a
    transaction rolled back afterwards, rather than on the live server's fresh one, with
    one connection shared by the server's threads. It would also multiply each browser
    test by the suite's backends (sqlite-sqlite, sqlite-postgresql, …).
    """


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def live_server(request, tmp_path_factory) -> Iterator[LiveServer]:
    yield from serve_app(request.param, tmp_path_factory)


def serve_app(kind: str, tmp_path_factory) -> Iterator[LiveServer]:
    """The app on a new database of `kind`, migrated, with the seed parcours, served on a
    free port by a threaded server until the generator is closed."""
    with new_database(kind, tmp_path_factory.mktemp("browser-db")) as url:
        # The socket is bound first so that the app knows its own address (LMS_BASE_URL,
        # the xAPI actor's homePage) before it is built; the server then takes it over.
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            listener.bind(("127.0.0.1", 0))
            listener.listen(128)
            base_url = f"http://127.0.0.1:{listener.getsockname()[1]}"
            app = create_app(
                TestConfig,
                {
                    "SQLALCHEMY_DATABASE_URI": url,
                    "WTF_CSRF_ENABLED": True,
                    "LMS_BASE_URL": base_url,
                    "UPLOADS_DIR": str(tmp_path_factory.mktemp("browser-uploads")),
                },
            )
            with app.app_context():
                upgrade()
                import_courses(ROOT / "courses")
                db.session.commit()
                db.session.remove()
            # make_server duplicates the descriptor; ours is closed right after.
            server = make_server("127.0.0.1", 0, app, threaded=True, fd=listener.fileno())
        finally:
            listener.close()
        thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
        thread.start()
        try:
            yield LiveServer(app=app, url=base_url)
        finally:
            _stop(server, thread)
            with app.app_context():
                db.engine.dispose()


def _stop(server: BaseWSGIServer, thread: threading.Thread) -> None:
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).is_file() or not os.access(CHROMIUM, os.X_OK):
        skip_or_fail(f"chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def csp_violations() -> list[str]:
    """What the browser refused under the Content-Security-Policy during a test."""
    return []


@pytest.fixture
def page(browser, live_server, csp_violations):
    """A fresh browser context (no cookies) on the live server, in French.

    A CSP violation breaks a page silently (a script that does not run, a style not
    applied): the browser reports it on the console, and the test fails on it.
    """
    context = browser.new_context(
        base_url=live_server.url, locale="fr-FR", viewport={"width": 1280, "height": 900}
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on(
        "console",
        lambda message: (
            csp_violations.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )
    try:
        yield page
    finally:
        context.close()
    assert not csp_violations, f"Content-Security-Policy violations: {csp_violations}"
