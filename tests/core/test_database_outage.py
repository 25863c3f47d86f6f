"""A PostgreSQL outage (restart, crash, server unreachable) is a clean 503 with a French
message and Retry-After, JSON for API clients, with nothing stored; the app reconnects by
itself once the server answers again. A query that is simply wrong stays a 500."""

import json
import socket

import psycopg
import pytest
import sqlalchemy as sa

from config import TestConfig
from lms import create_app
from lms.core.errors import is_database_outage
from lms.extensions import db
from lms.xapi.clients import create_client
from lms.xapi.models import Statement
from tests.fixtures.apps import app_on_new_database
from tests.fixtures.databases import POSTGRES_URL

STATEMENT = {
    "actor": {"mbox": "mailto:camille@example.org"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
    "object": {"id": "https://outil.example/activites/1"},
}


@pytest.fixture(autouse=True)
def db_session():
    """Overrides the suite's rolled-back session: these apps have databases of their own."""


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]  # nothing listens there once the probe is closed


@pytest.fixture
def unreachable_app(tmp_path):
    url = sa.make_url(POSTGRES_URL).set(host="127.0.0.1", port=_closed_port())
    app = create_app(
        TestConfig,
        {"SQLALCHEMY_DATABASE_URI": url.render_as_string(hide_password=False)},
    )
    yield app
    with app.app_context():
        db.engine.dispose()


def test_a_page_is_a_503_page_when_the_server_is_unreachable(unreachable_app, caplog):
    response = unreachable_app.test_client().get("/parcours/modeles-socio-economiques")

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    page = response.get_data(as_text=True)
    assert "Service momentanément indisponible" in page
    assert "Rien n&#39;a été enregistré" in page
    assert "Traceback" not in page
    logged = [record for record in caplog.records if "database unavailable" in record.message]
    assert len(logged) == 1
    assert logged[0].exc_info is None


def test_an_api_client_gets_json_when_the_server_is_unreachable(unreachable_app):
    response = unreachable_app.test_client().post(
        "/xapi/statements",
        data=json.dumps(STATEMENT),
        content_type="application/json",
        headers={"X-Experience-API-Version": "1.0.3"},
        auth=("key", "secret"),
    )

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert "indisponible" in response.get_json()["error"]


@pytest.fixture
def postgresql_app(tmp_path, request):
    # Idle-connection pings off unless a test says otherwise: a connection dies mid-request.
    idle = getattr(request, "param", 3600)
    config = {"DATABASE_PING_AFTER_IDLE_SECONDS": idle}
    with app_on_new_database("postgresql", tmp_path, courses=False, config=config) as app:
        with app.app_context():
            client, secret = create_client("Outil", ["all"])
            key = client.key
            db.session.commit()
        yield app, (key, secret)


def _kill_own_connection_at_next(engine: sa.Engine, event: str) -> None:
    """The server ends this app's connection just before its next query (or rollback), as a
    restart does to every open connection (pg_terminate_backend, from another connection)."""
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")

    @sa.event.listens_for(engine, event, once=True)
    def terminate(connection, *_args) -> None:
        pid = connection.connection.dbapi_connection.info.backend_pid
        with admin.connect() as other:
            # The timeout makes it wait until the backend is gone.
            assert other.scalar(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        admin.dispose()


def test_a_connection_lost_mid_request_is_a_503_then_the_app_recovers(postgresql_app):
    app, auth = postgresql_app
    client = app.test_client()

    def post_statement():
        return client.post(
            "/xapi/statements",
            data=json.dumps(STATEMENT),
            content_type="application/json",
            headers={"X-Experience-API-Version": "1.0.3"},
            auth=auth,
        )

    with app.app_context():
        _kill_own_connection_at_next(db.engine, "before_cursor_execute")
    lost = post_statement()
    assert lost.status_code == 503
    assert "indisponible" in lost.get_json()["error"]
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Statement)) == 0

    again = post_statement()  # no restart of the app: the pool has replaced the connection
    assert again.status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Statement)) == 1


def test_a_connection_lost_after_the_page_was_built_does_not_spoil_it(postgresql_app, caplog):
    # A reading request ends with a rollback; the server is gone by then. The answer
    # was complete: the learner gets it, not a 500.
    app, auth = postgresql_app
    client = app.test_client()
    with app.app_context():
        _kill_own_connection_at_next(db.engine, "rollback")
    response = client.get(
        "/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"}, auth=auth
    )

    assert response.status_code == 200
    assert response.get_json()["statements"] == []
    assert any("connection lost at the end of a request" in r.message for r in caplog.records)
    again = client.get("/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"}, auth=auth)
    assert again.status_code == 200


def test_a_wrong_query_is_not_taken_for_an_outage(tmp_path):
    # An empty SQLite database: the tables are missing, which is a bug, not an outage.
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'e.db'}"})
    with pytest.raises(sa.exc.OperationalError, match="no such table"):
        app.test_client().get("/parcours/modeles-socio-economiques")
    with app.app_context():
        db.engine.dispose()


def _terminate_pooled_connections(app) -> None:
    """End, from another connection, the connections the app's pool holds (idle, as
    between two requests): what a server restart or a firewall's idle timeout does."""
    with app.app_context():
        pool = db.engine.pool
        pids = [
            record.dbapi_connection.info.backend_pid
            for record in list(pool._pool.queue)  # noqa: SLF001 - the idle connections
        ]
    assert pids
    admin = sa.create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as other:
        for pid in pids:
            # The timeout makes it wait until the backend is gone.
            assert other.scalar(sa.text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
    admin.dispose()


def _post(app, auth):
    return app.test_client().post(
        "/xapi/statements",
        data=json.dumps(STATEMENT),
        content_type="application/json",
        headers={"X-Experience-API-Version": "1.0.3"},
        auth=auth,
    )


@pytest.mark.parametrize("postgresql_app", [0], indirect=True)
def test_an_idle_connection_the_server_dropped_is_replaced_before_use(postgresql_app):
    app, auth = postgresql_app
    assert _post(app, auth).status_code == 200  # a connection now waits in the pool
    _terminate_pooled_connections(app)

    # Idle past the threshold (0 s): pinged when lent, found dead, replaced.
    assert _post(app, auth).status_code == 200
    with app.app_context():
        assert db.session.scalar(sa.select(sa.func.count()).select_from(Statement)) == 2


def test_a_connection_lent_again_soon_is_not_pinged(postgresql_app):
    # The other side of the threshold (an hour here): a busy server's connections are lent
    # without a round trip, so a dead one is found by the request itself, a clean 503.
    app, auth = postgresql_app
    assert _post(app, auth).status_code == 200
    _terminate_pooled_connections(app)

    assert _post(app, auth).status_code == 503
    assert _post(app, auth).status_code == 200  # SQLAlchemy has replaced the pool


@pytest.mark.parametrize("postgresql_app", [3600], indirect=True)
def test_a_nul_character_in_a_filter_is_a_400_not_an_outage(postgresql_app):
    # psycopg refuses a NUL in a text parameter before sending anything, with no SQLSTATE:
    # a bad value, which must not be taken for a lost connection (found by the fuzz test).
    app, auth = postgresql_app
    client = app.test_client()
    for name in ("verb", "activity"):
        response = client.get(
            "/xapi/statements",
            query_string={name: "http://example.org/\x00"},
            headers={"X-Experience-API-Version": "1.0.3"},
            auth=auth,
        )
        assert response.status_code == 400
        assert "NUL" in response.get_json()["error"]


def test_a_value_psycopg_refuses_is_not_an_outage():
    error = sa.exc.DataError("SELECT", {}, psycopg.DataError("NUL bytes"))
    assert error.orig.sqlstate is None
    assert not is_database_outage(error)
    refused = sa.exc.OperationalError("SELECT", {}, psycopg.OperationalError("refused"))
    assert is_database_outage(refused)
