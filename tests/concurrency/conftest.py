"""Tests of concurrent requests: each backend gets its own app on its own database, with
real commits, since requests racing each other need separate connections and transactions."""

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.fixtures.apps import app_on_new_database


@pytest.fixture(autouse=True)
def db_session():
    """Overrides the suite's rolled-back session: these tests commit for real, on their own
    database, and each request must have its own connection."""


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def committed_app(request, tmp_path_factory) -> Iterator[Flask]:
    with app_on_new_database(request.param, tmp_path_factory.mktemp("concurrency-db")) as app:
        yield app
