"""`/healthz`: what a load balancer reads to keep a server in rotation or take it out."""

from config import TestConfig
from lms import create_app
from lms.extensions import db


def test_healthy_server_answers_ok_without_a_session_cookie(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert "Set-Cookie" not in response.headers


def test_health_checks_are_not_rate_limited(app, client):
    # Far more checks than any limit the platform sets: none is refused.
    statuses = {client.get("/healthz").status_code for _ in range(60)}
    assert statuses == {200}


def test_unreachable_database_is_a_503_with_a_reason(tmp_path, monkeypatch):
    # A database server nobody listens on: port 9 (discard) on localhost. The session is the
    # app's own, not the one the suite binds to its rolled-back connection.
    monkeypatch.setattr(db, "session", db._make_scoped_session({}))
    app = create_app(
        TestConfig,
        {
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/none"
            "?connect_timeout=2",
            "UPLOADS_DIR": str(tmp_path / "uploads"),
            "CERTIFICATE_KEYS_DIR": str(tmp_path / "keys"),
        },
    )
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "reason": "database unavailable"}
    with app.app_context():
        db.engine.dispose()


def test_uploads_folder_that_cannot_be_written_is_a_503(app, client, tmp_path):
    # A file where the folder should be (a mount gone wrong): nothing can be stored there.
    # (Permission bits would not do: the tests may run as root, who ignores them.)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    original = app.config["UPLOADS_DIR"]
    app.config["UPLOADS_DIR"] = str(blocker / "uploads")
    try:
        response = client.get("/healthz")
    finally:
        app.config["UPLOADS_DIR"] = original
    assert response.status_code == 503
    assert response.get_json() == {"status": "error", "reason": "uploads folder not writable"}
