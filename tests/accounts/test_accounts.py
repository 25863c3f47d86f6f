import sqlalchemy as sa

from lms.accounts.models import Role, User
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


def test_register_creates_a_learner_and_logs_in(client, db_session):
    response = register(client, email="  Camille@Example.ORG ")
    assert response.status_code == 302
    user = db_session.scalar(sa.select(User).where(User.email == "camille@example.org"))
    assert user is not None
    assert user.role == Role.LEARNER
    assert user.name == "Camille Martin"
    # Argon2id, and never the password itself.
    assert user.password_hash.startswith("$argon2id$")
    assert "solide" not in user.password_hash
    assert "Mes parcours" in page(client.get("/"))


def test_register_refuses_a_taken_email(client, make_user):
    make_user(email="pris@example.org")
    response = register(client, email="PRIS@example.org")
    assert response.status_code == 422
    assert "Un compte existe déjà" in page(response)


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
