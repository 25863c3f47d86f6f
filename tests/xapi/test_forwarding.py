"""Stored statements reach an outside LRS through an outage: none lost, none sent twice."""

import json
import threading
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from lms.accounts.models import Role
from lms.jobs.scheduler import build_scheduler, jobs
from lms.xapi.forwarding.models import ForwardingItem
from lms.xapi.forwarding.operations import backlog, current_state, forward_pending
from lms.xapi.store import record_statements
from tests.learning.helpers import page

T0 = datetime(2030, 1, 1, 8, 0, tzinfo=UTC)


class OutsideLRS:
    """A stand-in for the outside LRS, on loopback: records what it receives, by id."""

    def __init__(self):
        self.failing = False
        self.requests = 0
        self.received: Counter[str] = Counter()
        self.statements: list[dict] = []
        self.auth: list[str | None] = []

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.requests += 1
        self.auth.append(request.headers.get("Authorization"))
        if self.failing:
            response = Response("maintenance", status=503)
        else:
            statements = json.loads(request.get_data())
            self.received.update(statement["id"] for statement in statements)
            self.statements.extend(statements)
            response = Response(
                json.dumps([statement["id"] for statement in statements]),
                content_type="application/json",
            )
        return response(environ, start_response)


@pytest.fixture
def outside_lrs(app, monkeypatch):
    stub = OutsideLRS()
    server = make_server("127.0.0.1", 0, stub, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setitem(app.config, "XAPI_FORWARD_URL", f"http://127.0.0.1:{server.port}/xapi/")
    monkeypatch.setitem(app.config, "XAPI_FORWARD_USERNAME", "parcours")
    monkeypatch.setitem(app.config, "XAPI_FORWARD_PASSWORD", "mot-de-passe-secret")
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def store(db_session, count: int) -> list[str]:
    stored = record_statements(
        {
            "actor": {"mbox": f"mailto:apprenant{n}@example.org"},
            "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
            "object": {"id": f"https://outil.example/activite/{n}"},
            "result": {"duration": "PT1M"},
        }
        for n in range(count)
    )
    # forward_pending is a job: it owns its transaction, so the statements come first.
    db_session.commit()
    return [statement.id for statement in stored]


def test_an_outage_loses_nothing_and_duplicates_nothing(db_session, outside_lrs):
    ids = store(db_session, 7)
    outside_lrs.failing = True

    failed = forward_pending(now=T0)
    assert (failed.sent, failed.pending) == (0, 7)
    assert "503" in failed.error
    assert outside_lrs.requests == 1
    state = current_state()
    assert state.consecutive_failures == 1
    assert state.last_error_at == T0
    assert state.next_attempt_at == T0 + timedelta(seconds=2)

    # During the backoff nothing is tried.
    waiting = forward_pending(now=T0 + timedelta(seconds=1))
    assert waiting.skipped
    assert outside_lrs.requests == 1

    outside_lrs.failing = False
    recovered = forward_pending(now=T0 + timedelta(seconds=3))
    assert (recovered.sent, recovered.pending, recovered.error) == (7, 0, None)
    assert outside_lrs.received == Counter(ids)
    state = current_state()
    assert state.consecutive_failures == 0
    assert state.last_success_at == T0 + timedelta(seconds=3)
    assert state.next_attempt_at is None
    assert backlog() == 0

    again = forward_pending(now=T0 + timedelta(seconds=4))
    assert again.sent == 0
    assert outside_lrs.requests == 2
    assert outside_lrs.received == Counter(ids)


def test_payloads_are_sent_as_stored_with_credentials(db_session, outside_lrs):
    ids = store(db_session, 1)
    forward_pending(now=T0)
    (sent,) = outside_lrs.statements
    assert sent["id"] == ids[0]
    assert sent["result"]["duration"] == "PT1M"  # untouched by tincan's models
    assert outside_lrs.auth[0].startswith("Basic ")


def test_backoff_doubles_and_is_capped_at_an_hour(db_session, outside_lrs):
    store(db_session, 1)
    outside_lrs.failing = True
    now = T0
    delays = []
    for _ in range(14):
        forward_pending(now=now)
        next_attempt = current_state().next_attempt_at
        delays.append((next_attempt - now).total_seconds())
        now = next_attempt
    assert delays[:4] == [2, 4, 8, 16]
    assert delays[-1] == 3600
    assert backlog() == 1


def test_a_small_batch_takes_several_runs_and_sends_each_once(
    app, db_session, outside_lrs, monkeypatch
):
    monkeypatch.setitem(app.config, "XAPI_FORWARD_BATCH", 3)
    ids = store(db_session, 7)
    sent = [forward_pending(now=T0 + timedelta(seconds=n)).sent for n in range(4)]
    assert sent == [3, 3, 1, 0]
    assert outside_lrs.received == Counter(ids)
    assert outside_lrs.requests == 3


def test_nothing_enters_the_outbox_when_forwarding_is_off(db_session):
    store(db_session, 2)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(ForwardingItem)) == 0
    assert forward_pending().skipped


def test_admin_page_shows_backlog_and_last_error(client, login, make_user, db_session, outside_lrs):
    store(db_session, 7)
    outside_lrs.failing = True
    forward_pending(now=T0)
    login(make_user(role=Role.ADMIN))
    response = client.get("/admin/lrs/forwarding")
    body = page(response)
    assert response.status_code == 200
    assert 'id="backlog">7<' in body
    assert "HTTP 503: maintenance" in body
    assert "127.0.0.1" in body
    assert "mot-de-passe-secret" not in body


def test_only_admins_see_the_forwarding_page(client, login, make_user):
    login(make_user(role=Role.TRAINER))
    assert client.get("/admin/lrs/forwarding").status_code == 403


def test_forward_statements_command(runner, db_session, outside_lrs):
    store(db_session, 2)
    result = runner.invoke(args=["lms", "forward-statements"])
    assert result.exit_code == 0, result.output
    assert "2 statement(s) sent, 0 pending." in result.output


def test_scheduler_runs_forwarding_as_one_stable_job(app, outside_lrs):
    job = build_scheduler(app).get_job("xapi-forwarding")
    assert job.max_instances == 1
    assert job.coalesce is True
    assert job.trigger.interval == timedelta(seconds=30)


def test_a_scheduled_run_sends_batch_after_batch_until_the_outbox_is_empty(
    app, db_session, outside_lrs, monkeypatch
):
    monkeypatch.setitem(app.config, "XAPI_FORWARD_BATCH", 3)
    ids = store(db_session, 7)
    counts = forwarding_job().run(T0)
    assert counts == {"sent": 7, "pending": 0, "skipped": 0}
    assert outside_lrs.requests == 3
    assert outside_lrs.received == Counter(ids)


def test_a_scheduled_run_stops_at_the_first_failure(app, db_session, outside_lrs, monkeypatch):
    monkeypatch.setitem(app.config, "XAPI_FORWARD_BATCH", 3)
    store(db_session, 7)
    outside_lrs.failing = True
    counts = forwarding_job().run(T0)
    assert counts == {"sent": 0, "pending": 7, "skipped": 0}
    assert outside_lrs.requests == 1  # then the backoff, not a second try in the same run


def forwarding_job():
    return next(job for job in jobs() if job.id == "xapi-forwarding")
