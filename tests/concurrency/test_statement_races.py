"""Two outside tools sending the same statement id at the same moment (PostgreSQL, where two
requests can both find the id free before either stores it)."""

import base64
import json
import threading
import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

import lms.xapi.api.statements as statements_api
from lms.extensions import db
from lms.xapi.clients import create_client
from lms.xapi.models import Statement
from tests.concurrency.test_double_submit import at_once
from tests.fixtures.apps import app_on_new_database


@pytest.fixture(scope="module")
def committed_app(tmp_path_factory) -> Iterator[Flask]:
    """PostgreSQL only: SQLite runs writing requests one after the other (BEGIN IMMEDIATE),
    so two of them never both find an id free."""
    directory = tmp_path_factory.mktemp("race-db")
    with app_on_new_database("postgresql", directory, courses=False) as app:
        yield app


@pytest.fixture
def racing(committed_app, monkeypatch):
    """Headers of an LRS client, and the store step held until both requests have looked
    for the ids: each is sure to find them free."""
    with committed_app.app_context():
        client, secret = create_client("Outil", ["all"])
        db.session.commit()
        token = base64.b64encode(f"{client.key}:{secret}".encode()).decode()
    both_looked = threading.Barrier(2, timeout=10)
    record = statements_api.record_statements
    calls = []

    def held(*args, **kwargs):
        calls.append(1)
        if len(calls) <= 2:
            both_looked.wait()
        return record(*args, **kwargs)

    monkeypatch.setattr(statements_api, "record_statements", held)
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}


def statement(statement_id: str, activity: str) -> dict:
    return {
        "id": statement_id,
        "actor": {"mbox": "mailto:camille@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": f"https://outil.example/{activity}"},
    }


def post(app, headers, body):
    client = app.test_client()
    return lambda: client.post(
        "/xapi/statements", data=json.dumps(body), headers=headers, content_type="application/json"
    )


def stored(app, statement_id: str) -> list[str]:
    with app.app_context():
        return db.session.scalars(
            sa.select(Statement.object_id).where(Statement.id == statement_id)
        ).all()


def test_the_same_statement_sent_twice_at_once_is_stored_once_and_both_succeed(
    committed_app, racing
):
    statement_id = str(uuid.uuid4())
    body = statement(statement_id, "a")

    statuses = at_once([post(committed_app, racing, body), post(committed_app, racing, body)])

    assert statuses == [200, 200]
    assert stored(committed_app, statement_id) == ["https://outil.example/a"]


def test_two_statements_with_one_id_at_once_one_stored_the_other_refused(committed_app, racing):
    statement_id = str(uuid.uuid4())
    first, second = statement(statement_id, "a"), statement(statement_id, "b")

    statuses = at_once([post(committed_app, racing, first), post(committed_app, racing, second)])

    assert sorted(statuses) == [200, 409]
    [kept] = stored(committed_app, statement_id)
    assert kept == f"https://outil.example/{'a' if statuses[0] == 200 else 'b'}"
