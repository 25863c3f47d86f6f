"""Request size limits with CSRF on, as in production: an oversized body is refused with a
413 and a message before it is read, and nothing is stored."""

import io

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role
from lms.catalog.models import StoredFile
from tests.authoring import helpers
from tests.learning.helpers import page

KB = 1024


@pytest.fixture
def csrf_client(app, client, login, make_user, monkeypatch):
    """A logged-in trainer with a module to upload to, then CSRF checks on."""
    login(make_user(Role.TRAINER))
    helpers.create_parcours(client)
    helpers.add_module(client, "mon-parcours", "m1")
    # Small limits keep the bodies under the test client's 500 Ko in-memory threshold.
    monkeypatch.setitem(app.config, "UPLOAD_MAX_BYTES", 100 * KB)
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 250 * KB)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    return client


def _post_upload(client, data: bytes, token: str | None):
    form = {
        "upload-title": "Guide",
        "upload-kind": "document",
        "upload-file": (io.BytesIO(data), "guide.pdf"),
    }
    if token is not None:
        form["upload-csrf_token"] = token
    return client.post(
        "/atelier/mon-parcours/modules/m1/fichiers", data=form, content_type="multipart/form-data"
    )


def _token(client) -> str:
    html = client.get("/atelier/mon-parcours/modules/m1").get_data(as_text=True)
    return helpers.hidden(html, "upload-csrf_token")


def _nothing_stored(db_session) -> bool:
    draft = helpers.draft_of("mon-parcours")
    count = db_session.scalar(sa.select(sa.func.count()).select_from(StoredFile))
    return count == 0 and "resources" not in draft.module("m1").front


def test_an_upload_with_its_token_is_stored(csrf_client, db_session):
    response = _post_upload(csrf_client, helpers.PDF_BYTES, _token(csrf_client))
    assert response.status_code == 302, page(response)
    assert not _nothing_stored(db_session)


def test_an_upload_without_its_token_is_refused(csrf_client, db_session):
    response = _post_upload(csrf_client, helpers.PDF_BYTES, None)
    assert response.status_code == 422
    assert "Le formulaire a expiré" in page(response)
    assert _nothing_stored(db_session)


@pytest.mark.parametrize("size", [200 * KB, 350 * KB], ids=["over-upload", "over-app"])
def test_an_oversized_upload_is_413_with_a_message(csrf_client, db_session, size):
    big = helpers.PDF_BYTES + b"0" * size
    response = _post_upload(csrf_client, big, _token(csrf_client))
    assert response.status_code == 413
    assert "dépasse la taille maximale (100 Ko)" in page(response)
    assert _nothing_stored(db_session)


def test_an_oversized_body_elsewhere_in_the_workshop_is_413(csrf_client, db_session):
    html = csrf_client.get("/atelier/mon-parcours/modules/m1").get_data(as_text=True)
    data = {"csrf_token": helpers.hidden(html, "csrf_token"), "body": "x" * (300 * KB)}
    response = csrf_client.post("/atelier/mon-parcours/modules/m1", data=data)
    assert response.status_code == 413
    assert "dépasse la taille maximale" in page(response)
    json = csrf_client.post(
        "/atelier/mon-parcours/modules/m1", data=data, headers={"Accept": "application/json"}
    )
    assert json.status_code == 413
    assert "dépasse la taille maximale" in json.get_json()["error"]
    assert helpers.draft_of("mon-parcours").module("m1").body_markdown == ""


def test_the_limit_is_app_wide(csrf_client):
    response = csrf_client.post("/connexion", data={"email": "x" * (300 * KB)})
    assert response.status_code == 413
    assert "dépasse la taille maximale acceptée" in page(response)


def test_the_markdown_preview_checks_the_csrf_token(csrf_client):
    # The app-wide CSRFProtect already refuses it; the view checks too, should the route
    # ever be exempted as the upload is.
    url = "/atelier/mon-parcours/modules/m1"
    html = csrf_client.get(url).get_data(as_text=True)
    data = {"action": "preview", "body": "Un **aperçu**", "title": "T", "version": "1"}
    refused = csrf_client.post(url, data=data)
    assert refused.status_code == 400
    assert "<strong>aperçu</strong>" not in refused.get_data(as_text=True)
    shown = csrf_client.post(url, data={**data, "csrf_token": helpers.hidden(html, "csrf_token")})
    assert shown.status_code == 200
    assert "<strong>aperçu</strong>" in shown.get_data(as_text=True)
