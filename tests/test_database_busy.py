"""SQLite allows one writer at a time: a request that waits too long for the write lock is
told to come back (503, Retry-After), with nothing stored, not given a 500."""

import json
import sqlite3

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from config import TestConfig
from lms import create_app
from lms.extensions import db
from lms.xapi.clients import create_client
from lms.xapi.models import Statement


@pytest.fixture(autouse=True)
def db_session():
    """Overrides the suite's rolled-back session: this test needs a real second writer."""


@pytest.fixture
def busy_app(tmp_path):
    path = tmp_path / "busy.sqlite3"
    app = create_app(
        TestConfig,
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SQLITE_BUSY_TIMEOUT_MS": 50},
    )
    with app.app_context():
        upgrade()
        client, secret = create_client("Outil", ["all"])
        key = client.key
        db.session.commit()
    yield app, path, (key, secret)
    with app.app_context():
        db.engine.dispose()


def test_a_write_waiting_too_long_for_the_lock_is_a_503_to_retry(busy_app):
    app, path, (key, secret) = busy_app
    other_writer = sqlite3.connect(path, isolation_level=None)
    other_writer.execute("BEGIN IMMEDIATE")  # holds the write lock
    statement = {
        "actor": {"mbox": "mailto:camille@example.org"},
        "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
        "object": {"id": "https://outil.example/activites/1"},
    }
    try:
        response = app.test_client().post(
            "/xapi/statements",
            data=json.dumps(statement),
            content_type="application/json",
            headers={"X-Experience-API-Version": "1.0.3"},
            auth=(key, secret),
        )
    finally:
        other_writer.execute("ROLLBACK")
        other_writer.close()

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "1"
    assert "occupée" in response.get_json()["error"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Statement)) == 0
