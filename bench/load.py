"""Learners under load: LEARNERS simulated learners follow the seed parcours in a browser's
steps for DURATION seconds, then the run checks that nothing was lost.

    python bench/load.py --database-url URL [--learners 200] [--duration 300] [--think 1-5]
    python bench/load.py --database-url URL --url http://127.0.0.1:8000   (a running server)

By default the bench serves the app itself under gunicorn (gunicorn.conf.py, with 2 workers
x 4 threads, as bench/lrs.py) on DATABASE_URL: an empty PostgreSQL database or schema
(`?options=-csearch_path%3Dname`). It migrates it, imports the seed parcours and creates the
learners (one argon2 hash shared by all, to spare the machine 200 hashes; each logs in
through the login form as usual). With --url it loads a server already running on that
database (same SECRET_KEY not needed; LMS_BASE_URL must be --url; its login limit per address
must allow LEARNERS logins from 127.0.0.1, e.g. LOGIN_RATE_LIMIT_IP="100000 per minute").

Each learner is a thread with one keep-alive connection and its own cookies, and does what
a person does, with a think time drawn in THINK between steps: log in, open the parcours,
enrol, then module after module in order: open the module, mark it read, open the quiz,
answer (a mix of wrong and right answers: attempt 1 wrong on each question with probability
0.3, attempt 2 with 0.15, the last attempt right), look at the attempt, retry a failed quiz,
and go on to the next level once it unlocks. CSRF tokens are read from each form, as a
browser sends them. A learner who has finished re-reads pages until the end.

Expected business refusals, counted apart and not as errors:
- 403 on opening the first module of level 2 while level 1 is not complete (20 % of the
  learners try once, right after enrolling);
- 422 on a quiz submitted with one question left blank on purpose (10 % of quizzes, before
  the real submission): the page says what is missing and nothing is stored.
Any other status that is not 2xx/3xx, and any connection error or timeout, is an error.

Then the checks, through the app's own functions on the database:
- statements: for each learner, the statements stored counted by (verb, object) equal those
  its acknowledged actions imply (registered, experienced, attempted, answered, passed or
  failed per attempt; completed for each module, level and parcours completed; earned for
  each level attestation and the certificate);
- attempts: every stored quiz attempt has its `attempted` statement and vice versa;
- replay: replaying every statement gives back the live progress exactly.
Exit status 1 on any error, loss or mismatch; the verdict is the last line.
"""

import argparse
import contextlib
import http.client
import os
import random
import re
import sys
import threading
import time
import urllib.parse
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from serve import ROOT, app_env, flask, gunicorn, percentile

sys.path.insert(0, str(ROOT))  # the checks read the database through the app

SLUG = "modeles-socio-economiques"
PASSWORD = "bench-password-123"  # noqa: S105 - bench learners only
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PRESENTED = re.compile(r'name="presented" value="([^"]*)"')
ATTEMPT_LINK = re.compile(r"/quiz/tentatives/(\d+)\"")
# What a page that is down because of the database says (lms/__init__.py).
OUTAGE_MESSAGE = "momentanément indisponible"


# --- the parcours, as the client knows it -------------------------------------------------


@dataclass(frozen=True)
class ModuleInfo:
    slug: str
    level: str
    # question key -> (correct choice ids, every choice id)
    answers: dict[str, tuple[frozenset[str], tuple[str, ...]]]
    pass_mark: int


@dataclass(frozen=True)
class Course:
    slug: str
    levels: list[tuple[str, list[ModuleInfo]]]
    level_attestations: bool

    @property
    def modules(self) -> list[ModuleInfo]:
        return [module for _, modules in self.levels for module in modules]


def load_course(app) -> Course:
    """The seed parcours' structure and answer key, read through the app."""
    from lms.progress.queries import load_parcours

    with app.app_context():
        parcours = load_parcours(SLUG)
        levels = []
        for level in parcours.levels:
            modules = []
            for module in level.modules:
                quiz = module.quiz
                answers = {
                    question.key: (
                        frozenset(question.correct_choice_ids),
                        tuple(choice["id"] for choice in question.choices),
                    )
                    for question in quiz.questions
                }
                modules.append(
                    ModuleInfo(module.slug, level.key.value, answers, quiz.effective_pass_mark)
                )
            levels.append((level.key.value, modules))
        return Course(SLUG, levels, parcours.issues_level_attestations)


# --- what happened, as the client saw it --------------------------------------------------


@dataclass
class Sample:
    kind: str
    seconds: float
    status: int  # 0: no response (connection error, timeout)
    outcome: str  # ok, refusal (expected), outage (a clean 503), lost (no response), error
    at: float
    detail: str = ""


@dataclass
class LearnerRecord:
    """What one learner did that the server acknowledged (or that was found stored)."""

    email: str
    enrolled: bool = False
    read: set[str] = field(default_factory=set)
    # module slug -> attempts, each (question keys shown, passed)
    attempts: dict[str, list[tuple[list[str], bool]]] = field(
        default_factory=lambda: defaultdict(list)
    )


@dataclass
class Results:
    samples: list[Sample] = field(default_factory=list)
    learners: list[LearnerRecord] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    started: float = 0.0
    ended: float = 0.0
    # Requests sent and not yet answered, by kind (the fault scenarios time their faults).
    in_flight: Counter = field(default_factory=Counter)

    def add(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)
            self.in_flight[sample.kind] -= 1

    def sending(self, kind: str) -> None:
        with self.lock:
            self.in_flight[kind] += 1


class Unexpected(Exception):  # noqa: N818 - a step's outcome, not a bug
    """A step did not get the answer it needs; the learner pauses and tries again."""


class Browser:
    """One learner's keep-alive connection and cookies."""

    def __init__(self, host: str, port: int, results: Results, accept_outage: bool) -> None:
        self.host, self.port = host, port
        self.results = results
        self.accept_outage = accept_outage
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None

    def request(
        self,
        kind: str,
        method: str,
        path: str,
        form: dict | list | None = None,
        expect: tuple[int, ...] = (200,),
        refusal: tuple[int, ...] = (),
    ) -> tuple[int, str, str]:
        """(status, Location, body); records a sample; raises Unexpected unless the status
        is expected or an expected refusal."""
        headers = {"Accept": "text/html", "Accept-Language": "fr"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        started = time.perf_counter()
        self.results.sending(kind)
        try:
            response, text = self._send(method, path, body, headers)
        except (OSError, http.client.HTTPException) as error:
            self._record(kind, started, 0, "lost", f"{type(error).__name__}: {error}")
            raise Unexpected(kind) from error
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, value = header.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        status = response.status
        if status in expect:
            self._record(kind, started, status, "ok")
            return status, response.headers.get("Location", ""), text
        if status in refusal:
            self._record(kind, started, status, "refusal")
            return status, "", text
        clean_outage = status == 503 and OUTAGE_MESSAGE in text and "Traceback" not in text
        outcome = "outage" if clean_outage and self.accept_outage else "error"
        self._record(kind, started, status, outcome, text[:300])
        raise Unexpected(kind)

    def _send(self, method: str, path: str, body: str | None, headers: dict):
        """Send on the kept-alive connection. gunicorn closes idle ones (a worker retiring
        after max_requests): as a browser does, a request that found its reused connection
        closed is sent again on a new one if it cannot have been processed, that is a GET,
        or a POST that could not even be sent."""
        reused = self.connection is not None
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(self.host, self.port, timeout=60)
            sent = False
            try:
                self.connection.request(method, path, body, headers)
                sent = True
                response = self.connection.getresponse()
                return response, response.read().decode("utf-8", "replace")
            except (ConnectionError, http.client.RemoteDisconnected):
                self.connection.close()
                self.connection = None
                if attempt == 2 or not reused or (sent and method != "GET"):
                    raise
            except (OSError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
                raise
        raise AssertionError("unreachable")

    def _record(
        self, kind: str, started: float, status: int, outcome: str, detail: str = ""
    ) -> None:
        self.results.add(
            Sample(kind, time.perf_counter() - started, status, outcome, time.monotonic(), detail)
        )

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()


def _path(location: str) -> str:
    parts = urllib.parse.urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _csrf(page: str) -> str:
    found = CSRF.search(page)
    if found is None:
        raise Unexpected("no CSRF token on the page")
    return found.group(1)


class Learner:
    def __init__(
        self,
        record: LearnerRecord,
        course: Course,
        browser: Browser,
        rng: random.Random,
        think: tuple[float, float],
        deadline: float,
        stop: threading.Event,
    ) -> None:
        self.record, self.course, self.browser = record, course, browser
        self.rng, self.think_range, self.deadline, self.stop = rng, think, deadline, stop
        self.base = f"/parcours/{course.slug}"

    # Steps: each retried, after a pause, until it succeeds or the run ends.
    def retrying(self, step: Callable[[], None]) -> None:
        while not self.over():
            try:
                step()
                return
            except Unexpected:
                self.think()
        raise TimeoutError

    def over(self) -> bool:
        return self.stop.is_set() or time.monotonic() >= self.deadline

    def think(self) -> None:
        self.stop.wait(self.rng.uniform(*self.think_range))

    def run(self) -> None:
        try:
            self.retrying(self.log_in)
            self.think()
            self.retrying(self.enrol)
            if self.rng.random() < 0.2:
                self.think()
                self.retrying(self.peek_locked_level)
            for module in self.course.modules:
                self.think()
                self.retrying(lambda m=module: self.open_module(m))
                self.think()
                self.retrying(lambda m=module: self.mark_read(m))
                while not self.passed(module):
                    self.think()
                    self.retrying(lambda m=module: self.take_quiz(m))
            while not self.over():  # done: re-reads pages until the end
                self.think()
                with contextlib.suppress(Unexpected):
                    self.browser.request("parcours", "GET", self.base)
        except TimeoutError:
            pass
        except Exception as error:  # a bug of the client or a page it cannot read: an error
            self.browser.results.sending("learner")
            self.browser._record("learner", time.perf_counter(), 0, "error", repr(error))
        finally:
            self.browser.close()

    def log_in(self) -> None:
        status, location, page = self.browser.request(
            "login_form", "GET", "/connexion", expect=(200, 302)
        )
        if status == 302:  # logged in already: the answer to the last try was lost
            self.browser.request("home", "GET", _path(location))
            return
        form = {"csrf_token": _csrf(page), "email": self.record.email, "password": PASSWORD}
        _, location, _ = self.browser.request("login", "POST", "/connexion", form, expect=(302,))
        self.browser.request("home", "GET", _path(location))

    def enrol(self) -> None:
        _, _, page = self.browser.request("parcours", "GET", self.base)
        form = {"csrf_token": _csrf(page)}
        self.browser.request("enrol", "POST", f"{self.base}/inscription", form, expect=(302,))
        self.record.enrolled = True  # enrolling again changes nothing: safe to repeat

    def peek_locked_level(self) -> None:
        module = self.course.levels[1][1][0]
        self.browser.request(
            "module_locked", "GET", f"{self.base}/modules/{module.slug}", refusal=(403,)
        )

    def open_module(self, module: ModuleInfo) -> None:
        self.browser.request("module", "GET", f"{self.base}/modules/{module.slug}")

    def mark_read(self, module: ModuleInfo) -> None:
        _, _, page = self.browser.request("module", "GET", f"{self.base}/modules/{module.slug}")
        form = {"csrf_token": _csrf(page)}
        _, location, _ = self.browser.request(
            "mark_read", "POST", f"{self.base}/modules/{module.slug}/lu", form, expect=(302,)
        )
        self.record.read.add(module.slug)  # marking read again changes nothing
        with contextlib.suppress(Unexpected):  # the redirect: quiz or module page
            self.browser.request(
                "quiz" if location.endswith("/quiz") else "module", "GET", _path(location)
            )

    def passed(self, module: ModuleInfo) -> bool:
        return any(passed for _, passed in self.record.attempts[module.slug])

    def take_quiz(self, module: ModuleInfo) -> None:
        path = f"{self.base}/modules/{module.slug}/quiz"
        _, _, page = self.browser.request("quiz", "GET", path)
        self._reconcile(module, page)
        if self.passed(module):
            return
        presented = PRESENTED.search(page)
        if presented is None:
            raise ValueError(f"no quiz form for {module.slug} (attempts used up?)")
        keys = presented.group(1).split(",")
        number = len(self.record.attempts[module.slug]) + 1
        wrong_rate = {1: 0.3, 2: 0.15}.get(number, 0.0)
        answers, correct = {}, 0
        for key in keys:
            right, choices = module.answers[key]
            if self.rng.random() < wrong_rate:
                answers[f"q_{key}"] = self.rng.choice([c for c in choices if c not in right])
            else:
                answers[f"q_{key}"] = sorted(right)
                correct += 1
        passed = correct * 100 >= module.pass_mark * len(keys)
        form = {"csrf_token": _csrf(page), "presented": ",".join(keys), **answers}
        if self.rng.random() < 0.1:  # one answer left blank: refused, nothing stored
            blank = dict(form)
            del blank[f"q_{keys[0]}"]
            self.browser.request("quiz_blank", "POST", path, blank, expect=(), refusal=(422,))
            self.think()
        try:
            _, location, _ = self.browser.request("quiz_submit", "POST", path, form, expect=(302,))
        except Unexpected:
            # No answer: the attempt may be stored or not; the next look at the quiz page
            # (its list of attempts) tells, and _reconcile records it if it is.
            self.pending = (keys, passed)
            raise
        self.record.attempts[module.slug].append((keys, passed))
        self.think()
        with contextlib.suppress(Unexpected):
            self.browser.request("attempt", "GET", _path(location))

    pending: tuple[list[str], bool] | None = None

    def _reconcile(self, module: ModuleInfo, page: str) -> None:
        shown = {int(n) for n in ATTEMPT_LINK.findall(page)}
        known = len(self.record.attempts[module.slug])
        if len(shown) == known + 1 and self.pending is not None:
            self.record.attempts[module.slug].append(self.pending)
        elif len(shown) != known:
            self.browser._record(
                "quiz",
                time.perf_counter(),
                200,
                "error",
                f"{len(shown)} attempts shown, {known} known",
            )
        self.pending = None


def run_load(
    port: int,
    course: Course,
    emails: list[str],
    duration: float,
    think: tuple[float, float],
    *,
    accept_outage: bool = False,
    ramp: float = 30.0,
    seed: int = 1,
    stop: threading.Event | None = None,
    results: Results | None = None,
) -> Results:
    """The learners, started over `ramp` seconds, until `duration` is over."""
    results = results or Results()
    results.learners = [LearnerRecord(email) for email in emails]
    stop = stop or threading.Event()
    results.started = time.monotonic()
    deadline = results.started + duration
    threads = []
    for index, record in enumerate(results.learners):
        browser = Browser("127.0.0.1", port, results, accept_outage)
        rng = random.Random(seed * 100_003 + index)  # noqa: S311 - a simulation
        learner = Learner(record, course, browser, rng, think, deadline, stop)
        thread = threading.Thread(target=learner.run, name=record.email, daemon=True)
        threads.append(thread)
    for index, thread in enumerate(threads):
        stop.wait(ramp * index / max(1, len(threads)) - (time.monotonic() - results.started))
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, deadline - time.monotonic() + 90))
    results.ended = time.monotonic()
    return results


# --- report and checks --------------------------------------------------------------------


def report(results: Results, failing: tuple[str, ...] = ("error", "lost")) -> int:
    """Print the figures; returns the number of requests whose outcome is `failing`."""
    elapsed = results.ended - results.started
    samples = results.samples
    print(f"\n{len(samples)} requests in {elapsed:.0f} s: {len(samples) / elapsed:.1f} requests/s")
    print(f"{'page':<14}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}  outcomes")
    by_kind: dict[str, list[Sample]] = defaultdict(list)
    for sample in samples:
        by_kind[sample.kind].append(sample)
    for kind in sorted(by_kind):
        group = by_kind[kind]
        ms = [s.seconds * 1000 for s in group]
        outcomes = Counter(s.outcome for s in group)
        print(
            f"{kind:<14}{len(group):>7}{percentile(ms, 0.5):>9.0f}{percentile(ms, 0.95):>9.0f}"
            f"{percentile(ms, 0.99):>9.0f}  {dict(outcomes)}"
        )
    errors = [s for s in samples if s.outcome in failing]
    for sample in errors[:5]:
        print(f"{sample.outcome}: {sample.kind} {sample.status} {sample.detail[:200]!r}")
    return len(errors)


def expected_statements(course: Course, record: LearnerRecord) -> Counter:
    """(verb, object IRI) -> count, as the learner's acknowledged actions imply."""
    from lms.xapi import ids
    from lms.xapi import vocabulary as v

    expected: Counter = Counter()
    if not record.enrolled:
        return expected
    expected[(v.REGISTERED.id, ids.parcours_iri(course.slug))] += 1
    completed_levels = 0
    for level, modules in course.levels:
        completed_modules = 0
        for module in modules:
            quiz = ids.quiz_iri(course.slug, module.slug)
            if module.slug in record.read:
                expected[(v.EXPERIENCED.id, ids.module_iri(course.slug, module.slug))] += 1
            for keys, passed in record.attempts.get(module.slug, []):
                expected[(v.ATTEMPTED.id, quiz)] += 1
                expected[((v.PASSED if passed else v.FAILED).id, quiz)] += 1
                for key in keys:
                    expected[(v.ANSWERED.id, ids.question_iri(course.slug, module.slug, key))] += 1
            passed = any(p for _, p in record.attempts.get(module.slug, []))
            if module.slug in record.read and passed:
                expected[(v.COMPLETED.id, ids.module_iri(course.slug, module.slug))] += 1
                completed_modules += 1
        if completed_modules == len(modules):
            completed_levels += 1
            expected[(v.COMPLETED.id, ids.level_iri(course.slug, level))] += 1
            if course.level_attestations:
                expected[(v.EARNED.id, ids.certificate_iri(course.slug, level))] += 1
    if completed_levels == len(course.levels):
        expected[(v.COMPLETED.id, ids.parcours_iri(course.slug))] += 1
        expected[(v.EARNED.id, ids.certificate_iri(course.slug))] += 1
    return expected


def check(app, course: Course, results: Results) -> list[str]:
    """Statements stored equal actions taken; attempts have their statements; replay equals
    live. Returns the problems found (empty: nothing lost)."""
    import sqlalchemy as sa

    from lms.accounts.models import User
    from lms.extensions import db
    from lms.learning.models import Enrollment, QuizAttempt
    from lms.progress.operations import replay_differences
    from lms.xapi import ids, vocabulary
    from lms.xapi.models import Statement

    problems = []
    with app.app_context():
        users = dict(db.session.execute(sa.select(User.email, User.id)).all())
        stored: dict[int, Counter] = defaultdict(Counter)
        for user_id, verb, obj in db.session.execute(
            sa.select(Statement.user_id, Statement.verb_id, Statement.object_id).where(
                Statement.is_voided.is_(False)
            )
        ):
            stored[user_id][(verb, obj)] += 1
        matching = mismatched = 0
        total_expected = total_stored = 0
        for record in results.learners:
            expected = expected_statements(course, record)
            actual = stored.get(users[record.email], Counter())
            total_expected += sum(expected.values())
            total_stored += sum(actual.values())
            if expected == actual:
                matching += 1
                continue
            mismatched += 1
            if mismatched <= 5:
                missing = expected - actual
                extra = actual - expected
                problems.append(f"{record.email}: missing {dict(missing)} extra {dict(extra)}")
        print(
            f"statements: {total_stored} stored for {total_expected} implied by acknowledged "
            f"actions; {matching} learners match, {mismatched} do not"
        )
        if mismatched:
            problems.append(f"{mismatched} learners' statements differ from their actions")

        # Half-written attempts: an attempt row without its statements, or the reverse.
        attempts = Counter()
        rows = db.session.execute(
            sa.select(Enrollment.user_id, QuizAttempt.quiz_id, sa.func.count())
            .join(Enrollment, Enrollment.id == QuizAttempt.enrollment_id)
            .group_by(Enrollment.user_id, QuizAttempt.quiz_id)
        ).all()
        quiz_iris = {
            quiz_id: ids.quiz_iri(course.slug, slug)
            for quiz_id, slug in db.session.execute(
                sa.text("SELECT q.id, m.slug FROM quizzes q JOIN modules m ON m.id = q.module_id")
            )
        }
        for user_id, quiz_id, count in rows:
            attempts[(user_id, quiz_iris[quiz_id])] = count
        attempted = Counter()
        for user_id, counter in stored.items():
            for (verb, obj), count in counter.items():
                if verb == vocabulary.ATTEMPTED.id:
                    attempted[(user_id, obj)] = count
        print(
            f"attempts: {sum(attempts.values())} stored, {sum(attempted.values())} "
            f"`attempted` statements; {len(set(attempts.items()) ^ set(attempted.items()))} "
            "(learner, quiz) pairs differ"
        )
        if attempts != attempted:
            problems.append("quiz attempts and their statements differ")

        only_live, only_replayed = replay_differences()
        print(
            f"replay: {len(only_live)} progress rows only live, {len(only_replayed)} only replayed"
        )
        if only_live or only_replayed:
            problems.append("replayed progress differs from live progress")
            for row in sorted(only_live | only_replayed, key=repr)[:5]:
                problems.append(f"  {row}")
        db.session.remove()
    return problems


# --- setting up ---------------------------------------------------------------------------


def bench_env(database_url: str, base_url: str, **extra: str) -> dict[str, str]:
    """The app's production environment, but for two settings: no log line per request,
    and no login limit per address, since every simulated learner comes from 127.0.0.1
    (the limit per account stays)."""
    return app_env(
        database_url,
        base_url,
        LOG_LEVEL="WARNING",
        LOGIN_RATE_LIMIT_IP="100000 per minute",
        **extra,
    )


def serve_args(workers: int, threads: int) -> list[str]:
    return ["--workers", str(workers), "--threads", str(threads), "--keep-alive", "30"]


def prepare(env: dict[str, str], learners: int, *, migrate: bool = True):
    """Migrate, import the seed parcours, create the learners; (app, course, emails)."""
    if migrate:
        flask(env, "db", "upgrade")
        flask(env, "lms", "import-course", str(ROOT / "courses"))
    os.environ.update(env)
    from lms import create_app

    app = create_app()
    import sqlalchemy as sa

    from lms.accounts.models import User
    from lms.accounts.operations import create_user
    from lms.extensions import db

    run = os.urandom(3).hex()
    emails = [f"apprenant-{run}-{n}@bench.parcours.example" for n in range(learners)]
    with app.app_context():
        first = create_user("Apprenant 0", emails[0], PASSWORD)
        db.session.add_all(
            User(
                name=f"Apprenant {n}",
                email=email,
                password_hash=first.password_hash,
                role=first.role,
            )
            for n, email in enumerate(emails[1:], 1)
        )
        db.session.commit()
        assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) >= learners
        db.session.remove()
    return app, load_course(app), emails


@contextlib.contextmanager
def served_or_given(args: argparse.Namespace, env: dict[str, str]) -> Iterator[int]:
    if args.url:
        yield urllib.parse.urlsplit(args.url).port or 80
        return
    with gunicorn(env, args.port, serve_args(args.workers, args.server_threads)):
        yield args.port


def think_range(text: str) -> tuple[float, float]:
    low, _, high = text.partition("-")
    return float(low), float(high or low)


def common_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--database-url", required=True, help="the app's database (PostgreSQL)")
    parser.add_argument("--learners", type=int, default=200)
    parser.add_argument("--duration", type=float, default=300, help="seconds of load")
    parser.add_argument("--think", type=think_range, default=(1.0, 5.0), help="seconds, e.g. 1-5")
    parser.add_argument(
        "--ramp", type=float, default=60, help="seconds over which the learners arrive"
    )
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--server-threads", type=int, default=4, help="threads per worker")


def verdict(problems: list[str], errors: int, what: str) -> int:
    for problem in problems:
        print(f"problem: {problem}")
    if errors or problems:
        print(f"VERDICT: FAIL ({what}: {errors} errors, {len(problems)} problems)")
        return 1
    print(f"VERDICT: PASS ({what}: 0 errors, 0 lost statements, replay equals live)")
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    common_arguments(parser)
    parser.add_argument(
        "--url", help="load this running server instead, e.g. http://127.0.0.1:8000"
    )
    args = parser.parse_args()
    base_url = (args.url or f"http://127.0.0.1:{args.port}").rstrip("/")
    env = bench_env(args.database_url, base_url)
    app, course, emails = prepare(env, args.learners, migrate=not args.url)
    with served_or_given(args, env) as port:
        print(
            f"{args.learners} learners for {args.duration:.0f} s, think {args.think[0]:g}-"
            f"{args.think[1]:g} s, on {base_url}"
        )
        results = run_load(port, course, emails, args.duration, args.think, ramp=args.ramp)
    errors = report(results)
    problems = check(app, course, results)
    sys.exit(verdict(problems, errors, f"{args.learners} learners, {args.duration:.0f} s"))


if __name__ == "__main__":
    main()
