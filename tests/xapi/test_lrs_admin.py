"""Admins create API credentials on a web page; the secret is shown once and works."""

import base64
import json
import re

from lms.accounts.models import Role
from lms.xapi.clients import create_client
from lms.xapi.models import LRSClient
from tests.learning.helpers import page

V = {"X-Experience-API-Version": "1.0.3"}
STATEMENT = {
    "actor": {"mbox": "mailto:a@example.org"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced"},
    "object": {"id": "https://outil.example/a"},
}


def basic(key: str, secret: str) -> dict:
    return {**V, "Authorization": "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()}


def test_admin_creates_a_client_whose_secret_works_until_deactivated(client, login, make_user):
    login(make_user(role=Role.ADMIN))
    response = client.post(
        "/admin/lrs/clients",
        data={"name": "Outil auteur", "scopes": ["statements/write", "statements/read/mine"]},
    )
    body = page(response)
    assert response.status_code == 200
    assert "Copiez le secret maintenant" in body
    key, secret = re.findall(r"<dd><code>([^<]+)</code></dd>", body)[:2]
    # Listed afterwards without its secret.
    listing = page(client.get("/admin/lrs/clients"))
    assert key in listing
    assert secret not in listing

    post = client.post(
        "/xapi/statements",
        data=json.dumps(STATEMENT),
        headers=basic(key, secret),
        content_type="application/json",
    )
    assert post.status_code == 200
    client_id = re.search(r"/admin/lrs/clients/(\d+)/actif", listing).group(1)
    client.post(f"/admin/lrs/clients/{client_id}/actif")
    post = client.post(
        "/xapi/statements",
        data=json.dumps(STATEMENT),
        headers=basic(key, secret),
        content_type="application/json",
    )
    assert post.status_code == 401


def test_client_form_explains_errors(client, login, make_user):
    login(make_user(role=Role.ADMIN))
    response = client.post("/admin/lrs/clients", data={"name": "", "scopes": []})
    assert response.status_code == 422
    body = page(response)
    assert "Donnez un nom au client." in body
    assert "Choisissez au moins une portée." in body


def test_only_admins_manage_clients(client, login, make_user):
    assert client.get("/admin/lrs/clients").status_code == 302
    for role in (Role.LEARNER, Role.TRAINER, Role.NETWORK_MANAGER):
        login(make_user(role=role))
        assert client.get("/admin/lrs/clients").status_code == 403
        assert client.post("/admin/lrs/clients", data={"name": "x"}).status_code == 403
        client.post("/deconnexion")


def test_create_lrs_client_command(runner, db_session):
    result = runner.invoke(
        args=["lms", "create-lrs-client", "--name", "Autre LRS", "--scope", "statements/read"]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"^key: +\S+$", result.output, re.M)
    assert re.search(r"^secret: +\S+$", result.output, re.M)
    bad = runner.invoke(args=["lms", "create-lrs-client", "--name", " "])
    assert bad.exit_code != 0


def test_a_remembered_client_still_needs_its_secret(app, client, db_session):
    """Workers remember a checked client for a few seconds: only with the same secret."""
    assert app.config["CLIENT_CACHE_SECONDS"] > 0
    lrs_client, secret = create_client("Outil", ["statements/write"])
    db_session.commit()

    def post(password: str) -> int:
        return client.post(
            "/xapi/statements",
            data=json.dumps(STATEMENT),
            headers=basic(lrs_client.key, password),
            content_type="application/json",
        ).status_code

    assert post(secret) == 200
    assert post(secret + "x") == 401
    assert post("") == 401
    assert post(secret) == 200


def test_a_deactivated_client_is_refused_by_other_workers_once_its_cache_expires(
    app, client, db_session
):
    """Another worker's deactivation reaches this one when the remembered entry expires."""
    lrs_client, secret = create_client("Outil", ["statements/write"])
    db_session.commit()
    headers = basic(lrs_client.key, secret)

    def post() -> int:
        return client.post(
            "/xapi/statements",
            data=json.dumps(STATEMENT),
            headers=headers,
            content_type="application/json",
        ).status_code

    assert post() == 200
    # Deactivated behind this process's back, as another worker's admin page would.
    db_session.get(LRSClient, lrs_client.id).is_active = False
    db_session.commit()
    assert post() == 200  # still remembered here
    entry = app.extensions["lrs_client_cache"][lrs_client.key]
    app.extensions["lrs_client_cache"][lrs_client.key] = (0.0, *entry[1:])  # expired
    assert post() == 401
