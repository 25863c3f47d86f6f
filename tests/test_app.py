"""The app factory, configuration and schema."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from config import ProdConfig, TestConfig
from lms import create_app
from lms.extensions import db


def test_production_refuses_to_start_without_its_secrets(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DATABASE_URL", "postgresql://127.0.0.1/test")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app(ProdConfig)
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    monkeypatch.delenv("DATABASE_URL")
    with pytest.raises(RuntimeError, match="DATABASE_URL"):
        create_app(ProdConfig)


def test_database_url_in_hosting_form_uses_psycopg():
    app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": "postgres://u@127.0.0.1/db"})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@127.0.0.1/db"


def test_migrations_match_the_models(app, db_session):
    """The schema built by the Alembic revisions is exactly what the models declare."""
    context = MigrationContext.configure(db_session.connection(), opts={"compare_type": True})
    differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_unknown_page_is_a_french_404(client):
    response = client.get("/nulle-part")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)


def test_json_clients_get_json_errors(client):
    response = client.get("/nulle-part", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.is_json
    assert "error" in response.get_json()
