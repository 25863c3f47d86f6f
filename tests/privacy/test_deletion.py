"""Deleting one's account: personal data erased, learning record kept under an anonymous
account, certificates revoked, and the person can never log in again."""

import json

import pytest
import sqlalchemy as sa

from lms.accounts.models import Role, User
from lms.certificates.models import Certificate
from lms.core.db import utcnow
from lms.mail.models import MailMessage
from lms.networks.dashboard import funnel, learner_rows, scope_for, summary
from lms.networks.dashboard.learners import Filters
from lms.networks.enrolment import start_import
from lms.privacy.operations import ERASED_DOMAIN, erase_account
from lms.progress.operations import replay_progress
from lms.xapi.models import Statement, StatementAgent
from tests.certificates.helpers import complete_parcours
from tests.fixtures.factories import PASSWORD
from tests.learning.helpers import all_modules, page, read
from tests.privacy.helpers import account, join, outside_statement, read_zip

DELETE = "/compte/donnees/suppression"


def figures(cohort) -> tuple:
    scope = scope_for(cohort, utcnow())
    stats = summary(scope)
    rows = learner_rows(scope, Filters(), per_page=None)[0]
    return (
        stats,
        [(step.label_key, step.count) for step in funnel(scope, stats)],
        sorted((row.percent, row.certificate_code, row.certificate_revoked) for row in rows),
    )


def statement_ids(client, headers, **query) -> list[str]:
    response = client.get("/xapi/statements", query_string=query, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return sorted(statement["id"] for statement in response.get_json()["statements"])


@pytest.fixture
def ada(make_user, cohort, seed, client, login):
    """A learner who finished the parcours in the cohort, beside Basile who began it."""
    ada = make_user(name="Ada Lovelace")
    basile = make_user(name="Basile Roux")
    for user in (ada, basile):
        join(cohort, user)
    login(basile)
    read(client, seed, all_modules(seed)[0])
    client.post("/deconnexion")
    login(ada)
    complete_parcours(client, seed)
    client.post("/deconnexion")
    return ada


def test_export_delete_then_login_is_refused_and_the_cohort_still_counts_her(
    app, client, login, ada, cohort, manager, credentials, db_session
):
    reader = credentials("statements/read", "statements/write", "state")
    old_agent = account(ada.public_id)
    old_email, user_id = ada.email, ada.id
    # An outside tool's statements: one by her, one where she is the instructor; and a
    # state document kept under her agent.
    by_her = outside_statement(old_agent)
    taught_by_her = outside_statement({"mbox": "mailto:camille@example.org"}, old_agent)
    response = client.post("/xapi/statements", json=[by_her, taught_by_her], headers=reader)
    assert response.status_code == 200, response.get_data(as_text=True)
    state = {
        "activityId": "https://outil.example.org/videos/1",
        "agent": json.dumps(old_agent),
        "stateId": "bookmark",
    }
    assert (
        client.put(
            "/xapi/activities/state", query_string=state, json={"t": 42}, headers=reader
        ).status_code
        == 204
    )
    before = figures(cohort)
    mine = statement_ids(client, reader, agent=json.dumps(old_agent))
    related = statement_ids(client, reader, agent=json.dumps(old_agent), related_agents="true")
    assert by_her["id"] in mine
    assert taught_by_her["id"] in related

    # Another device where she stays logged in ("remember me").
    other_device = app.test_client()
    other_device.post(
        "/connexion", data={"email": ada.email, "password": PASSWORD, "remember": "y"}
    )
    assert other_device.get("/compte/donnees").status_code == 200
    login(ada)
    export = client.get("/compte/donnees/export")
    assert len(read_zip(export.data)["statements.json"]["statements"]) == len(mine)
    assert "Supprimer définitivement mon compte" in page(client.get("/compte/donnees"))
    response = client.post(DELETE, data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 302
    assert "Votre compte est supprimé" in page(client.get(response.headers["Location"]))
    # Logged out, and refused as a wrong password would be.
    assert client.get("/compte/donnees").status_code == 302
    assert other_device.get("/compte/donnees").status_code == 302
    other_device.delete_cookie("session")  # the remember-me cookie alone logs in no one
    assert other_device.get_cookie("remember_token") is not None
    assert other_device.get("/compte/donnees").status_code == 302
    refused = client.post("/connexion", data={"email": old_email, "password": PASSWORD})
    assert refused.status_code == 422
    assert "Adresse e-mail ou mot de passe incorrect." in page(refused)

    db_session.expire_all()
    user = db_session.get(User, user_id)
    assert user.deleted_at is not None
    assert not user.is_active
    assert user.name == "Apprenant anonyme"
    assert user.email.endswith(f"@{ERASED_DOMAIN}")
    assert old_email not in user.email
    assert user.public_id != old_agent["account"]["name"]

    # Her statements: none under the old identity, all under the anonymous account.
    assert statement_ids(client, reader, agent=json.dumps(old_agent)) == []
    assert statement_ids(client, reader, agent=json.dumps(old_agent), related_agents="true") == []
    anonymous = account(user.public_id)
    assert statement_ids(client, reader, agent=json.dumps(anonymous)) == mine
    assert (
        statement_ids(client, reader, agent=json.dumps(anonymous), related_agents="true") == related
    )
    stored = db_session.scalars(sa.select(Statement).where(Statement.id.in_(related))).all()
    old_name = old_agent["account"]["name"]
    for statement in stored:
        assert old_name not in json.dumps(statement.payload)
    assert (
        db_session.scalar(
            sa.select(sa.func.count()).where(StatementAgent.agent_key.contains(old_name))
        )
        == 0
    )
    taught = next(s for s in stored if s.id == taught_by_her["id"])
    assert taught.payload["context"]["instructor"] == anonymous
    assert taught.payload["actor"] == {"mbox": "mailto:camille@example.org"}
    assert (
        client.get("/xapi/activities/state", query_string=state, headers=reader).status_code == 404
    )

    # The cohort's figures are unchanged; she is now an anonymous learner there.
    # Only the "certified" step moves: her certificate is revoked, as erasure requires.
    after = figures(cohort)
    assert after[0] == before[0]
    assert after[1][:-1] == before[1][:-1]
    assert (before[1][-1], after[1][-1]) == (("certified", 1), ("certified", 0))
    assert [row[:2] for row in after[2]] == [row[:2] for row in before[2]]
    login(manager)
    dashboard = page(client.get(f"/cohortes/{cohort.id}"))
    assert "Apprenant anonyme" in dashboard
    assert "Ada Lovelace" not in dashboard
    assert old_email not in dashboard
    # Replaying the statements gives the same progress: they still belong to her row.
    replay_progress()
    db_session.expire_all()
    assert figures(cohort) == after
    # No mail held for her address any more.
    assert (
        db_session.scalar(sa.select(sa.func.count()).where(MailMessage.recipient == old_email)) == 0
    )


def test_her_certificates_are_revoked_with_the_reason_and_no_longer_name_her(
    client, login, ada, db_session
):
    certificates = db_session.scalars(
        sa.select(Certificate).where(Certificate.user_id == ada.id)
    ).all()
    assert certificates
    codes = [certificate.code for certificate in certificates]
    login(ada)
    client.post(DELETE, data={"password": PASSWORD, "confirm": "y"})
    db_session.expire_all()
    for code in codes:
        certificate = db_session.scalar(sa.select(Certificate).where(Certificate.code == code))
        assert certificate.is_revoked
        assert certificate.revoked_reason == "compte supprimé"
        text = page(client.get(f"/verify/{code}"))
        assert "révoqué" in text
        assert "Motif : compte supprimé" in text
        assert "Ada Lovelace" not in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"password": "not her password", "confirm": "y"}, "Mot de passe incorrect."),
        ({"password": PASSWORD}, "Cochez la case pour confirmer la suppression."),
        ({"confirm": "y"}, "Indiquez votre mot de passe."),
    ],
)
def test_a_refused_deletion_says_why_and_changes_nothing(
    client, login, make_user, db_session, data, message
):
    learner = make_user(name="Chloé Petit")
    login(learner)
    response = client.post(DELETE, data=data)
    assert response.status_code == 422
    assert message in page(response)
    db_session.expire_all()
    assert learner.deleted_at is None
    assert learner.name == "Chloé Petit"
    assert client.get("/compte/donnees").status_code == 200  # still logged in


def test_her_line_leaves_the_enrolment_files_managers_uploaded(
    make_user, cohort, manager, db_session
):
    learner = make_user(name="Ada Lovelace", email="ada@example.org")
    data = (
        "E-mail;Prénom;Nom;Structure\n"
        "ADA@example.org;Ada;Lovelace;PAVA de Lyon\n"
        "lada@example.org;Lada;Durand;PAVA de Lyon\n"
    ).encode()
    upload = start_import(cohort, "inscrits.csv", data, manager)
    erase_account(learner)
    db_session.expire_all()
    assert (
        upload.content == "E-mail;Prénom;Nom;Structure\nlada@example.org;Lada;Durand;PAVA de Lyon\n"
    )


def test_deletion_needs_the_forms_csrf_token(
    app, client, login, make_user, db_session, monkeypatch
):
    learner = make_user()
    login(learner)
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    response = client.post(DELETE, data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code in {400, 422}
    db_session.expire_all()
    assert learner.deleted_at is None


def test_an_admin_cannot_delete_their_own_account_here(client, login, make_user, db_session):
    admin = make_user(Role.ADMIN)
    login(admin)
    assert "demandez-le à un autre administrateur" in page(client.get("/compte/donnees"))
    response = client.post(DELETE, data={"password": PASSWORD, "confirm": "y"})
    assert response.status_code == 422
    db_session.expire_all()
    assert admin.deleted_at is None


def test_the_cli_erases_an_account_once(runner, make_user, db_session):
    trainer = make_user(Role.TRAINER)
    email = trainer.email
    result = runner.invoke(args=["lms", "erase-account", email, "--yes"])
    assert result.exit_code == 0, result.output
    assert "Erased account" in result.output
    db_session.expire_all()
    assert trainer.deleted_at is not None
    assert trainer.role == Role.LEARNER
    again = runner.invoke(args=["lms", "erase-account", email, "--yes"])
    assert again.exit_code != 0
    assert "no account" in again.output
