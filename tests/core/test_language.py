"""The language switch in every page's footer: POST /langue keeps the choice in the session."""

import re

import pytest
from flask_babel import refresh


def _html_lang(response) -> str:
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def get(client, path: str):
    # The suite keeps one app context open for the whole test (tests/conftest.py), shared by
    # the test client's requests, and Flask-Babel caches the locale there: pick it again.
    refresh()
    return client.get(path)


def test_every_page_offers_the_switch_with_each_language_named_in_itself(client):
    html = get(client, "/").get_data(as_text=True)
    assert 'action="/langue"' in html
    assert '<span lang="fr">Français</span>' in html
    assert '<span lang="en">English</span>' in html
    assert 'name="next" value="/"' in html


def test_switching_to_english_changes_the_page_language_and_returns_to_next(client):
    assert _html_lang(get(client, "/")) == "fr"

    response = client.post("/langue", data={"lang": "en", "next": "/verify?code=ABC"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/verify?code=ABC"
    assert _html_lang(get(client, "/")) == "en"
    client.post("/langue", data={"lang": "fr", "next": "/"})
    assert _html_lang(get(client, "/")) == "fr"


def test_the_current_language_is_marked(client):
    client.post("/langue", data={"lang": "en", "next": "/"})
    html = get(client, "/").get_data(as_text=True)
    assert re.search(r'value="en"[^>]*aria-current="true"', html)
    assert not re.search(r'value="fr"[^>]*aria-current', html)


@pytest.mark.parametrize("lang", ["de", "", "FR"])
def test_an_unknown_language_is_refused_with_a_reason_and_changes_nothing(client, lang):
    response = client.post("/langue", data={"lang": lang, "next": "/"})

    assert response.status_code == 400
    assert "Langue inconnue" in response.get_data(as_text=True)
    assert _html_lang(get(client, "/")) == "fr"


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/x",
        "/\\evil.example",
        "javascript:alert(1)",
        "evil.example",
        "/\r\nLocation: https://evil.example",
        "",
    ],
)
def test_a_next_that_leaves_the_site_is_replaced_by_the_catalogue(client, target):
    response = client.post("/langue", data={"lang": "en", "next": target})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert _html_lang(get(client, "/")) == "en"  # the choice itself is kept


def test_the_switch_is_csrf_protected(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)

    response = client.post("/langue", data={"lang": "en", "next": "/"})

    assert response.status_code == 400
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", False)
    assert _html_lang(get(client, "/")) == "fr"


def test_from_a_page_answering_a_post_the_switch_returns_to_the_page_of_the_form(client):
    html = client.post(
        "/langue", data={"lang": "xx"}, headers={"Referer": "http://localhost/verify?code=A"}
    ).get_data(as_text=True)
    assert 'name="next" value="/verify?code=A"' in html

    html = client.post(
        "/langue", data={"lang": "xx"}, headers={"Referer": "https://evil.example/x"}
    ).get_data(as_text=True)
    assert 'name="next" value="/"' in html
