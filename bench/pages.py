"""Learner pages against a bare route, in one run, under the production gunicorn settings.

    python bench/pages.py                         # a throw-away SQLite database
    python bench/pages.py --database-url 'postgresql://postgres@127.0.0.1/test?options=-csearch_path%3Dbench'

The bench serves bench/bare_app.py (the app from the same factory, plus a bare route rendering
a small template) under gunicorn with gunicorn.conf.py, on a database it migrates and seeds:
the seed parcours, and one learner per client thread, enrolled. For PostgreSQL give an empty
database or schema (the schema is created if missing); for SQLite a file path that need not
exist.

Then CLIENTS threads, each logged in as its learner over one keep-alive connection (plain
http.client, so that the client costs the server's cores as little as can be), request in
turn, ROUNDS times for SECONDS each (interleaved, so that a busy moment of the machine weighs
on every target alike):
- the bare route (`/bench/vide`): the baseline;
- for reference, not held to the target: the learner's account page (`/compte`), the
  smallest logged-in page (the user loaded, the whole layout, a small form);
- the learner's parcours page;
- a module page (the first module);
- a quiz submission: a POST of the first module's quiz with its answers, a new attempt each
  time (the bench lifts that quiz's attempt limit in its database).

It prints requests/s, p50/p95 and each page's ratio to the bare route, against the target
(40 %). Compare ratios, not absolute figures: the machine's other work changes those. Exits
with status 1 if a page misses the target or a request got an unexpected status.
"""

import argparse
import contextlib
import http.client
import os
import re
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from bare_app import BARE_PATH  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from serve import app_env, free_port, gunicorn, percentile  # noqa: E402

from config import Config  # noqa: E402
from lms import create_app  # noqa: E402
from lms.accounts.operations import create_user  # noqa: E402
from lms.catalog.cli import import_courses  # noqa: E402
from lms.extensions import db  # noqa: E402
from lms.learning.operations import enroll  # noqa: E402
from lms.progress.queries import load_parcours  # noqa: E402

SLUG = "modeles-socio-economiques"
PASSWORD = "bench-password-not-secret"  # noqa: S105 - throw-away bench accounts
TARGET_RATIO = 0.40
_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Seeded:
    emails: list[str]
    module_path: str
    quiz_answers: list[tuple[str, str]]


def seed(database_url: str, base_url: str, learners: int) -> Seeded:
    """Migrate, import the seed parcours, lift the first quiz's attempt limit, and create
    `learners` learners enrolled in it."""
    _create_schema(database_url)
    app = create_app(
        Config,
        {"SQLALCHEMY_DATABASE_URI": database_url, "LMS_BASE_URL": base_url, "LOG_FORMAT": ""},
    )
    with app.app_context():
        upgrade()
        import_courses(ROOT / "courses")
        parcours = load_parcours(SLUG)
        module = parcours.levels[0].modules[0]
        module.quiz.max_attempts = None  # every submission of the bench is a new attempt
        run = uuid.uuid4().hex[:8]
        emails = []
        for n in range(learners):
            user = create_user(
                f"Apprenant bench {n}", f"bench-{run}-{n}@bench.parcours.example", PASSWORD
            )
            enroll(user, parcours)
            emails.append(user.email)
        answers = [
            (f"q_{question.key}", choice)
            for question in module.quiz.questions
            for choice in question.correct_choice_ids
        ]
        db.session.commit()
        module_path = f"/parcours/{SLUG}/modules/{module.slug}"
        db.engine.dispose()
    return Seeded(emails, module_path, answers)


def _create_schema(database_url: str) -> None:
    url = sa.make_url(database_url.replace("postgres://", "postgresql://", 1))
    found = re.search(r"search_path=([\w-]+)", urllib.parse.unquote(url.query.get("options", "")))
    if not url.drivername.startswith("postgresql") or found is None:
        return
    engine = sa.create_engine(url.set(drivername="postgresql+psycopg"))
    with engine.begin() as connection:
        connection.execute(sa.text(f'CREATE SCHEMA IF NOT EXISTS "{found.group(1)}"'))
    engine.dispose()


class Browser:
    """One learner on one keep-alive connection, keeping the cookies the server sets."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}
        self.csrf_token = ""

    def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self.connection.request(method, path, body, headers)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (ConnectionError, http.client.HTTPException):
                # A worker replaced after max_requests closes its connections: reconnect.
                self.connection.close()
                if attempt == 2:
                    raise
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name] = value
        return response.status, data

    def log_in(self, email: str) -> None:
        _, page = self.request("GET", "/connexion")
        form = [("email", email), ("password", PASSWORD), ("csrf_token", _token(page))]
        status, _ = self.request("POST", "/connexion", form)
        if status != 302:
            raise SystemExit(f"log in as {email}: status {status}")

    def close(self) -> None:
        self.connection.close()


def _token(page: bytes) -> str:
    found = _CSRF.search(page.decode())
    if found is None:
        raise SystemExit("no CSRF token in the page")
    return found.group(1)


@dataclass
class Target:
    name: str
    send: Callable[[Browser], int]
    expected: int
    # A reference is measured and printed, not held to the target: it shows where the
    # floor of a logged-in page lies on this machine.
    reference: bool = False
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    failures: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0


def run_phase(target: Target, browsers: list[Browser], seconds: float) -> None:
    """Every browser sends the target's request, again and again, for `seconds`."""
    lock = threading.Lock()
    end = time.perf_counter() + seconds

    def worker(browser: Browser) -> None:
        latencies, failures = [], []
        while time.perf_counter() < end:
            started = time.perf_counter()
            status = target.send(browser)
            latencies.append((time.perf_counter() - started) * 1000)
            if status != target.expected:
                failures.append(f"{target.name}: status {status}")
        with lock:
            target.latencies.extend(latencies)
            target.failures.extend(failures)

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(browser,)) for browser in browsers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    target.seconds += time.perf_counter() - started


def targets(seeded: Seeded) -> list[Target]:
    def get(path: str) -> Callable[[Browser], int]:
        return lambda browser: browser.request("GET", path)[0]

    def submit(browser: Browser) -> int:
        form = [*seeded.quiz_answers, ("csrf_token", browser.csrf_token)]
        return browser.request("POST", seeded.module_path + "/quiz", form)[0]

    return [
        Target(f"bare route ({BARE_PATH})", get(BARE_PATH), 200),
        # The smallest page a learner gets: their account (a form), with the user loaded
        # and the whole layout, but nothing of the parcours.
        Target("reference: /compte", get("/compte"), 200, reference=True),
        Target("parcours page", get(f"/parcours/{SLUG}"), 200),
        Target("module page", get(seeded.module_path), 200),
        Target("quiz submission (POST)", submit, 302),
    ]


def report(measured: list[Target]) -> bool:
    bare = measured[0].rate
    print(f"{'':28} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'ratio':>7}  target 40 %")
    ok = True
    for target in measured:
        ratio = target.rate / bare if bare else 0.0
        meets = target is measured[0] or target.reference or ratio >= TARGET_RATIO
        ok = ok and meets and not target.failures
        verdict = (
            "" if target is measured[0] or target.reference else ("meets" if meets else "MISSES")
        )
        print(
            f"{target.name:28} {target.rate:8.1f} {percentile(target.latencies, 0.5):8.1f} "
            f"{percentile(target.latencies, 0.95):8.1f} {ratio:7.0%}  {verdict}"
        )
    for target in measured:
        for failure in target.failures[:5]:
            print(f"failure: {failure}")
    return ok


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: SQLite in a temporary folder")
    parser.add_argument("--clients", type=int, default=8, help="client threads")
    parser.add_argument("--seconds", type=float, default=5.0, help="per target and round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--port", type=int, default=0, help="default: a free one")
    parser.add_argument(
        "--gunicorn", default="", help="extra gunicorn options, e.g. '--workers 2' (default: none)"
    )
    args = parser.parse_args()
    args.port = args.port or free_port()

    workdir = Path(tempfile.mkdtemp(prefix="parcours-bench-pages-"))
    database_url = args.database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    base_url = f"http://127.0.0.1:{args.port}"
    seeded = seed(database_url, base_url, args.clients)
    env = app_env(
        database_url,
        base_url,
        UPLOADS_DIR=str(workdir / "uploads"),
        CERTIFICATE_KEYS_DIR=str(workdir / "keys"),
        MAIL_FILE_DIR=str(workdir / "mail"),
    )
    log = workdir / "server.log"
    print(f"database: {re.sub(r'//[^@/]*@', '//', database_url)}")
    print(f"server: gunicorn.conf.py {args.gunicorn}".rstrip() + f" (log: {log})")
    with gunicorn(
        env, args.port, args.gunicorn.split(), wsgi_app="bench.bare_app:create_bench_app()", log=log
    ):
        browsers = [Browser(args.port) for _ in seeded.emails]
        try:
            for browser, email in zip(browsers, seeded.emails, strict=True):
                browser.log_in(email)
                browser.csrf_token = _token(browser.request("GET", seeded.module_path + "/quiz")[1])
            measured = targets(seeded)
            for target in measured:  # warm up: templates compiled, connections opened
                run_phase(target, browsers, 1.0)
                target.latencies.clear()
                target.seconds = 0.0
            for _ in range(args.rounds):
                for target in measured:
                    run_phase(target, browsers, args.seconds)
        finally:
            for browser in browsers:
                with contextlib.suppress(OSError):
                    browser.close()
    print(f"{args.clients} client threads, {args.rounds} rounds of {args.seconds:g} s per target")
    # Other work on the machine squeezes every target, but not evenly: say how busy it was.
    print("load average at the end: {:.1f} {:.1f} {:.1f}".format(*os.getloadavg()))
    sys.exit(0 if report(measured) else 1)


if __name__ == "__main__":
    main()
