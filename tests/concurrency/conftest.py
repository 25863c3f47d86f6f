"""Tests of concurrent requests: each backend gets its own app on its own database, with
real commits, since requests racing each other need separate connections and transactions."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade

from config import ROOT, TestConfig
from lms import create_app
from lms.catalog.cli import import_courses
from lms.extensions import db
from tests.fixtures.databases import new_database


@pytest.fixture(autouse=True)
def db_session():
    """Overrides the suite's rolled-back session: these tests commit for real, on their own
    database, and each request must have its own connection."""


@contextmanager
def app_on_new_database(kind: str, directory: Path, *, courses: bool = True) -> Iterator[Flask]:
    """An app on a fresh `kind` database, migrated, with the seed courses unless told not."""
    with new_database(kind, directory) as url:
        app = create_app(TestConfig, {"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            if courses:
                import_courses(ROOT / "courses")
            db.session.commit()
            db.session.remove()
        try:
            yield app
        finally:
            with app.app_context():
                db.engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def committed_app(request, tmp_path_factory) -> Iterator[Flask]:
    with app_on_new_database(request.param, tmp_path_factory.mktemp("concurrency-db")) as app:
        yield app
