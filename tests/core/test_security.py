"""Security headers on every response, no inline script in any template, and CSRF tokens
required by every form route (walked from the URL map)."""

import hashlib
import io
import re

import pytest
import sqlalchemy as sa

from config import ROOT, Config, ProdConfig
from lms.accounts.models import Role
from lms.catalog.models import StoredFile
from lms.catalog.operations import add_owner
from tests.authoring import helpers as authoring
from tests.conftest import SEED_SLUG
from tests.learning.helpers import page

# Routes that take a POST without the app-wide CSRF check, and why:
CSRF_EXEMPT = {
    # The signed link is the authority; mail clients send RFC 8058's one-click POST bare.
    "mail.unsubscribe",
    # These two check the token in their own form, once their body limit is set (see
    # test_upload_routes_check_the_token_themselves).
    "authoring.upload",
    "authoring.import_package",
}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def test_pages_carry_the_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert directives["frame-ancestors"] == "'none'"
    assert directives["object-src"] == "'none'"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in response.headers["Permissions-Policy"]
    # Tests and development run over plain HTTP: no HSTS there.
    assert "Strict-Transport-Security" not in response.headers


def test_hsts_is_sent_in_production_only(app, client, monkeypatch):
    assert Config.HSTS_MAX_AGE is None
    assert ProdConfig.HSTS_MAX_AGE >= 180 * 24 * 3600
    monkeypatch.setitem(app.config, "HSTS_MAX_AGE", ProdConfig.HSTS_MAX_AGE)
    header = client.get("/").headers["Strict-Transport-Security"]
    assert header == f"max-age={ProdConfig.HSTS_MAX_AGE}; includeSubDomains"


def test_production_cookies_are_secure_httponly_and_samesite():
    for prefix in ("SESSION", "REMEMBER"):
        assert getattr(ProdConfig, f"{prefix}_COOKIE_SECURE") is True
        assert getattr(ProdConfig, f"{prefix}_COOKIE_HTTPONLY") is True
        assert getattr(ProdConfig, f"{prefix}_COOKIE_SAMESITE") == "Lax"


def test_session_cookie_flags(client, make_user):
    user = make_user()
    response = client.post(
        "/connexion",
        data={"email": user.email, "password": "correct horse battery", "remember": "y"},
    )
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    for cookie in cookies:
        assert "HttpOnly" in cookie
        assert "SameSite=Lax" in cookie


def test_the_xapi_api_keeps_answering_json_with_the_headers(client):
    response = client.get("/xapi/about")
    assert response.status_code == 200
    assert response.is_json
    assert response.json["version"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    refused = client.get("/xapi/statements", headers={"X-Experience-API-Version": "1.0.3"})
    assert refused.status_code == 401
    assert refused.is_json


def test_uploaded_files_keep_their_sandbox_policy(client, login, make_user, db_session):
    owner = make_user(Role.TRAINER)
    add_owner(SEED_SLUG, owner.email)
    login(owner)
    module = "c1-quest-ce-quun-mse"
    response = authoring.upload(client, SEED_SLUG, module, authoring.PDF_BYTES, "guide.pdf")
    assert response.status_code == 302, page(response)
    sha = hashlib.sha256(authoring.PDF_BYTES).hexdigest()
    assert db_session.scalar(sa.select(StoredFile).where(StoredFile.sha256 == sha))
    download = client.get(f"/fichiers/{sha}/guide.pdf")
    assert download.status_code == 200
    assert download.headers["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert download.headers["Content-Disposition"].startswith("attachment")
    download.close()


def test_uploads_that_are_html_or_script_are_refused(client, login, make_user):
    owner = make_user(Role.TRAINER)
    add_owner(SEED_SLUG, owner.email)
    login(owner)
    module = "c1-quest-ce-quun-mse"
    for data, name in (
        (b"<html><script>alert(1)</script></html>", "page.html"),
        (b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>", "image.svg"),
        # HTML renamed as a PDF: judged by its bytes, not its name.
        (b"<script>alert(1)</script>", "guide.pdf"),
    ):
        response = authoring.upload(client, SEED_SLUG, module, data, name)
        assert response.status_code == 422, (name, response.status_code)


TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


@pytest.mark.parametrize("path", TEMPLATES, ids=[str(p.relative_to(ROOT)) for p in TEMPLATES])
def test_templates_have_no_inline_script_or_style(path):
    # The Content-Security-Policy would block them: scripts and styles go in static files.
    text = path.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)", text, re.IGNORECASE), "inline <script>"
    assert not re.search(r"\son[a-z]+\s*=", text, re.IGNORECASE), "inline event handler"
    assert not re.search(r"\sstyle\s*=|<style", text, re.IGNORECASE), "inline style"
    assert "javascript:" not in text.lower()


def unsafe_routes(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods & UNSAFE_METHODS):
            values = {
                name: 1 if type(rule._converters[name]).__name__ == "IntegerConverter" else "x"
                for name in rule.arguments
            }
            yield rule.endpoint, method, rule.build(values, append_unknown=False)[1]


def test_every_form_route_refuses_a_request_without_csrf_token(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    routes = list(unsafe_routes(app))
    assert len(routes) > 50  # the walk found the routes
    wrong = []
    for endpoint, method, url in routes:
        if url.startswith("/xapi/"):
            # The LRS API uses HTTP Basic, not cookies: exempt, so the request reaches
            # the credentials check.
            response = client.open(
                url, method=method, headers={"X-Experience-API-Version": "1.0.3"}
            )
            expected_refusal = response.status_code == 401
        elif endpoint in CSRF_EXEMPT:
            response = client.open(url, method=method)
            expected_refusal = response.status_code != 400
        else:
            response = client.open(url, method=method, data={"anything": "x"})
            expected_refusal = response.status_code == 400
        if not expected_refusal:
            wrong.append((method, url, response.status_code))
    assert not wrong


def test_a_valid_csrf_token_is_accepted(app, client, make_user, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    user = make_user()
    form = client.get("/connexion").get_data(as_text=True)
    token = authoring.hidden(form, "csrf_token")
    data = {"email": user.email, "password": "correct horse battery"}
    assert client.post("/connexion", data=data).status_code == 400
    assert client.post("/connexion", data={**data, "csrf_token": token}).status_code == 302


def test_upload_routes_check_the_token_themselves(app, client, login, make_user, monkeypatch):
    admin = make_user(Role.ADMIN)
    login(admin)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = authoring.upload(
        client, SEED_SLUG, "c1-quest-ce-quun-mse", authoring.PDF_BYTES, "guide.pdf"
    )
    assert response.status_code == 422
    package = client.get(f"/atelier/{SEED_SLUG}/export.zip").data
    response = client.post(
        "/atelier/importer",
        data={"file": (io.BytesIO(package), "paquet.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
