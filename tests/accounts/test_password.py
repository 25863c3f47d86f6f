"""Mon compte, password reset by e-mail, sessions ended by a password change, rate limits."""

import re

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner

from lms.accounts.models import User
from lms.extensions import limiter
from tests.certificates.helpers import clear_mail, sent_mail
from tests.fixtures.factories import PASSWORD
from tests.learning.helpers import page

NEW = "un tout nouveau mot de passe"


def change(client, current=PASSWORD, new=NEW, confirm=None):
    with client.application.app_context():
        return client.post(
            "/compte",
            data={"current_password": current, "password": new, "password_confirm": confirm or new},
        )


# Requests made inside the test's app context share its `g`, where Flask-Login caches the
# user of the request: each of these runs in an app context of its own, as on a server.
def log_in(client, user, password=PASSWORD, **extra):
    with client.application.app_context():
        data = {"email": user.email, "password": password, **extra}
        return client.post("/connexion", data=data)


def fresh_get(client, url):
    with client.application.app_context():
        return client.get(url)


def is_logged_in(client) -> bool:
    with client.application.app_context():
        return client.get("/mes-parcours").status_code == 200


def test_account_page_needs_login_and_shows_the_form(client, login, make_user):
    assert client.get("/compte").status_code == 302
    login(make_user(name="Camille"))
    body = page(client.get("/compte"))
    assert "Mot de passe actuel" in body
    assert "Camille" in body


def test_changing_the_password_needs_the_current_one(client, login, make_user, db_session):
    user = make_user()
    login(user)
    before = user.password_hash
    response = change(client, current="pas le bon mot de passe")
    assert response.status_code == 422
    assert "Le mot de passe actuel est incorrect." in page(response)
    db_session.refresh(user)
    assert user.password_hash == before
    assert change(client, new="court", confirm="court").status_code == 422


def test_changing_the_password_ends_every_other_session(app, client, login, make_user):
    user = make_user()
    login(user)
    other = app.test_client()
    assert log_in(other, user).status_code == 302
    remembered = app.test_client()
    assert log_in(remembered, user, remember="y").status_code == 302
    # A remember-me cookie alone logs in again once the session cookie is gone.
    remembered.delete_cookie("session")
    assert is_logged_in(remembered)
    remembered.delete_cookie("session")

    response = change(client)

    assert response.status_code == 302
    assert "Votre mot de passe est changé" in page(client.get(response.headers["Location"]))
    assert is_logged_in(client)  # the session that changed it goes on
    assert not is_logged_in(other)
    assert not is_logged_in(remembered)
    client.post("/deconnexion")
    assert log_in(client, user).status_code == 422
    assert log_in(client, user, password=NEW).status_code == 302


def forgot(client, email):
    return client.post("/mot-de-passe-oublie", data={"email": email})


def reset_link(app) -> str:
    (message,) = sent_mail(app)
    return re.search(r"https://parcours\.test(/mot-de-passe/\S+)", message.get_content()).group(1)


def test_login_page_links_to_the_reset(client):
    assert 'href="/mot-de-passe-oublie"' in client.get("/connexion").get_data(as_text=True)


def test_reset_request_answers_the_same_whether_or_not_the_account_exists(app, client, make_user):
    user = make_user()
    clear_mail(app)
    known = forgot(client, user.email)
    known_page = page(client.get("/connexion"))
    unknown = forgot(client, "personne@example.org")
    unknown_page = page(client.get("/connexion"))

    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    assert "Si un compte existe avec l'adresse" in known_page
    assert known_page.replace(user.email, "personne@example.org") == unknown_page
    # Only the real owner gets a message.
    assert [message["To"] for message in sent_mail(app)] == [user.email]


def test_reset_link_sets_a_new_password_once_and_ends_sessions(app, client, make_user):
    user = make_user()
    elsewhere = app.test_client()
    assert log_in(elsewhere, user).status_code == 302
    clear_mail(app)
    forgot(client, user.email.upper())
    link = reset_link(app)
    assert user.email in page(client.get(link))

    response = client.post(link, data={"password": NEW, "password_confirm": NEW})

    assert response.status_code == 302
    assert response.headers["Location"] == "/connexion"
    assert not is_logged_in(elsewhere)
    assert log_in(client, user, password=NEW).status_code == 302
    client.post("/deconnexion")
    # The link has served: it is dead, whatever is sent to it.
    again = client.post(
        link, data={"password": "encore un autre", "password_confirm": "encore un autre"}
    )
    assert again.status_code == 404
    assert "plus valable" in page(again)
    assert log_in(client, user, password=NEW).status_code == 302


def test_reset_link_dies_when_the_password_changes_otherwise(app, client, login, make_user):
    user = make_user()
    clear_mail(app)
    forgot(client, user.email)
    link = reset_link(app)
    login(user)
    change(client)
    assert fresh_get(client, link).status_code == 404


def test_reset_link_expires(app, client, make_user, monkeypatch):
    user = make_user()
    clear_mail(app)
    max_age = app.config["PASSWORD_RESET_MAX_AGE"]
    with monkeypatch.context() as patch:
        # The link was made just over max_age seconds ago.
        real = TimestampSigner.get_timestamp
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - max_age - 5)
        forgot(client, user.email)
    assert client.get(reset_link(app)).status_code == 404


@pytest.mark.parametrize(
    "token", ["x", "eyJ1IjoiIn0.aaaa.bbbb", "", "e30.ZZZ.yyy", "bnVsbA.aaa.bbb"]
)
def test_forged_reset_links_are_refused_cleanly(client, token):
    response = client.get(f"/mot-de-passe/{token}" if token else "/mot-de-passe/%20")
    assert response.status_code == 404


def test_reset_of_the_new_password_is_checked(app, client, make_user, db_session):
    user = make_user()
    clear_mail(app)
    forgot(client, user.email)
    link = reset_link(app)
    response = client.post(link, data={"password": "court", "password_confirm": "court"})
    assert response.status_code == 422
    assert "au moins 10 caractères" in page(response)
    assert db_session.scalar(sa.select(User.session_version).where(User.id == user.id)) == 0


@pytest.fixture
def limits(app):
    """Lower the account pages' limits for one test, and start from empty counters."""
    names = (
        "LOGIN_RATE_LIMIT_ACCOUNT",
        "LOGIN_RATE_LIMIT_IP",
        "RESET_RATE_LIMIT_IP",
        "RESET_RATE_LIMIT_ACCOUNT",
    )
    saved = {name: app.config[name] for name in names}
    limiter.reset()

    def set_limits(**values):
        app.config.update(values)

    yield set_limits
    app.config.update(saved)
    limiter.reset()


def from_address(client, address: str):
    client.environ_base["REMOTE_ADDR"] = address
    return client


def test_failed_logins_are_limited_per_account_whatever_the_address(app, make_user, limits):
    limits(LOGIN_RATE_LIMIT_ACCOUNT="3 per minute")
    user = make_user()
    statuses = [
        log_in(
            from_address(app.test_client(), f"10.0.0.{n}"), user, password="mauvais!"
        ).status_code
        for n in range(4)
    ]
    assert statuses == [422, 422, 422, 429]
    blocked = log_in(from_address(app.test_client(), "10.0.0.9"), user)
    assert blocked.status_code == 429
    assert "Trop de tentatives" in page(blocked)
    assert "Retry-After" in blocked.headers
    # Another account is not affected.
    assert log_in(from_address(app.test_client(), "10.0.0.9"), make_user()).status_code == 302


def test_successful_logins_do_not_count_against_the_account(app, make_user, limits):
    limits(LOGIN_RATE_LIMIT_ACCOUNT="2 per minute")
    user = make_user()
    for n in range(4):
        assert log_in(from_address(app.test_client(), f"10.0.1.{n}"), user).status_code == 302


def test_logins_are_limited_per_address(app, make_user, limits):
    limits(LOGIN_RATE_LIMIT_IP="3 per minute")
    client = from_address(app.test_client(), "10.0.2.1")
    statuses = [log_in(client, make_user(), password="mauvais!").status_code for _ in range(4)]
    assert statuses == [422, 422, 422, 429]
    assert client.get("/connexion").status_code == 200  # only attempts are counted
    assert log_in(from_address(app.test_client(), "10.0.2.2"), make_user()).status_code == 302


def test_reset_requests_are_limited(app, make_user, limits):
    limits(RESET_RATE_LIMIT_ACCOUNT="2 per hour", RESET_RATE_LIMIT_IP="4 per minute")
    user = make_user()
    clear_mail(app)
    statuses = [
        forgot(from_address(app.test_client(), f"10.0.3.{n}"), user.email).status_code
        for n in range(3)
    ]
    assert statuses == [302, 302, 429]
    assert len(sent_mail(app)) == 2
    client = from_address(app.test_client(), "10.0.4.1")
    statuses = [forgot(client, f"x{n}@example.org").status_code for n in range(5)]
    assert statuses == [302, 302, 302, 302, 429]


def test_registrations_share_the_mail_sending_limits(app, limits):
    # Registration mails too (an activation link, or a note to the owner): the same budget.
    limits(RESET_RATE_LIMIT_ACCOUNT="2 per hour")
    data = {
        "name": "Camille",
        "email": "camille@example.org",
        "password": "un mot de passe solide",
        "password_confirm": "un mot de passe solide",
    }
    statuses = [
        from_address(app.test_client(), f"10.0.5.{n}").post("/inscription", data=data).status_code
        for n in range(3)
    ]
    assert statuses == [200, 200, 429]
