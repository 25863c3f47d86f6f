import re

import pytest
import sqlalchemy as sa
from itsdangerous import TimestampSigner

from lms.accounts.models import Role, User
from tests.certificates.helpers import clear_mail, sent_mail
from tests.learning.helpers import page


def register(client, **overrides):
    data = {
        "name": "Camille Martin",
        "email": "camille@example.org",
        "password": "un mot de passe solide",
        "password_confirm": "un mot de passe solide",
    }
    data.update(overrides)
    return client.post("/inscription", data=data)


def confirmation_link(app, email: str) -> str:
    (message,) = [m for m in sent_mail(app) if m["To"] == email]
    return re.search(r"https://parcours\.test(/inscription/\S+)", message.get_content()).group(1)


def test_register_mails_a_link_that_creates_the_learner(app, client, db_session):
    clear_mail(app)
    response = register(client, email="  Camille@Example.ORG ")
    assert response.status_code == 200
    assert "Vérifiez votre messagerie" in page(response)
    # Nothing is stored before the link is opened.
    assert db_session.scalar(sa.select(sa.func.count()).select_from(User)) == 0

    link = confirmation_link(app, "camille@example.org")
    response = client.get(link)

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/connexion")
    user = db_session.scalar(sa.select(User).where(User.email == "camille@example.org"))
    assert user is not None
    assert user.role == Role.LEARNER
    assert user.name == "Camille Martin"
    # Argon2id, and never the password itself.
    assert user.password_hash.startswith("$argon2id$")
    assert "solide" not in user.password_hash
    assert "votre compte est activé" in page(client.get(response.headers["Location"]))
    data = {"email": "camille@example.org", "password": "un mot de passe solide"}
    assert client.post("/connexion", data=data).status_code == 302
    assert "Mes parcours" in page(client.get("/"))
    client.post("/deconnexion")
    # The link serves once.
    again = client.get(link)
    assert again.status_code == 409
    assert "déjà activé" in page(again)


def test_register_brings_the_learner_back_where_they_were(app, client, db_session):
    clear_mail(app)
    client.post(
        "/inscription?next=/parcours/x",
        data={
            "name": "Camille Martin",
            "email": "camille@example.org",
            "password": "un mot de passe solide",
            "password_confirm": "un mot de passe solide",
        },
    )
    response = client.get(confirmation_link(app, "camille@example.org"))
    login = client.post(
        response.headers["Location"],
        data={"email": "camille@example.org", "password": "un mot de passe solide"},
    )
    assert login.headers["Location"] == "/parcours/x"


def test_register_answers_the_same_for_a_taken_email_and_tells_its_owner(
    app, client, make_user, db_session
):
    owner = make_user(email="pris@example.org", name="Dominique")
    clear_mail(app)
    taken = register(client, email="PRIS@example.org")
    free = register(client, email="libre@example.org")
    assert taken.status_code == free.status_code == 200
    assert page(taken).replace("PRIS@example.org", "libre@example.org") == page(free)
    (message,) = [m for m in sent_mail(app) if m["To"] == owner.email]
    assert "déjà" in message["Subject"]
    assert "/mot-de-passe-oublie" in message.get_content()
    assert "/inscription/" not in message.get_content()
    db_session.refresh(owner)
    assert owner.name == "Dominique"


@pytest.mark.parametrize("token", ["x", "eyJuIjoxfQ.abc.def", "%20"])
def test_forged_confirmation_links_are_refused(client, token, db_session):
    response = client.get(f"/inscription/{token}")
    assert response.status_code == 404
    assert "pas valable" in page(response)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_confirmation_link_expires(app, client, db_session, monkeypatch):
    clear_mail(app)
    with monkeypatch.context() as patch:
        real = TimestampSigner.get_timestamp
        age = app.config["REGISTRATION_MAX_AGE"] + 5
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - age)
        register(client)
    assert client.get(confirmation_link(app, "camille@example.org")).status_code == 404
    assert db_session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_register_explains_each_bad_field(client, db_session):
    response = register(
        client, name="", email="pas-une-adresse", password="court", password_confirm="autre"
    )
    body = page(response)
    assert response.status_code == 422
    assert "Indiquez votre nom." in body
    assert "Cette adresse e-mail n'est pas valide." in body
    assert "au moins 10 caractères" in body
    assert 'aria-invalid="true"' in body
    assert db_session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


def test_password_confirmation_must_match(client):
    response = register(client, password_confirm="un autre mot de passe")
    assert response.status_code == 422
    assert "ne sont pas identiques" in page(response)


def test_login_and_logout(client, make_user):
    user = make_user()
    response = client.post(
        "/connexion", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/mes-parcours"
    assert client.get("/mes-parcours").status_code == 200
    assert client.get("/deconnexion").status_code == 405  # logging out is a POST
    client.post("/deconnexion")
    assert client.get("/mes-parcours").status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    user = make_user()
    wrong = client.post(
        "/connexion", data={"email": user.email, "password": "mauvais mot de passe"}
    )
    unknown = client.post(
        "/connexion", data={"email": "x@example.org", "password": "mauvais mot de passe"}
    )
    assert wrong.status_code == unknown.status_code == 422
    assert "Adresse e-mail ou mot de passe incorrect." in page(wrong)
    assert page(wrong).replace(user.email, "x@example.org") == page(unknown)


def test_inactive_account_cannot_log_in(client, make_user, db_session):
    user = make_user()
    user.is_active = False
    db_session.commit()
    response = client.post(
        "/connexion", data={"email": user.email, "password": "correct horse battery"}
    )
    assert response.status_code == 422


def test_login_next_parameter_stays_on_site(client, make_user):
    user = make_user()
    data = {"email": user.email, "password": "correct horse battery"}
    response = client.post("/connexion?next=/parcours/x", data=data)
    assert response.headers["Location"] == "/parcours/x"
    client.post("/deconnexion")
    response = client.post("/connexion?next=//evil.example/", data=data)
    assert response.headers["Location"] == "/mes-parcours"
    client.post("/deconnexion")
    response = client.post("/connexion?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/mes-parcours"
    # Browsers read a backslash as a slash: "/\\evil.example" is "//evil.example".
    client.post("/deconnexion")
    response = client.post("/connexion", query_string={"next": "/\\evil.example/"}, data=data)
    assert response.headers["Location"] == "/mes-parcours"


def test_create_user_command(runner, db_session):
    result = runner.invoke(
        args=[
            "lms",
            "create-user",
            "--name",
            "Dominique",
            "--email",
            "dom@example.org",
            "--role",
            "trainer",
            "--password",
            "formatrice-2026",
        ]
    )
    assert result.exit_code == 0, result.output
    user = db_session.scalar(sa.select(User).where(User.email == "dom@example.org"))
    assert user.role == Role.TRAINER
    again = runner.invoke(
        args=[
            "lms",
            "create-user",
            "--name",
            "D",
            "--email",
            "dom@example.org",
            "--password",
            "formatrice-2026",
        ]
    )
    assert again.exit_code != 0
    assert "existe déjà" in again.output
    short = runner.invoke(
        args=[
            "lms",
            "create-user",
            "--name",
            "E",
            "--email",
            "e@example.org",
            "--password",
            "court",
        ]
    )
    assert short.exit_code != 0
    assert "au moins 10 caractères" in short.output
