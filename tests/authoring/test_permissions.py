"""Only a parcours' owners (and admins) reach its workshop pages: every other trainer gets
403 on every authoring URL of it, whatever the method."""

import pytest
from flask import Flask

from lms.accounts.models import Role
from lms.catalog.operations import add_owner
from tests.conftest import SEED_SLUG

ARGUMENTS = {
    "slug": SEED_SLUG,
    "module_slug": "c1-quest-ce-quun-mse",
    "key": "q1",
    "kind": "single_choice",
    "index": 0,
}


def parcours_urls(app: Flask) -> list[tuple[str, str]]:
    """(method, url) of every authoring route that belongs to one parcours."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("authoring.") or "slug" not in rule.arguments:
            continue
        url = rule.build({name: ARGUMENTS[name] for name in rule.arguments})[1]
        urls += [(method, url) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return urls


def test_every_parcours_route_is_covered(app):
    urls = parcours_urls(app)
    # The workshop's parcours pages: a new route shows up here, and is tested below.
    assert len({url for _method, url in urls}) >= 20
    assert ("GET", f"/atelier/{SEED_SLUG}/export.zip") in urls


def test_a_trainer_who_does_not_own_the_parcours_gets_403_everywhere(app, client, login, make_user):
    login(make_user(Role.TRAINER))
    for method, url in parcours_urls(app):
        response = client.open(url, method=method, data={"version": "1"})
        assert response.status_code == 403, (method, url, response.status_code)


def test_a_learner_gets_403_on_the_workshop(app, client, login, make_user):
    login(make_user())
    assert client.get("/atelier/").status_code == 403
    assert client.get("/atelier/importer").status_code == 403
    for method, url in parcours_urls(app):
        assert client.open(url, method=method).status_code == 403, (method, url)


def test_a_visitor_is_sent_to_log_in(client):
    response = client.get(f"/atelier/{SEED_SLUG}/")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]


@pytest.mark.parametrize("role", [Role.TRAINER, Role.ADMIN])
def test_owners_and_admins_open_every_page(app, client, login, make_user, role):
    user = make_user(role)
    if role == Role.TRAINER:
        add_owner(SEED_SLUG, user.email)
    login(user)
    for method, url in parcours_urls(app):
        if method != "GET":
            continue
        response = client.get(url)
        # The seed parcours has no question bank: there is no bank question q1 to edit.
        expected = 404 if url.endswith("/banque/questions/q1") else 200
        assert response.status_code == expected, (url, response.status_code)
        response.close()
