"""A change saved while the draft is being published is never marked published unseen.

Real commits on a database of their own (as in tests/concurrency): the requests race on
separate connections."""

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask

from lms.accounts.models import Role
from lms.accounts.operations import create_user
from lms.authoring.models import ParcoursDraft
from lms.catalog.models import Module, Parcours
from lms.catalog.operations import add_owner
from lms.extensions import db
from tests.authoring import helpers
from tests.authoring.test_publishing import FIRST
from tests.concurrency.test_double_submit import at_once
from tests.conftest import SEED_SLUG
from tests.fixtures.apps import app_on_new_database
from tests.fixtures.factories import PASSWORD


@pytest.fixture(autouse=True)
def db_session():
    """These tests commit for real, on their own database."""


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def committed_app(request, tmp_path_factory) -> Iterator[Flask]:
    with app_on_new_database(request.param, tmp_path_factory.mktemp("authoring-race")) as app:
        yield app


def test_a_module_saved_during_publish_stays_to_be_published(committed_app):
    app = committed_app
    with app.app_context():
        create_user("Formatrice", "race-trainer@example.org", PASSWORD, Role.TRAINER)
        add_owner(SEED_SLUG, "race-trainer@example.org")
        db.session.commit()
    clients = [app.test_client() for _ in range(2)]
    for client in clients:
        data = {"email": "race-trainer@example.org", "password": PASSWORD}
        assert client.post("/connexion", data=data).status_code == 302
    for attempt in range(3):
        editor = clients[1].get(f"/atelier/{SEED_SLUG}/modules/{FIRST}").get_data(as_text=True)
        version, title = helpers.hidden(editor, "version"), f"Titre {attempt}"
        statuses = at_once(
            [
                lambda: helpers.publish(clients[0], SEED_SLUG),
                lambda v=version, t=title: helpers.save_module(
                    clients[1], SEED_SLUG, FIRST, v, title=t
                ),
            ]
        )
        assert statuses == [302, 302]
        with app.app_context():
            parcours = db.session.scalar(sa.select(Parcours).where(Parcours.slug == SEED_SLUG))
            draft = db.session.get(ParcoursDraft, parcours.id)
            live = db.session.scalar(sa.select(Module.title).where(Module.slug == FIRST))
            # Either the publish saw the save, or the draft still has it to publish.
            assert live == title or draft.has_changes, attempt
            db.session.remove()
