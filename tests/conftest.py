import pytest
from flask_migrate import upgrade
from sqlalchemy import event

from config import ROOT, TestConfig
from lms import create_app
from lms.catalog.cli import import_courses
from lms.extensions import db
from lms.progress.queries import load_parcours
from tests.fixtures.databases import new_database, rolled_back_sessions

pytest_plugins = ["tests.fixtures.factories"]

SEED_SLUG = "modeles-socio-economiques"


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    with new_database(request.param, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The app on a database built by the migrations, with the seed parcours imported."""
    app = create_app(
        TestConfig,
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "MAIL_FILE_DIR": str(tmp_path_factory.mktemp("mail")),
            "CERTIFICATE_KEYS_DIR": str(tmp_path_factory.mktemp("keys")),
            "UPLOADS_DIR": str(tmp_path_factory.mktemp("uploads")),
        },
    )
    with app.app_context():
        upgrade()
        import_courses(ROOT / "courses")
        db.session.commit()
        db.session.remove()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def db_session(app):
    """Each test runs in a transaction that is rolled back, whatever it commits.

    Sessions (the test's and each request's, one per app context as in Flask-SQLAlchemy)
    are bound to one connection and turn their commits into savepoints.
    """
    with rolled_back_sessions(app):
        yield db.session


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    def log_in(user, password="correct horse battery"):
        response = client.post("/connexion", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)
        return response

    return log_in


@pytest.fixture
def count_queries(app):
    """Count the SQL statements run inside a `with count_queries() as counter:` block."""

    class Counter:
        def __init__(self):
            self.count = 0

        def __enter__(self):
            event.listen(db.engine, "before_cursor_execute", self._on_execute)
            return self

        def __exit__(self, *exc):
            event.remove(db.engine, "before_cursor_execute", self._on_execute)

        def _on_execute(self, *args):
            self.count += 1

    return Counter


@pytest.fixture
def seed(db_session):
    return load_parcours(SEED_SLUG)
