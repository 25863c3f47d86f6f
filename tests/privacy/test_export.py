"""« Mes données »: the page, and the archive holding the person's data and no one else's."""

import json

from lms.accounts.models import Role
from lms.core.db import utcnow
from lms.networks.scoping import local_today
from lms.xapi.clients import create_client
from tests.certificates.helpers import complete_parcours
from tests.learning.helpers import all_modules, page, read, take_quiz
from tests.privacy.helpers import join, read_zip

EXPECTED_FILES = {
    "README.txt",
    "profile.json",
    "enrolments.json",
    "attempts.json",
    "statements.json",
    "certificates.json",
    "cohorts.json",
    "mail.json",
    "lrs_clients.json",
    "xapi_documents.json",
}


def test_the_page_needs_a_login(client):
    response = client.get("/compte/donnees")
    assert response.status_code == 302
    assert "/connexion" in response.headers["Location"]
    assert client.get("/compte/donnees/export").status_code == 302


def test_export_holds_my_data_and_never_another_learners(
    client, login, make_user, cohort, seed, db_session
):
    ada = make_user(name="Ada Lovelace")
    basile = make_user(name="Basile Roux")
    for user in (ada, basile):
        join(cohort, user)
    first = all_modules(seed)[0]
    login(basile)
    read(client, seed, first)
    take_quiz(client, seed, first, right=False)
    client.post("/deconnexion")
    login(ada)
    complete_parcours(client, seed)
    take_quiz(client, seed, first, right=False)  # one more attempt, failed

    text = page(client.get("/compte/donnees"))
    assert "Ada Lovelace" in text
    assert "Télécharger mes données (ZIP)" in text

    response = client.get("/compte/donnees/export")
    assert response.status_code == 200
    assert response.mimetype == "application/zip"
    assert response.headers["Cache-Control"] == "no-store, private"
    today = local_today(utcnow()).isoformat()
    assert f"parcours-mes-donnees-{today}.zip" in response.headers["Content-Disposition"]
    files = read_zip(response.data)
    assert set(files) == EXPECTED_FILES

    profile = files["profile.json"]
    assert profile["name"] == "Ada Lovelace"
    assert profile["email"] == ada.email
    assert profile["xapi_agent"]["account"]["name"] == ada.public_id

    enrolments = files["enrolments.json"]
    assert [item["parcours"] for item in enrolments] == [seed.slug]
    assert enrolments[0]["progress"]["completed_at"] is not None
    assert len(enrolments[0]["modules"]) == len(all_modules(seed))
    assert {level["level"] for level in enrolments[0]["levels"]} == {
        level.key.value for level in seed.levels
    }

    attempts = files["attempts.json"]
    quizzes = [module for module in all_modules(seed) if module.quiz is not None]
    assert len(attempts) == len(quizzes) + 1
    assert all(attempt["answers"] and attempt["questions"] for attempt in attempts)
    assert [a["is_passed"] for a in attempts if a["module"] == first.slug] == [True, False]

    statements = files["statements.json"]["statements"]
    assert statements
    actors = {statement["actor"]["account"]["name"] for statement in statements}
    assert actors == {ada.public_id}
    everything = json.dumps(files, ensure_ascii=False)
    for trace in (basile.public_id, basile.email, "Basile Roux"):
        assert trace not in everything

    certificates = files["certificates.json"]
    assert [c["kind"] for c in certificates].count("parcours") == 1
    for certificate in certificates:
        assert certificate["learner_name"] == "Ada Lovelace"
        assert certificate["revoked_at"] is None
        code = certificate["code"].replace("-", "")
        assert certificate["verification_url"].endswith(f"/verify/{code}")

    memberships = files["cohorts.json"]["memberships"]
    assert [(m["cohort"], m["network"]) for m in memberships] == [
        (cohort.name, cohort.network.name)
    ]
    # The certificate e-mail is held for her, and listed.
    subjects = [message["subject"] for message in files["mail.json"]["messages"]]
    assert any(seed.title in subject for subject in subjects)
    assert files["lrs_clients.json"] == []
    assert files["xapi_documents.json"] == []
    assert "statements.json" in files["README.txt"]
    assert "Vos traces d'apprentissage" in files["README.txt"]


def test_export_lists_the_lrs_clients_i_created_without_their_secret(
    client, login, make_user, db_session
):
    admin = make_user(Role.ADMIN)
    other = make_user(Role.ADMIN)
    _client, secret = create_client("Outil de l'admin", ["statements/read"], created_by=admin)
    create_client("Outil d'un autre", ["statements/read"], created_by=other)
    login(admin)
    response = client.get("/compte/donnees/export")
    clients = read_zip(response.data)["lrs_clients.json"]
    assert [item["name"] for item in clients] == ["Outil de l'admin"]
    assert secret not in json.dumps(read_zip(response.data))
    assert "secret" not in clients[0]
